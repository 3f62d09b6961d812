"""Appending: each event one self-signed INSERT, joined to the caller's transaction, fail closed, no shared row."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, transaction

from audit import events, verify
from audit.log import AuditWriteError, Event, record
from audit.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_each_event_is_signed_over_its_content_and_its_id():
    first = record(Event.LOGIN_SUCCEEDED, pid=1)
    second = record(Event.LOGOUT, pid=1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.id > first.id and first.seq is None and first.prev_mac == ""
    assert len(first.mac) == 64 and first.mac != second.mac
    stored = {name: getattr(second, name) for name in events.CONTENT_FIELDS}
    assert events.event_mac(stored) == second.mac
    assert events.event_mac(dict(stored, id=first.id)) != second.mac  # the id is signed too


def test_the_mac_depends_on_the_key(settings):
    event = record(Event.LOGIN_SUCCEEDED, pid=1)
    values = {name: getattr(event, name) for name in events.CONTENT_FIELDS}
    settings.PORTAL_AUDIT_KEY = "another-key"
    assert events.event_mac(values) != event.mac


def test_an_append_is_one_insert_and_takes_no_lock_and_updates_nothing(django_assert_num_queries):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connections["default"]) as queries:
        record(Event.LOGIN_SUCCEEDED, pid=1)
    statements = [q["sql"].upper() for q in queries]
    assert [s.split()[0] for s in statements] == ["SELECT", "INSERT"], statements  # NEXTVAL, then the row
    assert "NEXTVAL" in statements[0]
    assert not any("FOR UPDATE" in s or "LOCK IN SHARE" in s or s.startswith("UPDATE") for s in statements)


def test_events_carry_codes_and_ids_but_no_request_content(alice):
    event = record(Event.RECORD_VIEWED, actor=alice, pid=1, category="visit", object_ids=[7, 8])
    assert (event.code, event.actor_type, event.actor_id, event.category, event.object_ids) == (
        "record.viewed", "patient", str(alice.pk), "visit", "7,8")


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm():
    event = record(Event.LOGIN_SUCCEEDED, pid=1)
    event.code = "auth.logout"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(code="auth.logout")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).code == "auth.login.succeeded"


def test_an_event_inside_a_transaction_rolls_back_with_the_business_change():
    User = get_user_model()
    with pytest.raises(RuntimeError), transaction.atomic():
        User.objects.create_user(username="temp")
        record(Event.CREDENTIALS_ISSUED, pid=5)
        raise RuntimeError("the service failed after writing its event")
    assert not User.objects.filter(username="temp").exists()
    assert not AuditEvent.objects.filter(code="staff.credentials_issued").exists()
    after = record(Event.LOGOUT, pid=5)  # the rolled-back id is a legitimate gap
    assert verify.verify().ok and AuditEvent.objects.get().id == after.id


def _trigger_refusing_audit_inserts():
    from tests.conftest import _root_connection

    conn = _root_connection(connections["default"].settings_dict["NAME"])
    with conn.cursor() as cur:
        cur.execute("CREATE TRIGGER audit_refuses BEFORE INSERT ON audit_auditevent FOR EACH ROW "
                    "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit write refused by test'")
    return conn


def _drop_trigger(conn):
    with conn.cursor() as cur:
        cur.execute("DROP TRIGGER IF EXISTS audit_refuses")
    conn.close()


@pytest.mark.django_db(transaction=True)
def test_a_failed_audit_write_raises_and_rolls_back_the_callers_change():
    User = get_user_model()
    conn = _trigger_refusing_audit_inserts()
    try:
        with pytest.raises(AuditWriteError):
            record(Event.LOGIN_SUCCEEDED, pid=1)
        with pytest.raises(AuditWriteError), transaction.atomic():
            User.objects.create_user(username="issued")
            record(Event.CREDENTIALS_ISSUED, pid=1)
    finally:
        _drop_trigger(conn)
    assert not User.objects.filter(username="issued").exists()
    assert AuditEvent.objects.count() == 0
    record(Event.LOGIN_SUCCEEDED, pid=1)  # the database works again: so does the trail
    assert verify.verify().unsealed_events == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_writer_processes_on_one_mariadb_lose_and_duplicate_nothing():
    """Four OS processes (like gunicorn workers on four hosts) append 30 events each against one database."""
    settings_dict = connections["default"].settings_dict
    env = dict(os.environ, PORTAL_DATABASE_URL=f"mysql://root@127.0.0.1:{settings_dict['PORT']}/"
                                               f"{settings_dict['NAME']}")
    start = str(time.time() + 4)  # every process is set up by then: they really append at the same time
    writers = [subprocess.Popen([sys.executable, "-m", "tests.audit.appender", "30", f"p{n}", start], cwd=ROOT,
                                env=env, stderr=subprocess.PIPE, text=True) for n in range(4)]
    for writer in writers:
        assert writer.wait(timeout=120) == 0, writer.stderr.read()
    result = verify.verify()
    assert result.ok, result.problem
    assert result.unsealed_events == 120
    assert AuditEvent.objects.values("id").distinct().count() == 120
    assert get_user_model().objects.filter(username__startswith="p").count() == 4 * 10
