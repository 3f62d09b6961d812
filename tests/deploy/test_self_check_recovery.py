"""A failed self-check is not cached for PORTAL_SELF_CHECK_SECONDS (issue 9, defect 4): the portal used to answer
503 for five minutes after its database came back. A failure is re-checked after FAILED_RECHECK_SECONDS, a
database that cannot be reached is never cached, and a passing verdict still is (no queries per probe)."""

import pytest

from portal import checks
from tests.deploy.conftest import connected_as, openemr_db_name, root_execute
from tests.mariadb import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(checks.time, "monotonic", lambda: now[0])
    checks._last_run.update(at=None, errors=[])
    yield now
    checks._last_run.update(at=None, errors=[])


def test_a_failed_self_check_is_run_again_after_a_few_seconds_not_after_max_age(restricted_account, clock):
    grant = f"DELETE ON `{openemr_db_name()}`.`lists`"
    to = f"'{restricted_account.user}'@'%'"
    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password):
        root_execute(f"GRANT {grant} TO {to}")
        assert checks.serving_errors(max_age=300) == ["portal.E010"]
        root_execute(f"REVOKE {grant} FROM {to}")  # the DBA fixes the grant
        assert checks.serving_errors(max_age=300) == ["portal.E010"]  # within the short recheck
        clock[0] += checks.FAILED_RECHECK_SECONDS
        assert checks.serving_errors(max_age=300) == []  # not five minutes later
        root_execute(f"GRANT {grant} TO {to}")
        clock[0] += 60
        assert checks.serving_errors(max_age=300) == []  # a pass is cached for max_age
        root_execute(f"REVOKE {grant} FROM {to}")


def test_an_unreachable_portal_database_is_not_a_cached_grant_verdict(restricted_account, clock):
    with connected_as(["openemr", "default"], restricted_account.user, restricted_account.password), \
            connected_as(["default"], "root", "", PORT=str(free_port())):
        messages = checks.check_grants()
        assert [m.id for m in messages] == ["portal.E030"]  # was E011, cached for five minutes
        assert checks.serving_errors(max_age=300) == []
        assert checks._last_run["at"] is None
