"""The demo runs on SQLite: its audit chain must append (also from two processes at once) and verify.

The suite itself never runs on SQLite; this test drives a separate manage.py process against a temporary
SQLite portal database, the way `make demo` does.
"""

import os
import subprocess
import time
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "OPENEMR_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_SECRET_KEY": "demo-secret",
        "PORTAL_AUDIT_KEY": "demo-audit-key", "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "OPENEMR_DATABASE_URL": f"sqlite:///{tmp_path / 'openemr.sqlite3'}", "PORTAL_DEBUG": "1",
    })
    return env


def _run(args, env, **kwargs):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          **kwargs)


@pytest.mark.slow
def test_an_sqlite_demo_database_appends_from_two_processes_and_verifies(tmp_path):
    env = _env(tmp_path)
    migrated = _run(["manage.py", "migrate", "--database", "default", "-v", "0"], env)
    assert migrated.returncode == 0, migrated.stderr
    start = str(time.time() + 4)  # every process is set up by then: they really append at the same time
    writers = [subprocess.Popen([sys.executable, "-m", "tests.audit.appender", "30", name, start], cwd=ROOT,
                                env=env, stderr=subprocess.PIPE, text=True) for name in ("a", "b")]
    for writer in writers:
        assert writer.wait(timeout=120) == 0, writer.stderr.read()
    verified = _run(["manage.py", "audit_verify"], env)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout == "Audit trail intact: 60 events not yet sealed.\n"
    anchor = tmp_path / "anchor"
    sealed = _run(["manage.py", "audit_seal", "--grace", "0", "--anchor-file", str(anchor)], env)
    assert sealed.returncode == 0, sealed.stderr
    assert "Sealed block 1: 60 events (ids 1..60)." in sealed.stdout
    verified = _run(["manage.py", "audit_verify", "--anchor", str(anchor)], env)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout == ("Audit trail intact: 60 events in 1 sealed blocks (through block 1, id 60); 0 events "
                               "not yet sealed; reaches the anchor's block 1.\n")

