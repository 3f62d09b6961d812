"""The shipped systemd units: systemd-analyze accepts every unit and timer, and the housekeeping unit's own
ExecStart= lines (clearsessions, axes_reset_logs) delete expired sessions and old access logs, nothing else."""

import datetime
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"


def unit_files(tmp_path):
    """The units with /opt/openemr-portal pointing at this checkout (systemd-analyze wants real executables)."""
    for unit in UNITS.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/openemr-portal", str(ROOT)))
    return sorted(tmp_path.iterdir())


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_analyze_accepts_every_unit_and_timer(tmp_path):
    files = unit_files(tmp_path)
    names = {f.name for f in files}
    for timer in [n for n in names if n.endswith(".timer")]:
        assert timer.replace(".timer", ".service") in names
    assert {"openemr-portal-housekeeping.timer", "openemr-portal-backup.timer",
            "openemr-portal-restore-test.timer"} <= names
    result = subprocess.run(["systemd-analyze", "verify", *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def exec_start_lines(unit):
    return [shlex.split(line.split("=", 1)[1].replace("/opt/openemr-portal", str(ROOT)))
            for line in (UNITS / unit).read_text().splitlines() if line.startswith("ExecStart=")]


@pytest.mark.django_db(transaction=True)
def test_housekeeping_unit_clears_expired_sessions_and_old_access_logs(alice):
    from axes.models import AccessLog
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    now = timezone.now()
    live, expired = SessionStore(), SessionStore()
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=now - datetime.timedelta(hours=1))
    old = AccessLog.objects.create(username="alice", ip_address="192.0.2.1", user_agent="x", path_info="/")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=now - datetime.timedelta(days=31))
    recent = AccessLog.objects.create(username="alice", ip_address="192.0.2.1", user_agent="x", path_info="/")

    commands = exec_start_lines("openemr-portal-housekeeping.service")
    assert [c[-1] if len(c) == 3 else c[2:] for c in commands] == ["clearsessions", ["axes_reset_logs", "--age", "30"]]
    env = {**os.environ, "PORTAL_DATABASE_URL": f"mysql://root@127.0.0.1:{os.environ['PORTAL_TEST_MARIADB_PORT']}/"
                                                 f"{connections['default'].settings_dict['NAME']}"}
    for command in commands:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    assert "1 logs removed" in result.stdout

    assert set(Session.objects.values_list("session_key", flat=True)) == {live.session_key}
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
