"""Helpers for the accounts tests: codes from authenticators, and walking the sign-in steps."""

import datetime

import pytest
from django_otp.oath import totp

from tests.conftest import PASSWORD


def totp_code(device):
    """The code the patient's app shows right now for this TOTP device."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def sign_in(client, username, password=PASSWORD, url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password})


def sign_in_fully(client, user, *, login_url="/accounts/login/", otp_url="/accounts/login/code/"):
    response = sign_in(client, user.username, url=login_url)
    assert response.status_code == 302, response.content[:500]
    return client.post(otp_url, {"otp_token": totp_code(user.totpdevice_set.get(confirmed=True))})


@pytest.fixture
def clock():
    """Time under test control (time-machine): clock.shift(seconds) moves it on."""
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        yield traveller
