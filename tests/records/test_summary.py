"""The health summary (home page)."""

import pytest

from audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_today")]


def _viewed(category):
    return list(AuditEvent.objects.filter(code="record.viewed", category=category))


def test_summary_shows_alices_active_record(alice_client, rich):
    response = alice_client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Essential hypertension", "Asthma", "Pregnancy", "Lisinopril", "Vitamin D3 1000 IU",
                 "Penicillin", "Hives", "Latex", "Glucose", "High", "Office Visit", "Maria L. Okafor, Jr., MD", "Blood pressure follow-up"):
        assert text in body, text
    for hidden in ("Acute bronchitis", "Ankle sprain", "Metformin", "Amoxicillin", "Sertraline",
                   "Lisinopril (list copy)", "HIV", "Confidential counselling", "Sulfa"):
        assert hidden not in body, hidden
    assert response["Cache-Control"].startswith("max-age=0")


def test_summary_leaves_one_audit_event(alice_client, rich):
    alice_client.get("/")
    events = _viewed("summary")
    assert len(events) == 1 and events[0].pid == 1


def test_summary_shortens_long_lists_and_links_to_the_full_page(alice_client, rich, openemr):
    from tests.records.conftest import make_heavy

    make_heavy(openemr, pid=1, visits=30)
    body = alice_client.get("/").content.decode()
    assert "and 23 more." in body  # 33 active problems, 10 shown
    assert 'href="/problems/"' in body and 'href="/medications/"' in body
