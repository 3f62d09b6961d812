"""portal_check (c): a connection configured for TLS must really be encrypted.

The MariaDB client library silently falls back to plain text when the server offers no TLS, even with a CA
configured (measured below): so the check asks the server, never trusts the configuration.
"""

import io
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.checks import check_tls
from tests.deploy.conftest import connected_as
from tests.mariadb import MariaDBServer

pytestmark = pytest.mark.django_db(transaction=True)


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def tls_files(tmp_path):
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Test clinic CA",
             cwd=tmp_path)
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=tmp_path)
    (tmp_path / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "san.ext", cwd=tmp_path)
    return tmp_path


@pytest.fixture
def tls_server(tls_files):
    server = MariaDBServer(extra_args=[f"--ssl-ca={tls_files / 'ca.pem'}", f"--ssl-cert={tls_files / 'server.pem'}",
                                       f"--ssl-key={tls_files / 'server.key'}"])
    server.start()
    yield server
    server.destroy()


def test_tls_check_passes_when_the_connection_is_encrypted(tls_server, tls_files):
    with connected_as(["openemr"], "root", "", NAME="mysql", PORT=str(tls_server.port),
                      OPTIONS={"charset": "utf8mb4", "ssl": {"ca": str(tls_files / "ca.pem")}}):
        assert check_tls(aliases=["openemr"]) == []


def test_tls_configured_but_not_in_use_fails_portal_check(tls_files):
    # The session's server has no TLS: the client connects in plain text despite the CA.
    options = {"charset": "utf8mb4", "ssl": {"ca": str(tls_files / "ca.pem")}}
    with connected_as(["openemr"], "root", "", OPTIONS=options):
        messages = check_tls(aliases=["openemr"])
        assert [m.id for m in messages] == ["portal.E020"]
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("portal_check", stdout=io.StringIO(), stderr=err)
    assert "TLS is configured for the openemr database but the connection is not encrypted" in err.getvalue()


def test_no_tls_configured_means_nothing_to_check():
    assert check_tls(aliases=["openemr", "default"]) == []
