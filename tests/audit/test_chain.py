"""Appending to the HMAC chain: signed, serialised, joined to the caller's transaction, fail closed."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, transaction

from audit import chain
from audit.log import AuditWriteError, Event, record
from audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from tests.audit.conftest import portal_sql

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_each_event_is_signed_over_its_content_and_the_previous_mac():
    first = record(Event.LOGIN_SUCCEEDED, pid=1)
    second = record(Event.LOGOUT, pid=1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.id, second.id) == (first.seq, second.seq) and second.seq == first.seq + 1
    assert second.prev_mac == first.mac
    assert len(first.mac) == 64 and first.mac != second.mac
    stored = {name: getattr(second, name) for name in chain.CONTENT_FIELDS}
    assert chain.event_mac(stored) == second.mac
    head = AuditChainHead.objects.get()
    assert (head.seq, head.mac) == (second.seq, second.mac)


def test_the_mac_depends_on_the_key(settings):
    event = record(Event.LOGIN_SUCCEEDED, pid=1)
    values = {name: getattr(event, name) for name in chain.CONTENT_FIELDS}
    settings.PORTAL_AUDIT_KEY = "another-key"
    assert chain.event_mac(values) != event.mac


def test_events_carry_codes_and_ids_but_no_request_content(client, alice):
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
    assert AuditChainHead.objects.get().seq == 0
    assert chain.verify().ok


def test_a_missing_chain_head_with_events_present_fails_closed():
    record(Event.LOGIN_SUCCEEDED, pid=1)
    portal_sql("DELETE FROM audit_auditchainhead")
    with pytest.raises(AuditWriteError):
        record(Event.LOGOUT, pid=1)
    assert AuditEvent.objects.count() == 1


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
    record(Event.LOGIN_SUCCEEDED, pid=1)  # the database works again: so does the chain
    assert chain.verify().count == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fresh_database", [False, True], ids=["existing-head", "no-head-yet"])
def test_concurrent_writers_on_their_own_connections_leave_one_valid_chain(fresh_database):
    """8 threads (each its own MariaDB session, like workers on several hosts) append 25 events each at once;
    half of them inside their own transaction with a business write. Without the head lock, two writers read
    the same head and the second insert hits the unique seq (or the chain forks). On a fresh database the
    first writers also race to create the head row."""
    if fresh_database:
        portal_sql("DELETE FROM audit_auditchainhead")
    else:
        AuditChainHead.objects.get_or_create(pk=chain.HEAD_PK)
    writers, per_writer = 8, 25
    barrier = threading.Barrier(writers)
    errors = []

    def work(n):
        try:
            barrier.wait()
            for i in range(per_writer):
                if n % 2:
                    with transaction.atomic():
                        get_user_model().objects.create_user(username=f"w{n}-{i}")
                        record(Event.CREDENTIALS_ISSUED, pid=n, object_ids=[i])
                else:
                    record(Event.RECORD_VIEWED, pid=n, category="summary", object_ids=[i])
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], [repr(e.__cause__) for e in errors]
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, writers * per_writer + 1))
    result = chain.verify()
    assert result.ok, result.problem
    assert result.count == writers * per_writer
    assert AuditChainHead.objects.get().seq == writers * per_writer
    by_pid = {n: AuditEvent.objects.filter(pid=n).count() for n in range(writers)}
    assert set(by_pid.values()) == {per_writer}


@pytest.mark.django_db(transaction=True)
def test_concurrent_writer_processes_on_one_mariadb_leave_one_valid_chain():
    """Four OS processes (like gunicorn workers on four hosts) append 30 events each against one database."""
    settings_dict = connections["default"].settings_dict
    env = dict(os.environ, PORTAL_DATABASE_URL=f"mysql://root@127.0.0.1:{settings_dict['PORT']}/"
                                               f"{settings_dict['NAME']}")
    start = str(time.time() + 4)  # every process is set up by then: they really append at the same time
    writers = [subprocess.Popen([sys.executable, "-m", "tests.audit.appender", "30", f"p{n}", start], cwd=ROOT,
                                env=env, stderr=subprocess.PIPE, text=True) for n in range(4)]
    for writer in writers:
        assert writer.wait(timeout=120) == 0, writer.stderr.read()
    result = chain.verify()
    assert result.ok, result.problem
    assert (result.count, result.first_seq, result.last_seq) == (120, 1, 120)
    assert get_user_model().objects.filter(username__startswith="p").count() == 4 * 10
