"""`manage.py audit_seal`: committed events into signed blocks, never past an event that can still commit.

The hard case: ids are handed out before the INSERT and transactions commit in any order, so an event with a
low id can commit after events with higher ids. Sealing past it would leave it outside every block (or make
verify call it forged). These tests hold such a transaction open while sealing.
"""

import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, transaction

from audit import seal, verify
from audit.log import Event, record
from audit.models import AuditBlock, AuditEvent
from tests.audit.conftest import seal_now

ROOT = Path(__file__).resolve().parents[2]


class OpenTransaction:
    """Another connection (another worker) that has written an event and not committed yet."""

    def __init__(self):
        self.written, self.finish, self.rollback = threading.Event(), threading.Event(), False
        self.event_id = None
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        assert self.written.wait(10)

    def _run(self):
        try:
            try:
                with transaction.atomic():
                    self.event_id = record(Event.CREDENTIALS_ISSUED, pid=3).id
                    self.written.set()
                    self.finish.wait(30)
                    if self.rollback:
                        raise RuntimeError("rolled back")
            except RuntimeError:
                pass
        finally:
            connections.close_all()

    def end(self, rollback=False, after=0.0):
        def go():
            self.rollback = rollback
            self.finish.set()
        threading.Timer(after, go).start()
        if not after:
            self.thread.join()


@pytest.mark.django_db(transaction=True)
def test_seal_stops_below_an_open_transaction_and_seals_its_event_once_committed():
    before = [record(Event.RECORD_VIEWED, pid=1, object_ids=[i]).id for i in range(2)]
    pending = OpenTransaction()
    after = [record(Event.RECORD_VIEWED, pid=1, object_ids=[i]).id for i in range(3)]
    assert before[-1] < pending.event_id < after[0]
    try:
        result = seal.seal(grace=0, lock_wait=1, block_events=1)
        assert [b.last_id for b in result.blocks] == before
        assert "an open transaction still holds an audit event" in result.stopped
        assert not AuditBlock.objects.filter(last_id__gte=pending.event_id).exists()
    finally:
        pending.end()
    result = seal_now(block_events=10)
    assert not result.stopped and result.blocks[0].first_id == pending.event_id
    assert result.blocks[0].last_id == after[-1] and result.blocks[0].count == 4
    assert verify.verify().ok


@pytest.mark.django_db(transaction=True)
def test_seal_waits_for_a_transaction_that_commits_late_and_includes_its_event():
    pending = OpenTransaction()
    later = record(Event.LOGOUT, pid=1).id
    pending.end(after=0.5)
    result = seal.seal(grace=0, lock_wait=10)
    assert not result.stopped
    assert [(b.first_id, b.last_id, b.count) for b in result.blocks] == [(pending.event_id, later, 2)]
    assert verify.verify().ok


@pytest.mark.django_db(transaction=True)
def test_an_id_rolled_back_while_the_sealer_waits_is_a_legitimate_gap():
    first = record(Event.LOGOUT, pid=1).id
    pending = OpenTransaction()
    later = record(Event.LOGOUT, pid=1).id
    pending.end(rollback=True, after=0.5)
    result = seal.seal(grace=0, lock_wait=10)
    assert [(b.first_id, b.last_id, b.count) for b in result.blocks] == [(first, later, 2)]
    assert not AuditEvent.objects.filter(id=pending.event_id).exists()
    assert verify.verify().ok


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_3_when_an_open_transaction_stops_it(tmp_path):
    record(Event.LOGOUT, pid=1)
    pending = OpenTransaction()
    try:
        with pytest.raises(CommandError, match="Stopped early") as excinfo:
            call_command("audit_seal", "--grace", "0", "--lock-wait", "1", "--anchor-file", str(tmp_path / "a"),
                         stdout=io.StringIO())
        assert excinfo.value.returncode == 3
    finally:
        pending.end()


@pytest.mark.django_db
def test_sealing_twice_seals_nothing_twice_and_blocks_chain(chain_of_ten):
    first = seal_now(block_events=4)
    assert [b.count for b in first.blocks] == [4, 4, 2]
    assert seal_now().blocks == []
    record(Event.LOGOUT, pid=1)
    (third,) = seal_now().blocks
    blocks = list(AuditBlock.objects.order_by("number"))
    assert [b.number for b in blocks] == [1, 2, 3, 4] and third.prev_mac == blocks[2].mac
    assert all(b.first_id > a.last_id for a, b in zip(blocks, blocks[1:], strict=False))


@pytest.mark.django_db
def test_the_anchor_goes_to_the_log_and_is_appended_to_the_file(chain_of_ten, tmp_path, caplog):
    out = io.StringIO()
    anchor = tmp_path / "anchor.jsonl"
    call_command("audit_seal", "--grace", "0", "--block-events", "6", "--anchor-file", str(anchor), stdout=out)
    newest = AuditBlock.objects.order_by("-number").first()
    line = seal.anchor_line(newest)
    assert out.getvalue().splitlines() == [
        f"Sealed block 1: 6 events (ids {chain_of_ten[0].id}..{chain_of_ten[5].id}).",
        f"Sealed block 2: 4 events (ids {chain_of_ten[6].id}..{chain_of_ten[9].id}).", f"Anchor: {line}"]
    assert f"audit anchor {line}" in caplog.text
    call_command("audit_seal", "--grace", "0", "--anchor-file", str(anchor), stdout=io.StringIO())
    lines = anchor.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[-1]) == {"block": 2, "last_id": chain_of_ten[9].id,
                                                          "mac": newest.mac, "sealed_at": json.loads(line)["sealed_at"]}


def _env(**extra):
    settings_dict = connections["default"].settings_dict
    return dict(os.environ, PORTAL_DATABASE_URL=f"mysql://root@127.0.0.1:{settings_dict['PORT']}/"
                                                f"{settings_dict['NAME']}", **extra)


def _manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.django_db(transaction=True)
def test_operator_seals_on_a_separate_host_with_its_own_key_and_verifies_against_the_anchor(tmp_path):
    """As run by the systemd timer on a sealing host: the DMZ host's settings lack the sealing key."""
    for i in range(5):
        record(Event.RECORD_VIEWED, pid=1, object_ids=[i])
    key_file = tmp_path / "seal_key"
    key_file.write_text("a sealing key only the sealing host holds\n")
    anchor = tmp_path / "anchor"
    sealing_host = _env(PORTAL_AUDIT_SEAL_KEY_FILE=str(key_file), PORTAL_AUDIT_ANCHOR_FILE=str(anchor))
    sealed = _manage("audit_seal", "--grace", "0.2", "--block-events", "3", env=sealing_host)
    assert sealed.returncode == 0, sealed.stderr
    assert "Sealed block 2: 2 events" in sealed.stdout and "Anchor: {\"block\":2" in sealed.stdout
    assert "audit anchor" in sealed.stderr  # the log line, to the journal under systemd
    verified = _manage("audit_verify", "--anchor", str(anchor), env=sealing_host)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout == "Audit trail intact: 5 events in 2 sealed blocks (through block 2, id {}); 0 events " \
                              "not yet sealed; reaches the anchor's block 2.\n".format(
                                  AuditEvent.objects.order_by("-id").first().id)
    # The DMZ host (no sealing key) cannot produce blocks the sealing host accepts.
    record(Event.LOGOUT, pid=1)
    assert _manage("audit_seal", "--grace", "0", env=_env()).returncode == 0
    refused = _manage("audit_verify", "--anchor", str(anchor), env=sealing_host)
    assert refused.returncode == 1 and "block 3: bad block" in refused.stderr
    empty = tmp_path / "empty_key"
    empty.write_text("")
    misconfigured = _manage("audit_seal", env=_env(PORTAL_AUDIT_SEAL_KEY_FILE=str(empty)))
    assert misconfigured.returncode != 0 and "PORTAL_AUDIT_SEAL_KEY" in misconfigured.stderr
