"""Management commands: the letter on stdout, and the account actions from the command line."""

import io
import re

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import PatientAccount
from audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_issue_credentials_prints_the_letter(openemr, staff):
    factories.PatientFactory(pid=31, fname="Hana", lname="Sato")
    text = _run("issue_credentials", "--pid", "31", "--issued-by", "frontdesk")
    account = PatientAccount.objects.get(pid=31)
    assert f"Your username:        {account.user.username}" in text
    assert re.search(r"Your activation code: [A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", text)
    assert "Riverside Family Clinic" in text and "Hana Sato" in text
    assert "http://127.0.0.1:8000/accounts/activate/" in text
    assert account.issued_by == staff
    assert AuditEvent.objects.get(code="staff.credentials_issued").actor_id == str(staff.pk)


def test_issue_credentials_for_an_unknown_patient_fails_clearly(openemr):
    with pytest.raises(CommandError, match="no patient with this id"):
        _run("issue_credentials", "--pid", "404")


def test_disable_and_enable_account_commands(alice):
    _run("disable_account", "--pid", "1")
    assert PatientAccount.objects.get(pid=1).state == "disabled"
    _run("enable_account", "--username", "alice")
    assert PatientAccount.objects.get(pid=1).state == "active"
    assert {"staff.account_disabled", "staff.account_enabled"} <= set(
        AuditEvent.objects.values_list("code", flat=True))


def test_unlock_account_command_clears_failures(client, alice):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "Wrong-password-123"})
    assert AccessAttempt.objects.filter(username="alice").exists()
    _run("unlock_account", "--pid", "1")
    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_reset_second_factor_command_for_a_patient(alice):
    _run("reset_second_factor", "--pid", "1")
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_create_staff_prints_password_and_authenticator_once(db):
    text = _run("create_staff", "reception2", "--first-name", "Rui")
    password = re.search(r"password \(shown only now\): (\S+)", text).group(1)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="reception2")
    assert user.is_staff and not user.is_superuser and user.check_password(password)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    assert "otpauth://totp/" in text and device.config_url in text


def test_reset_second_factor_for_staff_prints_a_new_key(staff):
    old = staff.totpdevice_set.get().key
    text = _run("reset_second_factor", "--staff-username", "frontdesk")
    assert staff.totpdevice_set.get().key != old and "otpauth://totp/" in text


def test_account_command_for_an_unknown_account_fails_clearly(db):
    with pytest.raises(CommandError, match="no portal account"):
        _run("disable_account", "--pid", "999")
