"""A whole patient session through the real views leaves exactly the expected trail, and it verifies."""

from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from tests.accounts.conftest import sign_in, sign_in_fully

pytestmark = pytest.mark.django_db

PAGES = [("/", "summary"), ("/visits/", "visits"), ("/results/", "results"), ("/medications/", "medications"),
         ("/problems/", "problems"), ("/allergies/", "allergies"), ("/immunizations/", "immunizations"),
         ("/vitals/", "vitals"), ("/appointments/", "appointments"), ("/profile/", "profile"),
         ("/activity/", "activity")]


def trail():
    return list(AuditEvent.objects.order_by("id").values_list("code", "category", "pid", "outcome"))


def test_every_sign_in_step_and_page_view_leaves_exactly_one_event_and_the_chain_verifies(client, alice):
    assert sign_in(client, "alice", "Not-the-password-1").status_code == 400
    assert sign_in_fully(client, alice).status_code == 302
    for url, _category in PAGES:
        assert client.get(url).status_code == 200, url
    activity = client.get("/activity/").content.decode()
    assert client.post("/accounts/logout/").status_code == 302

    assert trail() == [
        ("auth.login.failed", "password", 1, "failure"),
        ("otp.succeeded", "", 1, "success"),
        ("auth.login.succeeded", "", 1, "success"),
        *[("record.viewed", category, 1, "success") for _url, category in PAGES],
        ("record.viewed", "activity", 1, "success"),
        ("auth.logout", "", 1, "success"),
    ]
    assert all(e.actor_id == str(alice.pk) for e in AuditEvent.objects.exclude(code="auth.login.failed"))
    for sentence in ("You signed in", "A sign-in attempt with a wrong password failed", "You viewed your lab results",
                     "You viewed your health summary", "You viewed your account activity"):
        assert sentence in activity
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue() == f"Audit trail intact: {len(PAGES) + 5} events not yet sealed.\n"
