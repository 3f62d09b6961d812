"""Settings are validated when they load (issue 9, defects 8, 10, 11): a typo stops the portal at start-up with
a message naming the variable, instead of a 500 on every request or a silently weaker portal.

Each case imports the settings in a new Python process with the test session's environment plus the values under
test, as systemd would start the portal.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOAD = "import django; django.setup(); from django.conf import settings; print(repr(settings.{name}))"


def load_settings(name="DEBUG", **env):
    """(returncode, stdout, stderr) of loading the settings and printing settings.<name>."""
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", **env}
    environ = {key: value for key, value in environ.items() if value is not None}
    result = subprocess.run([sys.executable, "-c", LOAD.format(name=name)], cwd=ROOT, env=environ,
                            capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout.strip(), result.stderr


def refused(variable, **env):
    code, _out, err = load_settings(**env)
    last = err.strip().splitlines()[-1] if err.strip() else ""
    return code != 0 and last.startswith("django.core.exceptions.ImproperlyConfigured") and variable in last


@pytest.mark.parametrize(("variable", "value"), [
    ("PORTAL_TRUSTED_PROXIES", "127.0.0.1,10.0.0.300"),
    ("PORTAL_TRUSTED_PROXIES", "nginx.local"),
    ("PORTAL_STAFF_NETWORKS", "192.168.1.0/33"),
    ("PORTAL_STAFF_NETWORKS", "192.168.1.0/24;10.0.0.0/8"),
    ("PORTAL_LAB_RELEASE", "immediatly"),
    ("PORTAL_VITALS_UNITS", "imperial"),
    ("PORTAL_SECURE_COOKIES", "ture"),
    ("PORTAL_LOCKOUT_ENABLED", "yes please"),
    ("PORTAL_IDLE_TIMEOUT", "15m"),
    ("PORTAL_LOCKOUT_FAILURES", "-1"),
])
def test_a_typo_in_a_setting_stops_start_up_naming_the_variable(variable, value):
    assert refused(variable, **{variable: value})


def test_valid_values_of_the_validated_settings_load():
    code, out, err = load_settings("PORTAL_TRUSTED_PROXIES", PORTAL_TRUSTED_PROXIES="127.0.0.1,10.1.0.0/16,::1",
                                   PORTAL_LAB_RELEASE="delay", PORTAL_VITALS_UNITS="metric")
    assert code == 0, err
    assert out == "['127.0.0.1', '10.1.0.0/16', '::1']"


# --- Defect 10: the staff console is not open to the internet by omission -----------------------------------------
def test_an_empty_staff_network_list_is_refused_outside_debug():
    assert refused("PORTAL_STAFF_NETWORKS", PORTAL_STAFF_NETWORKS="")
    assert refused("PORTAL_STAFF_NETWORKS", PORTAL_STAFF_NETWORKS=None)


def test_an_empty_staff_network_list_is_allowed_in_debug():
    code, out, err = load_settings("PORTAL_STAFF_NETWORKS", PORTAL_STAFF_NETWORKS="", PORTAL_DEBUG="1")
    assert code == 0, err
    assert out == "[]"


def test_any_opens_the_staff_console_to_every_address_only_when_written():
    code, out, err = load_settings("PORTAL_STAFF_NETWORKS", PORTAL_STAFF_NETWORKS="any")
    assert code == 0, err
    assert out == "['0.0.0.0/0', '::/0']"
    assert refused("PORTAL_STAFF_NETWORKS", PORTAL_STAFF_NETWORKS="any,10.0.0.0/8")


@pytest.mark.django_db
def test_staff_console_with_any_answers_an_internet_address_and_the_lan_list_refuses_it(client, settings):
    from portal.settings import STAFF_NETWORKS_ANY

    settings.PORTAL_STAFF_NETWORKS = list(STAFF_NETWORKS_ANY)
    assert client.get("/staff/login/", REMOTE_ADDR="203.0.113.9").status_code == 200
    assert client.get("/staff/login/", REMOTE_ADDR="2001:db8::9").status_code == 200
    settings.PORTAL_STAFF_NETWORKS = ["127.0.0.0/8", "::1"]  # what the test session (and the demo) use
    assert client.get("/staff/login/", REMOTE_ADDR="203.0.113.9").status_code == 403
    assert client.get("/staff/login/").status_code == 200


# --- Defect 8: database TLS fails closed ---------------------------------------------------------------------------
REMOTE = "mysql://portal:pw@db.clinic.lan:3306/openemr"


@pytest.mark.parametrize("variable", ["OPENEMR_DATABASE_URL", "PORTAL_DATABASE_URL"])
def test_a_remote_database_without_tls_is_refused_in_production(variable):
    assert refused(variable, **{variable: REMOTE})
    assert refused(variable, **{variable: REMOTE.replace("db.clinic.lan", "192.168.10.5")})


def test_a_remote_database_with_a_verified_ca_loads_with_host_name_verification():
    code, out, err = load_settings('DATABASES["openemr"]["OPTIONS"]', OPENEMR_DATABASE_URL=REMOTE,
                                   OPENEMR_DB_SSL_CA="/etc/openemr-portal/tls/ca.pem")
    assert code == 0, err
    assert "'ssl_mode': 'VERIFY_IDENTITY'" in out and "'ca': '/etc/openemr-portal/tls/ca.pem'" in out


def test_tls_without_a_ca_is_refused_even_on_a_local_host():
    assert refused("OPENEMR_DB_SSL_CA", OPENEMR_DB_SSL_CERT="/etc/c.pem", OPENEMR_DB_SSL_KEY="/etc/c.key")
    assert refused("PORTAL_DB_SSL_CA", PORTAL_DB_SSL_CERT="/etc/c.pem", PORTAL_DB_SSL_KEY="/etc/c.key")


def test_a_declared_tunnel_allows_a_remote_host_without_tls():
    code, _out, err = load_settings(OPENEMR_DATABASE_URL=REMOTE, PORTAL_DB_TRANSPORT="tunnel")
    assert code == 0, err
    assert refused("PORTAL_DB_TRANSPORT", OPENEMR_DATABASE_URL=REMOTE, PORTAL_DB_TRANSPORT="ssh")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.2", "[::1]", ""])  # "": the unix socket
def test_local_database_hosts_need_no_tls(host):
    code, _out, err = load_settings(OPENEMR_DATABASE_URL=f"mysql://portal:pw@{host}/openemr")
    assert code == 0, err


def test_database_host_locality():
    from portal.settings import database_host_is_local

    assert all(map(database_host_is_local, ["", "localhost", "127.0.0.1", "127.9.9.9", "::1", "/run/mysqld.sock"]))
    assert not any(map(database_host_is_local, ["10.0.0.5", "db.clinic.lan", "::ffff:10.0.0.5", "localhost.evil"]))


def test_debug_allows_a_remote_database_without_tls_for_development():
    code, _out, err = load_settings(OPENEMR_DATABASE_URL=REMOTE, PORTAL_DEBUG="1")
    assert code == 0, err


# --- Defect 11: switches that weaken the portal are system-check warnings outside DEBUG -----------------------------
@pytest.mark.parametrize(("variable", "value"), [
    ("PORTAL_LOCKOUT_ENABLED", "0"),
    ("PORTAL_PATIENT_OTP_REQUIRED", "0"),
    ("PORTAL_SECURE_COOKIES", "0"),
    ("PORTAL_REQUIRE_ALLOW_PORTAL", "0"),
    ("PORTAL_SHOW_SENSITIVE_ENCOUNTERS", "1"),
    ("OPENEMR_DB_READ_ONLY_SESSION", "0"),
])
def test_a_weakening_switch_gives_a_system_check_warning_outside_debug(variable, value):
    environ = {**os.environ, variable: value, "PORTAL_SELF_CHECK_SECONDS": "300"}
    if variable != "PORTAL_SECURE_COOKIES":
        environ["PORTAL_SECURE_COOKIES"] = "1"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=environ, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr  # a warning, not a refusal
    warnings = [line for line in result.stderr.splitlines() if "portal.W031" in line]
    assert len(warnings) == 1 and variable in warnings[0], result.stderr
    debug = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env={**environ, "PORTAL_DEBUG": "1"},
                           capture_output=True, text=True, timeout=120)
    assert "portal.W031" not in debug.stderr


def test_the_safe_defaults_give_no_weakening_warning(settings):
    from portal.checks import weakened_security_switches

    settings.SECURE_COOKIES = True
    settings.PORTAL_SELF_CHECK_SECONDS = 300
    assert weakened_security_switches() == []
    settings.PORTAL_SELF_CHECK_SECONDS = 0
    assert [m.id for m in weakened_security_switches()] == ["portal.W031"]


def test_the_shipped_portal_env_example_loads(tmp_path):
    """deploy/portal.env.example as an operator installs it (secret files in place) passes the start-up checks."""
    import re

    values = {}
    for line in (ROOT / "deploy" / "portal.env.example").read_text().splitlines():
        match = re.fullmatch(r"([A-Z_]+)=(.*)", line)
        if match:
            values[match.group(1)] = match.group(2).strip("'")
    for name in ("PORTAL_SECRET_KEY_FILE", "PORTAL_AUDIT_KEY_FILE"):
        (tmp_path / name).write_text(secrets_token())
        values[name] = str(tmp_path / name)
    environ = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "OPENEMR_"))}
    environ.update(values, DJANGO_SETTINGS_MODULE="portal.settings")
    result = subprocess.run([sys.executable, "-c", LOAD.format(name="PORTAL_STAFF_NETWORKS")], cwd=ROOT,
                            env=environ, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['192.168.0.0/16']"


def secrets_token():
    import secrets

    return secrets.token_urlsafe(50)


def test_staff_networks_with_loopback_and_no_trusted_proxy_give_a_warning(settings):
    from portal.checks import staff_networks_behind_a_local_proxy

    settings.PORTAL_TRUSTED_PROXIES = []
    settings.PORTAL_STAFF_NETWORKS = ["10.0.0.0/8", "127.0.0.0/8"]
    assert [m.id for m in staff_networks_behind_a_local_proxy()] == ["portal.W032"]
    settings.PORTAL_STAFF_NETWORKS = ["0.0.0.0/0", "::/0"]  # `any`: open by the operator's explicit choice
    assert staff_networks_behind_a_local_proxy() == []
    settings.PORTAL_STAFF_NETWORKS = ["192.168.10.0/24", "fd00::/8"]
    assert staff_networks_behind_a_local_proxy() == []
    settings.PORTAL_STAFF_NETWORKS = ["127.0.0.0/8"]
    settings.PORTAL_TRUSTED_PROXIES = ["127.0.0.1"]  # nginx's X-Forwarded-For is believed: the real client counts
    assert staff_networks_behind_a_local_proxy() == []
    settings.PORTAL_TRUSTED_PROXIES = []
    settings.DEBUG = True
    assert staff_networks_behind_a_local_proxy() == []
