"""The system under test: a throwaway MariaDB, the generated OpenEMR data, the portal database, gunicorn.

Everything binds to 127.0.0.1 on free ports and lives in one temporary directory, removed at the end
(unless --keep). Every wait is bounded.
"""

import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.mariadb import MariaDBServer, free_port

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable

OPENEMR_DB = "openemr"
PORTAL_DB = "openemr_portal"
# Two MySQL accounts, as in production: the portal's read-write account on its own schema, and a SELECT-only
# account on OpenEMR (the portal also runs its OpenEMR session READ ONLY, the default, kept here).
PORTAL_USER, PORTAL_PASSWORD = "bench_portal", secrets.token_urlsafe(16)
READER_USER, READER_PASSWORD = "bench_reader", secrets.token_urlsafe(16)

# Production-like server flags on top of tests.mariadb's (which already sets a 256M buffer pool, relaxed
# flush for a throwaway server, utf8mb4): a buffer pool big enough for the 20,000-patient data set, and the
# performance schema off as on a default Debian install.
MARIADB_ARGS = ["--innodb-buffer-pool-size=1G", "--performance-schema=OFF", "--max-connections=300"]


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def _tail(path, lines=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Stack:
    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.server = None
        self.gunicorn = None
        self.gunicorn_port = None
        self.gunicorn_log = self.workdir / "gunicorn.log"
        self.secret_key = secrets.token_urlsafe(50)
        self.audit_key = secrets.token_urlsafe(32)
        self.otp_required = True

    # --- MariaDB ----------------------------------------------------------------------------------------
    def start_mariadb(self):
        self.server = MariaDBServer(basedir=self.workdir / "mariadb", extra_args=MARIADB_ARGS)
        self.server.start(timeout=120)
        self.server.execute(f"CREATE DATABASE `{OPENEMR_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
        self.server.execute(f"CREATE DATABASE `{PORTAL_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
        for statement in (
            f"CREATE USER '{PORTAL_USER}'@'127.0.0.1' IDENTIFIED BY '{PORTAL_PASSWORD}'",
            f"GRANT ALL PRIVILEGES ON `{PORTAL_DB}`.* TO '{PORTAL_USER}'@'127.0.0.1'",
            f"CREATE USER '{READER_USER}'@'127.0.0.1' IDENTIFIED BY '{READER_PASSWORD}'",
            f"GRANT SELECT ON `{OPENEMR_DB}`.* TO '{READER_USER}'@'127.0.0.1'",
        ):
            self.server.execute(statement)
        return self.server

    def version(self):
        return self.server.execute("SELECT VERSION()")[0][0]

    def root(self, db=OPENEMR_DB):
        return self.server.connect(db)

    # --- Environment for manage.py and gunicorn ---------------------------------------------------------
    def env(self, extra=None):
        """Production settings: the portal's two accounts, plain HTTP on loopback."""
        port = self.server.port
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "OPENEMR_"))}
        env.update({
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PORTAL_SECRET_KEY": self.secret_key,
            "PORTAL_AUDIT_KEY": self.audit_key,
            "PORTAL_DEBUG": "0",
            "PORTAL_DATABASE_URL": f"mysql://{PORTAL_USER}:{PORTAL_PASSWORD}@127.0.0.1:{port}/{PORTAL_DB}",
            "OPENEMR_DATABASE_URL": f"mysql://{READER_USER}:{READER_PASSWORD}@127.0.0.1:{port}/{OPENEMR_DB}",
            # Plain HTTP on loopback: Secure/__Host- cookies would not be sent back over http.
            "PORTAL_SECURE_COOKIES": "0",
            "PORTAL_CLINIC_TIME_ZONE": "America/New_York",
            "PORTAL_CLINIC_NAME": "Benchmark Clinic",
            "PORTAL_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PORTAL_STAFF_NETWORKS": "127.0.0.0/8",
            "PORTAL_LOG_LEVEL": "WARNING",
            "PORTAL_PATIENT_OTP_REQUIRED": "1" if self.otp_required else "0",
        })
        env.update(extra or {})
        return env

    def manage(self, *args, stream=False, timeout=3600, devtools=False):
        """Run manage.py; stream=True shows its output (progress) live; devtools=True installs the dev-tools
        app (fake_openemr) for that one command, never for the server."""
        cmd = [PY, str(REPO / "manage.py"), *args]
        env = self.env({"PORTAL_DEVTOOLS": "1"} if devtools else None)
        if stream:
            proc = subprocess.run(cmd, cwd=REPO, env=env, timeout=timeout)
            if proc.returncode:
                raise RuntimeError(f"manage.py {args[0]} failed ({proc.returncode})")
            return ""
        proc = subprocess.run(cmd, cwd=REPO, env=env, timeout=timeout, capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc.stdout

    # --- gunicorn ---------------------------------------------------------------------------------------
    def start_gunicorn(self, workers, timeout=90, app="portal.wsgi:application", extra_env=None):
        """The production gunicorn configuration (deploy/gunicorn.conf.py), on a free loopback port."""
        self.gunicorn_port = free_port()
        env = self.env(extra={
            "PORTAL_GUNICORN_BIND": f"127.0.0.1:{self.gunicorn_port}",
            "PORTAL_GUNICORN_WORKERS": str(workers),
            "PORTAL_GUNICORN_LOGLEVEL": "info",
            **(extra_env or {}),
        })
        logfile = open(self.gunicorn_log, "ab")
        self.gunicorn = subprocess.Popen(
            [str(Path(PY).parent / "gunicorn"), "--config", str(REPO / "deploy" / "gunicorn.conf.py"),
             app],
            cwd=REPO, env=env, stdout=logfile, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.gunicorn_port}/accounts/login/"
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.gunicorn_log}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return self.gunicorn_port
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer in {timeout}s; see {self.gunicorn_log}")

    def check_alive(self):
        """Stop the run, with the server's own words, if MariaDB or gunicorn has died under us."""
        if self.server and (self.server.process is None or self.server.process.poll() is not None):
            tail = _tail(self.server.basedir / "error.log")
            raise RuntimeError(f"MariaDB died during the run; the end of its error log:\n{tail}")
        if self.gunicorn is not None and self.gunicorn.poll() is not None:
            raise RuntimeError(f"gunicorn died during the run; the end of its log:\n{_tail(self.gunicorn_log)}")

    def worker_recycles(self):
        """How many times gunicorn recycled a worker (max_requests) so far."""
        try:
            text = self.gunicorn_log.read_text(errors="replace")
        except OSError:
            return 0
        return len(re.findall(r"Autorestarting worker", text))

    def stop_gunicorn(self):
        if self.gunicorn and self.gunicorn.poll() is None:
            self.gunicorn.terminate()
            try:
                self.gunicorn.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.gunicorn.kill()
                self.gunicorn.wait()
        self.gunicorn = None

    def destroy(self):
        self.stop_gunicorn()
        if self.server:
            self.server.destroy()
