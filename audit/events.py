"""Appending an audit event: one INSERT that signs itself. No lock, no UPDATE, no shared row.

MAC of an event = HMAC-SHA256(PORTAL_AUDIT_KEY, "portal-audit-event-v2\\n" + canonical JSON of its content,
including its id and UTC ISO timestamp). The id comes from the `audit_event_id` SEQUENCE before the INSERT, so the
MAC covers it: a row copied to another id, or two rows with their ids swapped, no longer verify. Writers never
wait for each other (NEXTVAL hands out numbers from memory), so throughput grows with writers and hosts.

What one event's MAC cannot show is a whole event deleted or the table truncated: that is what sealing is for
(audit/seal.py). Ids increase in allocation order but can commit out of order, and a rolled-back caller's id is
never used; the sealer copes with both.

On SQLite (the demo, one writer at a time by SQLite's own lock) the id is MAX(id)+1, retried on a collision.
"""

import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.db import IntegrityError, OperationalError, connections, transaction
from django.utils import timezone

from audit.models import AuditEvent

DB = "default"
SEQUENCE = "audit_event_id"
CONTENT_FIELDS = ("id", "created_at", "code", "actor_type", "actor_id", "pid", "category", "object_ids",
                  "outcome", "client_ip", "user_agent", "request_id")
COLUMNS = (*CONTENT_FIELDS, "mac")


def event_key():
    return settings.PORTAL_AUDIT_KEY.encode()


def utc_iso(value):
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(values):
    """The signed bytes of an event given a mapping of CONTENT_FIELDS."""
    content = {name: values[name] for name in CONTENT_FIELDS}
    content["created_at"] = utc_iso(content["created_at"])
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return b"portal-audit-event-v2\n" + text.encode()


def event_mac(values):
    return hmac.new(event_key(), canonical(values), hashlib.sha256).hexdigest()


def same(computed, stored):
    # Bytes, not str: compare_digest refuses non-ASCII str, and a tampered column may hold anything.
    return hmac.compare_digest(computed.encode(), (stored or "").encode())


def _next_id(conn):
    with conn.cursor() as cursor:
        if conn.vendor == "mysql":
            cursor.execute(f"SELECT NEXTVAL({SEQUENCE})")
        else:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {AuditEvent._meta.db_table}")
        return int(cursor.fetchone()[0])


def _insert(conn, fields):
    # created_at is taken after the id: an event is never older than its id's allocation (audit/seal.py).
    values = dict(fields, id=_next_id(conn))
    values["created_at"] = timezone.now()
    values["mac"] = event_mac(values)
    event = AuditEvent(**values)
    event.save(using=DB)
    return event


def append(**fields):
    """Insert one self-signed event; joins the caller's transaction if there is one."""
    conn = connections[DB]
    if conn.vendor == "mysql":
        # Two statements, no transaction of our own: NEXTVAL is not transactional, and the INSERT commits by
        # itself (autocommit) or with the caller's transaction.
        return _insert(conn, fields)
    for attempt in range(20):  # SQLite demo only: two writers may have read the same MAX(id)
        try:
            with transaction.atomic(using=DB):
                return _insert(conn, fields)
        except (IntegrityError, OperationalError):
            if attempt == 19 or conn.in_atomic_block:
                raise
    raise AssertionError("unreachable")
