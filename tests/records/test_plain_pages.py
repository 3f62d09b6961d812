"""The chart pages in plain language (issue 11): lab names, units, directions, the results list's filters,
paging and latest values, the name in the header; fixed query counts whatever the filter."""

import re

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.records.conftest import make_heavy
from tests.records.test_pages import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_today")]


def test_every_chart_page_names_whose_chart_it_is(alice_client, rich):
    for url in ("/", "/results/", "/medications/", "/downloads/", "/profile/"):
        body = alice_client.get(url).content.decode()
        assert '<p class="whose-chart"><span class="visually-hidden">Signed in as </span>Alice Martín</p>' in body
        assert "Martín" not in re.search(r"<title>(.*?)</title>", body, re.S).group(1)  # never in the title


def test_preferred_name_is_used_in_the_header(client, make_patient_account, openemr):
    from tests.conftest import _verified_client

    f.PatientFactory(pid=7, fname="Robert", lname="Okoye", preferred_name="Bobby")
    user = make_patient_account(7, "bobby")
    body = _verified_client(client, user, user.totpdevice_set.get()).get("/").content.decode()
    assert "</span>Bobby Okoye</p>" in body


def test_medications_lead_with_plain_directions_and_keep_the_prescribers_words(alice_client, rich):
    body = alice_client.get("/medications/").content.decode()
    plain = body.index('<span class="directions">Take 1 tablet by mouth twice a day</span>')
    written = body.index("As written by the prescriber: 1 tablet, By mouth, twice daily")
    assert plain < written
    assert "Medication list for your pharmacy (PDF)" in body


def test_summary_card_shows_plain_directions(alice_client, rich):
    assert "Lisinopril — Take 1 tablet by mouth twice a day" in text(alice_client.get("/"))


def test_lab_results_show_plain_names_units_and_a_medlineplus_link(alice_client, alice, reference_data):
    f.EncounterFactory(pid=1, encounter=50100)
    f.lab_report(pid=1, encounter=50100, test="CBC panel - Blood by Automated count", results=[
        {"result_code": "787-2", "result_text": "MCV [Entitic volume] by Automated count", "result": "92",
         "units": "fL", "range": "80-100"},
        {"result_code": "789-8", "result_text": "Erythrocytes [#/volume] in Blood", "result": "4.63",
         "units": "10*6/uL", "range": "4.20-5.90"}])
    body = alice_client.get("/results/").content.decode()
    assert "Red blood cell size (MCV)" in body and "Lab's name: MCV [Entitic volume] by Automated count" in body
    assert "×10⁶/µL" in body and "10*6/uL" not in body
    assert 'href="https://connect.medlineplus.gov/application?mainSearchCriteria.v.cs=2.16.840.1.113883.6.1&amp;' \
           'mainSearchCriteria.v.c=787-2&amp;informationRecipient=PAT" rel="noopener noreferrer external"' in body
    assert "What do “reference range”, “High”, “Low” and “Corrected” mean?" in body


def test_results_are_collapsed_with_their_flags_newest_open(alice_client, rich):
    body = alice_client.get("/results/").content.decode()
    assert body.count('<details class="card report"') == 2
    assert body.count('<details class="card report" open>') == 1
    assert "2 results outside the range" in body


def test_results_filter_by_test_name_and_dates(alice_client, rich):
    page = text(alice_client.get("/results/", {"test": "glucose", "start": "2025-01-01", "end": "2025-12-31"}))
    assert "1 report matches your filters." in page and "Glucose, fasting" in page
    assert "Comprehensive metabolic panel" not in page
    page = text(alice_client.get("/results/", {"test": "blood sugar"}))  # the plain name finds it too
    assert "2 reports match your filters." in page
    assert "No reports match these filters." in text(alice_client.get("/results/", {"test": "HIV"}))  # sensitive


def test_a_backwards_or_malformed_date_filter_is_a_clear_400(alice_client, rich):
    response = alice_client.get("/results/", {"start": "2026-03-01", "end": "2026-01-01"})
    assert response.status_code == 400
    assert "The start date must be on or before the end date." in response.content.decode()
    assert alice_client.get("/results/", {"start": "tomorrow"}).status_code == 400


def test_latest_value_of_each_test_is_the_newest_with_its_history_count(alice_client, rich):
    body = alice_client.get("/results/?show=latest").content.decode()
    rows = re.findall(r'<th scope="row">([^<]+)<', body)
    assert rows[:2] == ["Glucose (blood sugar)", "Sodium"]  # flagged first
    assert "105 mg/dL" in body and ">92<" not in body  # the newest glucose only
    assert "2 results<span class=\"visually-hidden\"> for Glucose (blood sugar)" in body
    assert "HIV" not in body and "Deleted analyte" not in body


@pytest.mark.parametrize("query", [{}, {"test": "glucose"}, {"show": "latest"}])
def test_results_query_count_is_fixed_whatever_the_filter(alice_client, rich, openemr, query):
    with CaptureQueriesContext(connections["openemr"]) as small:
        assert alice_client.get("/results/", query).status_code == 200
    make_heavy(openemr, pid=1, visits=120)
    with CaptureQueriesContext(connections["openemr"]) as heavy:
        assert alice_client.get("/results/", query).status_code == 200
    assert len(heavy) == len(small) <= 10, [q["sql"][:80] for q in heavy.captured_queries]


def test_filtered_results_are_paged(alice_client, rich, openemr):
    make_heavy(openemr, pid=1, visits=60)
    page = text(alice_client.get("/results/", {"start": "2000-01-01", "page": 2}))
    assert "Page 2 of" in page


def test_a_not_found_page_does_not_name_the_patient(alice_client, rich):
    response = alice_client.get("/visits/999999/")
    assert response.status_code == 404
    assert "Martín" not in response.content.decode()  # nothing audited, so no name in the header
