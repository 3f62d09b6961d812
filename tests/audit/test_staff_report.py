"""The staff audit report: filters, pages, CSV download; reading and downloading it are audited."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audit.log import Event, record
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
CLINIC = ZoneInfo("America/New_York")


@pytest.fixture
def events(alice, bob, staff):
    with time_machine.travel(datetime(2026, 1, 10, 9, tzinfo=CLINIC), tick=False):
        record(Event.LOGIN_SUCCEEDED, actor=alice, pid=1)
        record(Event.RECORD_VIEWED, actor=alice, pid=1, category="results", object_ids=[4])
    with time_machine.travel(datetime(2026, 2, 20, 23, 30, tzinfo=CLINIC), tick=False):  # 04:30 UTC next day
        record(Event.LOGIN_SUCCEEDED, actor=bob, pid=2)
        record(Event.CREDENTIALS_ISSUED, actor=staff, pid=2)


def shown(response):
    return [(e.code, e.pid) for e, _ in response.context["rows"]]


def test_the_report_lists_events_newest_first_and_records_its_own_viewing(staff_client, staff, events):
    response = staff_client.get("/staff/audit/")
    assert response.status_code == 200
    assert shown(response)[:3] == [("staff.audit_viewed", None), ("staff.credentials_issued", 2),
                                   ("auth.login.succeeded", 2)]
    viewed = AuditEvent.objects.latest("id")
    assert (viewed.code, viewed.actor_type, viewed.actor_id, viewed.object_ids) == (
        "staff.audit_viewed", "staff", str(staff.pk), "page=1")
    page = response.content.decode()
    assert "frontdesk" in page and "alice" in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_filter_by_patient_pid(staff_client, events):
    response = staff_client.get("/staff/audit/", {"pid": 2})
    assert shown(response) == [("staff.audit_viewed", 2), ("staff.credentials_issued", 2),
                               ("auth.login.succeeded", 2)]
    assert AuditEvent.objects.latest("id").pid == 2


def test_filter_by_account_username(staff_client, alice, events):
    response = staff_client.get("/staff/audit/", {"account": "alice"})
    assert shown(response) == [("record.viewed", 1), ("auth.login.succeeded", 1)]
    assert AuditEvent.objects.latest("id").object_ids == f"account={alice.pk},page=1"


def test_filter_by_event_code(staff_client, events):
    response = staff_client.get("/staff/audit/", {"code": "auth.login.succeeded"})
    assert shown(response) == [("auth.login.succeeded", 2), ("auth.login.succeeded", 1)]


def test_filter_by_clinic_date_range_is_inclusive(staff_client, events):
    response = staff_client.get("/staff/audit/", {"date_from": "2026-02-20", "date_to": "2026-02-20"})
    assert shown(response) == [("staff.credentials_issued", 2), ("auth.login.succeeded", 2)]
    response = staff_client.get("/staff/audit/", {"date_to": "2026-01-31"})
    assert shown(response) == [("record.viewed", 1), ("auth.login.succeeded", 1)]


def test_an_unknown_account_or_bad_dates_give_errors_and_no_events(staff_client, events):
    response = staff_client.get("/staff/audit/", {"account": "nobody"})
    assert response.status_code == 400
    assert "No account has that username." in response.content.decode()
    response = staff_client.get("/staff/audit/", {"date_from": "2026-03-01", "date_to": "2026-01-01"})
    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()
    assert not AuditEvent.objects.filter(code="staff.audit_viewed").exists()


def test_the_report_pages_fifty_events_at_a_time(staff_client):
    for i in range(120):
        record(Event.RECORD_VIEWED, pid=3, category="visit", object_ids=[i])
    first = staff_client.get("/staff/audit/", {"pid": 3})
    assert len(first.context["rows"]) == 50 and first.context["page"].paginator.num_pages == 3
    assert 'href="?pid=3&amp;page=2"' in first.content.decode()
    third = staff_client.get("/staff/audit/", {"pid": 3, "page": 3})
    assert len(third.context["rows"]) == 22  # 120 events + 2 report views
    assert AuditEvent.objects.latest("id").object_ids == "page=3"


def _csv(response):
    assert response.streaming
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_streams_the_filtered_events_and_is_audited(staff_client, staff, events):
    response = staff_client.get("/staff/audit/export.csv", {"pid": 1})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = _csv(response)
    assert [(r["code"], r["pid"], r["actor_username"]) for r in rows] == [
        ("auth.login.succeeded", "1", "alice"), ("record.viewed", "1", "alice"),
        ("staff.audit_exported", "1", "frontdesk")]  # recorded before the first row leaves
    assert rows[0]["time_utc"] == "2026-01-10T14:00:00.000000+00:00"
    exported = AuditEvent.objects.get(code="staff.audit_exported")
    assert (exported.actor_id, exported.pid) == (str(staff.pk), 1)


def test_csv_export_neutralises_spreadsheet_formulas_from_user_agents(staff_client, rf):
    request = rf.get("/", HTTP_USER_AGENT="=HYPERLINK(\"http://evil\")")
    record(Event.LOGIN_FAILED, request=request, pid=4, outcome="failure")
    rows = _csv(staff_client.get("/staff/audit/export.csv", {"pid": 4}))
    assert rows[0]["user_agent"] == "'=HYPERLINK(\"http://evil\")"


def test_patients_cannot_read_the_audit_report(alice_client):
    assert alice_client.get("/staff/audit/").status_code == 403
    assert alice_client.get("/staff/audit/export.csv").status_code == 403
    assert not AuditEvent.objects.filter(code__startswith="staff.audit").exists()


def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client):
    for url in ("/staff/audit/", "/staff/audit/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_staff_without_a_verified_second_factor_are_sent_to_it(client, staff):
    from tests.accounts.conftest import sign_in

    sign_in(client, "frontdesk", url="/staff/login/")
    response = client.get("/staff/audit/")
    assert response.status_code == 302 and response["Location"] == "/staff/login/code/"


def test_the_report_accepts_only_safe_methods(staff_client):
    assert staff_client.post("/staff/audit/").status_code == 405


def test_the_report_shows_labels_in_words_with_the_raw_values_on_demand(staff_client, alice):
    record(Event.LOGIN_SUCCEEDED, actor=alice, pid=1)
    body = staff_client.get("/staff/audit/", {"code": "auth.login.succeeded"}).content.decode()
    assert "Signed in<span class=\"help\"><code>auth.login.succeeded</code></span>" in body
    assert '<th scope="col">Client</th>' in body and '<th scope="col">Request</th>' not in body
