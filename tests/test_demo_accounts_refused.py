"""`demo_accounts` refuses to run on a real portal's databases (issue 9, defect 9): it would create a staff login
whose password and TOTP key are in the source. The demo itself (SQLite) still works: tests/test_demo.py runs
scripts/demo, which runs demo_accounts, end to end."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


def _production_env():
    from django.db import connections

    base = os.environ["PORTAL_DATABASE_URL"].rsplit("/", 1)[0]
    return {**os.environ, "PORTAL_DEBUG": "0", "PORTAL_SECURE_COOKIES": "1",
            "PORTAL_DATABASE_URL": f"{base}/{connections['default'].settings_dict['NAME']}"}


@pytest.mark.parametrize("args", [[], ["--totp"]])
def test_demo_accounts_is_refused_on_mariadb_and_creates_nothing(openemr, args):
    from django.contrib.auth import get_user_model

    from tests import factories

    factories.PatientFactory(pid=1)  # what the command would make a demo login for
    result = subprocess.run([sys.executable, "manage.py", "demo_accounts", *args], cwd=ROOT, env=_production_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "demo_accounts only runs on the demo's SQLite databases" in result.stderr
    assert "nothing was changed" in result.stderr
    assert "Lantern" not in result.stdout + result.stderr  # no password printed
    assert not get_user_model().objects.filter(username__in=["demo", "frontdesk"]).exists()


def test_demo_accounts_is_refused_when_only_one_database_is_sqlite(tmp_path):
    env = {**_production_env(), "OPENEMR_DATABASE_URL": f"sqlite:///{tmp_path / 'openemr.sqlite3'}"}
    result = subprocess.run([sys.executable, "manage.py", "demo_accounts"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1
    assert "mysql (PORTAL_DATABASE_URL) and sqlite3 (OPENEMR_DATABASE_URL)" in result.stderr
