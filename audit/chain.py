"""The audit hash chain: appending (serialised) and verifying (streaming).

MAC of an event = HMAC-SHA256(PORTAL_AUDIT_KEY, "portal-audit-event-v1\\n" + canonical JSON of every field,
including id, seq, the UTC ISO timestamp and prev_mac). `prev_mac` is the previous event's MAC (or the
latest prune checkpoint's, or "" for the first event ever), so editing, deleting, inserting or reordering a
row breaks the chain from that row on. We use the standard library's hmac; no crypto of our own.

Serialising appends: every append locks the one AuditChainHead row with SELECT ... FOR UPDATE, reads the head
seq and MAC, inserts event seq+1 and moves the head, all in one transaction. Several gunicorn workers or hosts
on one MariaDB therefore queue on that row lock and can never fork the chain; commits happen in seq order, so
committed events are always a gap-free prefix. Inside a caller's transaction the lock is held until the caller
commits: write the audit event as the last statement of a service's transaction to keep that short and to
avoid lock-order deadlocks. On SQLite (the demo) select_for_update is a no-op; we take SQLite's write lock
first with a no-op UPDATE, so a second writer waits for the busy timeout instead of failing to upgrade.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from audit.models import AuditChainHead, AuditCheckpoint, AuditEvent

DB = "default"
HEAD_PK = 1
CONTENT_FIELDS = ("id", "seq", "created_at", "code", "actor_type", "actor_id", "pid", "category", "object_ids",
                  "outcome", "client_ip", "user_agent", "request_id", "prev_mac")


class ChainError(Exception):
    """The chain cannot be appended to (e.g. its head row was removed while events exist)."""


def _key():
    return settings.PORTAL_AUDIT_KEY.encode()


def _utc_iso(value):
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(values):
    """The signed bytes of an event given a mapping of CONTENT_FIELDS."""
    content = {name: values[name] for name in CONTENT_FIELDS}
    content["created_at"] = _utc_iso(content["created_at"])
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return b"portal-audit-event-v1\n" + text.encode()


def event_mac(values):
    return hmac.new(_key(), canonical(values), hashlib.sha256).hexdigest()


def checkpoint_signature(created_at, seq, mac, pruned_count, prev_signature):
    text = json.dumps([_utc_iso(created_at), seq, mac, pruned_count, prev_signature], separators=(",", ":"))
    return hmac.new(_key(), b"portal-audit-checkpoint-v1\n" + text.encode(), hashlib.sha256).hexdigest()


def _locked_head():
    conn = connections[DB]
    if conn.vendor == "sqlite":
        AuditChainHead.objects.filter(pk=HEAD_PK).update(seq=F("seq"))  # take SQLite's write lock now
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is not None:
        return head
    # A fresh (or test-flushed) database: create the head race-free. On a duplicate key, MariaDB's ON DUPLICATE
    # KEY UPDATE waits for an exclusive lock (a plain INSERT takes a shared one, and two such waiters deadlock
    # when both then lock the row), so concurrent first writers queue up here.
    table = conn.ops.quote_name(AuditChainHead._meta.db_table)
    upsert = "ON DUPLICATE KEY UPDATE id = id" if conn.vendor == "mysql" else "ON CONFLICT DO NOTHING"
    with conn.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (id, seq, mac) VALUES (%s, 0, '') {upsert}", [HEAD_PK])
    head = AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    if head.seq == 0 and (AuditEvent.objects.exists() or AuditCheckpoint.objects.exists()):
        # The head row was removed from a chain that has events: never silently restart it. Fail closed.
        raise ChainError("The audit chain head is missing while events exist.")
    return head


def lock_head():
    """Lock the chain head for the rest of the current transaction (audit_prune holds it while pruning)."""
    return _locked_head()


def add_checkpoint(seq, mac, pruned_count):
    """Sign and store a prune checkpoint after the latest one; call with the head locked."""
    previous = AuditCheckpoint.objects.using(DB).order_by("-seq").first()
    prev_signature = previous.signature if previous else ""
    created_at = timezone.now()
    signature = checkpoint_signature(created_at, seq, mac, pruned_count, prev_signature)
    return AuditCheckpoint.objects.using(DB).create(created_at=created_at, seq=seq, mac=mac,
                                                    pruned_count=pruned_count, prev_signature=prev_signature,
                                                    signature=signature)


def append(**fields):
    """Append one event to the chain; joins the caller's transaction if there is one."""
    with transaction.atomic(using=DB):
        head = _locked_head()
        seq = head.seq + 1
        values = dict(fields, id=seq, seq=seq, created_at=timezone.now(), prev_mac=head.mac)
        values["mac"] = event_mac(values)
        event = AuditEvent(**values)
        event.save(using=DB)
        AuditChainHead.objects.filter(pk=HEAD_PK).update(seq=seq, mac=values["mac"])
        return event


# --- Verification ------------------------------------------------------------------------------------------

EDITED, DELETED, INSERTED, REORDERED, BAD_CHECKPOINT, BAD_HEAD = (
    "edited", "deleted (gap)", "inserted", "reordered", "bad checkpoint", "bad head")


@dataclass
class Problem:
    kind: str
    seq: int | None
    id: int | None
    detail: str

    def __str__(self):
        where = "chain" if self.seq is None else f"seq {self.seq}" + ("" if self.id is None else f", id {self.id}")
        return f"first bad event: {where}: {self.kind}: {self.detail}"


@dataclass
class Result:
    count: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    checkpoint: AuditCheckpoint | None = None
    problem: Problem | None = None

    @property
    def ok(self):
        return self.problem is None


_COLUMNS = (*CONTENT_FIELDS, "mac")


def _rows_after(seq, chunk_size, until):
    """Events with seq > `seq` in seq order, one bounded keyset query per chunk (never the whole table)."""
    while True:
        query = AuditEvent.objects.using(DB).filter(seq__gt=seq).order_by("seq")
        if until is not None:
            query = query.filter(seq__lte=until)
        chunk = list(query.values_list(*_COLUMNS)[:chunk_size])
        if not chunk:
            return
        for row in chunk:
            yield dict(zip(_COLUMNS, row, strict=True))
        seq = chunk[-1][1]


def _same(computed, stored):
    # Bytes, not str: compare_digest refuses non-ASCII str, and a tampered column may hold anything.
    return hmac.compare_digest(computed.encode(), (stored or "").encode())


def _verify_checkpoints():
    """The latest valid checkpoint, or a Problem if the checkpoints' own chain is broken."""
    prev_signature, latest = "", None
    for cp in AuditCheckpoint.objects.using(DB).order_by("seq").iterator(chunk_size=1000):
        expected = checkpoint_signature(cp.created_at, cp.seq, cp.mac, cp.pruned_count, prev_signature)
        if cp.prev_signature != prev_signature or not _same(expected, cp.signature):
            return None, Problem(BAD_CHECKPOINT, cp.seq, None, f"checkpoint {cp.pk} signature does not verify")
        prev_signature, latest = cp.signature, cp
    return latest, None


def _diagnose(row, head_seq):
    """Why an event at its expected place does not verify."""
    if row["id"] != row["seq"]:
        moved = dict(row, seq=row["id"])
        if _same(event_mac(moved), row["mac"]):
            return REORDERED, f"authentic event written as seq {row['id']} found at seq {row['seq']}"
        return INSERTED, "event does not verify anywhere in the chain (forged row)"
    if head_seq is not None and row["seq"] > head_seq:
        return INSERTED, f"event beyond the chain head (seq {head_seq})"
    return EDITED, "event content does not match its MAC"


def verify(chunk_size=2000, until=None):
    """Walk the whole chain from the latest checkpoint; return a Result naming the first bad event if any."""
    result = Result()
    checkpoint, problem = _verify_checkpoints()
    if problem:
        result.problem = problem
        return result
    result.checkpoint = checkpoint
    if checkpoint:
        stray = AuditEvent.objects.using(DB).filter(seq__lte=checkpoint.seq).order_by("seq").first()
        if stray:
            result.problem = Problem(INSERTED, stray.seq, stray.id,
                                     f"event at or before the prune checkpoint (seq {checkpoint.seq})")
            return result
    seq = checkpoint.seq if checkpoint else 0
    prev_mac = checkpoint.mac if checkpoint else ""
    while True:
        head = AuditChainHead.objects.using(DB).filter(pk=HEAD_PK).values_list("seq", "mac").first()
        head_seq = head[0] if head else None
        for row in _rows_after(seq, chunk_size, until):
            expected = seq + 1
            if row["seq"] > expected:
                result.problem = Problem(DELETED, row["seq"], row["id"],
                                         f"events seq {expected}..{row['seq'] - 1} are missing")
                return result
            if not _same(event_mac(row), row["mac"]):
                kind, detail = _diagnose(row, head_seq)
                result.problem = Problem(kind, row["seq"], row["id"], detail)
                return result
            if row["prev_mac"] != prev_mac:
                first = checkpoint is not None and expected == checkpoint.seq + 1
                kind = BAD_CHECKPOINT if first else INSERTED
                result.problem = Problem(kind, row["seq"], row["id"], "event does not follow the one before it")
                return result
            seq, prev_mac = row["seq"], row["mac"]
            result.count += 1
            result.first_seq = result.first_seq or row["seq"]
            result.last_seq = row["seq"]
        if until is not None:
            return result
        # New events may have been committed meanwhile: walk on until the head and the last event agree.
        head = AuditChainHead.objects.using(DB).filter(pk=HEAD_PK).values_list("seq", "mac").first()
        if head is None:
            if seq or checkpoint:
                result.problem = Problem(BAD_HEAD, None, None, "the chain head row is missing")
            return result
        if head[0] > seq and AuditEvent.objects.using(DB).filter(seq__gt=seq).exists():
            continue
        if head[0] > seq:
            result.problem = Problem(DELETED, seq + 1, None, f"events seq {seq + 1}..{head[0]} (the end) are missing")
        elif head[0] < seq:
            result.problem = Problem(INSERTED, seq, seq, f"events beyond the chain head (seq {head[0]})")
        elif head[1] != prev_mac:
            result.problem = Problem(BAD_HEAD, seq, seq, "the chain head does not match the last event")
        return result
