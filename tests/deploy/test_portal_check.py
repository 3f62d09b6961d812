"""`portal_check` and the system check: the portal refuses to serve with a writable account or a missing column."""

import io
import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from portal.checks import grant_covers, parse_grant, write_privileges_on
from tests.deploy.conftest import (connected_as, grant_statements, openemr_db_name, portal_db_name, root_connection,
                                   root_execute)
from tests.mariadb import load_openemr_schema

pytestmark = pytest.mark.django_db(transaction=True)


def portal_check():
    """(passed, stdout, stderr) of `manage.py portal_check`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("portal_check", stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def test_passes_for_the_account_made_by_portal_grants(restricted_account):
    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        passed, out, err = portal_check()
    assert passed, err
    assert "portal_check passed" in out
    assert "W010" not in out  # reads nothing beyond the mapped columns


@pytest.mark.parametrize(("grant", "named"), [
    ("GRANT INSERT ON `{db}`.* TO {to}", "INSERT on `{db}`.*"),
    ("GRANT DELETE ON *.* TO {to}", "DELETE on *.*"),
    ("GRANT UPDATE ON `{db}`.`lists` TO {to}", "UPDATE on `{db}`.`lists`"),
    ("GRANT UPDATE (fname) ON `{db}`.`patient_data` TO {to}", "UPDATE on `{db}`.`patient_data`"),
    ("GRANT ALL PRIVILEGES ON `{db}`.* TO {to}", "ALL PRIVILEGES on `{db}`.*"),
    ("GRANT CREATE, DROP ON `{db}`.* TO {to}", "DROP on `{db}`.*"),
    ("GRANT ALTER ON `test\\_open%`.* TO {to}", "ALTER on `test\\_open%`.*"),
])
def test_fails_naming_the_privilege_when_the_account_can_write_to_openemr(restricted_account, grant, named):
    db, to = openemr_db_name(), f"'{restricted_account.user}'@'%'"
    root_execute(grant.format(db=db, to=to))
    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        passed, _out, err = portal_check()
    assert not passed
    assert "portal.E010" in err and named.format(db=db) in err


def test_write_privileges_held_through_roles_are_found(restricted_account):
    from django.db import connections

    role, inner = f"portal_role_{secrets.token_hex(3)}", f"portal_inner_{secrets.token_hex(3)}"
    root_execute(f"CREATE ROLE {role}")
    root_execute(f"CREATE ROLE {inner}")
    try:
        root_execute(f"GRANT INSERT ON `{openemr_db_name()}`.`forms` TO {role}")
        root_execute(f"GRANT ALTER ON *.* TO {inner}")
        root_execute(f"GRANT {inner} TO {role}")  # a role inside a role
        root_execute(f"GRANT {role} TO '{restricted_account.user}'@'%'")
        root_execute(f"SET DEFAULT ROLE {role} FOR '{restricted_account.user}'@'%'")
        with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
            passed, _out, err = portal_check()
            with connections["openemr"].cursor() as cur:
                cur.execute("SELECT CURRENT_ROLE()")
                assert cur.fetchone()[0] == role  # the check put the session's role back
        assert not passed
        assert f"INSERT on `{openemr_db_name()}`.`forms`" in err and "ALTER on *.*" in err
    finally:
        root_execute(f"DROP ROLE {role}")
        root_execute(f"DROP ROLE {inner}")


def test_system_check_refuses_a_writable_account_and_accepts_the_restricted_one(restricted_account):
    # The test session's own account is root: it can write everything.
    with pytest.raises(SystemCheckError, match="portal.E010"):
        call_command("check", databases=["openemr"], stdout=io.StringIO(), stderr=io.StringIO())
    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        call_command("check", databases=["openemr"], stdout=io.StringIO(), stderr=io.StringIO())
    call_command("check", stdout=io.StringIO())  # without --database the check does not touch the databases


def test_writable_account_is_only_a_warning_in_development_with_the_setting(settings):
    settings.DEBUG = True
    settings.PORTAL_ALLOW_WRITABLE_OPENEMR = True
    passed, out, _err = portal_check()
    assert passed and "portal.W011" in out
    settings.DEBUG = False  # the setting alone, without DEBUG, never allows it
    passed, _out, err = portal_check()
    assert not passed and "portal.E010" in err


def test_extra_read_access_is_a_warning(restricted_account):
    root_execute(f"GRANT SELECT ON `{openemr_db_name()}`.`users_secure` TO '{restricted_account.user}'@'%'")
    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        passed, out, _err = portal_check()
    assert passed
    assert "portal.W010" in out and "users_secure" in out


@pytest.fixture
def scratch_openemr(restricted_account):
    """A scratch OpenEMR database (our DDL) that the restricted account may read as portal_grants says."""
    name = f"scratch_openemr_{secrets.token_hex(3)}"
    conn = root_connection()
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    conn.select_db(name)
    load_openemr_schema(conn)
    with conn.cursor() as cur:
        for statement in grant_statements(user=restricted_account.user, host="%", openemr_db=name,
                                          portal_db=portal_db_name()):
            if f"`{name}`." in statement:
                cur.execute(statement)
    conn.commit()
    conn.close()
    yield name
    root_execute(f"DROP DATABASE `{name}`")


def test_fails_naming_a_missing_column_and_the_openemr_version_that_added_it(restricted_account, scratch_openemr):
    root_execute("ALTER TABLE patient_data DROP COLUMN pronoun", db=scratch_openemr)
    root_execute("ALTER TABLE immunizations DROP COLUMN encounter_id", db=scratch_openemr)
    with connected_as(["openemr"], restricted_account.user, restricted_account.password, NAME=scratch_openemr), \
            connected_as(["default"], restricted_account.user, restricted_account.password):
        passed, _out, err = portal_check()
    assert not passed
    assert "patient_data.pronoun is missing (added in OpenEMR 8.0.0)" in err
    assert "immunizations.encounter_id is missing (added in OpenEMR 7.0.4)" in err
    assert "E010" not in err


def test_fails_on_a_missing_table_and_on_an_incompatible_type(restricted_account, scratch_openemr):
    root_execute("DROP TABLE lists_medication", db=scratch_openemr)
    root_execute("ALTER TABLE prescriptions MODIFY start_date varchar(10)", db=scratch_openemr)
    with connected_as(["openemr"], restricted_account.user, restricted_account.password, NAME=scratch_openemr), \
            connected_as(["default"], restricted_account.user, restricted_account.password):
        passed, _out, err = portal_check()
    assert not passed
    assert "OpenEMR table lists_medication is missing (added in OpenEMR 6.1.0)" in err
    assert "prescriptions.start_date is varchar, which a DateField cannot read" in err


def test_the_shared_test_schema_matches_every_mapped_column():
    from portal.checks import check_columns

    assert check_columns() == []


# --- SHOW GRANTS parsing (MariaDB and MySQL 8 spellings) -----------------------------------------------------
def test_parses_column_level_mariadb_grants():
    grant = parse_grant("GRANT SELECT (`pid`, `DOB`), INSERT (`fname`) ON `openemr`.`patient_data` TO `portal`@`%`")
    assert grant.privileges == [("SELECT", ["pid", "DOB"]), ("INSERT", ["fname"])]
    assert (grant.database, grant.table) == ("openemr", "patient_data")
    assert write_privileges_on([grant], "openemr") == ["INSERT on `openemr`.`patient_data`"]
    assert write_privileges_on([grant], "other") == []


def test_parses_mysql8_global_role_and_routine_grants():
    usage = parse_grant("GRANT USAGE ON *.* TO `portal`@`10.0.0.5`")
    assert write_privileges_on([usage], "openemr") == []
    role = parse_grant("GRANT `app_read`@`%`,`app_write`@`%` TO `portal`@`10.0.0.5`")
    assert role.roles == ["app_read", "app_write"]
    assert role.role_refs == ["`app_read`@`%`", "`app_write`@`%`"]
    routine = parse_grant("GRANT EXECUTE, ALTER ROUTINE ON PROCEDURE `openemr`.`p` TO `portal`@`%`")
    assert routine.routine and write_privileges_on([routine], "other") == []
    # A routine of OpenEMR's schema runs as its definer and may write: refused (issue 9, allow-list).
    assert write_privileges_on([routine], "openemr") == ["EXECUTE on `openemr`.`p` (a stored routine)",
                                                         "ALTER ROUTINE on `openemr`.`p` (a stored routine)"]


def test_database_level_grants_use_like_wildcards():
    assert grant_covers(parse_grant("GRANT INSERT ON `open%`.* TO `u`@`%`"), "openemr")
    assert grant_covers(parse_grant("GRANT INSERT ON `openem_`.* TO `u`@`%`"), "openemr")
    assert not grant_covers(parse_grant("GRANT INSERT ON `openem\\_`.* TO `u`@`%`"), "openemr")
    assert not grant_covers(parse_grant("GRANT INSERT ON `openemr_portal`.* TO `u`@`%`"), "openemr")
    assert not grant_covers(parse_grant("GRANT INSERT ON `openemr`.`x` TO `u`@`%`"), "openemr2")


@pytest.fixture
def sqlite_openemr(tmp_path):
    """A demo-style SQLite OpenEMR database under its own alias, with patient_data lacking `pronoun`."""
    from django.db import connections
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from portal.lib.openemr_schema import mapped_columns

    alias = "demo_openemr_check"
    wrapper = DatabaseWrapper({
        "ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "openemr.sqlite3"), "USER": "", "PASSWORD": "",
        "HOST": "", "PORT": "", "OPTIONS": {}, "TIME_ZONE": None, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "TEST": {},
    }, alias)
    columns = [c for c in mapped_columns() if c.table == "patient_data" and c.column != "pronoun"]
    sql_types = {"BigIntegerField": "bigint", "IntegerField": "integer", "CharField": "varchar(255)",
                 "TextField": "text", "DateField": "date", "DateTimeField": "datetime", "BinaryField": "blob"}
    with wrapper.cursor() as cur:
        cur.execute("CREATE TABLE patient_data (" + ", ".join(
            f'"{c.column}" {sql_types[c.internal_type]}' for c in columns) + ")")
    connections[alias] = wrapper
    yield alias
    wrapper.close()
    del connections[alias]


def test_on_sqlite_the_columns_are_checked_and_grants_and_tls_are_skipped(sqlite_openemr):
    from portal.checks import check_columns, check_grants, check_tls

    messages = check_columns(sqlite_openemr)
    texts = [m.msg for m in messages]
    assert "patient_data.pronoun is missing (added in OpenEMR 8.0.0)." in texts
    assert not any(t.startswith("patient_data.") and "pronoun" not in t for t in texts)  # types accepted
    assert "OpenEMR table lists is missing (expected in every OpenEMR version)." in texts
    assert [m.id for m in check_grants(sqlite_openemr)] == ["portal.I001"]
    assert [m.id for m in check_tls([sqlite_openemr])] == ["portal.I002"]


def test_an_unreachable_openemr_database_fails_the_check():
    from tests.mariadb import free_port

    with connected_as(["openemr"], "root", "", PORT=str(free_port())):
        passed, _out, err = portal_check()
    assert not passed and "portal.E030" in err and "Cannot query the openemr database" in err


def test_serving_errors_are_cached_for_the_health_check(restricted_account):
    from portal.checks import serving_errors

    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        assert serving_errors(max_age=0) == []
        root_execute(f"GRANT DELETE ON `{openemr_db_name()}`.`lists` TO '{restricted_account.user}'@'%'")
        assert serving_errors(max_age=3600) == []  # cached: no queries per probe
        assert serving_errors(max_age=0) == ["portal.E010"]


def test_the_portal_database_account_may_not_write_to_openemr_either(restricted_account):
    # The test session's portal database account is root: a breached portal would hold its password too.
    with connected_as(["openemr"], restricted_account.user, restricted_account.password):
        passed, _out, err = portal_check()
    assert not passed
    assert "The default account can change OpenEMR's schema" in err
    assert "The openemr account can change" not in err


def test_manage_py_portal_check_exits_1_so_systemd_does_not_start_the_portal():
    import subprocess
    import sys
    from pathlib import Path

    manage = Path(__file__).resolve().parents[2] / "manage.py"
    result = subprocess.run([sys.executable, str(manage), "portal_check"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1  # the session's environment uses root, which can write to OpenEMR
    assert "portal.E010" in result.stderr and "the portal must not serve" in result.stderr


def test_missing_pc_pid_index_is_advice_with_the_exact_statement_and_goes_away_once_added(restricted_account,
                                                                                         scratch_openemr):
    with connected_as(["openemr"], restricted_account.user, restricted_account.password, NAME=scratch_openemr), \
            connected_as(["default"], restricted_account.user, restricted_account.password):
        passed, out, err = portal_check()
        assert passed, err  # a warning: the portal still serves, its reads are bounded without the index
        assert "openemr_postcalendar_events.pc_pid has no index" in out + err
        assert (f"CREATE INDEX portal_pc_pid ON `{scratch_openemr}`.openemr_postcalendar_events "
                "(pc_pid, pc_eventDate);") in out + err
        root_execute("CREATE INDEX portal_pc_pid ON openemr_postcalendar_events (pc_pid, pc_eventDate)",
                     db=scratch_openemr)
        passed, out, err = portal_check()
    assert passed and "pc_pid has no index" not in out + err
    assert "form_clinical_notes.form_id has no index" in out + err  # the others are still advised


def test_an_account_that_could_rewrite_the_audit_trail_is_named_as_a_warning(restricted_account):
    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        passed, out, err = portal_check()
        assert passed and "W030" not in out + err  # portal_grants: INSERT and SELECT only on audit tables
        root_execute(f"GRANT UPDATE, DELETE ON `{portal_db_name()}`.`audit_auditevent` "
                     f"TO '{restricted_account.user}'@'%'")
        passed, out, err = portal_check()
    assert passed  # advice: the portal still serves
    assert "portal.W030: The default account can change or delete audit rows: DELETE on " \
           f"`{portal_db_name()}`.`audit_auditevent`; UPDATE on `{portal_db_name()}`.`audit_auditevent`." in out
