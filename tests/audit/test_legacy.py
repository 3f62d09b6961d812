"""Migration 0003 from the locked hash chain: old events verify under the old scheme up to the boundary it
records, new ones under the new; tampering with either is caught; audit_prune prunes both in batches."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from audit import legacy, verify
from audit.log import Event, record
from audit.models import AuditCheckpoint, AuditEvent, AuditLegacyBoundary, AuditPruneCheckpoint
from tests.audit.conftest import portal_sql, seal_now

pytestmark = pytest.mark.django_db(transaction=True)
OLD = datetime(2019, 5, 1, 12, tzinfo=UTC)


def _write_old_chain(count):
    """What audit/chain.py wrote before this change: id == seq, prev_mac links, a head row."""
    prev_mac = ""
    for seq in range(1, count + 1):
        values = {"id": seq, "seq": seq, "created_at": OLD.replace(minute=seq), "code": "record.viewed",
                  "actor_type": "patient", "actor_id": "7", "pid": 1, "category": "summary", "object_ids": str(seq),
                  "outcome": "success", "client_ip": "192.0.2.1", "user_agent": "Firefox", "request_id": "",
                  "prev_mac": prev_mac}
        values["mac"] = legacy.event_mac(values)
        portal_sql("INSERT INTO audit_auditevent (id, seq, created_at, code, actor_type, actor_id, pid, category, "
                   "object_ids, outcome, client_ip, user_agent, request_id, prev_mac, mac) VALUES "
                   "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                   [values[k] for k in ("id", "seq")] + [values["created_at"].replace(tzinfo=None)]
                   + [values[k] for k in ("code", "actor_type", "actor_id", "pid", "category", "object_ids",
                                          "outcome", "client_ip", "user_agent", "request_id", "prev_mac", "mac")])
        prev_mac = values["mac"]
    portal_sql("INSERT INTO audit_auditchainhead (id, seq, mac) VALUES (1, %s, %s)", [count, prev_mac])


@pytest.fixture
def migrated_old_chain():
    call_command("migrate", "audit", "0002", database="default", verbosity=0)
    try:
        _write_old_chain(6)
    finally:
        call_command("migrate", "audit", database="default", verbosity=0)
    connections["default"].close()
    yield


def verify_output(*args):
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def test_old_events_verify_under_the_old_scheme_and_new_ones_follow_them(migrated_old_chain):
    boundary = AuditLegacyBoundary.objects.get()
    assert (boundary.last_id, boundary.last_seq) == (6, 6)
    assert not any("chainhead" in t for t in connections["default"].introspection.table_names())
    new = record(Event.LOGIN_SUCCEEDED, pid=1)
    assert new.id == 7 and new.seq is None  # the sequence starts after the old chain
    seal_now()
    assert verify_output() == ("Audit trail intact: 6 legacy chain events (seq 1..6); 1 events in 1 sealed blocks "
                               "(through block 1, id 7); 0 events not yet sealed.\n")


@pytest.mark.parametrize(("sql", "expected"), [
    ("UPDATE audit_auditevent SET pid = 2 WHERE seq = 3", "seq 3, id 3: edited"),
    ("DELETE FROM audit_auditevent WHERE seq = 6", "events seq 6..6 (the end) are missing"),
    ("DELETE FROM audit_auditevent WHERE seq = 2", "seq 3, id 3: deleted (gap)"),
    ("UPDATE audit_auditlegacyboundary SET last_seq = 4, last_id = 4", "boundary does not verify"),
    ("DELETE FROM audit_auditlegacyboundary", "legacy chain events exist but its boundary is missing"),
], ids=["edited", "tail-deleted", "middle-deleted", "boundary-moved", "boundary-deleted"])
def test_tampering_with_the_old_chain_is_still_detected(migrated_old_chain, sql, expected):
    portal_sql(sql)
    with pytest.raises(CommandError, match="legacy chain") as excinfo:
        verify_output()
    assert expected in str(excinfo.value)


def test_prune_removes_old_chain_events_then_sealed_blocks_in_batches(migrated_old_chain, settings):
    settings.PORTAL_AUDIT_RETENTION_DAYS = 30
    for i in range(5):
        record(Event.LOGIN_SUCCEEDED, pid=1, object_ids=[i])
    seal_now(block_events=2)
    out = io.StringIO()
    call_command("audit_prune", "--before", "2019-06-01", "--batch-events", "4", stdout=out)
    assert "Pruned legacy events through seq 4 (4 so far)." in out.getvalue()
    assert "Pruned 6 audit events before 2019-06-01 (6 of the legacy chain, 0 in sealed blocks" in out.getvalue()
    assert [c.seq for c in AuditCheckpoint.objects.order_by("seq")] == [4, 6]
    assert not AuditEvent.objects.filter(seq__isnull=False).exists()
    result = verify.verify()
    assert result.ok, result.problem
    assert result.legacy.count == 0 and result.sealed_events == 5 and result.unsealed_events == 1  # the prune's own
    assert not AuditPruneCheckpoint.objects.exists()
