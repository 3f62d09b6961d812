"""Patient sign-in: password, then a second factor; lockout; equal answers for unknown and wrong."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.models import PatientAccount
from audit.models import AuditEvent
from tests import factories
from tests.accounts.conftest import sign_in, sign_in_fully, totp_code
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _codes():
    return list(AuditEvent.objects.values_list("code", flat=True))


def test_password_step_does_not_sign_in_until_the_second_factor_passes(client, alice):
    response = sign_in(client, "alice")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/"
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302  # the health summary still wants a sign-in


def test_password_and_totp_sign_in_and_land_on_the_health_summary(client, alice, clock):
    response = sign_in_fully(client, alice)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(alice.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == alice.totpdevice_set.get().persistent_id
    assert "otp.succeeded" in _codes() and "auth.login.succeeded" in _codes()
    assert PatientAccount.objects.get(pid=1).last_sign_in_at is not None


def test_session_key_changes_at_sign_in(client, alice, clock):
    client.get("/accounts/login/")
    sign_in(client, "alice")
    before = client.session.session_key
    client.post("/accounts/login/code/", {"otp_token": totp_code(alice.totpdevice_set.get())})
    assert client.session.session_key != before


def _page(response, username):
    """The page without what must differ: the typed username echoed back and the per-response CSRF mask."""
    html = response.content.decode().replace(username, "USERNAME")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_unknown_username_and_wrong_password_get_the_same_answer(client, alice):
    unknown = sign_in(client, "nobody-here", "Wrong-password-123")
    wrong = sign_in(client, "alice", "Wrong-password-123")
    assert unknown.status_code == wrong.status_code == 400
    assert _page(unknown, "nobody-here") == _page(wrong, "alice")
    assert b"The username or password is not right" in unknown.content


def test_unknown_username_runs_the_password_hasher_like_a_wrong_password(client, alice, monkeypatch):
    from django.contrib.auth.hashers import MD5PasswordHasher

    calls = []
    original = MD5PasswordHasher.encode
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    sign_in(client, "nobody-here", "Wrong-password-123")
    unknown_calls = len(calls)
    calls.clear()
    sign_in(client, "alice", "Wrong-password-123")
    assert unknown_calls == len(calls) == 1


def test_failed_sign_in_of_unknown_username_is_audited_without_the_username(client, db):
    sign_in(client, "nobody-here", "Wrong-password-123")
    event = AuditEvent.objects.get(code="auth.login.failed")
    assert event.actor_type == "anonymous" and event.actor_id == "" and event.pid is None
    assert "nobody" not in str(AuditEvent.objects.values().get())


def test_failed_sign_in_of_a_patient_is_audited_on_their_record(client, alice):
    sign_in(client, "alice", "Wrong-password-123")
    event = AuditEvent.objects.get(code="auth.login.failed")
    assert event.pid == 1 and event.outcome == "failure"


def test_locks_out_after_five_failures_even_with_the_right_password(client, alice):
    for _ in range(5):
        sign_in(client, "alice", "Wrong-password-123")
    response = sign_in(client, "alice")
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert SESSION_KEY not in client.session
    assert "auth.locked_out" in _codes()


def test_lockout_for_an_unknown_username_looks_the_same(client, alice):
    for _ in range(5):
        sign_in(client, "nobody-here", "Wrong-password-123")
    response = sign_in(client, "nobody-here", "Wrong-password-123")
    assert response.status_code == 429 and b"Too many attempts" in response.content


def test_lockout_is_lifted_after_fifteen_minutes(client, alice, clock):
    for _ in range(5):
        sign_in(client, "alice", "Wrong-password-123")
    assert sign_in(client, "alice").status_code == 429
    clock.shift(16 * 60)
    response = sign_in(client, "alice")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/"


def test_lockout_is_lifted_by_staff_unlock(alice, staff_client):
    patient = Client()
    for _ in range(5):
        sign_in(patient, "alice", "Wrong-password-123")
    assert sign_in(patient, "alice").status_code == 429
    staff_client.post("/staff/patients/1/unlock/")
    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert "staff.unlocked" in _codes()
    response = sign_in(patient, "alice")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/"


def test_wrong_totp_code_is_refused_and_audited(client, alice, clock):
    sign_in(client, "alice")
    response = client.post("/accounts/login/code/", {"otp_token": "000000"})
    assert response.status_code == 400
    assert b"That code is not right" in response.content
    assert SESSION_KEY not in client.session
    assert "otp.failed" in _codes()


def test_one_wrong_code_does_not_hold_back_the_next_right_one(client, alice, clock):
    sign_in(client, "alice")
    client.post("/accounts/login/code/", {"otp_token": "000000"})
    # No device back-off: the patient who mistyped gets straight in with the right code.
    response = client.post("/accounts/login/code/", {"otp_token": totp_code(alice.totpdevice_set.get())})
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(alice.pk)


def test_five_wrong_codes_send_the_patient_back_to_the_password(client, alice, clock):
    sign_in(client, "alice")
    for _ in range(5):
        clock.shift(120)
        response = client.post("/accounts/login/code/", {"otp_token": "000000"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/accounts/login/code/")["Location"] == "/accounts/login/"


def test_pending_second_factor_expires_after_five_minutes(client, alice, clock):
    sign_in(client, "alice")
    clock.shift(6 * 60)
    response = client.post("/accounts/login/code/", {"otp_token": totp_code(alice.totpdevice_set.get())})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session


def test_second_factor_page_without_password_step_goes_to_sign_in(client, db):
    assert client.get("/accounts/login/code/")["Location"] == "/accounts/login/"


def _give_backup_codes(user):
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcd2345")
    return device


def test_backup_code_works_once(client, alice, clock):
    _give_backup_codes(alice)
    sign_in(client, "alice")
    response = client.post("/accounts/login/backup-code/", {"otp_token": "ABCD 2345"})
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(alice.pk)
    assert "otp.backup_code_used" in _codes()
    client.post("/accounts/logout/")
    clock.shift(60)
    sign_in(client, "alice")
    response = client.post("/accounts/login/backup-code/", {"otp_token": "abcd2345"})
    assert response.status_code == 400 and SESSION_KEY not in client.session


def test_without_required_otp_a_patient_without_device_signs_in_with_password(client, alice, settings):
    settings.PORTAL_PATIENT_OTP_REQUIRED = False
    alice.totpdevice_set.all().delete()
    response = sign_in(client, "alice")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(alice.pk)


def test_patient_whose_device_was_reset_needs_the_letter_code_and_the_password(client, alice, staff, clock):
    from accounts import services

    issued = services.reset_second_factor(alice, actor=staff)
    response = sign_in(client, "alice")
    assert response["Location"] == "/accounts/login/reset-code/"
    assert client.get("/accounts/login/new-authenticator/")["Location"] == "/accounts/login/reset-code/"
    response = client.post("/accounts/login/reset-code/", {"reset_code": issued.code.lower()})
    assert response["Location"] == "/accounts/login/new-authenticator/"
    page = client.get("/accounts/login/new-authenticator/")
    assert page.status_code == 200 and b"<svg" in page.content and b"otpauth://" in page.content
    assert SESSION_KEY not in client.session
    device = alice.totpdevice_set.get(confirmed=False)
    response = client.post("/accounts/login/new-authenticator/", {"otp_token": totp_code(device)})
    assert response["Location"] == "/accounts/backup-codes/new/"
    assert client.session[SESSION_KEY] == str(alice.pk)
    assert client.get("/accounts/backup-codes/new/").status_code == 200
    assert "otp.enrolled" in _codes()
    alice.patient_account.refresh_from_db()
    assert alice.patient_account.reset_code_hash == ""  # the letter works once


@pytest.mark.parametrize("state", [PatientAccount.State.DISABLED, PatientAccount.State.ISSUED])
def test_account_that_is_not_active_cannot_sign_in(client, make_patient_account, openemr, state):
    factories.PatientFactory(pid=5)
    make_patient_account(5, "carol", state=state)
    response = sign_in(client, "carol")
    assert response.status_code == 400 and SESSION_KEY not in client.session
    assert b"contact the clinic" in response.content


def test_patient_missing_from_openemr_cannot_sign_in(client, make_patient_account, openemr):
    make_patient_account(77, "ghost")
    response = sign_in(client, "ghost")
    assert response.status_code == 400 and b"Please contact the clinic" in response.content
    assert client.get("/accounts/login/code/")["Location"] == "/accounts/login/"


def test_patient_no_longer_allowed_on_the_portal_cannot_sign_in(client, make_patient_account, openemr):
    factories.PatientFactory(pid=6, allow_patient_portal="NO")
    make_patient_account(6, "dave")
    response = sign_in(client, "dave")
    assert response.status_code == 400 and b"Please contact the clinic" in response.content


def test_staff_cannot_use_the_patient_sign_in(client, staff):
    response = sign_in(client, "frontdesk")
    assert response.status_code == 400 and SESSION_KEY not in client.session


def test_sign_out_ends_the_session_and_is_audited(alice_client):
    response = alice_client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in alice_client.session
    assert "auth.logout" in _codes()


def test_sign_out_refuses_get(alice_client):
    assert alice_client.get("/accounts/logout/").status_code == 405
    assert SESSION_KEY in alice_client.session


def test_only_a_local_next_address_is_followed(client, alice, clock):
    client.post("/accounts/login/?next=https://evil.example/", {"username": "alice", "password": PASSWORD,
                                                                 "next": "https://evil.example/"})
    response = client.post("/accounts/login/code/", {"otp_token": totp_code(alice.totpdevice_set.get())})
    assert response["Location"] == "/"


def test_new_backup_codes_replace_the_old_ones_and_have_no_look_alikes(alice_client, alice):
    old = _give_backup_codes(alice)
    alice_client.post("/accounts/security/confirm-password/",
                      {"password": PASSWORD, "next": "/accounts/backup-codes/regenerate/"})
    response = alice_client.post("/accounts/backup-codes/regenerate/")
    assert response["Location"] == "/accounts/backup-codes/new/"
    assert not StaticDevice.objects.filter(pk=old.pk).exists()
    tokens = list(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert len(tokens) == 10 and all(len(t) == 8 and not set(t) & set("01ilo") for t in tokens)
    page = alice_client.get("/accounts/backup-codes/new/")
    assert f"{tokens[0][:4]} {tokens[0][4:]}".encode() in page.content


def test_security_page_needs_the_second_factor(client, alice):
    client.force_login(alice)  # password only: no sign-in step leaves such a session
    response = client.get("/accounts/security/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_anonymous_is_sent_to_sign_in_from_account_pages(client, db):
    for url in ("/accounts/security/", "/accounts/password/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
