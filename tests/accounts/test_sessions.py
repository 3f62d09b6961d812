"""Sessions: idle timeout and absolute lifetime on the server; every session ends at password change,
re-issue, disable and sign-out-everywhere."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts import services
from accounts.models import UserSession
from audit.models import AuditEvent
from tests.accounts.conftest import sign_in_fully
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Lantern-orchard-piano-97"


@pytest.fixture
def signed_in(clock, client, alice):
    sign_in_fully(client, alice)
    return client


def _still_signed_in(client):
    response = client.get("/accounts/security/")
    return response.status_code == 200


def test_session_is_registered_at_sign_in_and_forgotten_at_sign_out(signed_in, alice):
    assert UserSession.objects.filter(user=alice, session_key=signed_in.session.session_key).exists()
    signed_in.post("/accounts/logout/")
    assert not UserSession.objects.filter(user=alice).exists()


def test_activity_within_the_idle_limit_keeps_the_session(signed_in, clock):
    for _ in range(4):
        clock.shift(14 * 60)
        assert _still_signed_in(signed_in)


def test_idle_timeout_signs_out_on_the_server(signed_in, clock):
    clock.shift(15 * 60 + 1)
    response = signed_in.get("/accounts/security/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?expired=1"
    assert SESSION_KEY not in signed_in.session
    assert AuditEvent.objects.filter(code="auth.session_expired", category="idle", pid=1).exists()
    page = signed_in.get(response["Location"])
    assert b"signed out because there was no activity" in page.content


def test_absolute_lifetime_ends_even_an_active_session(signed_in, clock):
    for _ in range(12 * 6):  # every 10 minutes for 12 hours
        clock.shift(10 * 60)
        response = signed_in.get("/accounts/security/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?expired=lifetime"
    assert AuditEvent.objects.filter(code="auth.session_expired", category="lifetime").exists()


def test_idle_session_of_staff_goes_to_the_staff_sign_in(clock, staff_client):
    clock.shift(16 * 60)
    response = staff_client.get("/staff/")
    assert response["Location"] == "/staff/login/?expired=1"


def test_password_change_ends_the_other_sessions_and_keeps_this_one(clock, alice):
    first, second = Client(), Client()
    sign_in_fully(first, alice)
    clock.shift(31)
    sign_in_fully(second, alice)
    old_key = first.session.session_key
    response = first.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                   "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert first.session.session_key != old_key
    assert _still_signed_in(first)
    assert not _still_signed_in(second)
    assert list(UserSession.objects.filter(user=alice).values_list("session_key", flat=True)) == [
        first.session.session_key]
    assert AuditEvent.objects.filter(code="account.password_changed", pid=1).exists()


def test_password_change_needs_the_current_password(signed_in, alice):
    response = signed_in.post("/accounts/password/", {"old_password": "not-it", "new_password1": NEW_PASSWORD,
                                                       "new_password2": NEW_PASSWORD})
    assert response.status_code == 400 and b"current password is not right" in response.content
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_reissue_ends_every_session(signed_in, alice, staff):
    services.issue_credentials(1, actor=staff)
    assert not _still_signed_in(signed_in)
    assert not UserSession.objects.filter(user=alice).exists()


def test_disable_ends_every_session(signed_in, alice, staff):
    services.disable_account(alice.patient_account, actor=staff)
    assert not _still_signed_in(signed_in)


def test_sign_out_everywhere_ends_every_session(signed_in, alice, staff):
    assert services.sign_out_everywhere(alice, actor=staff) == 1
    assert not _still_signed_in(signed_in)
    assert AuditEvent.objects.filter(code="staff.signed_out_everywhere", pid=1).exists()


def test_session_without_our_timestamps_is_refused(client, alice):
    """A session the portal did not start through sign-in (no timestamps) fails closed."""
    from accounts.signals import AUTH_AT, LAST_SEEN

    client.force_login(alice)
    session = client.session
    del session[AUTH_AT], session[LAST_SEEN]
    session.save()
    assert client.get("/accounts/security/").status_code == 302
    assert SESSION_KEY not in client.session


def test_pages_with_account_details_are_not_cached(signed_in):
    response = signed_in.get("/accounts/security/")
    assert "no-store" in response["Cache-Control"]


def test_keepalive_counts_as_activity_and_shows_nothing(signed_in, clock):
    clock.shift(14 * 60)
    response = signed_in.get("/accounts/keepalive/")
    assert response.status_code == 204 and response.content == b""
    clock.shift(14 * 60)
    assert _still_signed_in(signed_in)


def test_keepalive_does_not_revive_an_idle_session(signed_in, clock):
    clock.shift(16 * 60)
    assert signed_in.get("/accounts/keepalive/").status_code == 302
    assert not _still_signed_in(signed_in)


def test_registry_forgets_sessions_older_than_the_absolute_lifetime(clock, alice, bob):
    Client().force_login(alice)
    clock.shift(12 * 3600 + 1)
    Client().force_login(bob)
    assert list(UserSession.objects.values_list("user_id", flat=True)) == [bob.pk]


def test_guessing_the_current_password_is_locked_out(signed_in, alice):
    for _ in range(5):
        signed_in.post("/accounts/password/", {"old_password": "guess-guess-1", "new_password1": NEW_PASSWORD,
                                               "new_password2": NEW_PASSWORD})
    response = signed_in.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                      "new_password2": NEW_PASSWORD})
    assert response.status_code == 429
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
