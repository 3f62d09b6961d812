"""Fail closed: when the audit event cannot be committed, the user gets the 503 page and no PHI."""

import pytest
from django.db import connections

from audit import verify
from audit.models import AuditEvent
from tests.conftest import _root_connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def audit_refused(django_db_setup):
    """A BEFORE INSERT trigger makes MariaDB refuse every audit insert, as a full disk or lost grant would."""
    conn = _root_connection(connections["default"].settings_dict["NAME"])
    with conn.cursor() as cur:
        cur.execute("CREATE TRIGGER audit_refuses BEFORE INSERT ON audit_auditevent FOR EACH ROW "
                    "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit write refused by test'")
    yield
    with conn.cursor() as cur:
        cur.execute("DROP TRIGGER IF EXISTS audit_refuses")
    conn.close()


def test_health_summary_is_not_sent_when_its_audit_event_fails(alice_client, audit_refused):
    response = alice_client.get("/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "The portal is temporarily unavailable" in page
    assert "Your health summary" not in page and "Alice" not in page and "Martín" not in page
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.count() == 0


def test_the_same_page_is_sent_once_the_audit_log_works(alice_client):
    response = alice_client.get("/")
    assert response.status_code == 200 and "Your health summary" in response.content.decode()
    assert list(AuditEvent.objects.values_list("code", "category", "pid")) == [("record.viewed", "summary", 1)]
    assert verify.verify().unsealed_events == 1


def test_activity_page_is_not_sent_when_its_audit_event_fails(alice_client, audit_refused):
    response = alice_client.get("/activity/")
    assert response.status_code == 503
    assert "Account activity" not in response.content.decode()


def test_staff_audit_report_and_export_are_not_sent_when_their_audit_event_fails(staff_client, audit_refused):
    for url in ("/staff/audit/", "/staff/audit/export.csv"):
        response = staff_client.get(url)
        assert response.status_code == 503
        assert "Audit report" not in response.content.decode()


def test_a_page_is_not_sent_when_no_event_id_can_be_had(alice_client):
    """The id sequence is gone (a lost grant, a botched restore): the INSERT never happens, the page is a 503."""
    conn = _root_connection(connections["default"].settings_dict["NAME"])
    try:
        with conn.cursor() as cur:
            cur.execute("RENAME TABLE audit_event_id TO audit_event_id_away")
        response = alice_client.get("/")
        assert response.status_code == 503 and "Your health summary" not in response.content.decode()
    finally:
        with conn.cursor() as cur:
            cur.execute("RENAME TABLE audit_event_id_away TO audit_event_id")
        conn.close()
    assert AuditEvent.objects.count() == 0
    assert alice_client.get("/").status_code == 200


def test_staff_patient_page_is_not_sent_when_its_audit_event_fails(staff_client, alice, audit_refused):
    response = staff_client.get("/staff/patients/1/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "Alice" not in page and "Martín" not in page and "MRN" not in page


def test_staff_account_list_is_not_sent_when_its_audit_event_fails(staff_client, alice, audit_refused):
    response = staff_client.get("/staff/accounts/")
    assert response.status_code == 503
    assert "alice" not in response.content.decode()
