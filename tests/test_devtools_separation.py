"""Development tools never ship in the DMZ (issue 10, design change): the synthetic-data generator, fake_openemr,
the SQL-script loader and the benchmark code live in devtools/, which production settings do not install and
production code never imports."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_PACKAGES = ("portal", "records", "accounts", "audit")


def _production_env():
    env = dict(os.environ)
    env.pop("PORTAL_DEVTOOLS", None)
    return env


def test_no_production_module_imports_the_dev_tools():
    offenders = []
    for package in PRODUCTION_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if re.search(r"^\s*(from|import)\s+(devtools|bench)\b", path.read_text(), flags=re.M):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_production_settings_neither_install_nor_load_the_dev_tools():
    code = ("import sys, django; django.setup(); import portal.urls, portal.wsgi; from django.conf import settings; "
            "print('devtools' in settings.INSTALLED_APPS, any(m.split('.')[0] in ('devtools', 'bench') "
            "for m in sys.modules))")
    env = _production_env()
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_fake_openemr_is_not_a_command_of_a_production_install():
    result = subprocess.run([sys.executable, "manage.py", "fake_openemr", "--patients", "1"], cwd=ROOT,
                            env=_production_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "Unknown command: 'fake_openemr'" in result.stderr


def test_fake_openemr_runs_when_the_dev_tools_are_asked_for(tmp_path):
    env = _production_env()
    env["PORTAL_DEVTOOLS"] = "1"
    target = tmp_path / "openemr.sqlite3"
    result = subprocess.run([sys.executable, "manage.py", "fake_openemr", "--patients", "3", "--heavy-pid", "0",
                             "--create-schema", "--database-url", f"sqlite:///{target}"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "fake_openemr:" in result.stdout and target.exists()
