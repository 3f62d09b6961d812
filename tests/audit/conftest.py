"""Helpers for the audit tests: raw SQL on the portal database, events, sealing."""

import pytest
from django.db import connections

from audit import seal
from audit.log import Event, record


def portal_sql(sql, params=None):
    """Raw SQL on the test's own portal connection (tampering the way someone with database access would)."""
    with connections["default"].cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else None


def seal_now(block_events=4):
    """Seal everything committed (no grace: the test's own writes are all committed)."""
    return seal.seal(grace=0, lock_wait=2, block_events=block_events)


@pytest.fixture
def chain_of_ten(db):
    """Ten committed events."""
    return [record(Event.RECORD_VIEWED, pid=1, category="summary", object_ids=[i]) for i in range(10)]


def bulk_events(count, created_at, pid=1):
    """`count` correctly signed events at `created_at`, inserted in one go (ids taken from the sequence)."""
    from audit import events

    start = int(portal_sql("SELECT NEXTVAL(audit_event_id)")[0][0])
    portal_sql("SELECT SETVAL(audit_event_id, %s)", [start + count])
    rows = []
    for event_id in range(start, start + count):
        values = {"id": event_id, "created_at": created_at, "code": "record.viewed", "actor_type": "patient",
                  "actor_id": "7", "pid": pid, "category": "summary", "object_ids": str(event_id),
                  "outcome": "success", "client_ip": "192.0.2.7", "user_agent": "Firefox", "request_id": ""}
        rows.append([*(values[k] for k in events.CONTENT_FIELDS[:1]), created_at.replace(tzinfo=None),
                     *(values[k] for k in events.CONTENT_FIELDS[2:]), events.event_mac(values)])
    with connections["default"].cursor() as cur:
        for i in range(0, len(rows), 5000):
            cur.executemany(
                "INSERT INTO audit_auditevent (id, created_at, code, actor_type, actor_id, pid, category, object_ids,"
                " outcome, client_ip, user_agent, request_id, prev_mac, mac) VALUES"
                " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', %s)", rows[i:i + 5000])
    return start, start + count - 1
