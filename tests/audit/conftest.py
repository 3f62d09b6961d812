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
