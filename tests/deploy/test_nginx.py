"""The shipped nginx site (deploy/nginx/portal.conf): `nginx -t` accepts it, and a request through it reaches the
portal over TLS with the right scheme and the real client address (never a client-supplied X-Forwarded-For)."""

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.mariadb import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "portal.conf"
CLIENT_ADDRESS = "127.0.0.2"  # any 127/8 address is loopback on Linux: a "client" distinct from nginx itself
SPOOFED = "203.0.113.9"

pytestmark = [
    pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed (apt-get install nginx-light)"),
    pytest.mark.django_db(transaction=True),
]


def _substitute(text, pattern, replacement):
    new, count = re.subn(pattern, replacement, text)
    assert count, f"deploy/nginx/portal.conf no longer contains {pattern!r}: update this test"
    return new


def render_site(tmp, upstream_port, http_port, https_port):
    text = SITE.read_text()
    text = _substitute(text, r"server 127\.0\.0\.1:8001;", f"server 127.0.0.1:{upstream_port};")
    text = _substitute(text, r"/etc/ssl/portal/", f"{tmp}/ssl/")
    text = _substitute(text, r"/var/log/nginx/", f"{tmp}/log/")
    text = _substitute(text, r"/opt/openemr-portal/staticfiles/", f"{tmp}/static/")
    text = _substitute(text, r"listen 80;", f"listen 127.0.0.1:{http_port};")
    text = _substitute(text, r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    site = tmp / "portal.conf"
    site.write_text(text)
    return site


def make_certificate(tmp):
    (tmp / "ssl").mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(tmp / "ssl" / "privkey.pem"), "-out", str(tmp / "ssl" / "fullchain.pem"), "-days", "2",
         "-subj", "/CN=portal.example.org", "-addext", "subjectAltName=DNS:portal.example.org,IP:127.0.0.1"],
        check=True, capture_output=True,
    )


def write_main_conf(tmp, site):
    for name in ("log", "static", "tmp"):
        (tmp / name).mkdir(exist_ok=True)
    conf = tmp / "nginx.conf"
    # As root, nginx's workers would switch to "nobody", who cannot use the temporary directories made here.
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(f"""
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/log/error.log warn;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {tmp}/tmp/body;
    proxy_temp_path {tmp}/tmp/proxy;
    fastcgi_temp_path {tmp}/tmp/fastcgi;
    uwsgi_temp_path {tmp}/tmp/uwsgi;
    scgi_temp_path {tmp}/tmp/scgi;
    access_log {tmp}/log/access.log;
    include {site};
}}
""")
    return conf


@pytest.fixture
def nginx(tmp_path, live_server):
    upstream_port = urllib.parse.urlsplit(live_server.url).port
    http_port, https_port = free_port(), free_port()
    make_certificate(tmp_path)
    conf = write_main_conf(tmp_path, render_site(tmp_path, upstream_port, http_port, https_port))
    check = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert "syntax is ok" in check.stderr and "test is successful" in check.stderr
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, (tmp_path / "log" / "error.log").read_text()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
    yield {"http": http_port, "https": https_port}
    process.terminate()
    process.wait(timeout=15)


def request(port, method, path, headers=(), body=None):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # our throwaway self-signed certificate
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=15,
                                       source_address=(CLIENT_ADDRESS, 0))
    try:
        conn.request(method, path, body=body, headers=dict(headers))
        version = conn.sock.version()
        response = conn.getresponse()
        return response.status, response.headers, response.read(), version
    finally:
        conn.close()


def test_nginx_accepts_the_site_and_serves_healthz_over_tls_with_hsts_once(nginx):
    status, headers, body, tls_version = request(nginx["https"], "GET", "/healthz")
    assert status == 200, body
    assert b'"status": "ok"' in body
    assert tls_version in ("TLSv1.2", "TLSv1.3")
    assert headers.get_all("Strict-Transport-Security") == ["max-age=63072000; includeSubDomains"]
    assert headers.get("Server") == "nginx"  # no version (server_tokens off)


def test_plain_http_is_redirected_to_https(nginx):
    conn = http.client.HTTPConnection("127.0.0.1", nginx["http"], timeout=15)
    conn.request("GET", "/records/?x=1")
    response = conn.getresponse()
    assert response.status == 301
    assert response.headers["Location"].startswith("https://")


def _sign_in_attempt(nginx, origin):
    """GET the sign-in form through nginx, then POST a wrong password with a spoofed X-Forwarded-For."""
    status, headers, body, _ = request(nginx["https"], "GET", "/accounts/login/")
    assert status == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    cookie = "; ".join(c.split(";", 1)[0] for c in headers.get_all("Set-Cookie"))
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "alice", "password": "not her password"})
    return request(nginx["https"], "POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Origin": origin,
        "X-Forwarded-For": SPOOFED, "X-Forwarded-Proto": "http", "X-Real-IP": SPOOFED,
    })


def test_portal_sees_https_and_the_real_client_address_through_nginx(nginx, settings, alice):
    from axes.models import AccessAttempt

    from audit.models import AuditEvent

    settings.PORTAL_TRUSTED_PROXIES = ["127.0.0.1"]  # this nginx, as deploy/portal.env.example says
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Django's CSRF check compares Origin with request.scheme: it passes only if Django sees https.
    status, _headers, body, _ = _sign_in_attempt(nginx, origin="https://127.0.0.1")
    assert status in (200, 400) and b"not right" in body, body[:500]
    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    addresses |= set(AuditEvent.objects.exclude(client_ip="").values_list("client_ip", flat=True))
    assert addresses == {CLIENT_ADDRESS}  # the real client: not nginx's 127.0.0.1, never the spoofed header


def test_a_plain_http_origin_fails_csrf_because_django_sees_https(nginx, settings, alice):
    settings.PORTAL_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    status, _headers, _body, _ = _sign_in_attempt(nginx, origin="http://127.0.0.1")
    assert status == 403


def test_request_bodies_over_64k_are_refused_by_nginx(nginx):
    status, _headers, _body, _ = request(nginx["https"], "POST", "/accounts/login/", body=b"x" * (65 * 1024),
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413


def test_sign_in_posts_are_rate_limited_but_loading_the_form_is_not(nginx):
    gets = [request(nginx["https"], "GET", "/accounts/login/")[0] for _ in range(10)]
    assert set(gets) == {200}
    posts = [request(nginx["https"], "POST", "/accounts/login/", body="username=a&password=b",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})[0] for _ in range(8)]
    assert 429 in posts and 429 not in posts[:6]  # rate 10/min with a burst of 5: the 7th in a row waits


@pytest.fixture
def nginx_on_8443_style_port(tmp_path, alice):
    """nginx on a non-443 HTTPS port in front of a real gunicorn (deploy/gunicorn.conf.py) whose settings come
    from the environment, with PORTAL_BASE_URL naming that port, as deploy/portal.env.example says."""
    from django.db import connections

    http_port, https_port, app_port = free_port(), free_port(), free_port()
    server = f"mysql://root@127.0.0.1:{os.environ['PORTAL_TEST_MARIADB_PORT']}"
    env = {**os.environ, "PORTAL_BASE_URL": f"https://127.0.0.1:{https_port}", "PORTAL_TRUSTED_PROXIES": "127.0.0.1",
           "PORTAL_DATABASE_URL": f"{server}/{connections['default'].settings_dict['NAME']}",
           "OPENEMR_DATABASE_URL": f"{server}/{connections['openemr'].settings_dict['NAME']}",
           "PORTAL_GUNICORN_BIND": f"127.0.0.1:{app_port}", "PORTAL_GUNICORN_WORKERS": "1"}
    root = Path(__file__).resolve().parents[2]
    app = subprocess.Popen([str(root / ".venv" / "bin" / "gunicorn"), "--config", str(root / "deploy" / "gunicorn.conf.py"),
                            "portal.wsgi:application"], cwd=root, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    make_certificate(tmp_path)
    conf = write_main_conf(tmp_path, render_site(tmp_path, app_port, http_port, https_port))
    web = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            if request(https_port, "GET", "/healthz")[0] == 200:
                break
        except OSError:
            pass
        assert app.poll() is None and web.poll() is None and time.monotonic() < deadline, "did not start"
        time.sleep(0.2)
    yield {"http": http_port, "https": https_port}
    for process in (web, app):
        process.terminate()
        process.wait(timeout=30)


def test_https_on_another_port_accepts_posts_from_the_base_url_origin(nginx_on_8443_style_port):
    """A browser sends Origin with the port (https://host:8443) while nginx passes Host without it: the origin
    derived from PORTAL_BASE_URL lets the sign-in POST through; another origin gets a page naming the cause."""
    nginx = nginx_on_8443_style_port
    status, _headers, body, _ = _sign_in_attempt(nginx, origin=f"https://127.0.0.1:{nginx['https']}")
    assert status in (200, 400) and b"not right" in body, body[:300]
    status, _headers, body, _ = _sign_in_attempt(nginx, origin="https://127.0.0.1:1")
    assert status == 403 and b"does not recognise" in body and b"cookies" not in body


def test_favicon_through_nginx(nginx):
    status, headers, body, _ = request(nginx["https"], "GET", "/favicon.ico")
    assert status == 200 and headers["Content-Type"] == "image/x-icon" and body[:4] == b"\x00\x00\x01\x00"
