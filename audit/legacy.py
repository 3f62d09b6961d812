"""The legacy hash chain (events written before migration 0003): verifying it, and pruning it in batches.

Then, MAC of an event = HMAC-SHA256(PORTAL_AUDIT_KEY, "portal-audit-event-v1\\n" + canonical JSON of every field,
including id, seq, the UTC ISO timestamp and prev_mac), `prev_mac` being the previous event's MAC (or the latest
prune checkpoint's, or "" for the first event ever). Appends were serialised by a locked head row; migration 0003
replaced that row by a signed AuditLegacyBoundary (last seq and MAC), against which the old events still verify.
New events sign themselves (audit/events.py); this module only reads and prunes the old ones.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.utils import timezone

from audit.models import AuditCheckpoint, AuditEvent

DB = "default"
CONTENT_FIELDS = ("id", "seq", "created_at", "code", "actor_type", "actor_id", "pid", "category", "object_ids",
                  "outcome", "client_ip", "user_agent", "request_id", "prev_mac")


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


def boundary_signature(last_id, last_seq, last_mac):
    text = json.dumps([last_id, last_seq, last_mac], separators=(",", ":"))
    return hmac.new(_key(), b"portal-audit-legacy-boundary-v1\n" + text.encode(), hashlib.sha256).hexdigest()


def add_checkpoint(seq, mac, pruned_count):
    """Sign and store a legacy prune checkpoint after the latest one."""
    previous = AuditCheckpoint.objects.using(DB).order_by("-seq").first()
    prev_signature = previous.signature if previous else ""
    created_at = timezone.now()
    signature = checkpoint_signature(created_at, seq, mac, pruned_count, prev_signature)
    return AuditCheckpoint.objects.using(DB).create(created_at=created_at, seq=seq, mac=mac,
                                                    pruned_count=pruned_count, prev_signature=prev_signature,
                                                    signature=signature)


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
        query = AuditEvent.objects.using(DB).filter(seq__isnull=False, seq__gt=seq).order_by("seq")
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


def _diagnose(row, last_seq):
    """Why an event at its expected place does not verify."""
    if row["id"] != row["seq"]:
        moved = dict(row, seq=row["id"])
        if _same(event_mac(moved), row["mac"]):
            return REORDERED, f"authentic event written as seq {row['id']} found at seq {row['seq']}"
        return INSERTED, "event does not verify anywhere in the chain (forged row)"
    if row["seq"] > last_seq:
        return INSERTED, f"event beyond the end of the legacy chain (seq {last_seq})"
    return EDITED, "event content does not match its MAC"


def verify(boundary, chunk_size=2000):
    """Walk the legacy chain from its latest checkpoint to the boundary; a Result naming the first bad event."""
    result = Result()
    checkpoint, problem = _verify_checkpoints()
    if problem:
        result.problem = problem
        return result
    result.checkpoint = checkpoint
    if boundary is None:
        stray = AuditEvent.objects.using(DB).filter(seq__isnull=False).order_by("seq").first()
        if stray or checkpoint:
            result.problem = Problem(BAD_HEAD, None, None, "legacy chain events exist but its boundary is missing")
        return result
    expected_signature = boundary_signature(boundary.last_id, boundary.last_seq, boundary.last_mac)
    if boundary.last_id != boundary.last_seq or not _same(expected_signature, boundary.signature):
        result.problem = Problem(BAD_HEAD, None, None, "the legacy chain's boundary does not verify")
        return result
    if checkpoint:
        stray = AuditEvent.objects.using(DB).filter(seq__lte=checkpoint.seq).order_by("seq").first()
        if stray:
            result.problem = Problem(INSERTED, stray.seq, stray.id,
                                     f"event at or before the prune checkpoint (seq {checkpoint.seq})")
            return result
    seq = checkpoint.seq if checkpoint else 0
    prev_mac = checkpoint.mac if checkpoint else ""
    for row in _rows_after(seq, chunk_size, None):
        expected = seq + 1
        if row["seq"] > expected and row["seq"] <= boundary.last_seq:
            result.problem = Problem(DELETED, row["seq"], row["id"],
                                     f"events seq {expected}..{row['seq'] - 1} are missing")
            return result
        if not _same(event_mac(row), row["mac"]):
            kind, detail = _diagnose(row, boundary.last_seq)
            result.problem = Problem(kind, row["seq"], row["id"], detail)
            return result
        if row["seq"] > boundary.last_seq:
            result.problem = Problem(INSERTED, row["seq"], row["id"],
                                     f"event beyond the end of the legacy chain (seq {boundary.last_seq})")
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
    if seq < boundary.last_seq:
        result.problem = Problem(DELETED, seq + 1, None,
                                 f"events seq {seq + 1}..{boundary.last_seq} (the end) are missing")
    elif prev_mac != boundary.last_mac:
        result.problem = Problem(BAD_HEAD, seq, seq, "the legacy boundary does not match the last event")
    return result
