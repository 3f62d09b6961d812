"""`portal_grants` applied to a real restricted account: the portal works, and nothing else is possible."""

import io

import MySQLdb
import pytest
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from portal.lib.openemr_schema import mapped_columns, mapped_tables
from records import urls as records_urls
from tests import factories
from tests.deploy.conftest import (connected_as, grant_statements, openemr_db_name, portal_db_name, rich_record,
                                   root_execute)

pytestmark = pytest.mark.django_db


def _denied(account, sql, db):
    with pytest.raises(MySQLdb.OperationalError) as excinfo:
        account.execute(sql, db=db)
    assert excinfo.value.args[0] in (1142, 1143), excinfo.value  # table / column command denied


def test_openemr_grants_are_column_level_select_on_exactly_the_mapped_columns():
    statements = [s for s in grant_statements(openemr_db="openemr", portal_db="openemr_portal")
                  if "`openemr`." in s]
    assert len(statements) == len(mapped_tables())
    assert all(s.startswith("GRANT SELECT (") for s in statements)
    patient = next(s for s in statements if "`openemr`.`patient_data`" in s)
    assert "`fname`" in patient and "`DOB`" in patient
    assert "`ss`" not in patient and "drivers_license" not in patient
    users = next(s for s in statements if "`openemr`.`users`" in s)
    assert "password" not in users and "username" not in users
    billing = next(s for s in statements if "`openemr`.`billing`" in s)
    assert "`fee`" not in billing
    assert not any("users_secure" in s or "patient_access_onsite" in s for s in statements)


def test_grants_output_prints_no_password_and_names_the_other_accounts():
    out = io.StringIO()
    call_command("portal_grants", user="webportal", host="10.0.30.5", openemr_db="openemr",
                 portal_db="openemr_portal", stdout=out)
    text = out.getvalue()
    assert "IDENTIFIED BY '<password>'" in text  # a placeholder, inside a comment
    assert all(line.startswith("--") for line in text.splitlines() if "IDENTIFIED BY" in line)
    assert "TO 'webportal'@'10.0.30.5';" in text
    assert "GRANT ALL PRIVILEGES ON `openemr_portal`.* TO 'webportal_migrate'@'localhost';" in text
    assert "GRANT DELETE ON `openemr_portal`.`audit_auditevent` TO 'webportal_audit'@'localhost';" in text
    assert "ON `openemr`.*" not in text


def test_audit_events_get_insert_and_select_only_and_other_portal_tables_get_dml():
    statements = grant_statements(openemr_db="openemr", portal_db="openemr_portal")
    assert "GRANT SELECT, INSERT ON `openemr_portal`.`audit_auditevent` TO 'portal'@'%';" in statements
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON `openemr_portal`.`django_session` TO 'portal'@'%';" in statements
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON `openemr_portal`.`axes_accessattempt` TO 'portal'@'%';" \
        in statements
    assert not any("django_migrations" in s for s in statements)


def test_grants_refuse_names_that_could_inject_sql():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a plain name"):
        call_command("portal_grants", user="x'; DROP DATABASE openemr; --", stdout=io.StringIO())
    with pytest.raises(CommandError, match="schema of its own"):
        call_command("portal_grants", openemr_db="openemr", portal_db="openemr", stdout=io.StringIO())


def test_restricted_account_cannot_write_any_mapped_openemr_table(restricted_account):
    db = openemr_db_name()
    for table, columns in mapped_tables().items():
        column = columns[0]
        _denied(restricted_account, f"INSERT INTO `{table}` (`{column}`) VALUES (NULL)", db)
        _denied(restricted_account, f"UPDATE `{table}` SET `{column}` = `{column}`", db)
        _denied(restricted_account, f"DELETE FROM `{table}`", db)
    _denied(restricted_account, "CREATE TABLE portal_was_here (id int)", db)
    _denied(restricted_account, "DROP TABLE patient_data", db)


def test_restricted_account_reads_mapped_columns_but_not_secrets(restricted_account, openemr):
    factories.PatientFactory(pid=1, ss="123-45-6789")
    db = openemr_db_name()
    assert restricted_account.execute("SELECT fname, DOB FROM patient_data WHERE pid = 1", db=db) \
        == (("Alice", factories.PatientFactory.DOB),)
    _denied(restricted_account, "SELECT ss FROM patient_data", db)
    _denied(restricted_account, "SELECT * FROM patient_data", db)
    _denied(restricted_account, "SELECT password FROM users", db)
    _denied(restricted_account, "SELECT fee FROM billing", db)
    _denied(restricted_account, "SELECT * FROM users_secure", db)
    _denied(restricted_account, "SELECT * FROM patient_access_onsite", db)


def test_every_mapped_column_is_readable_by_the_restricted_account(restricted_account):
    db = openemr_db_name()
    for table, columns in mapped_tables().items():
        restricted_account.execute(f"SELECT {', '.join(f'`{c}`' for c in columns)} FROM `{table}` LIMIT 1", db=db)
    assert len(mapped_columns()) > 100


def patient_pages():
    """Every parameterless records page: whatever the records app has by now."""
    return [reverse(f"records:{p.name}") for p in records_urls.urlpatterns
            if getattr(p, "name", None) and not p.pattern.regex.groups]


@pytest.mark.django_db(transaction=True)
def test_patient_pages_serve_the_same_as_the_restricted_account(restricted_account, alice_client, openemr):
    urls = patient_pages() + rich_record(pid=1)
    alice_client.raise_request_exception = False
    # Pages that do not work yet even with a full account (work in progress elsewhere) prove nothing here.
    expected = {url: 200 for url in urls if alice_client.get(url).status_code == 200}
    assert "/" in expected
    urls = list(expected)

    from audit.models import AuditEvent

    events_before = AuditEvent.objects.count()
    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        assert connections["openemr"].settings_dict["USER"] == restricted_account.user
        got = {url: alice_client.get(url).status_code for url in urls}
        with connections["openemr"].cursor() as cur:
            cur.execute("SELECT CURRENT_USER()")
            assert cur.fetchone()[0].startswith(restricted_account.user + "@")
    assert got == expected, sorted(url for url in urls if got[url] != 200)
    assert len(expected) >= 5, sorted(expected)  # more than the front page was exercised
    assert AuditEvent.objects.count() > events_before  # the views' audit events were written by the account


@pytest.mark.django_db(transaction=True)
def test_sign_in_and_audit_writes_work_as_the_restricted_account(restricted_account, alice, client):
    from audit.log import Event, record
    from audit.models import AuditEvent

    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        response = client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong password 1"})
        assert response.status_code in (200, 400) and b"not right" in response.content
        response = client.post(reverse("accounts:login"), {"username": "alice", "password": "Correct-horse-battery-42"})
        assert response.status_code == 302
        for _ in range(3):  # an append is NEXTVAL + INSERT: no UPDATE anywhere
            record(Event.LOGIN_FAILED)
    assert AuditEvent.objects.filter(code=Event.LOGIN_FAILED).count() >= 3


@pytest.mark.django_db(transaction=True)
def test_restricted_account_cannot_change_or_delete_audit_events(restricted_account):
    from audit.log import Event, record

    record(Event.LOGIN_FAILED)
    db = portal_db_name()
    assert restricted_account.execute("SELECT COUNT(*) FROM audit_auditevent", db=db)[0][0] >= 1
    for table in ("audit_auditevent", "audit_auditblock", "audit_auditprunecheckpoint", "audit_auditcheckpoint",
                  "audit_auditlegacyboundary"):
        _denied(restricted_account, f"UPDATE {table} SET id = id", db)
        _denied(restricted_account, f"DELETE FROM {table}", db)
        _denied(restricted_account, f"DROP TABLE {table}", db)
    # Nor can it write sealed blocks: the blocks are the sealing account's.
    _denied(restricted_account, "INSERT INTO audit_auditblock (number, first_id, last_id, count, digest, sealed_at,"
                                " prev_mac, mac) VALUES (1, 1, 1, 1, '', NOW(), '', '')", db)
    _denied(restricted_account, "SELECT * FROM django_migrations", db)


def _commented_grants(account_suffix):
    out = io.StringIO()
    call_command("portal_grants", openemr_db=openemr_db_name(), portal_db=portal_db_name(), stdout=out)
    return [line[2:].strip().replace("'localhost'", "'%'") for line in out.getvalue().splitlines()
            if line.startswith("--   GRANT") and f"'portal_{account_suffix}'@" in line]


@pytest.mark.django_db(transaction=True)
def test_audit_seal_and_verify_work_with_the_sealing_account_which_cannot_touch_events(restricted_account):
    from audit.log import Event, record
    from audit.models import AuditBlock

    for _ in range(3):
        record(Event.LOGIN_FAILED)
    password = "sealing-pw-1"
    root_execute(f"CREATE USER 'portal_seal'@'%' IDENTIFIED BY '{password}'")
    try:
        for statement in _commented_grants("seal"):
            root_execute(statement)
        with connected_as(["default"], "portal_seal", password):
            call_command("audit_seal", "--grace", "0", stdout=io.StringIO())
            call_command("audit_verify", stdout=io.StringIO())
        assert AuditBlock.objects.get().count == 3
        sealer = type(restricted_account)("portal_seal", password)
        _denied(sealer, "INSERT INTO audit_auditevent (id) VALUES (1)", portal_db_name())
        _denied(sealer, "DELETE FROM audit_auditevent", portal_db_name())
        _denied(sealer, "UPDATE audit_auditblock SET count = 0", portal_db_name())
    finally:
        root_execute("DROP USER 'portal_seal'@'%'")


@pytest.mark.django_db(transaction=True)
def test_audit_prune_works_with_the_maintenance_account_but_not_the_runtime_account(restricted_account):
    import datetime

    import time_machine

    from audit.log import Event, record
    from audit.models import AuditPruneCheckpoint
    from audit.seal import seal

    with time_machine.travel(datetime.datetime(2019, 1, 2, 12, tzinfo=datetime.UTC)):
        record(Event.LOGIN_FAILED)
    seal(grace=0)
    record(Event.LOGIN_FAILED)
    password = "maintenance-pw-1"
    root_execute(f"CREATE USER 'portal_audit'@'%' IDENTIFIED BY '{password}'")
    try:
        for statement in _commented_grants("audit"):
            root_execute(statement)
        with connected_as(["default"], restricted_account.user, restricted_account.password):
            with pytest.raises(Exception, match="DELETE command denied"):
                call_command("audit_prune", "--before=2020-01-01", "--force", stdout=io.StringIO())
        with connected_as(["default"], "portal_audit", password):
            call_command("audit_prune", "--before=2020-01-01", "--force", stdout=io.StringIO())
            call_command("audit_verify", stdout=io.StringIO())
        assert AuditPruneCheckpoint.objects.count() == 1
    finally:
        root_execute("DROP USER 'portal_audit'@'%'")


@pytest.mark.django_db(transaction=True)
def test_migration_account_can_migrate_the_portal_schema_only():
    password = "migrate-pw-1"
    root_execute(f"CREATE USER 'portal_migrate'@'%' IDENTIFIED BY '{password}'")
    try:
        for statement in _commented_grants("migrate"):
            root_execute(statement)
        with connected_as(["default", "openemr"], "portal_migrate", password):
            call_command("migrate", verbosity=0)
            with pytest.raises(Exception, match="denied"):
                with connections["openemr"].cursor() as cur:
                    cur.execute("SELECT pid FROM patient_data LIMIT 1")
    finally:
        root_execute("DROP USER 'portal_migrate'@'%'")


@pytest.mark.django_db(transaction=True)
def test_staff_and_activity_pages_serve_the_same_as_the_restricted_account(restricted_account, alice, bob,
                                                                           staff_client, openemr):
    from django.test import Client

    from tests.conftest import _verified_client

    rich_record(pid=1)
    alice_client = _verified_client(Client(), alice, alice.totpdevice_set.get())
    pages = [(staff_client, reverse("staff:home")), (staff_client, reverse("staff:account_list")),
             (staff_client, reverse("staff:patient", args=[1])), (staff_client, reverse("staff:patient", args=[2])),
             (alice_client, reverse("audit:activity"))]
    for client, _url in pages:
        client.raise_request_exception = False
    expected = [(client, url) for client, url in pages if client.get(url).status_code == 200]
    assert len(expected) >= 3, "the staff console and activity pages should mostly work by now"
    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        failed = [url for client, url in expected if client.get(url).status_code != 200]
    assert failed == []


def test_an_audit_model_may_declare_its_own_grants(monkeypatch):
    from django.core.management.base import CommandError

    from audit.models import AuditCheckpoint

    monkeypatch.setattr(AuditCheckpoint, "audit_grants", ("select", "insert", "update"), raising=False)
    statements = grant_statements(openemr_db="openemr", portal_db="openemr_portal")
    assert "GRANT SELECT, INSERT, UPDATE ON `openemr_portal`.`audit_auditcheckpoint` TO 'portal'@'%';" in statements
    monkeypatch.setattr(AuditCheckpoint, "audit_grants", ("SELECT", "DROP"), raising=False)
    with pytest.raises(CommandError, match="unknown privileges"):
        grant_statements(openemr_db="openemr", portal_db="openemr_portal")


@pytest.mark.django_db(transaction=True)
def test_operator_pipes_portal_grants_into_mariadb_and_the_account_appends_audit_events_but_cannot_rewrite():
    """As the DBA would: `manage.py portal_grants ... | mariadb`, then the portal runs as that account."""
    import os
    import secrets
    import subprocess
    import sys
    from pathlib import Path

    from audit.log import Event, record
    from audit.models import AuditEvent
    from tests.deploy.conftest import Account

    user, password = f"op_{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    root_execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
    try:
        grants = subprocess.run(
            [sys.executable, "manage.py", "portal_grants", "--user", user, "--host", "%", "--openemr-db",
             openemr_db_name(), "--portal-db", portal_db_name()], cwd=Path(__file__).resolve().parents[2],
            capture_output=True, text=True, timeout=120)
        assert grants.returncode == 0, grants.stderr
        assert f"GRANT SELECT, INSERT ON `{portal_db_name()}`.`audit_event_id` TO '{user}'@'%';" in grants.stdout
        applied = subprocess.run(["mariadb", "-h127.0.0.1", f"-P{os.environ['PORTAL_TEST_MARIADB_PORT']}", "-uroot"],
                                 input=grants.stdout, capture_output=True, text=True, timeout=120)
        assert applied.returncode == 0, applied.stderr
        with connected_as(["default"], user, password):
            event = record(Event.LOGIN_FAILED)
        assert AuditEvent.objects.filter(id=event.id).exists()
        account = Account(user, password)
        for table in ("audit_auditevent", "audit_auditblock"):
            _denied(account, f"UPDATE {table} SET id = id", portal_db_name())
            _denied(account, f"DELETE FROM {table}", portal_db_name())
    finally:
        root_execute(f"DROP USER IF EXISTS '{user}'@'%'")
