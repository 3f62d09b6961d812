"""Issuing credentials and activating them: code + date of birth → password → authenticator → backup codes."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import is_password_usable
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.activation import CODE_ALPHABET
from accounts.models import PatientAccount
from audit.models import AuditEvent
from tests import factories
from tests.accounts.conftest import totp_code

pytestmark = pytest.mark.django_db
DOB = "1980-04-12"
NEW_PASSWORD = "Lantern-orchard-piano-97"


@pytest.fixture
def patient(openemr):
    return factories.PatientFactory(pid=11, fname="Erin", lname="Okonkwo", DOB=datetime.date(1980, 4, 12))


@pytest.fixture
def issued(patient, staff):
    return services.issue_credentials(11, actor=staff)


def _step1(client, issued, code=None, dob=DOB, username=None):
    return client.post("/accounts/activate/", {"username": username or issued.username,
                                               "activation_code": code or issued.code, "date_of_birth": dob})


def _activate(client, issued):
    assert _step1(client, issued)["Location"] == "/accounts/activate/password/"
    response = client.post("/accounts/activate/password/", {"new_password1": NEW_PASSWORD,
                                                            "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/activate/authenticator/"
    assert client.get("/accounts/activate/authenticator/").status_code == 200
    device = TOTPDevice.objects.get(user=issued.account.user, confirmed=False)
    return client.post("/accounts/activate/authenticator/", {"otp_token": totp_code(device)})


def test_issued_code_is_easy_to_type_and_stored_only_hashed(issued):
    groups = issued.code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4]
    assert set("".join(groups)) <= set(CODE_ALPHABET) and not set("01OIL") & set("".join(groups))
    account = PatientAccount.objects.get(pid=11)
    assert issued.code not in account.activation_code_hash
    assert "".join(groups) not in account.activation_code_hash
    assert account.state == "issued" and not is_password_usable(account.user.password)
    assert account.issued_by.username == "frontdesk"
    assert AuditEvent.objects.filter(code="staff.credentials_issued", pid=11).exists()


def test_code_expires_after_the_configured_days(issued):
    delta = issued.expires_at - issued.account.issued_at
    assert delta == datetime.timedelta(days=14)


def test_full_activation_signs_the_patient_in_and_shows_backup_codes_once(clock, client, issued):
    response = _activate(client, issued)
    assert response["Location"] == "/accounts/backup-codes/new/"
    account = PatientAccount.objects.get(pid=11)
    assert account.state == "active" and account.activation_code_hash == "" and account.activated_at
    assert client.session[SESSION_KEY] == str(account.user_id)
    assert DEVICE_ID_SESSION_KEY in client.session
    page = client.get("/accounts/backup-codes/new/")
    tokens = list(StaticToken.objects.filter(device__user=account.user).values_list("token", flat=True))
    assert len(tokens) == 10
    assert all(f"{t[:4]} {t[4:]}".encode() in page.content for t in tokens)
    assert client.get("/accounts/backup-codes/new/")["Location"] == "/accounts/security/"  # never again
    codes = set(AuditEvent.objects.filter(pid=11).values_list("code", flat=True))
    assert {"account.activated", "otp.enrolled", "auth.login.succeeded"} <= codes


def test_activated_patient_signs_in_with_the_new_password_and_totp(clock, client, issued):
    _activate(client, issued)
    client.post("/accounts/logout/")
    clock.shift(60)
    response = client.post("/accounts/login/", {"username": issued.username, "password": NEW_PASSWORD})
    assert response["Location"] == "/accounts/login/code/"
    device = TOTPDevice.objects.get(user=issued.account.user, confirmed=True)
    assert client.post("/accounts/login/code/", {"otp_token": totp_code(device)})["Location"] == "/"


def test_code_is_accepted_in_lower_case_and_without_dashes(client, issued):
    response = _step1(client, issued, code=issued.code.replace("-", " ").lower())
    assert response["Location"] == "/accounts/activate/password/"


def test_wrong_date_of_birth_is_refused(client, issued):
    response = _step1(client, issued, dob="1980-12-04")
    assert response.status_code == 400
    assert b"We could not match these details" in response.content
    assert SESSION_KEY not in client.session
    assert client.get("/accounts/activate/password/")["Location"] == "/accounts/activate/"
    assert AuditEvent.objects.filter(code="account.activation_failed", pid=11, category="dob").exists()


def test_wrong_code_and_unknown_username_get_the_same_answer(client, issued):
    wrong_code = _step1(client, issued, code="ABCD-EFGH-JKMN-PQRS")
    unknown = _step1(client, issued, username="pnobody22")
    assert wrong_code.status_code == unknown.status_code == 400
    assert b"We could not match these details" in wrong_code.content
    assert b"We could not match these details" in unknown.content


def test_expired_code_is_refused(clock, client, issued):
    clock.shift(datetime.timedelta(days=15))
    response = _step1(client, issued)
    assert response.status_code == 400 and b"has expired" in response.content


def test_used_code_is_refused(clock, client, issued):
    _activate(client, issued)
    client.post("/accounts/logout/")
    response = _step1(client, issued)
    assert response.status_code == 400 and b"We could not match these details" in response.content


def test_reissued_code_replaces_the_old_one(client, issued, staff):
    again = services.issue_credentials(11, actor=staff)
    assert again.username == issued.username and again.reissued
    assert _step1(client, issued).status_code == 400
    assert _step1(client, again)["Location"] == "/accounts/activate/password/"


def test_reissue_during_an_activation_stops_that_activation(client, issued, staff):
    _step1(client, issued)
    services.issue_credentials(11, actor=staff)
    assert client.get("/accounts/activate/password/")["Location"] == "/accounts/activate/"


def test_five_wrong_birth_dates_use_up_the_code(client, issued):
    for day in range(1, 6):
        _step1(client, issued, dob=f"1981-01-0{day}")
    response = _step1(client, issued)
    assert response.status_code in (400, 429)
    assert PatientAccount.objects.get(pid=11).activation_failures == 5
    from axes.utils import reset

    reset()
    response = _step1(client, issued)
    assert response.status_code == 400 and b"too many wrong attempts" in response.content


def test_patient_with_unknown_birth_date_is_told_to_call_the_clinic(client, openemr, staff):
    factories.PatientFactory(pid=12, DOB="0000-00-00")
    issued = services.issue_credentials(12, actor=staff)
    response = _step1(client, issued, dob="1980-04-12")
    assert response.status_code == 400 and b"call the clinic" in response.content


def test_issue_is_refused_when_the_patient_is_not_allowed_on_the_portal(openemr, staff):
    factories.PatientFactory(pid=13, allow_patient_portal="")
    with pytest.raises(services.AccountError, match="not allowed"):
        services.issue_credentials(13, actor=staff)
    assert not PatientAccount.objects.filter(pid=13).exists()


def test_activation_is_refused_when_portal_permission_was_withdrawn(client, openemr, staff):
    factories.PatientFactory(pid=14, DOB=datetime.date(1980, 4, 12))
    issued = services.issue_credentials(14, actor=staff)
    openemr.execute("UPDATE patient_data SET allow_patient_portal = 'NO' WHERE pid = 14")
    response = _step1(client, issued)
    assert response.status_code == 400 and b"call the clinic" in response.content


@pytest.mark.parametrize("password, reason", [
    ("short-pw-1", b"at least 12 characters"),
    ("password1234", b"common passwords"),
    ("Erin-is-great-2024", b"must not contain your name"),
    ("Okonkwo-family-99", b"must not contain your name"),
    ("lanterns-1980-04-12", b"date of birth"),
    ("lanterns04/12/1980", b"date of birth"),
    ("x" * 129, b"at most 128"),
])
def test_weak_passwords_are_refused_with_a_plain_reason(client, issued, password, reason):
    _step1(client, issued)
    response = client.post("/accounts/activate/password/", {"new_password1": password, "new_password2": password})
    assert response.status_code == 400
    assert reason in response.content, response.content.decode()[-3000:]
    assert not is_password_usable(PatientAccount.objects.get(pid=11).user.password)


def test_passwords_that_differ_are_refused(client, issued):
    _step1(client, issued)
    response = client.post("/accounts/activate/password/", {"new_password1": NEW_PASSWORD,
                                                            "new_password2": NEW_PASSWORD + "x"})
    assert response.status_code == 400 and b"not the same" in response.content


def test_authenticator_step_needs_a_password_first(client, issued):
    _step1(client, issued)
    assert client.get("/accounts/activate/authenticator/")["Location"] == "/accounts/activate/password/"


def test_wrong_code_from_the_app_does_not_activate(client, issued):
    _step1(client, issued)
    client.post("/accounts/activate/password/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.get("/accounts/activate/authenticator/")
    response = client.post("/accounts/activate/authenticator/", {"otp_token": "000000"})
    assert response.status_code == 400
    assert PatientAccount.objects.get(pid=11).state == "issued"
    assert SESSION_KEY not in client.session


def test_enrolment_page_shows_a_qr_code_and_the_key_as_text(client, issued):
    _step1(client, issued)
    client.post("/accounts/activate/password/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    page = client.get("/accounts/activate/authenticator/")
    from base64 import b32encode

    device = TOTPDevice.objects.get(user=issued.account.user, confirmed=False)
    key = b32encode(device.bin_key).decode()
    assert b"<svg" in page.content
    assert " ".join(key[i:i + 4] for i in range(0, len(key), 4)).encode() in page.content
    assert b'inputmode="numeric"' in page.content and b'autocomplete="one-time-code"' in page.content


def test_enrolment_on_the_phone_itself_offers_an_otpauth_link_with_the_same_key(client, issued):
    import html
    import re
    from base64 import b32encode

    _step1(client, issued)
    client.post("/accounts/activate/password/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    body = client.get("/accounts/activate/authenticator/").content.decode()
    link = html.unescape(re.search(r'<a class="button" href="(otpauth://totp/[^"]+)">Open in your authenticator app',
                                   body).group(1))
    device = TOTPDevice.objects.get(user=issued.account.user, confirmed=False)
    assert f"secret={b32encode(device.bin_key).decode().rstrip('=')}" in link
    assert "digits=6" in link and "issuer=" in link


def test_date_of_birth_hint_matches_the_date_field(client, issued):
    body = client.get("/accounts/activate/").content.decode()
    assert 'type="date"' in body and "for example, April 12, 1980" in body and "1980-04-12" not in body


def test_activation_abandoned_for_too_long_starts_again(clock, client, issued):
    _step1(client, issued)
    clock.shift(31 * 60)
    assert client.get("/accounts/activate/password/")["Location"] == "/accounts/activate/"
