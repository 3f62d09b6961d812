"""The embedded demo (`make demo` runs scripts/demo) in a throwaway copy of the project.

The copy gets a .venv/bin/python that runs this virtualenv's Python and a stub .venv/bin/gunicorn that only
records its arguments, so the whole script runs (demo.env, synthetic OpenEMR SQLite, migrations,
collectstatic, demo accounts) without serving. The demo patient then signs in with the printed credentials
through Django's test client, against the demo's own settings (DEBUG off, whitenoise manifest).
"""

import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
COPIED = ["manage.py", "portal", "records", "accounts", "audit", "devtools", "templates", "static", "scripts"]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clean_env(**extra):
    """The environment of a new shell: none of the test session's PORTAL_*/OPENEMR_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "OPENEMR_", "DJANGO_"))}
    env.update(extra)
    return env


def _demo_env(copy):
    """What `set -a; . ./demo.env` gives (values are written single-quoted, one per line)."""
    env = _clean_env()
    for line in (copy / "demo.env").read_text().splitlines():
        match = re.fullmatch(r"([A-Z_]+)='(.*)'", line)
        if match:
            env[match.group(1)] = match.group(2)
    return env


class DemoCopy:
    def __init__(self, path):
        self.path = path
        self.port = _free_port()
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, path / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, path / name)
        bin_dir = path / ".venv" / "bin"
        bin_dir.mkdir(parents=True)
        self._script(bin_dir / "python", f'exec "{sys.executable}" "$@"\n')
        self._script(bin_dir / "gunicorn", f'echo "$@" > "{path}/gunicorn-args"\n')

    def _script(self, path, body):
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(0o755)

    def run_demo(self, **env):
        return subprocess.run([str(self.path / "scripts" / "demo")], cwd=self.path, capture_output=True, text=True,
                              env=_clean_env(DEMO_PORT=str(self.port), **env), timeout=600)

    def manage(self, *args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=self.path, capture_output=True, text=True,
                              env=_demo_env(self.path), timeout=300)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    copy = DemoCopy(tmp_path_factory.mktemp("demo"))
    first = copy.run_demo()
    assert first.returncode == 0, first.stdout + first.stderr
    copy.first_output = first.stdout
    return copy


def test_demo_writes_a_private_demo_env_with_every_setting(demo):
    env = _demo_env(demo.path)
    assert stat.S_IMODE((demo.path / "demo.env").stat().st_mode) == 0o600
    assert len(env["PORTAL_SECRET_KEY"]) >= 50 and env["PORTAL_AUDIT_KEY"] != env["PORTAL_SECRET_KEY"]
    assert env["PORTAL_DATABASE_URL"] == f"sqlite:///{demo.path}/var/portal.sqlite3"
    assert env["OPENEMR_DATABASE_URL"] == f"sqlite:///{demo.path}/var/openemr-demo.sqlite3"
    assert (env["PORTAL_DEBUG"], env["PORTAL_SECURE_COOKIES"]) == ("0", "0")
    assert env["PORTAL_CLINIC_NAME"] == "Riverside Family Clinic (demo)"
    assert env["PORTAL_CLINIC_TIME_ZONE"] == "America/New_York"


def test_demo_builds_both_databases_and_starts_gunicorn_on_localhost(demo):
    assert (demo.path / "var" / "openemr-demo.sqlite3").stat().st_size > 100_000
    assert not (demo.path / "var" / "openemr-demo.sqlite3.tmp").exists()
    assert (demo.path / "var" / "portal.sqlite3").exists()
    assert (demo.path / "staticfiles" / "staticfiles.json").exists()  # whitenoise's manifest
    args = (demo.path / "gunicorn-args").read_text().split()
    assert args[:5] == ["portal.wsgi", "--bind", f"127.0.0.1:{demo.port}", "--workers", "2"]


def test_demo_prints_how_to_sign_in(demo):
    out = demo.first_output
    assert f"Open http://127.0.0.1:{demo.port}/accounts/login/" in out
    assert "username    demo" in out and "password    Lantern-Harbor-Quill-26" in out
    assert "username    frontdesk" in out and "password    Copper-Meadow-Signal-73" in out
    assert re.search(r"set up with the key\s*\|\n\|\s+([A-Z2-7]{4} ){7}[A-Z2-7]{4}\s", out)
    assert re.search(r"backup code \(each works once\): [a-z2-7]{8}, [a-z2-7]{8}, [a-z2-7]{8}", out)
    assert "set -a; . ./demo.env; .venv/bin/python manage.py demo_accounts --totp" in out


def test_rerunning_the_demo_keeps_secrets_and_data_and_renews_backup_codes(demo):
    env_before = (demo.path / "demo.env").read_text()
    openemr = demo.path / "var" / "openemr-demo.sqlite3"
    mtime = openemr.stat().st_mtime_ns
    again = demo.run_demo()
    assert again.returncode == 0, again.stderr
    assert (demo.path / "demo.env").read_text() == env_before
    assert openemr.stat().st_mtime_ns == mtime
    key = re.compile(r"set up with the key\s*\|\n\|\s+(\S.*?)\s+\|")
    assert key.search(again.stdout).group(1) == key.search(demo.first_output).group(1)
    codes = re.compile(r"backup code \(each works once\): (.*?)\s+\|")
    assert codes.search(again.stdout).group(1) != codes.search(demo.first_output).group(1)


def _fresh_authenticator(demo):
    """Re-running demo_accounts resets the TOTP device, so a code used by an earlier test in the same 30 s
    step is not refused as a replay."""
    assert demo.manage("demo_accounts").returncode == 0


def test_demo_patient_signs_in_with_the_printed_credentials(demo):
    _fresh_authenticator(demo)
    script = textwrap.dedent("""
        import json
        from django.test import Client
        from django.urls import reverse
        from accounts.management.commands.demo_accounts import PATIENT_PASSWORD, PATIENT_TOTP_KEY, current_code
        from accounts.models import PatientAccount
        from records.models import PatientData

        client = Client(HTTP_HOST="127.0.0.1")
        login = client.post(reverse("accounts:login"), {"username": "demo", "password": PATIENT_PASSWORD})
        code = client.post(login.url, {"otp_token": current_code(PATIENT_TOTP_KEY)})
        home = client.get(code.url)
        account = PatientAccount.objects.get(user__username="demo")
        patient = PatientData.objects.get(pid=account.pid)
        print(json.dumps({"login": [login.status_code, login.url], "code": code.status_code,
                          "home": home.status_code, "pid": account.pid, "state": account.state,
                          "fname": patient.fname, "portal": patient.allow_patient_portal}))
    """)
    result = demo.manage("shell", "-c", script)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["login"] == [302, "/accounts/login/code/"]
    assert (outcome["code"], outcome["home"]) == (302, 200)
    assert (outcome["pid"], outcome["state"], outcome["fname"], outcome["portal"]) == (1, "active", "Alice", "YES")


def test_totp_option_prints_the_current_codes_for_both_accounts(demo):
    result = demo.manage("demo_accounts", "--totp")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^demo\s+\d{6}\s", result.stdout, re.M)
    assert re.search(r"^frontdesk\s+\d{6}\s", result.stdout, re.M)


def test_demo_refuses_to_start_when_the_port_is_busy(tmp_path):
    copy = DemoCopy(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", copy.port))
        sock.listen()
        result = copy.run_demo()
    assert result.returncode == 1
    assert f"Port {copy.port} on 127.0.0.1 is already in use" in result.stderr
    assert not (tmp_path / "demo.env").exists()


def test_every_chart_page_of_the_demo_patient_renders_from_the_demo_data(demo):
    _fresh_authenticator(demo)
    script = textwrap.dedent("""
        import json
        from django.test import Client
        from django.urls import reverse
        from accounts.management.commands.demo_accounts import PATIENT_PASSWORD, PATIENT_TOTP_KEY, current_code
        from records.models import FormEncounter, ProcedureOrder, ProcedureReport

        client = Client(HTTP_HOST="127.0.0.1")
        login = client.post(reverse("accounts:login"), {"username": "demo", "password": PATIENT_PASSWORD})
        client.post(login.url, {"otp_token": current_code(PATIENT_TOTP_KEY)})
        encounter = FormEncounter.objects.filter(pid=1).order_by("-date").values_list("encounter", flat=True)[0]
        orders = ProcedureOrder.objects.filter(patient_id=1).values_list("procedure_order_id", flat=True)
        report = ProcedureReport.objects.filter(procedure_order_id__in=list(orders)).order_by(
            "-date_report").values_list("procedure_report_id", flat=True)[0]
        pages = [reverse(f"records:{name}") for name in (
            "summary", "visits", "medications", "problems", "allergies", "immunizations", "results", "vitals",
            "appointments", "profile")]
        pages += [reverse("records:visit_detail", args=[encounter]), reverse("records:result_detail", args=[report]),
                  reverse("records:analyte", args=["2093-3"])]
        statuses = {page: client.get(page).status_code for page in pages}
        profile = client.get(reverse("records:profile")).content.decode()
        print(json.dumps({"statuses": statuses, "name_shown": "Alice" in profile}))
    """)
    result = demo.manage("shell", "-c", script)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert {page: status for page, status in outcome["statuses"].items() if status != 200} == {}
    assert outcome["name_shown"]
