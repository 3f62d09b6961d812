"""Helpers for the audit tests: raw SQL on the portal database, and a chain of events."""

import pytest
from django.db import connections

from audit.log import Event, record


def portal_sql(sql, params=None):
    """Raw SQL on the test's own portal connection (tampering the way someone with database access would)."""
    with connections["default"].cursor() as cur:
        cur.execute(sql, params)


@pytest.fixture
def chain_of_ten(db):
    """Ten committed events, seq 1..10."""
    return [record(Event.RECORD_VIEWED, pid=1, category="summary", object_ids=[i]) for i in range(10)]
