"""deploy/systemd/openemr-portal-audit-seal.{service,timer}: the command the unit runs seals and anchors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections

from audit.log import Event, record
from audit.models import AuditBlock

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "systemd" / "openemr-portal-audit-seal.service"
TIMER = ROOT / "deploy" / "systemd" / "openemr-portal-audit-seal.timer"


def _settings(path):
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


def test_the_timer_starts_the_service_every_few_minutes():
    timer = _settings(TIMER)
    assert timer["OnUnitActiveSec"] == ["5min"] and timer["Persistent"] == ["true"]
    service = _settings(UNIT)
    assert service["Type"] == ["oneshot"] and service["User"] == ["portal"]
    assert service["ReadWritePaths"] == ["/var/lib/openemr-portal-audit"]  # the anchor, and nothing else


@pytest.mark.django_db(transaction=True)
def test_the_units_command_seals_and_writes_the_anchor(tmp_path):
    for i in range(3):
        record(Event.RECORD_VIEWED, pid=1, object_ids=[i])
    service = _settings(UNIT)
    (command,) = service["ExecStart"]
    argv = command.replace("/opt/openemr-portal/.venv/bin/python", sys.executable) \
        .replace("/opt/openemr-portal", str(ROOT)).split()
    assert argv[1:] == [str(ROOT / "manage.py"), "audit_seal"]
    anchor_setting = next(v for v in service["Environment"] if v.startswith("PORTAL_AUDIT_ANCHOR_FILE="))
    anchor = tmp_path / Path(anchor_setting.split("=", 1)[1]).name
    settings_dict = connections["default"].settings_dict
    env = dict(os.environ, PORTAL_DATABASE_URL=f"mysql://root@127.0.0.1:{settings_dict['PORT']}/"
                                               f"{settings_dict['NAME']}", PORTAL_AUDIT_ANCHOR_FILE=str(anchor))
    done = subprocess.run(argv + ["--grace", "0.5"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    block = AuditBlock.objects.get()
    assert block.count == 3 and f'"block":1,"last_id":{block.last_id},"mac":"{block.mac}"' in anchor.read_text()
