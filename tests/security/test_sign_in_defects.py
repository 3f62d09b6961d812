"""One regression test per defect of the adversarial review (issue 9), named after the behaviour it guards."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import PatientAccount
from audit.models import AuditEvent
from tests import factories
from tests.accounts.conftest import sign_in, totp_code
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _codes():
    return list(AuditEvent.objects.order_by("pk").values_list("code", flat=True))


def _device_for_key(device_row):
    return TOTPDevice.objects.get(pk=device_row.pk)


# --- 1. A password alone never reaches a second-factor enrolment ------------------------------------------------
def test_password_alone_cannot_enrol_a_new_authenticator(client, alice, clock):
    real = alice.totpdevice_set.get()
    sign_in(client, "alice")
    page = client.get("/accounts/login/new-authenticator/")
    assert page.status_code == 302 and page["Location"] == "/accounts/login/code/"
    response = client.post("/accounts/login/new-authenticator/", {"otp_token": "123456"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/"
    assert list(TOTPDevice.objects.filter(user=alice)) == [real]  # nothing made, nothing replaced
    assert SESSION_KEY not in client.session
    assert "otp.enrolled" not in _codes()


def test_password_alone_cannot_enrol_when_the_patient_has_no_authenticator_and_no_letter(client, alice):
    alice.totpdevice_set.all().delete()  # e.g. removed in the database by hand: no reset letter outstanding
    response = sign_in(client, "alice")
    assert response.status_code == 400 and b"contact the clinic" in response.content
    assert client.get("/accounts/login/new-authenticator/")["Location"] == "/accounts/login/"
    assert not TOTPDevice.objects.filter(user=alice).exists() and SESSION_KEY not in client.session


# --- 2. A staff reset hands out a one-time code; enrolment needs it and the password -----------------------------
def test_after_a_staff_reset_the_password_alone_does_not_bind_a_new_authenticator(client, alice, staff, clock):
    services.reset_second_factor(alice, actor=staff)
    assert sign_in(client, "alice")["Location"] == "/accounts/login/reset-code/"
    assert client.get("/accounts/login/new-authenticator/")["Location"] == "/accounts/login/reset-code/"
    response = client.post("/accounts/login/reset-code/", {"reset_code": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 400 and b"not right" in response.content
    assert client.get("/accounts/login/new-authenticator/")["Location"] == "/accounts/login/reset-code/"
    assert not TOTPDevice.objects.filter(user=alice).exists() and SESSION_KEY not in client.session


def test_the_reset_code_alone_without_the_password_gets_nowhere(client, alice, staff):
    issued = services.reset_second_factor(alice, actor=staff)
    response = client.post("/accounts/login/reset-code/", {"reset_code": issued.code})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_an_expired_reset_code_does_not_open_enrolment(client, alice, staff, clock):
    issued = services.reset_second_factor(alice, actor=staff)
    clock.shift(15 * 24 * 3600)
    response = sign_in(client, "alice")
    assert response.status_code == 400 and b"contact the clinic" in response.content
    assert client.post("/accounts/login/reset-code/", {"reset_code": issued.code})["Location"] == "/accounts/login/"


def test_the_reset_letter_code_works_once(client, alice, staff, clock):
    issued = services.reset_second_factor(alice, actor=staff)
    sign_in(client, "alice")
    client.post("/accounts/login/reset-code/", {"reset_code": issued.code})
    client.get("/accounts/login/new-authenticator/")
    client.post("/accounts/login/new-authenticator/",
                {"otp_token": totp_code(alice.totpdevice_set.get(confirmed=False))})
    assert client.session[SESSION_KEY] == str(alice.pk)
    other = Client()
    clock.shift(60)
    assert sign_in(other, "alice")["Location"] == "/accounts/login/code/"  # the new app, not the letter


def test_reset_second_factor_command_prints_a_letter_with_the_code(alice, capsys):
    from django.core.management import call_command

    call_command("reset_second_factor", "--pid", "1")
    out = capsys.readouterr().out
    assert "Your reset code" in out and "alice" in out
    assert PatientAccount.objects.get(pid=1).reset_code_hash


# --- 5. Second-factor changes need the password again, and are audited -----------------------------------------
def _give_backup_codes(user):
    return services.new_backup_codes(user)


def test_new_backup_codes_need_the_password_again(alice_client, alice):
    old = set(_give_backup_codes(alice))
    response = alice_client.post("/accounts/backup-codes/regenerate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/security/confirm-password/?next=")
    assert set(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True)) == old
    wrong = alice_client.post("/accounts/security/confirm-password/", {"password": "not-it-at-all-123"})
    assert wrong.status_code == 400
    alice_client.post("/accounts/security/confirm-password/",
                      {"password": PASSWORD, "next": "/accounts/backup-codes/regenerate/"})
    assert alice_client.post("/accounts/backup-codes/regenerate/")["Location"] == "/accounts/backup-codes/new/"
    assert set(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True)) != old
    event = AuditEvent.objects.get(code="otp.backup_codes_regenerated")
    assert event.pid == 1 and event.actor_type == "patient"


def test_the_password_check_for_second_factor_changes_lasts_five_minutes(alice_client, alice, clock):
    alice_client.post("/accounts/security/confirm-password/", {"password": PASSWORD})
    assert alice_client.get("/accounts/backup-codes/regenerate/").status_code == 200
    clock.shift(5 * 60 + 1)
    alice_client.session.save()
    response = alice_client.get("/accounts/backup-codes/regenerate/")
    assert response.status_code == 302 and "confirm-password" in response["Location"]


def test_a_new_authenticator_inside_a_session_needs_the_password_again(alice_client, alice, clock):
    response = alice_client.get("/accounts/security/new-authenticator/")
    assert response.status_code == 302 and "confirm-password" in response["Location"]
    alice_client.post("/accounts/security/confirm-password/", {"password": PASSWORD})
    page = alice_client.get("/accounts/security/new-authenticator/")
    assert page.status_code == 200 and b"otpauth://" in page.content
    new = alice.totpdevice_set.get(confirmed=False)
    response = alice_client.post("/accounts/security/new-authenticator/", {"otp_token": totp_code(new)})
    assert response["Location"] == "/accounts/security/"
    assert list(alice.totpdevice_set.filter(confirmed=True)) == [new]
    assert "otp.enrolled" in _codes()


# --- 6. Staff views of PHI are audited --------------------------------------------------------------------------
def test_staff_patient_page_is_audited(staff_client, alice):
    response = staff_client.get("/staff/patients/1/")
    assert response.status_code == 200 and b"Alice" in response.content
    event = AuditEvent.objects.get(code="staff.patient_viewed")
    assert event.pid == 1 and event.actor_type == "staff"


def test_staff_account_list_is_audited_with_the_listed_patients(staff_client, alice, bob):
    staff_client.get("/staff/accounts/")
    event = AuditEvent.objects.get(code="staff.accounts_listed")
    assert sorted(event.object_ids.split(",")) == ["1", "2"] and event.actor_type == "staff"


# --- 12. Lockout: per (username, address) and per username, and it says how long ---------------------------------
def _from(address):
    return Client(REMOTE_ADDR=address)


def test_locking_one_patient_at_an_address_leaves_other_patients_there_alone(alice, bob, clock):
    nat = _from("198.51.100.7")
    for _ in range(5):
        sign_in(nat, "alice", "Wrong-password-123")
    assert sign_in(nat, "alice").status_code == 429  # alice is paused at this address
    assert sign_in(_from("198.51.100.7"), "bob")["Location"] == "/accounts/login/code/"  # bob, same NAT, is not
    assert sign_in(_from("203.0.113.9"), "alice")["Location"] == "/accounts/login/code/"  # alice elsewhere is not


def test_one_username_is_paused_after_more_failures_from_many_addresses(alice, settings, clock):
    settings.PORTAL_LOCKOUT_USERNAME_FAILURES = 8
    for i in range(8):
        sign_in(_from(f"203.0.113.{i + 1}"), "alice", "Wrong-password-123")
    response = sign_in(_from("192.0.2.50"), "alice")
    assert response.status_code == 429


def test_the_lockout_page_says_how_long_to_wait(alice, clock):
    client = _from("198.51.100.8")
    for _ in range(5):
        sign_in(client, "alice", "Wrong-password-123")
    clock.shift(4 * 60)
    response = sign_in(client, "alice")
    assert response.status_code == 429
    assert b"Please wait <strong>11 minutes</strong>" in response.content


def test_wrong_codes_count_toward_the_lockout_of_that_address(alice, clock):
    client = _from("198.51.100.9")
    for _ in range(5):
        sign_in(client, "alice")
        client.post("/accounts/login/code/", {"otp_token": "000000"})
        clock.shift(31)
    assert sign_in(client, "alice").status_code == 429
    assert sign_in(_from("203.0.113.77"), "alice")["Location"] == "/accounts/login/code/"


# --- 13. Loose ends -------------------------------------------------------------------------------------------
def test_activity_page_is_refused_after_openemr_revokes_portal_access(alice_client, openemr):
    assert alice_client.get("/activity/").status_code == 200
    openemr.execute("UPDATE patient_data SET allow_patient_portal = 'NO' WHERE pid = 1")
    response = alice_client.get("/activity/")
    assert response.status_code == 403


def test_an_expired_letter_does_not_answer_date_of_birth_guesses(client, staff, openemr, clock):
    factories.PatientFactory(pid=9, DOB=datetime.date(1980, 4, 12))
    issued = services.issue_credentials(9, actor=staff)
    clock.shift(15 * 24 * 3600)
    wrong_dob = client.post("/accounts/activate/", {"username": issued.username, "activation_code": issued.code,
                                                    "date_of_birth": "1999-01-01"})
    right_dob = client.post("/accounts/activate/", {"username": issued.username, "activation_code": issued.code,
                                                    "date_of_birth": "1980-04-12"})
    assert b"has expired" in wrong_dob.content and b"has expired" in right_dob.content
    assert PatientAccount.objects.get(pid=9).activation_failures == 0
