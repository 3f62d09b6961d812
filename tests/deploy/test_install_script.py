"""The fast part of deploy/install's contract (the whole install runs on a bare Debian root in test_install.py):
it refuses an environment file that is not filled in before touching anything, and
deploy/bin/portal-test-certificate makes a usable self-signed certificate without ever replacing one."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "deploy" / "install"
CERT = ROOT / "deploy" / "bin" / "portal-test-certificate"


def run(*args):
    # Never the test session's PORTAL_*/OPENEMR_* variables: deploy/install must stop on the file alone (and these
    # tests must never let it go on to change this machine).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "OPENEMR_"))}
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60, env=env)


def test_install_refuses_the_example_file_as_it_is():
    result = run(INSTALL, ROOT / "deploy" / "portal.env.example")
    assert result.returncode == 1 and "still contains CHANGE_ME" in result.stderr


def test_install_names_a_missing_setting(tmp_path):
    env = tmp_path / "portal.env"
    env.write_text("PORTAL_BASE_URL=https://portal.example.org\nPORTAL_DATABASE_URL=mysql://p:x@localhost/p\n")
    result = run(INSTALL, env)
    assert result.returncode == 1 and "must set OPENEMR_DATABASE_URL" in result.stderr


def test_install_usage_without_an_environment_file():
    result = run(INSTALL)
    assert result.returncode == 2 and "Usage: deploy/install" in result.stderr


@pytest.mark.parametrize("name, san", [("portal.example.org", "DNS:portal.example.org"), ("10.0.20.10", "IP Address:10.0.20.10")])
def test_test_certificate_is_self_signed_for_the_name_and_never_replaced(tmp_path, name, san):
    made = run(CERT, name, tmp_path / "ssl")
    assert made.returncode == 0 and "self-signed" in made.stdout
    text = run("openssl", "x509", "-in", tmp_path / "ssl" / "fullchain.pem", "-noout", "-text").stdout
    assert san in text and "TLS Web Server Authentication" in text
    assert oct((tmp_path / "ssl" / "privkey.pem").stat().st_mode & 0o777) == "0o600"
    key_match = {run("openssl", "x509", "-in", tmp_path / "ssl" / "fullchain.pem", "-noout", "-pubkey").stdout,
                 run("openssl", "pkey", "-in", tmp_path / "ssl" / "privkey.pem", "-pubout").stdout}
    assert len(key_match) == 1  # the certificate belongs to the key
    before = (tmp_path / "ssl" / "fullchain.pem").read_bytes()
    again = run(CERT, name, tmp_path / "ssl")
    assert again.returncode == 0 and "not replacing" in again.stdout
    assert (tmp_path / "ssl" / "fullchain.pem").read_bytes() == before
