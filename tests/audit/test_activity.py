"""The patient's "Account activity" page: their own events only, in plain language, itself recorded."""

import pytest
from django.test import RequestFactory

from audit.log import Event, record
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.5 Mobile/15E148 Safari/604.1")


def _request(user, ip, agent):
    request = RequestFactory().get("/accounts/login/", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    request.user = user
    return request


def test_viewing_activity_records_exactly_one_record_view(alice_client, alice):
    before = AuditEvent.objects.count()
    response = alice_client.get("/activity/")
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.code, event.category, event.pid, event.actor_type, event.actor_id) == (
        "record.viewed", "activity", 1, "patient", str(alice.pk))
    assert "You viewed your account activity" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")


def test_sign_ins_show_an_approximate_address_and_browser(alice_client, alice):
    record(Event.LOGIN_SUCCEEDED, request=_request(alice, "203.0.113.57", FIREFOX), actor=alice, pid=1)
    record(Event.LOGIN_SUCCEEDED, request=_request(alice, "198.51.100.4", IPHONE_SAFARI), actor=alice, pid=1)
    page = alice_client.get("/activity/", REMOTE_ADDR="203.0.113.200").content.decode()
    assert "You signed in" in page
    assert "internet address 203.0.113.x (the network you are using now), Firefox on Windows" in page
    assert "internet address 198.51.100.x, Safari on iPhone or iPad" in page
    assert "203.0.113.57" not in page and "198.51.100.4" not in page


def test_record_views_prints_and_downloads_are_described_by_page(alice_client, alice):
    request = _request(alice, "203.0.113.57", FIREFOX)
    request.patient_pid = 1
    record(Event.RECORD_VIEWED, request=request, actor=alice, pid=1, category="results", object_ids=[3])
    record(Event.RECORD_PRINTED, request=request, actor=alice, pid=1, category="visit", object_ids=[9])
    record(Event.RECORD_DOWNLOADED, request=request, actor=alice, pid=1, category="summary")
    page = alice_client.get("/activity/").content.decode()
    assert "You viewed your lab results" in page
    assert "You printed your visit summary" in page
    assert "You downloaded your health summary" in page


def test_staff_actions_on_the_account_are_listed_without_staff_details(alice_client, staff):
    record(Event.CREDENTIALS_ISSUED, request=_request(staff, "10.0.0.7", FIREFOX), actor=staff, pid=1)
    record(Event.OTP_RESET, actor=staff, pid=1)
    page = alice_client.get("/activity/").content.decode()
    assert "Clinic staff issued new sign-in details" in page
    assert "Clinic staff reset your authenticator app" in page
    assert "At the clinic" in page
    assert "10.0.0" not in page and "frontdesk" not in page


def test_failed_sign_in_attempts_are_marked_as_not_successful(alice_client, alice):
    record(Event.LOGIN_FAILED, request=_request(alice, "192.0.2.1", FIREFOX), actor=alice, pid=1,
           category="password", outcome="failure")
    page = alice_client.get("/activity/").content.decode()
    assert "A sign-in attempt with a wrong password failed" in page
    assert "not successful" in page


def test_a_patient_sees_only_their_own_activity(alice_client, bob, staff):
    record(Event.LOGIN_SUCCEEDED, actor=bob, pid=2)
    record(Event.CREDENTIALS_ISSUED, actor=staff, pid=2)
    record(Event.PATIENT_SEARCHED, actor=staff, object_ids=[1, 2])
    record(Event.AUDIT_PRUNED)
    response = alice_client.get("/activity/")
    shown = [row["what"] for row in response.context["rows"]]
    assert shown == ["You viewed your account activity"]


def test_events_by_the_patients_own_account_without_a_pid_are_shown(alice_client, alice):
    record(Event.PASSWORD_CHANGED, actor=alice)
    page = alice_client.get("/activity/").content.decode()
    assert "You changed your password" in page


def test_activity_is_paginated_newest_first(alice_client, alice):
    for i in range(30):
        record(Event.RECORD_VIEWED, actor=alice, pid=1, category="visit", object_ids=[i])
    first = alice_client.get("/activity/")
    assert len(first.context["rows"]) == 25
    assert first.context["rows"][0]["what"] == "You viewed your account activity"
    assert 'href="?page=2"' in first.content.decode()
    second = alice_client.get("/activity/?page=2")
    assert len(second.context["rows"]) == 7  # 30 + two page views = 32


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/activity/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not AuditEvent.objects.exists()


def test_a_password_only_session_is_sent_to_the_second_factor(client, alice):
    client.force_login(alice)
    response = client.get("/activity/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert not AuditEvent.objects.filter(code="record.viewed").exists()


def test_staff_have_no_patient_activity_page(staff_client):
    assert staff_client.get("/activity/").status_code == 403


def test_the_activity_page_accepts_only_safe_methods(alice_client):
    assert alice_client.post("/activity/").status_code == 405
