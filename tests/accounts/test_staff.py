"""The staff console: sign-in with TOTP always, network restriction, search, account actions, account list."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import PatientAccount
from audit.models import AuditEvent
from tests import factories
from tests.accounts.conftest import sign_in, sign_in_fully, totp_code

pytestmark = pytest.mark.django_db
STAFF_LOGIN, STAFF_OTP = "/staff/login/", "/staff/login/code/"


def _codes():
    return list(AuditEvent.objects.values_list("code", flat=True))


def test_staff_sign_in_needs_password_then_totp(clock, client, staff):
    response = sign_in(client, "frontdesk", url=STAFF_LOGIN)
    assert response["Location"] == STAFF_OTP and SESSION_KEY not in client.session
    assert client.get("/staff/")["Location"].startswith("/staff/login/")
    response = client.post(STAFF_OTP, {"otp_token": totp_code(staff.totpdevice_set.get())})
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_staff_page_without_otp_is_refused(client, staff):
    client.force_login(staff)  # password only: no verified device in the session
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith(STAFF_LOGIN)
    assert client.get(STAFF_OTP)["Location"] == STAFF_LOGIN


def test_staff_after_the_password_is_sent_back_to_the_code(client, staff):
    sign_in(client, "frontdesk", url=STAFF_LOGIN)
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"] == STAFF_OTP


def test_staff_without_an_authenticator_cannot_sign_in(client, staff):
    TOTPDevice.objects.filter(user=staff).delete()
    response = sign_in(client, "frontdesk", url=STAFF_LOGIN)
    assert response.status_code == 400 and b"no authenticator" in response.content


def test_patient_cannot_use_the_staff_console(clock, client, alice):
    response = sign_in(client, "alice", url=STAFF_LOGIN)
    assert response.status_code == 400 and SESSION_KEY not in client.session


def test_signed_in_patient_gets_403_from_the_staff_console(alice_client):
    assert alice_client.get("/staff/").status_code == 403


def test_anonymous_is_sent_to_staff_sign_in(client, db):
    response = client.get("/staff/accounts/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/?next=")


def test_staff_console_is_refused_outside_the_listed_networks(staff_client, settings):
    settings.PORTAL_STAFF_NETWORKS = ["10.0.0.0/8"]
    assert staff_client.get("/staff/", REMOTE_ADDR="203.0.113.7").status_code == 403
    assert staff_client.get("/staff/login/", REMOTE_ADDR="203.0.113.7").status_code == 403
    assert staff_client.get("/staff/", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_staff_network_check_ignores_a_forged_forwarded_header(staff_client, settings):
    settings.PORTAL_STAFF_NETWORKS = ["10.0.0.0/8"]
    response = staff_client.get("/staff/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert response.status_code == 403


def test_patient_pages_are_not_restricted_to_staff_networks(client, settings, db):
    settings.PORTAL_STAFF_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/accounts/login/", REMOTE_ADDR="203.0.113.7").status_code == 200


def test_search_finds_a_patient_by_public_id_name_and_birth_date(staff_client, openemr):
    factories.PatientFactory(pid=21, pubpid="MRN-777", fname="Fatima", lname="Zahra",
                             DOB=datetime.date(1990, 1, 2))
    factories.PatientFactory(pid=22, fname="Frank", lname="Other")
    for data in ({"pubpid": "MRN-777"}, {"name": "zah"}, {"name": "Fatima Zahra", "dob": "1990-01-02"}):
        response = staff_client.post("/staff/", data)
        assert response.status_code == 200
        assert b"Zahra, Fatima" in response.content and b"Other, Frank" not in response.content
    assert AuditEvent.objects.filter(code="staff.patient_searched").count() == 3


def test_search_needs_at_least_one_criterion(staff_client, db):
    response = staff_client.post("/staff/", {})
    assert response.status_code == 400 and b"Enter a patient id, a name or a date of birth" in response.content


def test_issue_shows_a_printable_letter_with_the_code(staff_client, openemr):
    factories.PatientFactory(pid=23, fname="Gina", lname="Park")
    response = staff_client.post("/staff/patients/23/issue/")
    assert response.status_code == 200
    account = PatientAccount.objects.get(pid=23)
    assert account.user.username.encode() in response.content
    assert b"Your activation code" in response.content and b"Gina Park" in response.content
    assert b"http://127.0.0.1:8000/accounts/activate/" in response.content
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.get(code="staff.credentials_issued").actor_type == "staff"


def test_letter_has_a_print_button_and_the_clinics_phone_and_address(staff_client, openemr, settings):
    settings.PORTAL_CLINIC_PHONE = "(555) 201-3300"
    settings.PORTAL_CLINIC_ADDRESS = "12 River Road, Springfield, IL 62701"
    factories.PatientFactory(pid=23, fname="Gina", lname="Park")
    body = staff_client.post("/staff/patients/23/issue/").content.decode()
    assert '<button type="button" class="button" data-print hidden>Print the letter</button>' in body
    assert "js/records.js" in body  # shows the button and opens the print dialog on a click
    assert "12 River Road, Springfield, IL 62701<br>Phone: (555) 201-3300" in body
    assert 'at <a href="tel:(555)201-3300">(555) 201-3300</a>' in body
    assert "reloading issues new credentials" in body  # said only without JavaScript (<noscript>)
    assert f'data-replace-url="/staff/patients/23/"' in body


def test_issue_refuses_a_patient_not_allowed_on_the_portal(staff_client, openemr):
    factories.PatientFactory(pid=24, allow_patient_portal="NO")
    response = staff_client.post("/staff/patients/24/issue/", follow=True)
    assert b"not allowed to use the portal" in response.content
    assert not PatientAccount.objects.filter(pid=24).exists()


def test_issue_refuses_get(staff_client, openemr):
    factories.PatientFactory(pid=25)
    assert staff_client.get("/staff/patients/25/issue/").status_code == 405
    assert not PatientAccount.objects.exists()


def test_patient_page_shows_account_state(staff_client, alice):
    response = staff_client.get("/staff/patients/1/")
    assert response.status_code == 200
    assert b"alice" in response.content and b"Active" in response.content


def test_patient_page_of_an_unknown_pid_is_404(staff_client, openemr):
    assert staff_client.get("/staff/patients/999/").status_code == 404


@pytest.mark.parametrize("action, event, state", [
    ("disable", "staff.account_disabled", "disabled"),
    ("unlock", "staff.unlocked", "active"),
    ("sign-out-everywhere", "staff.signed_out_everywhere", "active"),
])
def test_each_account_action_is_a_post_that_is_audited(staff_client, alice, action, event, state):
    assert staff_client.get(f"/staff/patients/1/{action}/").status_code == 405
    response = staff_client.post(f"/staff/patients/1/{action}/")
    assert response.status_code == 302 and response["Location"] == "/staff/patients/1/"
    assert PatientAccount.objects.get(pid=1).state == state
    audit = AuditEvent.objects.get(code=event)
    assert audit.pid == 1 and audit.actor_type == "staff"


def test_enable_brings_a_disabled_account_back(staff_client, alice, staff):
    services.disable_account(alice.patient_account, actor=staff)
    staff_client.post("/staff/patients/1/enable/")
    assert PatientAccount.objects.get(pid=1).state == "active"
    assert "staff.account_enabled" in _codes()


def test_reset_second_factor_removes_the_authenticator_and_prints_a_letter_with_a_code(staff_client, alice):
    response = staff_client.post("/staff/patients/1/reset-second-factor/")
    assert response.status_code == 200 and b"Your reset code" in response.content
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert PatientAccount.objects.get(pid=1).reset_code_hash
    audit = AuditEvent.objects.get(code="staff.otp_reset")
    assert audit.pid == 1 and audit.actor_type == "staff"
    assert response["Cache-Control"].startswith("max-age=0")


def test_account_list_is_filterable_by_state_and_username(staff_client, alice, bob, staff):
    services.disable_account(bob.patient_account, actor=staff)
    response = staff_client.get("/staff/accounts/")
    assert b"alice" in response.content and b"bob" in response.content
    response = staff_client.get("/staff/accounts/?state=disabled")
    assert b"bob" in response.content and b">alice<" not in response.content
    response = staff_client.get("/staff/accounts/?q=ali")
    assert b">alice<" in response.content and b">bob<" not in response.content


def test_account_list_is_paginated(staff_client, make_patient_account, openemr):
    for pid in range(30, 60):
        make_patient_account(pid, f"user{pid}")
    first = staff_client.get("/staff/accounts/")
    assert b"Page 1 of 2" in first.content
    assert b"Page 2 of 2" in staff_client.get("/staff/accounts/?page=2").content


def test_full_staff_walkthrough_issue_then_patient_activates(clock, client, staff, openemr):
    """Staff signs in with TOTP, issues credentials; the letter's code activates the account."""
    import re

    factories.PatientFactory(pid=26, DOB=datetime.date(1975, 5, 6))
    sign_in_fully(client, staff, login_url=STAFF_LOGIN, otp_url=STAFF_OTP)
    letter = client.post("/staff/patients/26/issue/").content.decode()
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", letter).group(0)
    username = PatientAccount.objects.get(pid=26).user.username
    client.post("/accounts/logout/")
    response = client.post("/accounts/activate/", {"username": username, "activation_code": code,
                                                   "date_of_birth": "1975-05-06"})
    assert response["Location"] == "/accounts/activate/password/"


def test_patient_page_shows_a_lockout_until_it_runs_out(clock, staff_client, alice):
    from django.test import Client

    patient = Client()
    for _ in range(5):
        sign_in(patient, "alice", "Wrong-password-123")
    assert b"Yes: too many failed sign-ins" in staff_client.get("/staff/patients/1/").content
    clock.shift(14 * 60)  # the staff session stays alive, the lockout runs out at 15 minutes
    staff_client.get("/staff/")
    clock.shift(2 * 60)
    assert b"Yes: too many failed sign-ins" not in staff_client.get("/staff/patients/1/").content
