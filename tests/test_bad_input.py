"""Bad input gets a clear 4xx (or the ordinary page), never a traceback or a 500."""

import pytest

pytestmark = pytest.mark.django_db

PATIENT_URLS = [
    "/visits/?page=abc", "/visits/?page=-1", "/visits/?page=99999999999999999999", "/visits/?year=abcd",
    "/visits/?year=99999", "/visits/?year=", "/visits/99999999999999999999/", "/visits/0/",
    "/visits/18446744073709551616/print/", "/results/?page=%00", "/results/99999999999999999999/",
    "/results/analyte/..%2F/", "/results/analyte/%E2%80%AE/", "/results/analyte/" + "A" * 40 + "/",
    "/medications/?show=%27%20OR%201=1", "/problems/?show=<script>", "/activity/?page=zz",
    "/appointments/?page=1e9", "/profile/?x=" + "%F0%9F%92%A9" * 50, "/no/such/page/", "/visits/%FF/",
]
STAFF_URLS = [
    "/staff/accounts/?page=abc", "/staff/accounts/?state=nonsense", "/staff/accounts/?q=%00",
    "/staff/patients/99999999999999999999/", "/staff/audit/?pid=abc", "/staff/audit/?since=2026-13-45",
    "/staff/audit/?until=yesterday&page=-3", "/staff/audit/?code=%27;DROP", "/staff/audit/export.csv?pid=x",
]


@pytest.mark.parametrize("url", PATIENT_URLS)
def test_malformed_patient_requests_never_error(alice_client, url):
    response = alice_client.get(url)
    assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("url", STAFF_URLS)
def test_malformed_staff_requests_never_error(staff_client, url):
    response = staff_client.get(url)
    assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("data", [
    {}, {"username": "x" * 10000, "password": "y"}, {"username": "\x00", "password": "\x00"},
    {"username": ["a", "b"], "password": "p"}, {"username": "alice", "password": "p" * 5000},
])
def test_malformed_sign_in_posts_get_a_clear_form_error(client, data):
    response = client.post("/accounts/login/", data)
    assert 400 <= response.status_code < 500 or response.status_code == 200
    assert response.status_code != 500


@pytest.mark.parametrize("data", [
    {"username": "u", "activation_code": "x", "date_of_birth": "31/31/2031"},
    {"username": "u", "activation_code": "\x00" * 30, "date_of_birth": "1980-02-30"},
    {"username": "", "activation_code": "", "date_of_birth": "0000-00-00"},
])
def test_malformed_activation_posts_get_a_clear_form_error(client, data):
    response = client.post("/accounts/activate/", data)
    assert response.status_code in (200, 400, 403, 429)
    assert b"Traceback" not in response.content


def test_oversized_post_is_refused_with_a_4xx(client):
    response = client.post("/accounts/login/", {"username": "u", "password": "p" * 70_000})
    assert 400 <= response.status_code < 500
