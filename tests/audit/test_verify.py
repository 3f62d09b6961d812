"""`manage.py audit_verify`: intact chains pass with their count; every kind of tampering is named."""

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connections
from django.test.utils import CaptureQueriesContext

from audit import chain
from audit.log import Event, record
from tests.audit.conftest import portal_sql

pytestmark = pytest.mark.django_db


def verify_output():
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def broken(**kwargs):
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify", **kwargs)
    assert excinfo.value.returncode == 1
    return str(excinfo.value)


def test_an_intact_chain_verifies_and_prints_the_count(chain_of_ten):
    assert verify_output() == "Audit chain intact: 10 events (seq 1..10).\n"


def test_an_empty_chain_verifies():
    assert verify_output() == "Audit chain intact: 0 events.\n"


def test_the_command_line_exits_non_zero_when_the_chain_is_broken(chain_of_ten, capsys):
    portal_sql("UPDATE audit_auditevent SET pid = 2 WHERE seq = 4")
    with pytest.raises(SystemExit) as excinfo:
        execute_from_command_line(["manage.py", "audit_verify"])
    assert excinfo.value.code == 1
    assert "seq 4, id 4: edited" in capsys.readouterr().err


def test_an_edited_field_is_detected_at_that_event(chain_of_ten):
    portal_sql("UPDATE audit_auditevent SET category = 'visit' WHERE seq = 6")
    assert "first bad event: seq 6, id 6: edited" in broken()


def test_an_edited_timestamp_is_detected(chain_of_ten):
    portal_sql("UPDATE audit_auditevent SET created_at = created_at - INTERVAL 1 DAY WHERE seq = 3")
    assert "seq 3, id 3: edited" in broken()


def test_a_recomputed_looking_mac_without_the_key_is_detected(chain_of_ten):
    portal_sql("UPDATE audit_auditevent SET outcome = 'failure', mac = SHA2(CONCAT(prev_mac, 'x'), 256) "
               "WHERE seq = 10")
    assert "seq 10, id 10: edited" in broken()


def test_a_deleted_middle_row_is_detected_as_a_gap(chain_of_ten):
    portal_sql("DELETE FROM audit_auditevent WHERE seq = 5")
    message = broken()
    assert "seq 6, id 6: deleted (gap)" in message and "seq 5..5 are missing" in message


def test_deleted_rows_at_the_end_are_detected_against_the_chain_head(chain_of_ten):
    portal_sql("DELETE FROM audit_auditevent WHERE seq >= 9")
    assert "deleted (gap): events seq 9..10 (the end) are missing" in broken()


def test_a_deleted_row_with_later_rows_renumbered_is_detected(chain_of_ten):
    portal_sql("DELETE FROM audit_auditevent WHERE seq = 5")
    portal_sql("UPDATE audit_auditevent SET seq = seq - 1 WHERE seq > 5 ORDER BY seq")
    assert "seq 5, id 6: reordered" in broken()


def _forge(seq, row_id, prev_mac="0" * 64):
    portal_sql(
        "INSERT INTO audit_auditevent (id, seq, created_at, code, actor_type, actor_id, pid, category, object_ids,"
        " outcome, client_ip, user_agent, request_id, prev_mac, mac) VALUES"
        " (%s, %s, UTC_TIMESTAMP(6), 'record.viewed', 'staff', '1', 1, 'summary', '', 'success', '', '', '', %s,"
        " %s)", [row_id, seq, prev_mac, "f" * 64])


def test_a_forged_row_appended_at_the_end_is_detected(chain_of_ten):
    last_mac = chain_of_ten[-1].mac
    _forge(11, 11, prev_mac=last_mac)
    assert "seq 11, id 11: inserted" in broken()


def test_a_forged_row_inserted_in_the_middle_is_detected(chain_of_ten):
    portal_sql("UPDATE audit_auditevent SET seq = seq + 1 WHERE seq >= 5 ORDER BY seq DESC")
    _forge(5, 99, prev_mac=chain_of_ten[3].mac)
    assert "seq 5, id 99: inserted" in broken()


def test_two_swapped_rows_are_detected_as_reordered(chain_of_ten):
    portal_sql("UPDATE audit_auditevent SET seq = -1 WHERE seq = 4")
    portal_sql("UPDATE audit_auditevent SET seq = 4 WHERE seq = 7")
    portal_sql("UPDATE audit_auditevent SET seq = 7 WHERE seq = -1")
    message = broken()
    assert "seq 4, id 7: reordered" in message and "written as seq 7" in message


def test_a_chain_head_moved_back_is_detected(chain_of_ten):
    portal_sql("UPDATE audit_auditchainhead SET mac = %s", [chain_of_ten[4].mac])
    assert "bad head" in broken()


def test_events_appended_while_verifying_are_walked_too(chain_of_ten):
    result = chain.verify(chunk_size=3)
    record(Event.LOGOUT, pid=1)
    assert result.ok and result.count == 10
    assert chain.verify(chunk_size=3).count == 11


def test_verify_reads_the_table_in_bounded_chunks_not_all_at_once(chain_of_ten):
    with CaptureQueriesContext(connections["default"]) as queries:
        result = chain.verify(chunk_size=3)
    assert result.ok and result.count == 10
    chunked = [q["sql"] for q in queries if "FROM `audit_auditevent`" in q["sql"] and "LIMIT 3" in q["sql"]]
    assert len(chunked) == 5  # 3+3+3+1, then an empty chunk
    assert all("LIMIT" in q["sql"] for q in queries if "FROM `audit_auditevent`" in q["sql"])


def test_a_mac_overwritten_with_arbitrary_text_is_detected(chain_of_ten):
    portal_sql("UPDATE audit_auditevent SET mac = 'ünïcode garbage' WHERE seq = 2")
    assert "seq 2, id 2: edited" in broken()


def test_odd_but_legal_values_survive_the_database_round_trip(rf):
    agents = ["Mozilla/5.0 trailing spaces   ", "caf\xe9 \xff latin-1 header bytes", "x" * 300, ""]
    for agent in agents:
        request = rf.get("/", HTTP_USER_AGENT=agent, REMOTE_ADDR="2001:db8::1")
        record(Event.LOGIN_FAILED, request=request, pid=None, category="password", object_ids=["a", 2, None],
               outcome="failure")
    assert verify_output() == "Audit chain intact: 4 events (seq 1..4).\n"


def test_a_chunk_size_below_one_is_refused():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("audit_verify", "--chunk-size", "0")
