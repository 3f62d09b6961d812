"""deploy/backup/portal-backup: a backup -> damage -> restore round trip of a copy of the portal database keeps
every account and an audit chain that `audit_verify` accepts."""

import io
import os
import secrets
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.log import Event, record
from audit.seal import seal
from tests.deploy.conftest import connected_as, portal_db_name, root_execute

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "backup" / "portal-backup"

pytestmark = [
    pytest.mark.skipif(not SCRIPT.exists(), reason="deploy/backup/portal-backup is not there yet"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def scratch_portal_db(make_patient_account, staff):
    """A copy of the test portal database, with three patients, a staff member and a chain of audit events."""
    for pid, name in ((1, "alice"), (2, "bob"), (3, "chen")):
        user = make_patient_account(pid, name)
        record(Event.LOGIN_SUCCEEDED, actor=user, pid=pid)
        record(Event.RECORD_VIEWED, actor=user, pid=pid, category="summary")
    record(Event.CREDENTIALS_ISSUED, actor=staff, pid=3)
    seal(grace=0)
    name = f"scratch_portal_{secrets.token_hex(3)}"
    root_execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    port = os.environ["PORTAL_TEST_MARIADB_PORT"]
    dump = subprocess.run(["mariadb-dump", "-h127.0.0.1", f"-P{port}", "-uroot", "--single-transaction",
                           portal_db_name()], check=True, capture_output=True)
    subprocess.run(["mariadb", "-h127.0.0.1", f"-P{port}", "-uroot", name], input=dump.stdout, check=True)
    yield name
    root_execute(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture
def backup_env(tmp_path, scratch_portal_db):
    mycnf = tmp_path / "backup.my.cnf"
    mycnf.write_text(f"[client]\nuser=root\nhost=127.0.0.1\nport={os.environ['PORTAL_TEST_MARIADB_PORT']}\n")
    mycnf.chmod(0o600)
    return {**os.environ, "PORTAL_BACKUP_ENV": str(tmp_path / "no-such-backup.env"),
            "PORTAL_BACKUP_MYCNF": str(mycnf), "PORTAL_BACKUP_DB": scratch_portal_db,
            "PORTAL_BACKUP_DIR": str(tmp_path / "backups")}


def run(env, *args):
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120)


def accounts(db):
    return root_execute("SELECT u.username, u.password, u.is_staff, a.pid, a.state FROM auth_user u "
                        "LEFT JOIN accounts_patientaccount a ON a.user_id = u.id ORDER BY u.username", db=db)


def audit_verify(db):
    with connected_as(["default"], "root", "", NAME=db):
        try:
            call_command("audit_verify", stdout=(out := io.StringIO()))
        except CommandError as exc:
            return False, str(exc)
    return True, out.getvalue()


def test_backup_then_restore_keeps_every_account_and_a_verifying_audit_chain(backup_env, scratch_portal_db):
    db = scratch_portal_db
    before = accounts(db)
    assert [row[0] for row in before] == ["alice", "bob", "chen", "frontdesk"]
    ok, message = audit_verify(db)
    assert ok and "7 events in 1 sealed blocks" in message, message

    made = run(backup_env, "backup")
    assert made.returncode == 0, made.stderr
    listed = run(backup_env, "list")
    assert listed.returncode == 0 and "portal-" in listed.stdout
    backup_name = listed.stdout.split()[0]

    # Damage: accounts lost, an audit event edited.
    for statement in ("DELETE FROM accounts_patientaccount", "DELETE FROM otp_totp_totpdevice",
                      "UPDATE audit_auditevent SET outcome = 'tampered' WHERE id = "
                      "(SELECT id FROM (SELECT id FROM audit_auditevent ORDER BY id LIMIT 1, 1) AS second)"):
        root_execute(statement, db=db)
    assert len(accounts(db)) == 4 and all(row[3] is None for row in accounts(db))
    assert audit_verify(db)[0] is False

    refused = run(backup_env, "restore", backup_name)  # no --yes: nothing happens
    assert refused.returncode == 1 and "not restoring without --yes" in refused.stderr
    restored = run(backup_env, "restore", backup_name, "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "audit_verify" in restored.stdout  # it tells the operator what to run next

    assert accounts(db) == before
    ok, message = audit_verify(db)
    assert ok and "7 events in 1 sealed blocks" in message, message
    with connected_as(["default"], "root", "", NAME=db):  # the id sequence came back too: appends go on
        record(Event.LOGOUT, pid=1)
        assert "1 events not yet sealed" in audit_verify(db)[1]


def test_restore_refuses_a_backup_whose_checksum_does_not_match(backup_env, scratch_portal_db):
    assert run(backup_env, "backup").returncode == 0
    name = run(backup_env, "list").stdout.split()[0]
    path = Path(backup_env["PORTAL_BACKUP_DIR"]) / name
    path.write_bytes(path.read_bytes() + b"\0")
    root_execute("DELETE FROM django_session", db=scratch_portal_db)
    result = run(backup_env, "restore", name, "--yes")
    assert result.returncode == 1 and "checksum mismatch" in result.stderr
