"""Sealing committed events into signed blocks, anchoring the newest block outside the database, pruning.

A block covers every event with previous block's last_id < id <= last_id (the first block starts after the
legacy chain). Its digest is SHA-256 over each event's signed content and MAC in id order, and its MAC is
HMAC-SHA256(PORTAL_AUDIT_SEAL_KEY, "portal-audit-block-v1\\n" + [number, first_id, last_id, count, digest,
prev_mac, sealed_at]). Computing a digest needs no key, so the sealing host may hold only the sealing key; the
DMZ host that writes events need not hold it (deploy/README.md, "Sealing the audit trail").

The safe horizon (why a late commit with a low id is never left outside a sealed block):
1. H = the highest committed id now. Every id <= H was handed out by the sequence before H was, i.e. before now.
2. Wait `grace` seconds: an id handed out is INSERTed microseconds later (audit/events.py), so by then every
   event with id <= H is a row in the index, committed or still inside its writer's transaction.
3. Read the next block's events with a locking read (LOCK IN SHARE MODE, READ COMMITTED: record locks only,
   no gap locks, so appends of new ids never wait for the sealer). It waits for every still-open transaction
   holding an event in the range to commit or roll back, so it returns exactly the events that will ever have
   those ids. A transaction open longer than `lock_wait` stops the run; the next run retries.
"""

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.utils import timezone

from audit.events import COLUMNS, DB, canonical, utc_iso
from audit.models import AuditBlock, AuditEvent, AuditLegacyBoundary, AuditPruneCheckpoint

logger = logging.getLogger(__name__)
DEFAULT_BLOCK_EVENTS = 1000
MYSQL_LOCK_WAIT_TIMEOUT = 1205


def seal_key():
    """PORTAL_AUDIT_SEAL_KEY if set (two-host set-up); else one derived from the event key (one host)."""
    if settings.PORTAL_AUDIT_SEAL_KEY:
        return settings.PORTAL_AUDIT_SEAL_KEY.encode()
    return hmac.new(settings.PORTAL_AUDIT_KEY.encode(), b"portal-audit-seal-key-v1", hashlib.sha256).digest()


def _sign(label, values):
    text = json.dumps(values, separators=(",", ":"))
    return hmac.new(seal_key(), label + b"\n" + text.encode(), hashlib.sha256).hexdigest()


def block_mac(number, first_id, last_id, count, digest, prev_mac, sealed_at):
    return _sign(b"portal-audit-block-v1", [number, first_id, last_id, count, digest, prev_mac, utc_iso(sealed_at)])


def checkpoint_signature(created_at, through_block, through_id, pruned_count, prev_signature):
    return _sign(b"portal-audit-prune-v1", [utc_iso(created_at), through_block, through_id, pruned_count,
                                           prev_signature])


class Digest:
    """SHA-256 over events in id order (id, signed content, MAC); no key needed."""

    def __init__(self):
        self.hash, self.count, self.first_id, self.last_id = hashlib.sha256(), 0, None, None

    def add(self, row):
        self.hash.update(canonical(row) + b"\n" + str(row["mac"]).encode("utf-8", "replace") + b"\n")
        self.count += 1
        self.first_id = row["id"] if self.first_id is None else self.first_id
        self.last_id = row["id"]

    def hexdigest(self):
        return self.hash.hexdigest()


def legacy_last_id():
    boundary = AuditLegacyBoundary.objects.using(DB).order_by("pk").first()
    return boundary.last_id if boundary else 0


def sealed_through():
    """(number, last_id, mac) of the newest block, or (0, end of the legacy chain, "")."""
    last = AuditBlock.objects.using(DB).order_by("-number").first()
    if last is None:
        return 0, legacy_last_id(), ""
    return last.number, last.last_id, last.mac


def rows_in(after_id, through_id, chunk_size=2000):
    """Events with after_id < id <= through_id in id order, one bounded keyset query per chunk."""
    while True:
        chunk = list(AuditEvent.objects.using(DB).filter(id__gt=after_id, id__lte=through_id)
                     .order_by("id").values_list(*COLUMNS)[:chunk_size])
        if not chunk:
            return
        for row in chunk:
            yield dict(zip(COLUMNS, row, strict=True))
        after_id = chunk[-1][0]


def _locked_rows(conn, after_id, horizon, limit):
    """The next `limit` events after after_id up to the horizon, waiting for open transactions holding any."""
    table = conn.ops.quote_name(AuditEvent._meta.db_table)
    lock = " LOCK IN SHARE MODE" if conn.vendor == "mysql" else ""
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE id > %s AND id <= %s ORDER BY id LIMIT %s{lock}",
                       [after_id, horizon, limit])
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    # Every event in the range is committed now (the locking read waited for the rest): read them as verify will.
    return list(rows_in(after_id, ids[-1]))


@dataclass
class SealResult:
    blocks: list
    horizon: int | None
    stopped: str = ""


def seal(grace=5.0, lock_wait=10, block_events=DEFAULT_BLOCK_EVENTS, progress=None):
    """Seal every committed event up to the safe horizon into blocks of at most block_events events."""
    conn = connections[DB]
    number, last_id, prev_mac = sealed_through()
    horizon = AuditEvent.objects.using(DB).filter(id__gt=last_id).order_by("-id").values_list("id", flat=True) \
        .first()
    if horizon is None:
        return SealResult([], None)
    time.sleep(grace)
    if conn.vendor != "mysql":
        return _seal_blocks(conn, number, last_id, prev_mac, horizon, block_events, progress)
    with conn.cursor() as cursor:
        cursor.execute("SELECT @@SESSION.innodb_lock_wait_timeout, @@SESSION.tx_isolation")
        saved_wait, saved_isolation = cursor.fetchone()
        cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
        cursor.execute("SET SESSION innodb_lock_wait_timeout = %s", [int(lock_wait)])
    try:
        return _seal_blocks(conn, number, last_id, prev_mac, horizon, block_events, progress)
    finally:
        with conn.cursor() as cursor:
            cursor.execute("SET SESSION innodb_lock_wait_timeout = %s", [int(saved_wait)])
            cursor.execute(f"SET SESSION TRANSACTION ISOLATION LEVEL {saved_isolation.replace('-', ' ')}")


def _seal_blocks(conn, number, last_id, prev_mac, horizon, block_events, progress):
    blocks = []
    while last_id < horizon:
        try:
            with transaction.atomic(using=DB):
                rows = _locked_rows(conn, last_id, horizon, block_events)
                if not rows:
                    break
                digest = Digest()
                for row in rows:
                    digest.add(row)
                number += 1
                sealed_at = timezone.now()
                mac = block_mac(number, digest.first_id, digest.last_id, digest.count, digest.hexdigest(),
                                prev_mac, sealed_at)
                block = AuditBlock.objects.using(DB).create(
                    number=number, first_id=digest.first_id, last_id=digest.last_id, count=digest.count,
                    digest=digest.hexdigest(), sealed_at=sealed_at, prev_mac=prev_mac, mac=mac)
        except OperationalError as exc:
            if exc.args and exc.args[0] == MYSQL_LOCK_WAIT_TIMEOUT:
                return SealResult(blocks, horizon, f"an open transaction still holds an audit event after id "
                                                   f"{last_id}; the next run seals it")
            raise
        blocks.append(block)
        last_id, prev_mac = block.last_id, block.mac
        if progress:
            progress(block)
    return SealResult(blocks, horizon)


def anchor_line(block):
    return json.dumps({"block": block.number, "last_id": block.last_id, "mac": block.mac,
                       "sealed_at": utc_iso(block.sealed_at)}, separators=(",", ":"))


def write_anchor(block, path=None):
    """Record the newest block outside the database: a log line (journal/syslog) and, if given, a file line."""
    line = anchor_line(block)
    logger.warning("audit anchor %s", line)  # WARNING: kept by the default journald/syslog levels
    try:
        import syslog

        syslog.openlog("openemr-portal-audit", 0, syslog.LOG_AUTHPRIV)
        syslog.syslog(syslog.LOG_NOTICE, f"audit anchor {line}")
    except (ImportError, OSError):
        pass
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
    return line


def read_anchor(path):
    """The last anchor line of a file, as a dict; ValueError if there is none or it is malformed."""
    lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        raise ValueError(f"{path} holds no anchor")
    anchor = json.loads(lines[-1])
    if not isinstance(anchor, dict) or not isinstance(anchor.get("block"), int) or not anchor.get("mac"):
        raise ValueError(f"{path}: the last line is not an anchor")
    return anchor


# --- Pruning -------------------------------------------------------------------------------------------------

def add_prune_checkpoint(through_block, through_id, pruned_count):
    previous = AuditPruneCheckpoint.objects.using(DB).order_by("-through_block").first()
    prev_signature = previous.signature if previous else ""
    created_at = timezone.now()
    signature = checkpoint_signature(created_at, through_block, through_id, pruned_count, prev_signature)
    return AuditPruneCheckpoint.objects.using(DB).create(
        created_at=created_at, through_block=through_block, through_id=through_id, pruned_count=pruned_count,
        prev_signature=prev_signature, signature=signature)
