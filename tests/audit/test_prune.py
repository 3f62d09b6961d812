"""`manage.py audit_prune --before DATE`: whole sealed blocks go, in short batches, each leaving a signed
checkpoint; the rest still verifies; page views never wait for it."""

import io
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from audit import verify
from audit.log import Event, record
from audit.models import AuditBlock, AuditEvent, AuditPruneCheckpoint
from tests.audit.conftest import bulk_events, portal_sql, seal_now

CLINIC = ZoneInfo("America/New_York")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def old_and_new_events(settings, db):
    """Blocks 1-2 hold 4+3 events of 2020; block 3 one of 2020 and two of 2026; one 2020 event is unsealed."""
    settings.PORTAL_AUDIT_RETENTION_DAYS = 365
    with time_machine.travel(datetime(2020, 3, 1, 12, tzinfo=CLINIC), tick=False):
        old = [record(Event.LOGIN_SUCCEEDED, pid=1, object_ids=[i]).id for i in range(8)]
    seal_now(block_events=4)  # 4 + 4
    portal_sql("DELETE FROM audit_auditblock WHERE number = 2")  # re-seal as 3 + (1 old + 2 new)
    seal_now(block_events=3)
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=CLINIC), tick=False):
        new = [record(Event.RECORD_VIEWED, pid=1, category="summary", object_ids=[i]).id for i in range(2)]
    portal_sql("DELETE FROM audit_auditblock WHERE number = 3")
    seal_now(block_events=3)
    with time_machine.travel(datetime(2020, 3, 2, 12, tzinfo=CLINIC), tick=False):
        unsealed = record(Event.LOGOUT, pid=1).id
    assert [(b.count) for b in AuditBlock.objects.order_by("number")] == [4, 3, 3]
    return {"old": old, "new": new, "unsealed": unsealed}


def prune(*args):
    out = io.StringIO()
    call_command("audit_prune", *args, stdout=out)
    return out.getvalue()


def test_prune_deletes_whole_old_blocks_writes_a_checkpoint_and_audits_itself(old_and_new_events):
    out = prune("--before", "2021-01-01")
    assert out.splitlines() == [
        "Pruned blocks through 2 (7 events so far).",
        "1 events before 2021-01-01 are not sealed yet and were kept: run audit_seal.",
        "Pruned 7 audit events before 2021-01-01 (0 of the legacy chain, 7 in sealed blocks through block 2); "
        "checkpoint written."]
    old = old_and_new_events["old"]
    assert list(AuditEvent.objects.filter(id__lte=old[-1]).values_list("id", flat=True)) == [old[-1]]  # block 3
    checkpoint = AuditPruneCheckpoint.objects.get()
    assert (checkpoint.through_block, checkpoint.through_id, checkpoint.pruned_count) == (2, old[6], 7)
    pruned = AuditEvent.objects.latest("id")
    assert (pruned.code, pruned.actor_type, pruned.object_ids) == ("system.audit_pruned", "system",
                                                                   "legacy_through_seq=0,through_block=2,count=7")
    result = verify.verify()
    assert result.ok, result.problem
    assert (result.pruned_through_block, result.sealed_events, result.unsealed_events) == (2, 3, 2)


def test_prune_goes_in_batches_of_whole_blocks_each_with_its_checkpoint(old_and_new_events):
    out = prune("--before", "2021-01-01", "--batch-events", "1")
    assert "Pruned blocks through 1 (4 events so far).\nPruned blocks through 2 (7 events so far)." in out
    first, second = AuditPruneCheckpoint.objects.order_by("through_block")
    assert (first.through_block, second.through_block) == (1, 2) and second.prev_signature == first.signature
    assert verify.verify().ok


def test_a_second_prune_chains_its_checkpoint_to_the_first(old_and_new_events):
    prune("--before", "2021-01-01")
    prune("--before", "2027-01-01", "--force")
    first, second = AuditPruneCheckpoint.objects.order_by("through_block")
    assert second.prev_signature == first.signature and second.through_block == 3
    assert verify.verify().ok


def test_prune_without_a_date_uses_the_retention_setting(old_and_new_events, settings):
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=CLINIC)):
        assert "Pruned 7 audit events before 2025-06-01" in prune()


def test_prune_refuses_a_date_inside_the_retention_period(old_and_new_events):
    with pytest.raises(CommandError, match="inside the retention period"):
        prune("--before", date.today().isoformat())
    assert AuditEvent.objects.count() == 11


def test_prune_refuses_to_destroy_a_broken_chain(old_and_new_events):
    portal_sql("UPDATE audit_auditevent SET pid = 2 WHERE id = %s", [old_and_new_events["old"][5]])
    with pytest.raises(CommandError, match="Refusing to prune a broken chain: first bad event id .*: edited"):
        prune("--before", "2021-01-01")
    assert AuditEvent.objects.count() == 11 and not AuditPruneCheckpoint.objects.exists()


def test_prune_with_nothing_old_enough_changes_nothing(settings, db):
    settings.PORTAL_AUDIT_RETENTION_DAYS = 365
    record(Event.LOGIN_SUCCEEDED, pid=1)
    seal_now()
    assert "nothing pruned" in prune("--before", "2001-01-01")
    assert AuditEvent.objects.count() == 1 and not AuditPruneCheckpoint.objects.exists()


def _row_lock_waits():
    from tests.conftest import _root_connection

    conn = _root_connection()
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW GLOBAL STATUS LIKE 'Innodb_row_lock_waits'")
            return int(cur.fetchone()[1])
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_pages_are_served_without_waiting_while_many_events_are_pruned(alice_client, settings):
    """40,000 old events in blocks of 500, pruned by the operator's command in batches of 2,000 while a patient
    keeps loading a page (each view appends an event). Pages never wait for the prune: InnoDB counts no row-lock
    wait at all meanwhile (the old prune held the head lock for the whole delete, so every view waited), and the
    slowest page stays under a coarse bound. That bound is 2 s, not 1: on the shared 2-core box (load average
    above 10 from other jobs) CPU starvation alone stretched a ~0.03 s page to ~1 s with zero lock waits; the
    lock-wait count is the exact measure of "waiting for the prune"."""
    count = 40_000
    # Old events of other patients (pid 99): alice's page reads only her own events, as in real life.
    first, last = bulk_events(count, datetime(2019, 1, 2, 12, tzinfo=UTC), pid=99)
    seal_now(block_events=500)
    settings_dict = connections["default"].settings_dict
    env = dict(os.environ, PORTAL_DATABASE_URL=f"mysql://root@127.0.0.1:{settings_dict['PORT']}/"
                                               f"{settings_dict['NAME']}")
    slowest, served, done = [0.0], [0], threading.Event()

    def browse():
        try:
            while not done.is_set():
                started = time.monotonic()
                assert alice_client.get("/activity/").status_code == 200
                slowest[0] = max(slowest[0], time.monotonic() - started)
                served[0] += 1
        finally:
            connections.close_all()

    waits_before = _row_lock_waits()
    browser = threading.Thread(target=browse)
    browser.start()
    try:
        pruned = subprocess.run([sys.executable, "manage.py", "audit_prune", "--before", "2020-01-01", "--force",
                                 "--batch-events", "2000"], cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=600)
    finally:
        done.set()
        browser.join()
    waits = _row_lock_waits() - waits_before
    assert pruned.returncode == 0, pruned.stderr
    assert f"Pruned {count} audit events before 2020-01-01" in pruned.stdout
    assert pruned.stdout.count("Pruned blocks through") == count // 2000  # progress, one line per batch
    assert not AuditEvent.objects.filter(id__lte=last).exists()
    assert served[0] >= 5, served
    print(f"prune of {count} events: {served[0]} pages served, slowest {slowest[0]:.3f} s, row-lock waits {waits}")
    assert waits == 0
    assert slowest[0] < 2.0, (slowest, served)
    seal_now()
    result = verify.verify()
    assert result.ok, result.problem
    assert result.pruned_through_block == count // 500
