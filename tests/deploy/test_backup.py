"""deploy/backup/portal-backup (restic around mariadb-dump): an encrypted repository that the wrong password
cannot open, a backup -> damage -> restore round trip after which `audit_verify` passes, the monthly test restore
into a scratch schema, retention, integrity checks, and a failed dump that leaves no snapshot behind."""

import io
import json
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

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "backup" / "portal-backup"

pytestmark = pytest.mark.django_db(transaction=True)


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


def clean_env(**extra):
    """A root shell's environment, without the test session's PORTAL_*/OPENEMR_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "OPENEMR_", "DJANGO_", "RESTIC_"))}
    env.update(extra)
    return env


@pytest.fixture
def backup_env(tmp_path, scratch_portal_db):
    port = os.environ["PORTAL_TEST_MARIADB_PORT"]
    mycnf = tmp_path / "backup.my.cnf"
    mycnf.write_text(f"[client]\nuser=root\nhost=127.0.0.1\nport={port}\n")
    password = tmp_path / "restic-password"
    password.write_text(secrets.token_urlsafe(24) + "\n")
    verify = tmp_path / "verify.env"  # what audit_verify needs to read the scratch copy
    verify.write_text("\n".join([
        f"PORTAL_DATABASE_URL=mysql://root@127.0.0.1:{port}/{scratch_portal_db}_restore_test",
        f"OPENEMR_DATABASE_URL=mysql://root@127.0.0.1:{port}/test_openemr",
        f"PORTAL_SECRET_KEY={secrets.token_urlsafe(40)}",
        f"PORTAL_AUDIT_KEY={os.environ['PORTAL_AUDIT_KEY']}",  # the key that signed the events
        "PORTAL_SELF_CHECK_SECONDS=0", "PORTAL_STAFF_NETWORKS=127.0.0.0/8", "",
    ]))
    env_file = tmp_path / "backup.env"  # the configuration file, as an administrator writes it
    env_file.write_text(f"RESTIC_REPOSITORY={tmp_path / 'repo'}\nRESTIC_PASSWORD_FILE={password}\n"
                        f"PORTAL_BACKUP_MYCNF={mycnf}\nPORTAL_BACKUP_DB={scratch_portal_db}\n"
                        f"PORTAL_BACKUP_VERIFY_ENV={verify}\nPORTAL_BACKUP_APP_DIR={ROOT}\n")
    return clean_env(PORTAL_BACKUP_ENV=str(env_file), RESTIC_CACHE_DIR=str(tmp_path / "cache"))


def run(env, *args, timeout=180):
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=timeout)


def ok(env, *args):
    result = run(env, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def snapshots(env):
    repo = Path(env["PORTAL_BACKUP_ENV"]).parent
    result = subprocess.run(["restic", "snapshots", "--json"], capture_output=True, text=True, check=True,
                            env={**env, "RESTIC_REPOSITORY": str(repo / "repo"),
                                 "RESTIC_PASSWORD_FILE": str(repo / "restic-password")})
    return json.loads(result.stdout)


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


def test_backup_is_encrypted_and_a_restore_brings_back_every_account_and_a_verifying_audit_chain(
        backup_env, scratch_portal_db, tmp_path):
    db = scratch_portal_db
    before = accounts(db)
    assert [row[0] for row in before] == ["alice", "bob", "chen", "frontdesk"]
    verified, message = audit_verify(db)
    assert verified and "7 events in 1 sealed blocks" in message, message

    assert "created restic repository" in ok(backup_env, "init")
    assert "exists" in ok(backup_env, "init")  # idempotent
    assert "bytes of SQL" in ok(backup_env, "backup")
    assert len(snapshots(backup_env)) == 1

    # Encrypted at rest: the dump holds the password hashes, but no file of the repository shows them.
    secret = before[0][1].encode()
    stored = b"".join(p.read_bytes() for p in (tmp_path / "repo").rglob("*") if p.is_file())
    assert len(stored) > 1000 and secret not in stored and b"audit_auditevent" not in stored

    # Damage: accounts lost, an audit event edited.
    for statement in ("DELETE FROM accounts_patientaccount", "DELETE FROM otp_totp_totpdevice",
                      "UPDATE audit_auditevent SET outcome = 'tampered' WHERE id = "
                      "(SELECT id FROM (SELECT id FROM audit_auditevent ORDER BY id LIMIT 1, 1) AS second)"):
        root_execute(statement, db=db)
    assert all(row[3] is None for row in accounts(db)) and audit_verify(db)[0] is False

    refused = run(backup_env, "restore", "latest")  # no --yes: nothing happens
    assert refused.returncode == 1 and "not restoring without --yes" in refused.stderr
    assert audit_verify(db)[0] is False
    assert "audit_verify" in ok(backup_env, "restore", "latest", "--yes")  # it says what to run next

    assert accounts(db) == before
    verified, message = audit_verify(db)
    assert verified and "7 events in 1 sealed blocks" in message, message
    with connected_as(["default"], "root", "", NAME=db):  # the id sequence came back too: appends go on
        record(Event.LOGOUT, pid=1)
        assert "1 events not yet sealed" in audit_verify(db)[1]


def test_the_wrong_password_opens_nothing(backup_env, tmp_path):
    ok(backup_env, "init")
    ok(backup_env, "backup")
    (tmp_path / "restic-password").write_text("not the password\n")
    for command in (["list"], ["restore", "latest", "--yes"], ["backup"]):
        result = run(backup_env, *command)
        assert result.returncode != 0 and "wrong password" in result.stderr, command


def test_monthly_test_restore_runs_audit_verify_on_a_scratch_copy_and_drops_it(backup_env, scratch_portal_db):
    ok(backup_env, "init")
    ok(backup_env, "backup")
    out = ok(backup_env, "test-restore")
    assert "audit_verify passed" in out and "7 events" in out
    assert not root_execute(f"SHOW DATABASES LIKE '{scratch_portal_db}_restore_test'")

    # A backup taken after the audit log was tampered with fails the test restore, loudly.
    root_execute("UPDATE audit_auditevent SET outcome = 'tampered' WHERE id = "
                 "(SELECT id FROM (SELECT id FROM audit_auditevent ORDER BY id LIMIT 2, 1) AS third)",
                 db=scratch_portal_db)
    ok(backup_env, "backup")
    failed = run(backup_env, "test-restore")
    assert failed.returncode == 1 and "audit_verify failed on the restored copy" in failed.stderr
    assert not root_execute(f"SHOW DATABASES LIKE '{scratch_portal_db}_restore_test'")


def test_a_failed_dump_leaves_no_snapshot(backup_env):
    ok(backup_env, "init")
    failed = run({**backup_env, "PORTAL_BACKUP_DB": "no_such_database"}, "backup")
    assert failed.returncode == 1 and "no snapshot kept" in failed.stderr
    assert snapshots(backup_env) == []


def test_check_reads_the_data_back_and_notices_a_damaged_pack(backup_env, tmp_path):
    ok(backup_env, "init")
    ok(backup_env, "backup")
    assert "no errors were found" in ok(backup_env, "check")
    pack = max((p for p in (tmp_path / "repo" / "data").rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
    pack.chmod(0o600)
    data = bytearray(pack.read_bytes())
    data[len(data) // 2] ^= 0xFF
    pack.write_bytes(bytes(data))
    assert run(backup_env, "check").returncode != 0


def test_forget_applies_daily_weekly_monthly_retention(backup_env, tmp_path):
    ok(backup_env, "init")
    restic_env = {**backup_env, "RESTIC_REPOSITORY": str(tmp_path / "repo"),
                  "RESTIC_PASSWORD_FILE": str(tmp_path / "restic-password")}
    days = ["2025-03-10", "2025-03-20", "2025-04-05", "2025-04-25", "2025-05-10", "2025-05-28", "2025-06-05",
            "2025-06-12", "2025-06-20", "2025-06-26", "2025-06-27", "2025-06-28"]
    for day in days:
        subprocess.run(["restic", "backup", "--quiet", "--stdin", "--stdin-filename", "openemr_portal.sql",
                        "--host", "openemr-portal", "--tag", "openemr-portal", "--time", f"{day} 02:30:00"],
                       input=day.encode(), env=restic_env, check=True, capture_output=True)
    env = {**backup_env, "PORTAL_BACKUP_KEEP_DAILY": "3", "PORTAL_BACKUP_KEEP_WEEKLY": "2",
           "PORTAL_BACKUP_KEEP_MONTHLY": "2"}
    ok(env, "forget")
    kept = sorted(s["time"][:10] for s in snapshots(backup_env))
    # 3 last days; the newest of this ISO week (Jun 28) and of the week before (Jun 20); of June and of May.
    assert kept == ["2025-05-28", "2025-06-20", "2025-06-26", "2025-06-27", "2025-06-28"]
    assert "no errors were found" in ok(backup_env, "check")  # prune left a sound repository
