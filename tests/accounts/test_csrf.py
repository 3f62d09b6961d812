"""Every form refuses a request without its CSRF token."""

import pytest
from django.test import Client

from tests.conftest import _verified_client

pytestmark = pytest.mark.django_db

ANONYMOUS_FORMS = ["/accounts/login/", "/accounts/activate/", "/staff/login/"]
PATIENT_FORMS = ["/accounts/logout/", "/accounts/password/", "/accounts/backup-codes/regenerate/"]
STAFF_FORMS = ["/staff/", "/staff/patients/1/issue/", "/staff/patients/1/disable/", "/staff/patients/1/enable/",
               "/staff/patients/1/unlock/", "/staff/patients/1/reset-second-factor/",
               "/staff/patients/1/sign-out-everywhere/"]


@pytest.mark.parametrize("url", ANONYMOUS_FORMS)
def test_anonymous_form_refuses_post_without_csrf_token(url, db):
    response = Client(enforce_csrf_checks=True).post(url, {"username": "alice", "password": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("url", PATIENT_FORMS)
def test_patient_form_refuses_post_without_csrf_token(url, alice):
    client = _verified_client(Client(enforce_csrf_checks=True), alice, alice.totpdevice_set.get())
    assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize("url", STAFF_FORMS)
def test_staff_form_refuses_post_without_csrf_token(url, staff, alice):
    client = _verified_client(Client(enforce_csrf_checks=True), staff, staff.totpdevice_set.get())
    assert client.post(url, {}).status_code == 403
    assert alice.patient_account.state == "active"


def test_second_factor_forms_refuse_post_without_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    for url in ("/accounts/login/code/", "/accounts/login/backup-code/", "/accounts/login/new-authenticator/",
                "/accounts/activate/password/", "/accounts/activate/authenticator/", "/staff/login/code/"):
        assert client.post(url, {"otp_token": "123456"}).status_code == 403, url


def test_forms_carry_a_csrf_token(client, db):
    for url in ANONYMOUS_FORMS:
        assert b'name="csrfmiddlewaretoken"' in client.get(url).content
