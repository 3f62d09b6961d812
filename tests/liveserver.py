"""The portal served by gunicorn with the production configuration (deploy/gunicorn.conf.py), for tests that
need the real middleware, error handlers and logging of a server process rather than Django's test client."""

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.mariadb import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def production_env(**overrides):
    """The test session's environment with production values where the session relaxes them: secure cookies,
    self-checks every 300 s, DEBUG off. Pass None to remove a variable."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_DEBUG": "0",
           "PORTAL_SECURE_COOKIES": "1", "PORTAL_SELF_CHECK_SECONDS": "300", "PORTAL_LOG_LEVEL": "INFO",
           # As pyproject.toml does for the suite: static files come from the finders, not a collected
           # STATIC_ROOT, and whitenoise warns about that in each worker as it boots (two lines in the log).
           "PYTHONWARNINGS": "ignore:No directory at:UserWarning"}
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(env, *args, timeout=600):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=timeout)
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


class Gunicorn:
    def __init__(self, env, log_path, workers=2):
        self.port = free_port()
        self.log_path = Path(log_path)
        self.env = {**env, "PORTAL_GUNICORN_BIND": f"127.0.0.1:{self.port}",
                    "PORTAL_GUNICORN_WORKERS": str(workers), "PORTAL_GUNICORN_LOGLEVEL": "info"}
        self.process = None

    def start(self, timeout=90):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(GUNICORN), "--config", str(ROOT / "deploy" / "gunicorn.conf.py"), "portal.wsgi:application"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log()}")
            try:
                self.request("GET", "/healthz")
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {timeout}s:\n{self.log()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_size(self):
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset):
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")

    def request(self, method, path, headers=None, body=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Host": "localhost", **(headers or {})}
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            return Response(raw.status, dict(raw.getheaders()), raw.read())
        finally:
            conn.close()
