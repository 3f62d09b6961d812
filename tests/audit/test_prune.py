"""`manage.py audit_prune --before DATE`: old events go, a signed checkpoint keeps the rest verifiable."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from audit import chain
from audit.log import Event, record
from audit.models import AuditCheckpoint, AuditEvent
from tests.audit.conftest import portal_sql

pytestmark = pytest.mark.django_db
CLINIC = ZoneInfo("America/New_York")


@pytest.fixture
def old_and_new_events(settings):
    settings.PORTAL_AUDIT_RETENTION_DAYS = 365
    with time_machine.travel(datetime(2020, 3, 1, 12, tzinfo=CLINIC), tick=False):
        for i in range(4):
            record(Event.LOGIN_SUCCEEDED, pid=1, object_ids=[i])
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=CLINIC), tick=False):
        for i in range(3):
            record(Event.RECORD_VIEWED, pid=1, category="summary", object_ids=[i])


def prune(*args):
    out = StringIO()
    call_command("audit_prune", *args, stdout=out)
    return out.getvalue()


def verify():
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_prune_deletes_old_events_writes_a_checkpoint_and_audits_itself(old_and_new_events):
    assert "Pruned 4 audit events before 2021-01-01 (through seq 4)" in prune("--before", "2021-01-01")
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [5, 6, 7, 8]
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.seq, checkpoint.pruned_count) == (4, 4)
    pruned = AuditEvent.objects.get(seq=8)
    assert (pruned.code, pruned.actor_type, pruned.object_ids) == ("system.audit_pruned", "system",
                                                                   "through_seq=4,count=4")
    assert verify() == "Audit chain intact: 4 events (seq 5..8) after checkpoint at seq 4.\n"


def test_a_second_prune_chains_its_checkpoint_to_the_first(old_and_new_events):
    prune("--before", "2021-01-01")
    prune("--before", "2027-01-01", "--force")
    first, second = AuditCheckpoint.objects.order_by("seq")
    assert second.prev_signature == first.signature and second.seq == 8
    assert verify() == "Audit chain intact: 1 events (seq 9..9) after checkpoint at seq 8.\n"


def test_prune_without_a_date_uses_the_retention_setting(old_and_new_events, settings):
    settings.PORTAL_AUDIT_RETENTION_DAYS = 365
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=CLINIC)):
        assert "Pruned 4 audit events before 2025-06-01" in prune()


def test_prune_refuses_a_date_inside_the_retention_period(old_and_new_events):
    with pytest.raises(CommandError, match="inside the retention period"):
        prune("--before", date.today().isoformat())
    assert AuditEvent.objects.count() == 7


def test_prune_refuses_to_destroy_a_broken_chain(old_and_new_events):
    portal_sql("UPDATE audit_auditevent SET pid = 2 WHERE seq = 2")
    with pytest.raises(CommandError, match="Refusing to prune a broken chain.*seq 2, id 2: edited"):
        prune("--before", "2021-01-01")
    assert AuditEvent.objects.count() == 7 and not AuditCheckpoint.objects.exists()


def test_an_edited_checkpoint_is_detected(old_and_new_events):
    prune("--before", "2021-01-01")
    portal_sql("UPDATE audit_auditcheckpoint SET pruned_count = 1")
    with pytest.raises(CommandError, match="bad checkpoint"):
        verify()


def test_a_checkpoint_moved_to_hide_deleted_events_is_detected(old_and_new_events):
    prune("--before", "2021-01-01")
    portal_sql("DELETE FROM audit_auditevent WHERE seq = 5")
    portal_sql("UPDATE audit_auditcheckpoint SET seq = 5")
    with pytest.raises(CommandError, match="bad checkpoint"):
        verify()


def test_a_deleted_checkpoint_is_detected(old_and_new_events):
    prune("--before", "2021-01-01")
    portal_sql("DELETE FROM audit_auditcheckpoint")
    with pytest.raises(CommandError, match=r"seq 5, id 5: deleted \(gap\).*seq 1\.\.4 are missing"):
        verify()


def test_events_restored_before_the_checkpoint_are_detected(old_and_new_events):
    prune("--before", "2021-01-01")
    portal_sql("INSERT INTO audit_auditevent (id, seq, created_at, code, actor_type, actor_id, pid, category,"
               " object_ids, outcome, client_ip, user_agent, request_id, prev_mac, mac) VALUES (2, 2,"
               " UTC_TIMESTAMP(6), 'auth.logout', 'system', '', NULL, '', '', 'success', '', '', '', '', '')")
    with pytest.raises(CommandError, match="seq 2, id 2: inserted"):
        verify()


def test_the_chain_keeps_growing_after_a_prune(old_and_new_events):
    prune("--before", "2021-01-01")
    record(Event.LOGOUT, pid=1)
    assert chain.verify().count == 5


def test_prune_with_nothing_old_enough_changes_nothing(settings):
    settings.PORTAL_AUDIT_RETENTION_DAYS = 365
    record(Event.LOGIN_SUCCEEDED, pid=1)
    assert "nothing pruned" in prune("--before", "2001-01-01")
    assert AuditEvent.objects.count() == 1 and not AuditCheckpoint.objects.exists()
