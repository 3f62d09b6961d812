"""deploy/install on a bare Debian 12: a root made by debootstrap from the Debian mirror apt uses here, the clinic's
MariaDB with OpenEMR-shaped synthetic data in it, then `deploy/install --local-database --staff frontdesk ENV`
in a chroot with nothing edited but the environment file. systemd cannot run in a chroot, so gunicorn (with the
installed unit's own ExecStartPre/ExecStart) and nginx are started by hand; then a patient signs in over HTTPS
(certificate verified, Origin with the port as a browser sends it) and reads a page through the column-restricted
account. A second run of deploy/install changes nothing and passes. Phase times are printed (run with -s).

Marked `slow` and `debootstrap` (it needs the Debian mirror and PyPI); `make test` runs it, `make test-install`
runs only it. Measured here: about 2.5 minutes wall time (debootstrap ~1 min, deploy/install ~45 s)."""

import base64
import fcntl
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from accounts.management.commands.demo_accounts import current_code
from tests.mariadb import free_port

ROOT = Path(__file__).resolve().parents[2]
SERVER_NAME = "portal.example.org"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.debootstrap,
    pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("debootstrap"),
                       reason="needs root and debootstrap (scripts/install-system-deps test)"),
]


def debian_mirror():
    """The mirror this machine's apt uses for Debian itself."""
    for path in [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]:
        text = path.read_text() if path.is_file() else ""
        for match in re.finditer(r"(?:^deb\s+(?:\[[^\]]*\]\s+)?|^URIs:\s*)(\S+/debian)/?\s*$", text, re.M):
            return match.group(1)
    return "http://deb.debian.org/debian"


class Chroot:
    def __init__(self, path):
        self.path = path
        self.mounts = []
        self.times = {}

    def run(self, *command, env=None, timeout=1800, check=True, input=None):
        base = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
                "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
        result = subprocess.run(["/usr/sbin/chroot", str(self.path), *command], env={**base, **(env or {})},
                                capture_output=True, text=True, timeout=timeout, input=input)
        if check:
            assert result.returncode == 0, f"{command}: {result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result

    def mount(self, source, target, *options):
        target = self.path / target
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", *options, source, str(target)], check=True)
        self.mounts.append(target)

    def timed(self, name, function, *args, **kwargs):
        start = time.monotonic()
        try:
            return function(*args, **kwargs)
        finally:
            self.times[name] = round(time.monotonic() - start, 1)

    def kill_processes(self):
        """Stop every process whose root is this chroot (only this test starts any)."""
        for _attempt in range(50):
            pids = []
            for proc in Path("/proc").iterdir():
                if proc.name.isdigit():
                    try:
                        if os.readlink(proc / "root") == str(self.path):
                            pids.append(int(proc.name))
                    except OSError:
                        pass
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGTERM if _attempt < 30 else signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.2)

    def destroy(self):
        self.kill_processes()
        for target in reversed(self.mounts):
            subprocess.run(["umount", "-l", str(target)], check=False)
        shutil.rmtree(self.path, ignore_errors=True)


def copy_checkout(target):
    """The files of this checkout that git knows (tracked, or new and not ignored), as a clone would have them."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            destination = target / name.decode()
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


@pytest.fixture(scope="module")
def bare_debian(tmp_path_factory):
    path = tmp_path_factory.mktemp("debian12") / "root"
    root = Chroot(path)
    try:
        root.timed("debootstrap", subprocess.run,
                   ["debootstrap", "--variant=minbase", "bookworm", str(path), debian_mirror()],
                   check=True, capture_output=True, timeout=1800)
        root.mount("proc", "proc", "-t", "proc")
        root.mount("/dev", "dev", "--bind")
        root.mount("/dev/pts", "dev/pts", "--bind")
        root.mount("tmpfs", "dev/shm", "-t", "tmpfs", "-o", "mode=1777")  # gunicorn's heartbeat files
        root.mount("sysfs", "sys", "-t", "sysfs")
        shutil.copy("/etc/resolv.conf", path / "etc" / "resolv.conf")
        # Packages must not start services in the host's network namespace (nginx on :80): as in any chroot.
        (path / "usr/sbin/policy-rc.d").write_text("#!/bin/sh\nexit 101\n")
        (path / "usr/sbin/policy-rc.d").chmod(0o755)
        yield root
    finally:
        root.destroy()


@pytest.fixture(scope="module")
def clinic_database(bare_debian):
    """The clinic's MariaDB in the chroot, on a free loopback port, with a synthetic OpenEMR database."""
    root = bare_debian
    port = free_port()
    conf = root.path / "etc/mysql/mariadb.conf.d"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "99-test-port.cnf").write_text(f"[mysqld]\nport = {port}\nbind-address = 127.0.0.1\n")
    root.timed("mariadb-server", root.run, "sh", "-c", "apt-get -o DPkg::Lock::Timeout=600 update -qq && "
               "apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends mariadb-server")
    root.run("/etc/init.d/mariadb", "start")
    root.run("mariadb", "-e", "CREATE DATABASE openemr CHARACTER SET utf8mb4; "
             "CREATE USER loader@'127.0.0.1' IDENTIFIED BY 'loader-pw'; GRANT ALL ON *.* TO loader@'127.0.0.1'")
    root.timed("openemr-data", subprocess.run,
               [sys.executable, "manage.py", "fake_openemr", "--patients", "30", "--seed", "13", "--create-schema",
                "--heavy-pid", "0", "--database-url", f"mysql://loader:loader-pw@127.0.0.1:{port}/openemr"],
               cwd=ROOT, check=True, capture_output=True, timeout=600)
    name, dob = root.run("mariadb", "-N", "-e", "UPDATE openemr.patient_data SET allow_patient_portal = 'YES' "
                         "WHERE pid = 1; SELECT fname, DOB FROM openemr.patient_data WHERE pid = 1").stdout.split("\t")
    root.run("mariadb", "-e", "DROP USER loader@'127.0.0.1'")
    return {"port": port, "patient_first_name": name.strip(), "patient_dob": dob.strip()}


def pip_trust(root):
    """This machine reaches PyPI through a TLS-inspecting proxy whose CA pip is told about in PIP_CERT; a clinic
    behind such a proxy does the same. Nothing else of the host's configuration goes into the chroot."""
    if not os.environ.get("PIP_CERT"):
        return {}
    shutil.copy(os.environ["PIP_CERT"], root.path / "root" / "pip-ca.crt")
    return {"PIP_CERT": "/root/pip-ca.crt"}


class DpkgLockHolder(threading.Thread):
    """Holds the chroot's dpkg lock, as unattended-upgrades does on a fresh cloud image, until deploy/install's
    `apt-get install` has been waiting for it for 3 seconds (without DPkg::Lock::Timeout apt fails at once)."""

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self.apt_waited, self.stop = root, False, threading.Event()
        self.lock = open(root.path / "var/lib/dpkg/lock-frontend", "w")
        fcntl.lockf(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def apt_install_running(self):
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and os.readlink(proc / "root") == str(self.root.path):
                    argv = (proc / "cmdline").read_bytes().split(b"\0")
                    if argv and argv[0].endswith(b"apt-get") and b"install" in argv:
                        return True
            except OSError:
                pass
        return False

    def run(self):
        try:
            while not self.stop.is_set() and not self.apt_install_running():
                time.sleep(0.2)
            if not self.stop.wait(3):
                self.apt_waited = self.apt_install_running()
        finally:
            self.lock.close()  # releases the lock


def write_env_file(root, https_port, app_port):
    """deploy/portal.env.example with the values a clinic fills in, and nothing else changed."""
    text = (ROOT / "deploy" / "portal.env.example").read_text()
    values = {
        "PORTAL_ALLOWED_HOSTS": SERVER_NAME,
        "PORTAL_BASE_URL": f"https://{SERVER_NAME}:{https_port}",
        "PORTAL_DATABASE_URL": "mysql://portal:Chosen-by-the-DBA-7f3@localhost/openemr_portal",
        "OPENEMR_DATABASE_URL": "mysql://portal:Chosen-by-the-DBA-7f3@localhost/openemr",
        # Topology 3: the local socket, no TLS to the database.
        "PORTAL_DB_SSL_CA": "", "PORTAL_DB_SSL_CERT": "", "PORTAL_DB_SSL_KEY": "",
        "OPENEMR_DB_SSL_CA": "", "OPENEMR_DB_SSL_CERT": "", "OPENEMR_DB_SSL_KEY": "",
        "PORTAL_STAFF_NETWORKS": "127.0.0.0/8",
    }
    for key, value in values.items():
        text, count = re.subn(rf"^{key}=.*$", f"{key}={value}", text, flags=re.M)
        assert count == 1, key
    # Ports of this shared test machine (the example's defaults are 443, 80 and 8001).
    text += f"\nPORTAL_NGINX_HTTP_PORT={free_port()}\nPORTAL_GUNICORN_BIND=127.0.0.1:{app_port}\n" \
            "PORTAL_GUNICORN_WORKERS=2\n"
    (root.path / "root" / "portal.env").write_text(text)


def env_file_values(path):
    env = {}
    for line in path.read_text().splitlines():
        if m := re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line):
            env[m.group(1)] = re.sub(r"^'(.*)'$|^\"(.*)\"$", lambda x: x.group(1) or x.group(2) or "", m.group(2))
    return env


def start_portal_by_hand(root):
    """What systemd would do: the installed unit's ExecStartPre and ExecStart, as user portal, with its
    EnvironmentFile=; then nginx."""
    unit = (root.path / "etc/systemd/system/openemr-portal.service").read_text()
    pre = re.search(r"^ExecStartPre=(.*)$", unit, re.M).group(1).split()
    start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1).split()
    workdir = re.search(r"^WorkingDirectory=(.*)$", unit, re.M).group(1)
    env = {"PATH": "/usr/bin:/bin", **env_file_values(root.path / "etc/openemr-portal/portal.env")}
    as_portal = ["setpriv", "--reuid=portal", "--regid=portal", "--init-groups", "sh", "-c",
                 f'cd {workdir} && exec "$@"', "sh"]
    root.run(*as_portal, *pre, env=env, timeout=120)
    gunicorn = subprocess.Popen(["/usr/sbin/chroot", str(root.path), *as_portal, *start], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root.run("nginx")
    return gunicorn


def curl(root, https_port, path, *args, jar):
    """curl from the host, resolving the portal's name to loopback and verifying the installed certificate."""
    result = subprocess.run(
        ["curl", "-sS", "--resolve", f"{SERVER_NAME}:{https_port}:127.0.0.1",
         "--cacert", str(root.path / "etc/ssl/portal/fullchain.pem"), "-b", str(jar), "-c", str(jar),
         "-w", "\n%{http_code} %{redirect_url}", *args, f"https://{SERVER_NAME}:{https_port}{path}"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    body, _, status_line = result.stdout.rpartition("\n")
    status, _, location = status_line.partition(" ")
    return int(status), location, body


def test_bare_debian_to_a_patient_page_over_https(bare_debian, clinic_database, tmp_path):
    root = bare_debian
    https_port, app_port = free_port(), free_port()
    copy_checkout(root.path / "opt" / "openemr-portal")
    write_env_file(root, https_port, app_port)

    env = pip_trust(root)
    holder = DpkgLockHolder(root)
    holder.start()
    try:
        installed = root.timed("deploy/install", root.run, "/opt/openemr-portal/deploy/install",
                               "--local-database", "--staff", "frontdesk", "/root/portal.env", env=env)
    finally:
        holder.stop.set()
        holder.join(timeout=10)
    assert holder.apt_waited  # it waited for the other apt instead of failing
    out = installed.stdout
    assert "self-signed" in out and "Creating the migration account" in out and "Ready:" in out, out
    assert re.search(r"key: [A-Z2-7 ]{20,}", out) and "frontdesk" in out  # first staff account, shown once

    gunicorn = start_portal_by_hand(root)
    try:
        # The first patient: the front desk issues a letter (by command), the patient activates it over HTTPS
        # with the letter's code and the date of birth, chooses a password and sets up an authenticator.
        letter = root.run("portal-manage", "issue_credentials", "--pid", "1", timeout=120).stdout
        username = re.search(r"Your username:\s+(\S+)", letter).group(1)
        code = re.search(r"Your activation code:\s+(\S+)", letter).group(1)

        jar = tmp_path / "cookies"
        origin = ["-H", f"Origin: https://{SERVER_NAME}:{https_port}"]  # as a browser sends it: with the port
        deadline = time.monotonic() + 60
        while (status := curl(root, https_port, "/healthz", jar=jar)[0]) == 502:  # gunicorn still starting
            assert time.monotonic() < deadline and gunicorn.poll() is None, "the portal did not start"
            time.sleep(0.5)

        def post(path, **fields):
            page = curl(root, https_port, path, jar=jar)[2]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            data = [arg for name, value in {"csrfmiddlewaretoken": token, **fields}.items()
                    for arg in ("--data-urlencode", f"{name}={value}")]
            return curl(root, https_port, path, *origin, *data, jar=jar)

        status, location, _ = post("/accounts/activate/", username=username, activation_code=code,
                                   date_of_birth=clinic_database["patient_dob"])
        assert status == 302 and location.endswith("/accounts/activate/password/"), (status, location)
        password = "Quiet-Harbour-Lantern-57"
        status, location, _ = post("/accounts/activate/password/", new_password1=password, new_password2=password)
        assert status == 302 and location.endswith("/accounts/activate/authenticator/"), (status, location)
        page = curl(root, https_port, "/accounts/activate/authenticator/", jar=jar)[2]
        key = re.search(r"secret=([A-Z2-7]+)", html.unescape(page)).group(1)
        hex_key = base64.b32decode(key + "=" * (-len(key) % 8)).hex()
        status, location, _ = post("/accounts/activate/authenticator/", otp_token=current_code(hex_key))
        assert status == 302 and location.endswith("/accounts/backup-codes/new/"), (status, location)
        assert curl(root, https_port, "/", jar=jar)[0] == 200
        status, _, page = curl(root, https_port, "/profile/", jar=jar)
        assert status == 200 and html.escape(clinic_database["patient_first_name"]) in page
        status, _, health = curl(root, https_port, "/healthz", jar=jar)
        assert status == 200 and json.loads(health)["status"] == "ok"

        # The page was read by the restricted account: it holds column-level SELECT in OpenEMR and nothing else.
        grants = root.run("mariadb", "-N", "-e", "SHOW GRANTS FOR 'portal'@'localhost'").stdout
        openemr_grants = [g for g in grants.splitlines() if "`openemr`." in g]
        assert openemr_grants and all(re.match(r"GRANT SELECT \(", g) for g in openemr_grants), grants
        root.run("portal-manage", "audit_verify", timeout=120)

        again = root.timed("deploy/install again", root.run, "/opt/openemr-portal/deploy/install",
                           "--local-database", "--staff", "frontdesk", "/root/portal.env", env=env)
        assert "Staff account frontdesk exists" in again.stdout and "Ready:" in again.stdout
        assert "Installing" not in again.stdout and "Creating" not in again.stdout
    finally:
        gunicorn.terminate()
        print("\ndebootstrap test phases (seconds):", json.dumps(root.times))
