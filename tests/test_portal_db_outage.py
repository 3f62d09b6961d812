"""An outage of the portal's own database (sessions, accounts, audit log) under a real gunicorn (issue 9,
defect 4): only the friendly 503 while it is down (also /healthz with a session cookie, where the 500 page used
to touch the session and fail again into gunicorn's bare 500), no traceback in any response, one log line per
failed request (not thousands), and recovery within 5 s of the database returning (a failed self-check used to
stay cached for five minutes).

Like tests/test_outage.py for OpenEMR's database, a private MariaDB is stopped and started; here it serves the
portal's database, behind gunicorn with deploy/gunicorn.conf.py, DEBUG off, self-checks on (so both accounts are
restricted ones, as in production: the OpenEMR account from `portal_grants`, the portal account with rights on
its own schema only).
"""

import json
import secrets
import time

import pytest

from tests.deploy.conftest import openemr_db_name, restricted_account  # noqa: F401  (fixture)
from tests.liveserver import Gunicorn, manage, production_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SESSION_SCRIPT = """
import time
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.signals import AUTH_AT, LAST_SEEN

user = get_user_model().objects.create_user(username="frontdesk", password="Correct-horse-battery-42", is_staff=True)
device = TOTPDevice.objects.create(user=user, name="Staff authenticator", confirmed=True)
session = SessionStore()
session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(), DEVICE_ID_SESSION_KEY: device.persistent_id,
                AUTH_AT: int(time.time()), LAST_SEEN: int(time.time())})
session.create()
print(session.session_key)
"""

# Pages of every kind: the load balancer's probe, the sign-in form, the patient pages, the staff console.
PATHS = ["/healthz", "/", "/accounts/login/", "/visits/", "/activity/", "/staff/", "/staff/accounts/"]


@pytest.fixture
def portal_stack(mariadb_server, restricted_account, tmp_path):  # noqa: F811
    """gunicorn serving with its portal database on `mariadb_server` (which the test stops and starts)."""
    password = secrets.token_hex(12)
    mariadb_server.execute("CREATE DATABASE portal CHARACTER SET utf8mb4")
    mariadb_server.execute(f"CREATE USER 'portal'@'%' IDENTIFIED BY '{password}'")
    mariadb_server.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON `portal`.* TO 'portal'@'%'")
    openemr_url = (f"mysql://{restricted_account.user}:{restricted_account.password}@127.0.0.1:"
                   f"{restricted_account.port or _session_port()}/{openemr_db_name()}")
    env = production_env(PORTAL_DATABASE_URL=mariadb_server.url("portal", "portal", password),
                         OPENEMR_DATABASE_URL=openemr_url)
    manage({**env, "PORTAL_DATABASE_URL": mariadb_server.url("portal")}, "migrate", "--noinput", "-v", "0")
    session_key = manage(env, "shell", "-c", SESSION_SCRIPT).strip().splitlines()[-1]
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2).start()
    yield server, {"Cookie": f"__Host-portal_session={session_key}"}
    server.stop()


def _session_port():
    import os

    return int(os.environ["PORTAL_TEST_MARIADB_PORT"])


def _app_lines(log):
    """Log lines other than gunicorn's access log (one line per request, `request_id=...`)."""
    return [line for line in log.splitlines() if line.strip() and not line.startswith("request_id=")]


def test_portal_database_outage_gives_only_503s_one_log_line_each_and_recovers_within_5_seconds(
        portal_stack, mariadb_server):
    server, cookie = portal_stack
    health = server.request("GET", "/healthz")
    assert health.status == 200, (health.text, server.log())
    assert json.loads(health.body)["self_check"] == "ok"
    assert server.request("GET", "/staff/", cookie).status == 200, server.log()

    mariadb_server.stop()
    offset = server.log_size()
    responses = []
    for _round in range(4):  # enough rounds for both workers to see every kind of request
        for path in PATHS:
            responses.append((path, server.request("GET", path)))
            responses.append((path + " (signed in)", server.request("GET", path, cookie)))
        responses.append(("POST /accounts/login/", server.request(
            "POST", "/accounts/login/", {**cookie, "Content-Type": "application/x-www-form-urlencoded"},
            body="username=frontdesk&password=x")))
    time.sleep(0.5)  # let the workers flush their log lines
    outage_log = server.log_since(offset)

    statuses = {label: response.status for label, response in responses}
    assert set(statuses.values()) == {503}, statuses
    for label, response in responses:
        assert "Traceback" not in response.text and "Internal Server Error" not in response.text, label
        if label != "/healthz":  # the probe answers JSON; every page gets the friendly page
            assert "The portal is temporarily unavailable" in response.text, (label, response.text[:300])
    assert "Traceback" not in outage_log
    app_lines = _app_lines(outage_log)
    assert len(app_lines) <= len(responses), "\n".join(app_lines[:50])

    mariadb_server.start()
    returned = time.monotonic()
    while server.request("GET", "/staff/", cookie).status != 200:
        assert time.monotonic() - returned <= 5, server.log_since(offset)[-3000:]
        time.sleep(0.2)
    recovered_after = time.monotonic() - returned
    print(f"{len(responses)} requests while down: statuses {sorted(set(statuses.values()))}, "
          f"{len(app_lines)} application log lines; recovered {recovered_after:.2f} s after the database returned")
    assert recovered_after <= 5
    for _round in range(4):  # every worker is back, not just the first one asked
        for path in ("/healthz", "/staff/", "/staff/accounts/"):
            response = server.request("GET", path, cookie)
            assert response.status == 200, (path, response.status, server.log_since(offset)[-3000:])
