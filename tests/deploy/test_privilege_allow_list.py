"""portal_check's privilege test is an allow-list (issue 9, defect 7): on OpenEMR's schema only SELECT (also on
columns) and USAGE; on *.* only USAGE. Each privilege below used to pass as "read-only" because it is not a
data-writing one, and each is given to a real restricted MariaDB account made by `portal_grants`."""

import pytest

from portal.checks import parse_grant, write_privileges_on
from tests.deploy.conftest import connected_as, openemr_db_name, root_execute
from tests.deploy.test_portal_check import portal_check

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("grant", "named"), [
    ("GRANT SUPER ON *.* TO {to}", "SUPER on *.*"),
    ("GRANT FILE ON *.* TO {to}", "FILE on *.*"),
    ("GRANT LOCK TABLES ON *.* TO {to}", "LOCK TABLES on *.*"),
    ("GRANT SHUTDOWN ON *.* TO {to}", "SHUTDOWN on *.*"),
    ("GRANT CREATE USER ON *.* TO {to}", "CREATE USER on *.*"),
    ("GRANT PROCESS, RELOAD ON *.* TO {to}", "RELOAD on *.*"),
    ("GRANT SELECT ON *.* TO {to}", "SELECT on *.*"),
    ("GRANT USAGE ON *.* TO {to} WITH GRANT OPTION", "GRANT OPTION on *.*"),
    ("GRANT SELECT (pid) ON `{db}`.`patient_data` TO {to} WITH GRANT OPTION", "GRANT OPTION on `{db}`.`patient_data`"),
    ("GRANT PROXY ON 'root'@'localhost' TO {to}", "PROXY on `root`@`localhost`"),
    ("GRANT LOCK TABLES ON `{db}`.* TO {to}", "LOCK TABLES on `{db}`.*"),
    ("GRANT SHOW VIEW ON `{db}`.* TO {to}", "SHOW VIEW on `{db}`.*"),
    ("GRANT CREATE TEMPORARY TABLES ON `{db}`.* TO {to}", "CREATE TEMPORARY TABLES on `{db}`.*"),
    ("GRANT REFERENCES (pid) ON `{db}`.`patient_data` TO {to}", "REFERENCES on `{db}`.`patient_data`"),
])
def test_any_privilege_beyond_select_and_usage_fails_the_check_naming_it(restricted_account, grant, named):
    db, to = openemr_db_name(), f"'{restricted_account.user}'@'%'"
    root_execute(grant.format(db=db, to=to))
    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        passed, _out, err = portal_check()
    assert not passed, err
    assert "portal.E010" in err and named.format(db=db) in err, err


def test_column_level_select_on_openemr_is_allowed(restricted_account):
    # portal_grants' own column-level SELECTs pass (the account passes portal_check, see test_portal_check);
    # an extra column is more reading than needed (W010), not a refusal.
    root_execute(f"GRANT SELECT (pubpid) ON `{openemr_db_name()}`.`patient_data` TO '{restricted_account.user}'@'%'")
    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        passed, out, err = portal_check()
    assert passed, err
    assert "E010" not in out + err


def test_the_allow_list_reads_show_grants_lines():
    lines = {
        "GRANT USAGE ON *.* TO `portal`@`%` IDENTIFIED BY PASSWORD '*AB' WITH GRANT OPTION": ["GRANT OPTION on *.*"],
        "GRANT USAGE ON *.* TO `portal`@`%` WITH MAX_QUERIES_PER_HOUR 10": [],
        "GRANT SELECT (`pid`) ON `openemr`.`patient_data` TO `portal`@`%`": [],
        "GRANT SELECT ON `openemr`.* TO `portal`@`%`": [],
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `openemr_portal`.* TO `portal`@`%`": [],  # its own schema
        "GRANT BINLOG MONITOR ON *.* TO `portal`@`%`": ["BINLOG MONITOR on *.*"],
        "GRANT PROXY ON ''@'%' TO `portal`@`%`": ["PROXY on ''@'%'"],
        "GRANT `reader` TO `portal`@`%`": [],  # the role's own grants are checked (effective_grants)
    }
    for line, expected in lines.items():
        assert write_privileges_on([parse_grant(line)], "openemr") == expected, line
