"""deploy/bin/portal-staff-ca and nginx's client-certificate wall in front of /staff/: the helper makes a clinic CA
and a certificate per receptionist; with the site's client-certificate lines switched on (as its comments say),
nginx itself refuses /staff/ without a certificate or with a revoked one, and patients need none."""

import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.deploy.test_nginx import NGINX, make_certificate, render_site, write_main_conf
from tests.mariadb import free_port

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "deploy" / "bin" / "portal-staff-ca"
NGINX_PAGE = b"<center>nginx</center>"  # nginx's own error page, not the portal's

pytestmark = [
    pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed"),
    pytest.mark.django_db(transaction=True),
]


def helper(ca_dir, *args):
    result = subprocess.run([str(HELPER), *args], env={**os.environ, "PORTAL_STAFF_CA_DIR": str(ca_dir),
                                                       "PORTAL_STAFF_CA_NAME": "Riverside staff CA"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def enable_client_certificates(site):
    """Uncomment the client-certificate lines and the /staff/ check, as the comments in portal.conf say."""
    text = site.read_text()
    for line in ("ssl_client_certificate ", "ssl_verify_client optional;", "ssl_verify_depth 2;", "ssl_crl "):
        assert f"    # {line}" in text, line
        text = text.replace(f"    # {line}", f"    {line}")
    block = "        # if ($ssl_client_verify != SUCCESS) {\n        #     return 403;\n        # }"
    assert block in text
    site.write_text(text.replace(block, block.replace("# ", "")))


@pytest.fixture
def staff_ca(tmp_path):
    ca_dir = tmp_path / "staff-ca"
    assert "CA created" in helper(ca_dir, "init")
    assert "CA exists" in helper(ca_dir, "init")  # idempotent
    for name in ("reception-1", "reception-2"):
        assert f"issued {name}" in helper(ca_dir, "issue", name)
    helper(ca_dir, "revoke", "reception-2")
    return ca_dir


@pytest.fixture
def nginx_with_client_certs(tmp_path, live_server, staff_ca):
    upstream = urllib.parse.urlsplit(live_server.url).port
    http_port, https_port = free_port(), free_port()
    make_certificate(tmp_path)
    for name in ("ca.pem", "staff-ca.crl"):
        target = "staff-ca.pem" if name == "ca.pem" else name
        (tmp_path / "ssl" / target).write_bytes((staff_ca / name).read_bytes())
    site = render_site(tmp_path, upstream, http_port, https_port)
    enable_client_certificates(site)
    conf = write_main_conf(tmp_path, site)
    check = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
    yield https_port
    process.terminate()
    process.wait(timeout=15)


def get(port, path, cert=None):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if cert:
        context.load_cert_chain(f"{cert}.pem", f"{cert}.key")
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=15)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_helper_issues_client_certificates_signed_by_the_clinic_ca(staff_ca):
    cert = staff_ca / "certs" / "reception-1.pem"
    verify = subprocess.run(["openssl", "verify", "-CAfile", str(staff_ca / "ca.pem"), str(cert)],
                            capture_output=True, text=True)
    assert verify.returncode == 0 and ": OK" in verify.stdout
    text = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-text"], capture_output=True,
                          text=True, check=True).stdout
    assert "TLS Web Client Authentication" in text and "CA:FALSE" in text
    password = (staff_ca / "certs" / "reception-1.p12.password").read_text().strip()
    p12 = subprocess.run(["openssl", "pkcs12", "-in", str(staff_ca / "certs" / "reception-1.p12"), "-nokeys",
                          "-passin", f"pass:{password}"], capture_output=True, text=True)
    assert p12.returncode == 0 and "reception-1" in p12.stdout
    assert oct((staff_ca / "ca.key").stat().st_mode & 0o777) == "0o600"
    listing = helper(staff_ca, "list").splitlines()
    assert [line.split()[0] + " " + line.split()[-1] for line in listing] == ["V /CN=reception-1",
                                                                              "R /CN=reception-2"]
    crl = subprocess.run(["openssl", "crl", "-in", str(staff_ca / "staff-ca.crl"), "-noout", "-text"],
                         capture_output=True, text=True, check=True).stdout
    assert crl.count("Serial Number:") == 1


def test_nginx_refuses_staff_without_a_certificate_and_lets_patients_in_without_one(nginx_with_client_certs,
                                                                                   staff_ca):
    port = nginx_with_client_certs
    status, body = get(port, "/staff/")
    assert status == 403 and NGINX_PAGE in body  # refused by nginx: the request never reached the portal
    status, body = get(port, "/healthz")
    assert status == 200 and b'"status"' in body
    status, body = get(port, "/accounts/login/")
    assert status == 200 and NGINX_PAGE not in body

    status, body = get(port, "/staff/", cert=staff_ca / "certs" / "reception-1")
    assert NGINX_PAGE not in body and status in (200, 302, 403)  # the portal's own answer (sign-in, network rule)


def test_nginx_refuses_a_revoked_certificate(nginx_with_client_certs, staff_ca, tmp_path):
    # revoke deletes the key with the certificate: keep a copy, as a thief of the PC would have.
    helper(staff_ca, "issue", "reception-3")
    for ext in ("pem", "key"):
        shutil.copy(staff_ca / "certs" / f"reception-3.{ext}", tmp_path / f"stolen.{ext}")
    status, body = get(nginx_with_client_certs, "/staff/", cert=tmp_path / "stolen")
    assert NGINX_PAGE not in body  # accepted while valid
    assert "revoked reception-3" in helper(staff_ca, "revoke", "reception-3")
    shutil.copy(staff_ca / "staff-ca.crl", tmp_path / "ssl" / "staff-ca.crl")
    os.kill(int((tmp_path / "nginx.pid").read_text()), signal.SIGHUP)  # reload, as the helper says
    deadline = time.monotonic() + 10
    while (status := get(nginx_with_client_certs, "/staff/", cert=tmp_path / "stolen")[0]) != 400:
        assert time.monotonic() < deadline, status
        time.sleep(0.2)
