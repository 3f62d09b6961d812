"""The portal refuses to serve while its self-checks fail, and says so on /healthz."""

import pytest

from portal import checks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_self_check(settings):
    settings.PORTAL_SELF_CHECK_SECONDS = 300
    checks._last_run.update(at=None, errors=[])
    yield
    checks._last_run.update(at=None, errors=[])


def test_refuses_to_serve_when_the_openemr_account_can_write(client, alice_client):
    # The test session's OpenEMR account is MariaDB's root: it can write, so the portal must not serve.
    page = alice_client.get("/")
    assert page.status_code == 503
    assert b"temporarily unavailable" in page.content
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["self_check"] == "failed"


def test_serves_when_writable_openemr_is_allowed_for_development(alice_client, settings):
    settings.DEBUG = True
    settings.PORTAL_ALLOW_WRITABLE_OPENEMR = True
    assert alice_client.get("/").status_code == 200
    assert alice_client.get("/healthz").json()["self_check"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_serves_and_reports_healthy_as_the_generated_restricted_account(restricted_account, alice_client):
    from tests.deploy.conftest import connected_as

    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        assert alice_client.get("/healthz").json() == {
            "status": "ok", "default": "ok", "openemr": "ok", "self_check": "ok"}
        assert alice_client.get("/").status_code == 200
