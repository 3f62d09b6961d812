"""The clinic-initiated (reverse) tunnel of topology 1, on loopback with real processes: a throwaway sshd stands for
the DMZ host (with the shipped sshd drop-in and authorized_keys line), the shipped autossh unit's own command line
stands for the clinic host, and the session's MariaDB stands for the clinic database. The portal reads OpenEMR
through the forwarded port; the DMZ-side account gets no shell, no terminal and no other forward."""

import getpass
import os
import re
import shlex
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse

from tests.deploy.conftest import connected_as, rich_record
from tests.mariadb import free_port

ROOT = Path(__file__).resolve().parents[2]
SSHD = "/usr/sbin/sshd"
UNIT = ROOT / "deploy" / "systemd" / "openemr-portal-reverse-tunnel.service"

pytestmark = [
    pytest.mark.skipif(not (Path(SSHD).exists() and shutil.which("autossh")),
                       reason="openssh-server and autossh are needed (scripts/install-system-deps test)"),
    pytest.mark.django_db(transaction=True),
]


def wait_for_port(port, process, timeout=20, what="port"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert process.poll() is None, f"{what}: process exited"
            time.sleep(0.1)
    raise AssertionError(f"{what} {port} never opened")


def authorized_keys_line(public_key, listen_port):
    """The shipped example line, with this test's key and its listening port."""
    example = [line for line in (ROOT / "deploy" / "ssh" / "authorized_keys.example").read_text().splitlines()
               if line.startswith("restrict,")][0]
    options = example.split(" ssh-ed25519 ")[0].replace("127.0.0.1:3307", f"127.0.0.1:{listen_port}")
    return f"{options} {public_key}"


@pytest.fixture
def dmz_sshd(tmp_path):
    """An sshd on a free loopback port playing the DMZ host; the account is this test's own user."""
    user = getpass.getuser()
    listen_port, ssh_port = free_port(), free_port()
    for name in ("host", "clinic"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(tmp_path / name)],
                       check=True)
    (tmp_path / "authorized_keys").write_text(
        authorized_keys_line((tmp_path / "clinic.pub").read_text().strip(), listen_port) + "\n")
    dropin = (ROOT / "deploy" / "ssh" / "openemr-portal-tunnel.conf").read_text()
    dropin = dropin.replace("Match User portal-tunnel", f"Match User {user}")
    dropin = dropin.replace("127.0.0.1:3307", f"127.0.0.1:{listen_port}")
    (tmp_path / "sshd_config").write_text(f"""
Port {ssh_port}
ListenAddress 127.0.0.1
HostKey {tmp_path / 'host'}
PidFile {tmp_path / 'sshd.pid'}
AuthorizedKeysFile {tmp_path / 'authorized_keys'}
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
LogLevel VERBOSE
{dropin}
""")
    (tmp_path / "known_hosts").write_text(f"[127.0.0.1]:{ssh_port} {(tmp_path / 'host.pub').read_text()}")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation directory
    check = subprocess.run([SSHD, "-t", "-f", str(tmp_path / "sshd_config")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    log = open(tmp_path / "sshd.log", "w")
    process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(tmp_path / "sshd_config")], stdout=log, stderr=log)
    wait_for_port(ssh_port, process, what="sshd")
    yield {"user": user, "port": ssh_port, "listen": listen_port, "dir": tmp_path}
    process.terminate()
    process.wait(timeout=10)


def unit_command(dmz, database_port):
    """The ExecStart= of the shipped unit with its PORTAL_TUNNEL_* settings for this test."""
    text = UNIT.read_text()
    command = re.search(r"^ExecStart=(.*?)(?<!\\)\n", text, re.M | re.S).group(1).replace("\\\n", " ")
    values = {
        "PORTAL_TUNNEL_DMZ": f"{dmz['user']}@127.0.0.1",
        "PORTAL_TUNNEL_SSH_PORT": str(dmz["port"]),
        "PORTAL_TUNNEL_LISTEN": f"127.0.0.1:{dmz['listen']}",
        "PORTAL_TUNNEL_DATABASE": f"127.0.0.1:{database_port}",
        "PORTAL_TUNNEL_KEY": str(dmz["dir"] / "clinic"),
        "PORTAL_TUNNEL_KNOWN_HOSTS": str(dmz["dir"] / "known_hosts"),
    }
    assert set(re.findall(r"\$\{(\w+)\}", command)) == set(values)
    return [re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], word) for word in shlex.split(command)]


@pytest.fixture
def clinic_tunnel(dmz_sshd):
    env = {**os.environ, "AUTOSSH_GATETIME": "0"}
    process = subprocess.Popen(unit_command(dmz_sshd, int(os.environ["PORTAL_TEST_MARIADB_PORT"])), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    wait_for_port(dmz_sshd["listen"], process, what="tunnel")
    yield {**dmz_sshd, "process": process}
    if process.poll() is None:
        os.killpg(process.pid, 15)
        process.wait(timeout=10)


def ssh_as_tunnel_account(dmz, *args, timeout=20):
    return subprocess.run(["ssh", "-F", "none", "-i", str(dmz["dir"] / "clinic"), "-o", "IdentitiesOnly=yes",
                           "-o", "BatchMode=yes", "-o", f"UserKnownHostsFile={dmz['dir'] / 'known_hosts'}",
                           "-o", "StrictHostKeyChecking=yes", "-p", str(dmz["port"]), *args,
                           f"{dmz['user']}@127.0.0.1"] + ([] if "-N" in args else ["id"]),
                          capture_output=True, text=True, timeout=timeout)


def test_portal_reads_openemr_through_the_tunnel_opened_from_the_clinic(clinic_tunnel, restricted_account,
                                                                        alice_client):
    visit = rich_record(pid=1, reason="Knee pain after the marathon")[0]
    with connected_as(["openemr"], restricted_account.user, restricted_account.password,
                      HOST="127.0.0.1", PORT=str(clinic_tunnel["listen"])):
        response = alice_client.get(visit)
        assert response.status_code == 200 and "Knee pain after the marathon" in response.content.decode()
        assert alice_client.get(reverse("records:summary")).status_code == 200
        # The tunnel is the only way: with the clinic's ssh gone the same page is the friendly outage page.
        os.killpg(clinic_tunnel["process"].pid, 15)
        clinic_tunnel["process"].wait(timeout=10)
        connections["openemr"].close()
        assert alice_client.get(visit).status_code == 503


def test_the_dmz_account_gets_no_shell_and_no_terminal(dmz_sshd):
    shell = ssh_as_tunnel_account(dmz_sshd)
    assert shell.returncode != 0 and "uid=" not in shell.stdout
    assert "not available" in shell.stdout + shell.stderr  # nologin answered, not a shell
    tty = ssh_as_tunnel_account(dmz_sshd, "-tt")
    assert tty.returncode != 0 and "uid=" not in tty.stdout and "PTY allocation request failed" in tty.stderr


def test_the_dmz_account_may_not_listen_anywhere_else(dmz_sshd):
    result = ssh_as_tunnel_account(dmz_sshd, "-N", "-o", "ExitOnForwardFailure=yes",
                                   "-R", f"127.0.0.1:{free_port()}:127.0.0.1:{os.environ['PORTAL_TEST_MARIADB_PORT']}")
    assert result.returncode != 0 and "remote port forwarding failed" in result.stderr


@pytest.mark.parametrize("forward", ["-L", "-D"])
def test_the_dmz_account_may_not_open_connections_from_the_dmz_host(dmz_sshd, forward):
    local = free_port()
    spec = f"127.0.0.1:{local}:127.0.0.1:{os.environ['PORTAL_TEST_MARIADB_PORT']}" if forward == "-L" \
        else f"127.0.0.1:{local}"
    process = subprocess.Popen(["ssh", "-F", "none", "-i", str(dmz_sshd["dir"] / "clinic"), "-o", "BatchMode=yes",
                                "-o", f"UserKnownHostsFile={dmz_sshd['dir'] / 'known_hosts'}", "-p",
                                str(dmz_sshd["port"]), "-N", forward, spec, f"{dmz_sshd['user']}@127.0.0.1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(local, process, what="local forward")
        with socket.create_connection(("127.0.0.1", local), timeout=5) as sock:
            if forward == "-D":  # SOCKS5: no auth, then CONNECT 127.0.0.1:<mariadb>
                sock.sendall(b"\x05\x01\x00")
                sock.recv(2)
                sock.sendall(b"\x05\x01\x00\x01\x7f\x00\x00\x01"
                             + int(os.environ["PORTAL_TEST_MARIADB_PORT"]).to_bytes(2, "big"))
            sock.settimeout(10)
            data = sock.recv(1024)
        assert b"mysql" not in data.lower() and b"mariadb" not in data.lower()  # never reached the server
    finally:
        process.kill()  # ssh may sit on the open client socket after SIGTERM
        _out, err = process.communicate(timeout=10)
    assert "administratively prohibited" in err
