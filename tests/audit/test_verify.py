"""`manage.py audit_verify`: an intact trail passes with its counts; each of the tamperings below is detected.

The trail under attack: 12 events, one rolled-back id among them (a legitimate gap), the first 10 sealed into
blocks of 4, 4 and 2, the anchor of block 3 in a file outside the database, and 2 events not yet sealed.
"Breached host" rows are done with the event key, which the DMZ host holds; the sealing key they lack is what
catches them.
"""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from audit import events, seal, verify
from audit.log import Event, record
from audit.models import AuditBlock, AuditEvent
from tests.audit.conftest import portal_sql, seal_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(db, tmp_path):
    ids = []
    for i in range(10):
        ids.append(record(Event.RECORD_VIEWED, pid=1, category="summary", object_ids=[i]).id)
        if i == 5:
            with pytest.raises(RuntimeError), transaction.atomic():
                record(Event.LOGOUT, pid=1)  # rolled back: its id is never used
                raise RuntimeError
    sealed = seal_now(block_events=4)
    assert [b.count for b in sealed.blocks] == [4, 4, 2]
    anchor = tmp_path / "anchor"
    seal.write_anchor(sealed.blocks[-1], anchor)
    ids += [record(Event.LOGOUT, pid=1, object_ids=[i]).id for i in range(2)]
    return {"ids": ids, "anchor": anchor, "gap": ids[5] + 1}


def verify_output(*args):
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def broken(*args):
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify", *args)
    assert excinfo.value.returncode == 1
    return str(excinfo.value)


def _row(event_id):
    return AuditEvent.objects.values(*events.COLUMNS).get(id=event_id)


def _insert(values):
    values = dict(values, prev_mac="")
    columns = ", ".join(values)
    portal_sql(f"INSERT INTO audit_auditevent ({columns}) VALUES ({', '.join(['%s'] * len(values))})",
               list(values.values()))


def _resigned(values):
    return dict(values, mac=events.event_mac(values))


def _block(number):
    return AuditBlock.objects.values().get(number=number)


def _insert_block(values):
    values = {k: v for k, v in values.items() if k != "id"}
    portal_sql(f"INSERT INTO audit_auditblock ({', '.join(values)}) VALUES ({', '.join(['%s'] * len(values))})",
               list(values.values()))


def _prune_all():
    call_command("audit_prune", "--before", (date.today() + timedelta(days=2)).isoformat(), "--force",
                 stdout=io.StringIO())


# --- the tamperings -------------------------------------------------------------------------------------------

def edit_sealed_field(t):
    portal_sql("UPDATE audit_auditevent SET category = 'visit' WHERE id = %s", [t["ids"][5]])


def edit_sealed_timestamp(t):
    portal_sql("UPDATE audit_auditevent SET created_at = created_at - INTERVAL 1 DAY WHERE id = %s", [t["ids"][2]])


def edit_unsealed_event(t):
    portal_sql("UPDATE audit_auditevent SET pid = 2 WHERE id = %s", [t["ids"][11]])


def mac_without_the_key(t):
    portal_sql("UPDATE audit_auditevent SET outcome = 'failure', mac = SHA2(CONCAT(mac, 'x'), 256) WHERE id = %s",
               [t["ids"][9]])


def edit_and_resign_with_the_event_key(t):  # breached host
    values = _row(t["ids"][3])
    portal_sql("DELETE FROM audit_auditevent WHERE id = %s", [values["id"]])
    _insert(_resigned(dict(values, pid=2)))


def delete_sealed_event(t):
    portal_sql("DELETE FROM audit_auditevent WHERE id = %s", [t["ids"][6]])


def delete_first_event_of_a_block(t):
    portal_sql("DELETE FROM audit_auditevent WHERE id = %s", [t["ids"][4]])


def insert_forged_event_in_the_gap(t):
    _insert(dict(_row(t["ids"][5]), id=t["gap"], mac="f" * 64))


def insert_signed_event_in_the_gap(t):  # breached host: a correctly signed event, after the fact
    _insert(_resigned(dict(_row(t["ids"][5]), id=t["gap"], code="auth.logout")))


def swap_two_events_ids(t):
    a, b = t["ids"][1], t["ids"][2]
    portal_sql("UPDATE audit_auditevent SET id = -1 WHERE id = %s", [a])
    portal_sql("UPDATE audit_auditevent SET id = %s WHERE id = %s", [a, b])
    portal_sql("UPDATE audit_auditevent SET id = %s WHERE id = -1", [b])


def reorder_and_resign_with_the_event_key(t):  # breached host
    a, b = _row(t["ids"][1]), _row(t["ids"][2])
    portal_sql("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [a["id"], b["id"]])
    _insert(_resigned(dict(b, id=a["id"])))
    _insert(_resigned(dict(a, id=b["id"])))


def truncate_tail_events(t):
    portal_sql("DELETE FROM audit_auditevent WHERE id >= %s", [t["ids"][8]])


def truncate_tail_events_and_blocks(t):
    portal_sql("DELETE FROM audit_auditevent WHERE id >= %s", [t["ids"][8]])
    portal_sql("DELETE FROM audit_auditblock WHERE number = 3")


def erase_everything(t):
    for table in ("audit_auditevent", "audit_auditblock", "audit_auditprunecheckpoint"):
        portal_sql(f"DELETE FROM {table}")


def delete_newest_block(t):
    portal_sql("DELETE FROM audit_auditblock WHERE number = 3")


def delete_middle_block(t):
    portal_sql("DELETE FROM audit_auditblock WHERE number = 2")


def rewrite_a_block(t):
    portal_sql("UPDATE audit_auditblock SET count = count - 1 WHERE number = 2")


def rewrite_a_block_with_the_event_key(t):  # breached host without the sealing key
    block = _block(2)
    portal_sql("UPDATE audit_auditblock SET mac = %s WHERE number = 2", [events.event_mac(
        {name: 0 for name in events.CONTENT_FIELDS} | {"created_at": block["sealed_at"]})])


def swap_two_blocks(t):
    portal_sql("UPDATE audit_auditblock SET number = -1 WHERE number = 1")
    portal_sql("UPDATE audit_auditblock SET number = 1 WHERE number = 2")
    portal_sql("UPDATE audit_auditblock SET number = 2 WHERE number = -1")


def replay_an_old_block(t):
    old = _block(1)
    portal_sql("DELETE FROM audit_auditblock WHERE number = 3")
    _insert_block(dict(old, number=3, last_id=t["ids"][9]))


def edit_prune_checkpoint(t):
    _prune_all()
    portal_sql("UPDATE audit_auditprunecheckpoint SET pruned_count = 1")


def delete_prune_checkpoint(t):
    _prune_all()
    portal_sql("DELETE FROM audit_auditprunecheckpoint")


def restore_pruned_events(t):
    saved = _row(t["ids"][0])
    _prune_all()
    _insert(saved)


TAMPERINGS = [
    (edit_sealed_field, "event id {ids[5]}: edited"),
    (edit_sealed_timestamp, "event id {ids[2]}: edited"),
    (edit_unsealed_event, "event id {ids[11]}: edited"),
    (mac_without_the_key, "event id {ids[9]}: edited"),
    (edit_and_resign_with_the_event_key, "block 1: edited: its events are not the ones that were sealed"),
    (delete_sealed_event, "block 2: deleted: 1 of its 4 events"),
    (delete_first_event_of_a_block, "block 2: deleted"),
    (insert_forged_event_in_the_gap, "event id {gap}: edited"),
    (insert_signed_event_in_the_gap, "block 2: inserted: it holds 5 events, 4 were sealed"),
    (swap_two_events_ids, "event id {ids[1]}: edited"),
    (reorder_and_resign_with_the_event_key, "block 1: edited"),
    (truncate_tail_events, "block 3: deleted: 2 of its 2 events"),
    (truncate_tail_events_and_blocks, "chain: truncated: it ends at block 2, before the anchor's block 3"),
    (erase_everything, "chain: truncated: no sealed block"),
    (delete_newest_block, "truncated: it ends at block 2, before the anchor's block 3"),
    (delete_middle_block, "block 2: missing block: blocks jump from 1 to 3"),
    (rewrite_a_block, "block 2: bad block: its MAC does not verify"),
    (rewrite_a_block_with_the_event_key, "block 2: bad block: its MAC does not verify"),
    (swap_two_blocks, "block 1: bad block"),
    (replay_an_old_block, "block 3: bad block"),
    (edit_prune_checkpoint, "prune checkpoint through block 3: bad checkpoint"),
    (delete_prune_checkpoint, "block 1: deleted: 4 of its 4 events"),
    (restore_pruned_events, "event id {ids[0]}: inserted: an event where events were pruned"),
]


@pytest.mark.parametrize(("tamper", "expected"), TAMPERINGS, ids=[t.__name__ for t, _ in TAMPERINGS])
def test_each_tampering_is_detected(trail, tamper, expected):
    assert verify_output("--anchor", str(trail["anchor"])).startswith("Audit trail intact")
    tamper(trail)
    message = broken("--anchor", str(trail["anchor"]))
    assert expected.format(**trail) in message, message


# --- intact trails, the anchor, the command line ------------------------------------------------------------

def test_an_intact_trail_verifies_with_its_counts(trail):
    assert verify_output("--anchor", str(trail["anchor"])) == (
        "Audit trail intact: 10 events in 3 sealed blocks (through block 3, id {0}); 2 events not yet sealed; "
        "reaches the anchor's block 3.\n".format(trail["ids"][9]))


def test_an_empty_trail_verifies_without_an_anchor_but_not_with_one(tmp_path):
    assert verify_output() == "Audit trail intact: 0 events not yet sealed.\n"
    anchor = tmp_path / "anchor"
    anchor.write_text('{"block":1,"last_id":5,"mac":"' + "a" * 64 + '"}\n')
    assert "truncated: no sealed block, but the anchor names block 1" in broken("--anchor", str(anchor))


def test_the_newest_anchor_line_is_the_one_that_counts(trail):
    with open(trail["anchor"], "a") as handle:
        handle.write('{"block":4,"last_id":99999,"mac":"' + "b" * 64 + '"}\n')
    assert "before the anchor's block 4" in broken("--anchor", str(trail["anchor"]))


def test_an_anchor_naming_a_different_block_mac_fails(trail):
    trail["anchor"].write_text('{"block":2,"last_id":1,"mac":"' + "c" * 64 + '"}\n')
    assert "block 2: bad block: it differs from the anchor" in broken("--anchor", str(trail["anchor"]))


def test_an_unreadable_or_empty_anchor_is_an_error_of_its_own(tmp_path):
    (tmp_path / "empty").write_text("")
    for path in (tmp_path / "empty", tmp_path / "missing"):
        with pytest.raises(CommandError, match="Cannot read the anchor") as excinfo:
            call_command("audit_verify", "--anchor", str(path))
        assert excinfo.value.returncode == 2


def test_the_command_line_exits_non_zero_when_the_trail_is_broken(trail, capsys):
    edit_sealed_field(trail)
    with pytest.raises(SystemExit) as excinfo:
        execute_from_command_line(["manage.py", "audit_verify"])
    assert excinfo.value.code == 1
    assert f"event id {trail['ids'][5]}: edited" in capsys.readouterr().err


def test_a_sealing_key_other_than_the_one_that_sealed_fails_every_block(trail, settings):
    settings.PORTAL_AUDIT_SEAL_KEY = "the sealing host's own key"
    assert "block 1: bad block" in broken()


def test_verify_reads_the_table_in_bounded_chunks_not_all_at_once(trail):
    with CaptureQueriesContext(connections["default"]) as queries:
        result = verify.verify(chunk_size=3)
    assert result.ok and (result.sealed_events, result.unsealed_events) == (10, 2)
    on_events = [q["sql"] for q in queries if "FROM `audit_auditevent`" in q["sql"]]
    assert on_events and all("LIMIT" in sql for sql in on_events)


def test_a_mac_overwritten_with_arbitrary_text_is_detected(trail):
    portal_sql("UPDATE audit_auditevent SET mac = 'ünïcode garbage' WHERE id = %s", [trail["ids"][1]])
    assert f"event id {trail['ids'][1]}: edited" in broken()


def test_odd_but_legal_values_survive_the_database_round_trip_and_sealing(rf):
    agents = ["Mozilla/5.0 trailing spaces   ", "caf\xe9 \xff latin-1 header bytes", "x" * 300, ""]
    for agent in agents:
        request = rf.get("/", HTTP_USER_AGENT=agent, REMOTE_ADDR="2001:db8::1")
        record(Event.LOGIN_FAILED, request=request, pid=None, category="password", object_ids=["a", 2, None],
               outcome="failure")
    seal_now()
    assert verify_output().startswith("Audit trail intact: 4 events in 1 sealed blocks")


def test_a_chunk_size_below_one_is_refused():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("audit_verify", "--chunk-size", "0")
