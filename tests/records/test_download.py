"""Downloading lab results: the patient's released results only, safe in a spreadsheet, audited."""

import csv
import io

import pytest

from audit.models import AuditEvent
from tests import factories as f
from tests.records.conftest import make_heavy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_today")]


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="lab-results.csv"'  # no PHI in the name
    assert response.content.startswith("\ufeff".encode())  # BOM: spreadsheets read accents and arrows
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_download_holds_released_results_with_units_ranges_and_flags_in_words(alice_client, rich):
    rows = _rows(alice_client.get("/results/download.csv"))
    by_name = {row["Result"]: row for row in rows}
    glucose = {row["Value"]: row for row in rows if row["Result"] == "Glucose"}
    assert set(glucose) == {"105", "92"}  # this report's and the older one's, newest report first
    assert glucose["105"]["Flag"].startswith("High") and glucose["105"]["Reference range"] == "70-99"
    assert by_name["Potassium"]["Units"] == "mmol/L" and by_name["Potassium"]["Flag"] == ""
    assert by_name["Sodium"]["Reference range"] == "no range given"
    for hidden in ("Calcium", "HIV 1+2 antibodies", "Deleted analyte"):  # DNR, sensitive visit, deleted order
        assert hidden not in by_name


def test_download_is_audited_as_downloaded_before_it_is_sent(alice_client, rich):
    alice_client.get("/results/download.csv")
    event = AuditEvent.objects.get()
    assert (event.code, event.category, event.pid) == ("record.downloaded", "results", 1)


def test_download_never_holds_another_patients_results(alice_client, rich, bob_record):
    rows = _rows(alice_client.get("/results/download.csv"))
    assert not any("Cholesterol" in row["Result"] or "Bob" in row["Test"] for row in rows)


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(alice_client, alice, reference_data):
    f.EncounterFactory(pid=1, encounter=50001)
    f.lab_report(pid=1, encounter=50001, test="=HYPERLINK(\"http://evil\")", results=[
        {"result_code": "1-2", "result_text": "@SUM(A1)", "result": "-5.5", "abnormal": "L"},
        {"result_code": "1-3", "result_text": "Note", "result": "+cmd|' /C calc'!A0"}])
    rows = _rows(alice_client.get("/results/download.csv"))
    assert rows[0]["Test"].startswith("'=")
    assert {row["Result"] for row in rows} == {"'@SUM(A1)", "Note"}
    values = {row["Value"] for row in rows}
    assert "-5.5" in values  # a plain negative number stays a number
    assert "'+cmd|' /C calc'!A0" in values


def test_download_query_count_is_fixed_for_a_heavy_record(alice_client, rich, openemr, django_assert_max_num_queries):
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connections["openemr"]) as small:
        alice_client.get("/results/download.csv")
    make_heavy(openemr, pid=1, visits=200)
    with CaptureQueriesContext(connections["openemr"]) as heavy:
        rows = _rows(alice_client.get("/results/download.csv"))
    assert len(rows) > 500
    assert len(heavy) == len(small) <= 10


def test_anonymous_download_is_sent_to_sign_in(client):
    response = client.get("/results/download.csv")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
