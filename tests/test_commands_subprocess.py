"""Every management command of the project, run as an operator runs it: `python manage.py ...` in a new process
with the real settings (DEBUG off, MariaDB), asserting its effect in the database, not only its --help
(issue 9, defect 3: three account commands crashed in a fresh process on an import that the test client's
process had already done, and changed nothing).

The list of commands is read from the four apps' management/commands folders, and
test_every_project_command_has_a_subprocess_test fails when a new command has no test here.
"""

import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import MySQLdb
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import PatientAccount, UserSession
from audit.log import Event, record
from audit.models import AuditEvent, AuditPruneCheckpoint
from tests import factories
from tests.conftest import PASSWORD
from tests.deploy.conftest import openemr_db_name, restricted_account, root_execute  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parent.parent
APPS = ["portal", "accounts", "audit", "records", "devtools"]  # devtools: installed with PORTAL_DEVTOOLS=1

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def project_commands():
    return sorted(path.stem for app in APPS for path in (ROOT / app / "management" / "commands").glob("*.py")
                  if not path.stem.startswith("_"))


def env(**overrides):
    """The real settings against the session's test databases (the ones this test reads back)."""
    base = os.environ["PORTAL_DATABASE_URL"].rsplit("/", 1)[0]
    values = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_DEBUG": "0",
              "PORTAL_DATABASE_URL": f"{base}/{connections['default'].settings_dict['NAME']}",
              "OPENEMR_DATABASE_URL": f"{base}/{openemr_db_name()}"}
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def manage(*args, environ=None, stdin=None):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environ or env(), input=stdin,
                          capture_output=True, text=True, timeout=300)


def ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


@pytest.fixture
def patient_account(make_patient_account, openemr):
    """pid 41 with an active account, an authenticator, backup codes and a registered session."""
    from django.contrib.sessions.backends.db import SessionStore

    factories.PatientFactory(pid=41, fname="Imani", lname="Okafor")
    user = make_patient_account(41, "imani")
    StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session.create()
    UserSession.objects.create(user=user, session_key=session.session_key, created_at=timezone.now())
    return user.patient_account


# --- The list ------------------------------------------------------------------------------------------------------
TESTED = {
    "migrate", "portal_check", "portal_grants", "replication_filters", "create_staff", "demo_accounts",
    "disable_account", "enable_account", "issue_credentials", "reset_second_factor", "unlock_account",
    "audit_export", "audit_prune", "audit_seal", "audit_verify", "fake_openemr",
}


def test_every_project_command_has_a_subprocess_test():
    assert set(project_commands()) == TESTED


def test_manage_py_help_lists_every_project_command():
    out = ok(manage("help"))
    assert all(f"    {name}\n" in out for name in project_commands())


# --- portal ----------------------------------------------------------------------------------------------------
def test_migrate_applies_nothing_twice_and_refuses_openemr():
    assert "No migrations to apply." in ok(manage("migrate", "--noinput"))
    # --skip-checks: the system check would refuse first (the session's OpenEMR account is root, portal.E010).
    refused = manage("migrate", "--database", "openemr", "--noinput", "--skip-checks")
    assert refused.returncode == 1 and "never migrates OpenEMR's database" in refused.stderr
    with connections["openemr"].cursor() as cursor:
        cursor.execute("SHOW TABLES LIKE 'django_migrations'")
        assert cursor.fetchall() == ()


def test_portal_check_passes_for_the_restricted_account_and_fails_for_root(restricted_account):  # noqa: F811
    base = f"mysql://{restricted_account.user}:{restricted_account.password}@127.0.0.1:" \
           f"{os.environ['PORTAL_TEST_MARIADB_PORT']}"
    restricted = env(PORTAL_DATABASE_URL=f"{base}/{connections['default'].settings_dict['NAME']}",
                     OPENEMR_DATABASE_URL=f"{base}/{openemr_db_name()}")
    assert "portal_check passed" in ok(manage("portal_check", environ=restricted))
    as_root = manage("portal_check")
    assert as_root.returncode == 1 and "portal.E010" in as_root.stderr


def test_portal_grants_prints_statements_that_give_a_new_account_exactly_the_mapped_reads():
    user, password = f"granted_{secrets.token_hex(3)}", secrets.token_hex(8)
    out = ok(manage("portal_grants", "--user", user, "--host", "%", "--openemr-db", openemr_db_name(),
                    "--portal-db", connections["default"].settings_dict["NAME"]))
    root_execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
    try:
        for statement in [line for line in out.splitlines() if line.strip() and not line.lstrip().startswith("--")]:
            root_execute(statement)
        conn = MySQLdb.connect(host="127.0.0.1", port=int(os.environ["PORTAL_TEST_MARIADB_PORT"]), user=user,
                               passwd=password, db=openemr_db_name())
        with conn.cursor() as cur:
            cur.execute("SELECT pid FROM patient_data LIMIT 1")
            with pytest.raises(MySQLdb.OperationalError):  # 1142: INSERT command denied
                cur.execute("INSERT INTO patient_data (pid) VALUES (999999)")
        conn.close()
    finally:
        root_execute(f"DROP USER IF EXISTS '{user}'@'%'")


def test_replication_filters_name_the_mapped_tables_of_the_openemr_schema():
    out = ok(manage("replication_filters", "--flavor", "mariadb"))
    assert f"replicate_do_table = {openemr_db_name()}.patient_data" in out.replace("-", "_")
    refused = manage("replication_filters", "--openemr-db", "x; DROP")
    assert refused.returncode == 1 and "not a plain database name" in refused.stderr


# --- accounts --------------------------------------------------------------------------------------------------
def test_create_staff_makes_a_staff_user_with_the_given_password_and_an_authenticator(tmp_path):
    password_file = tmp_path / "password"
    password_file.write_text("Quiet-river-stone-2026\n")
    out = ok(manage("create_staff", "Noor", "--password-file", str(password_file), "--first-name", "Noor"))
    user = get_user_model().objects.get(username="noor")
    assert user.is_staff and not user.is_superuser
    assert user.password.startswith("argon2$")  # the production hasher (this process uses a fast one)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    assert "otpauth://totp/" in out and device.config_url in out
    again = manage("create_staff", "noor", "--password-file", str(password_file))
    assert again.returncode == 1 and "is taken" in again.stderr


def test_demo_accounts_is_refused_on_the_real_settings(openemr):
    factories.PatientFactory(pid=1)
    refused = manage("demo_accounts")
    assert refused.returncode == 1 and "only runs on the demo's SQLite databases" in refused.stderr
    assert not get_user_model().objects.filter(username__in=["demo", "frontdesk"]).exists()


def test_issue_credentials_creates_an_issued_account_and_prints_its_letter(openemr, staff):
    factories.PatientFactory(pid=42, fname="Tomás", lname="Reyes")
    out = ok(manage("issue_credentials", "--pid", "42", "--issued-by", "frontdesk"))
    account = PatientAccount.objects.get(pid=42)
    assert account.state == PatientAccount.State.ISSUED and account.issued_by == staff
    assert f"Your username:        {account.user.username}" in out
    assert AuditEvent.objects.filter(code=Event.CREDENTIALS_ISSUED, pid=42).count() == 1


def test_issue_credentials_for_an_unknown_patient_exits_1_and_creates_nothing(openemr):
    refused = manage("issue_credentials", "--pid", "40404")
    assert refused.returncode == 1 and "no patient with this id" in refused.stderr
    assert not PatientAccount.objects.filter(pid=40404).exists()


def test_issue_credentials_again_re_issues_the_existing_account(patient_account):
    before = patient_account.activation_code_hash
    ok(manage("issue_credentials", "--pid", "41"))
    patient_account.refresh_from_db()
    assert PatientAccount.objects.filter(pid=41).count() == 1
    assert patient_account.state == PatientAccount.State.ISSUED and patient_account.activation_code_hash != before
    assert not TOTPDevice.objects.filter(user=patient_account.user).exists()
    assert not UserSession.objects.filter(user=patient_account.user).exists()


def test_disable_account_makes_the_account_inactive_and_ends_its_sessions(patient_account):
    assert "The account is disabled." in ok(manage("disable_account", "--pid", "41"))
    patient_account.refresh_from_db()
    assert patient_account.state == PatientAccount.State.DISABLED
    assert not UserSession.objects.filter(user=patient_account.user).exists()
    assert AuditEvent.objects.filter(code=Event.ACCOUNT_DISABLED, pid=41).count() == 1


def test_enable_account_makes_a_disabled_account_active_again(patient_account):
    PatientAccount.objects.filter(pk=patient_account.pk).update(state=PatientAccount.State.DISABLED,
                                                                 activated_at=datetime.datetime.now(datetime.UTC))
    assert "The account is enabled." in ok(manage("enable_account", "--username", "imani"))
    patient_account.refresh_from_db()
    assert patient_account.state == PatientAccount.State.ACTIVE
    assert AuditEvent.objects.filter(code=Event.ACCOUNT_ENABLED, pid=41).count() == 1


def test_reset_second_factor_removes_the_patients_authenticator_and_backup_codes(patient_account):
    old_device = TOTPDevice.objects.get(user=patient_account.user)
    out = ok(manage("reset_second_factor", "--pid", "41"))
    assert "Your reset code" in out  # the letter: its code plus the password set up a new app
    patient_account.refresh_from_db()
    assert patient_account.reset_code_hash
    assert not TOTPDevice.objects.filter(pk=old_device.pk).exists()
    assert not StaticDevice.objects.filter(user=patient_account.user).exists()
    assert not UserSession.objects.filter(user=patient_account.user).exists()
    assert AuditEvent.objects.filter(code=Event.OTP_RESET, pid=41).count() == 1


def test_reset_second_factor_of_a_staff_member_prints_a_new_authenticator(staff):
    old_device = TOTPDevice.objects.get(user=staff)
    out = ok(manage("reset_second_factor", "--staff-username", "frontdesk"))
    new_device = TOTPDevice.objects.get(user=staff)
    assert new_device.pk != old_device.pk and new_device.config_url in out


def test_unlock_account_clears_the_failed_sign_ins_of_the_username(patient_account):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username="imani", ip_address="203.0.113.7", user_agent="x", failures_since_start=5,
                                 get_data="", post_data="", http_accept="", path_info="/accounts/login/")
    assert "Failed sign-ins are cleared." in ok(manage("unlock_account", "--pid", "41"))
    assert not AccessAttempt.objects.filter(username="imani").exists()
    assert AuditEvent.objects.filter(code=Event.UNLOCKED, pid=41).count() == 1


def test_account_commands_for_an_unknown_patient_exit_1():
    for name in ("disable_account", "enable_account", "unlock_account", "reset_second_factor"):
        refused = manage(name, "--pid", "40404")
        assert refused.returncode == 1 and "There is no portal account" in refused.stderr, name


# --- audit -------------------------------------------------------------------------------------------------------
@pytest.fixture
def old_and_recent_events(settings):
    clinic = ZoneInfo("America/New_York")
    with time_machine.travel(datetime.datetime(2012, 3, 1, 12, tzinfo=clinic), tick=False):
        for i in range(3):
            record(Event.LOGIN_SUCCEEDED, pid=7, object_ids=[i])
    for i in range(2):
        record(Event.RECORD_VIEWED, pid=7, category="summary", object_ids=[i])


def test_audit_verify_reports_the_intact_trail_and_exits_1_when_an_event_is_edited(old_and_recent_events):
    assert ok(manage("audit_verify")).startswith("Audit trail intact: 5 events")
    root_execute("UPDATE audit_auditevent SET pid = 8 ORDER BY id DESC LIMIT 1",
                 db=connections["default"].settings_dict["NAME"])
    broken = manage("audit_verify")
    assert broken.returncode == 1 and "Audit trail BROKEN" in broken.stderr


def test_audit_seal_seals_committed_events_writes_the_anchor_and_verify_checks_it(old_and_recent_events, tmp_path):
    anchor = tmp_path / "anchor.jsonl"
    out = ok(manage("audit_seal", "--grace", "0", "--anchor-file", str(anchor)))
    assert "Sealed block 1: 5 events" in out and anchor.read_text().strip()
    assert "Nothing to seal." in ok(manage("audit_seal", "--grace", "0", "--anchor-file", str(anchor)))
    assert "intact" in ok(manage("audit_verify", "--anchor", str(anchor)))
    root_execute("DELETE FROM audit_auditblock", db=connections["default"].settings_dict["NAME"])
    cut = manage("audit_verify", "--anchor", str(anchor))
    assert cut.returncode == 1 and "BROKEN" in cut.stderr


def test_audit_export_writes_every_event_in_the_range(old_and_recent_events, tmp_path):
    output = tmp_path / "audit.csv"
    ok(manage("audit_export", "--since", "2012-01-01", "--until", "2012-12-31", "--output", str(output)))
    rows = output.read_text().splitlines()
    assert len(rows) == 1 + 3 and all(Event.LOGIN_SUCCEEDED in row for row in rows[1:])
    jsonl = ok(manage("audit_export", "--format", "jsonl")).splitlines()
    assert len(jsonl) >= 5  # and the export's own audit events
    assert sum(Event.LOGIN_SUCCEEDED in line for line in jsonl) == 3
    assert sum(Event.RECORD_VIEWED in line for line in jsonl) == 2


def test_audit_prune_removes_old_events_and_the_rest_still_verifies(old_and_recent_events):
    ok(manage("audit_seal", "--grace", "0", "--block-events", "3"))  # only whole sealed blocks are pruned
    out = ok(manage("audit_prune", "--before", "2013-01-01"))
    assert "Pruned 3 audit events before 2013-01-01" in out
    assert not AuditEvent.objects.filter(code=Event.LOGIN_SUCCEEDED).exists()
    assert AuditEvent.objects.filter(code=Event.RECORD_VIEWED).count() == 2
    assert AuditPruneCheckpoint.objects.count() == 1  # signed: the rest still verifies
    assert ok(manage("audit_verify")).startswith("Audit trail intact:")
    inside = manage("audit_prune", "--before", datetime.date.today().isoformat())
    assert inside.returncode == 1 and "inside the retention period" in inside.stderr


# --- records -----------------------------------------------------------------------------------------------------
def test_fake_openemr_fills_a_new_mariadb_schema(tmp_path):
    name = f"fake_openemr_{secrets.token_hex(3)}"
    root_execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        url = f"mysql://root@127.0.0.1:{os.environ['PORTAL_TEST_MARIADB_PORT']}/{name}"
        ok(manage("fake_openemr", "--patients", "3", "--heavy-pid", "0", "--create-schema", "--database-url", url))
        assert root_execute("SELECT COUNT(*) FROM patient_data", db=name)[0][0] == 3
        assert root_execute("SELECT COUNT(*) FROM form_encounter", db=name)[0][0] > 0
        again = manage("fake_openemr", "--patients", "3", "--database-url", url)
        assert again.returncode == 1  # a filled database is not overwritten without --force
    finally:
        root_execute(f"DROP DATABASE IF EXISTS `{name}`")
