"""A throwaway MariaDB server for tests and benchmarks (Debian's mariadb-server, no Docker).

Each server lives in its own temporary directory with its own socket and a free loopback port, so several
test sessions (and several servers in one session: outage, replica, restricted-account tests) never collide.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import MySQLdb

from devtools.sqlscript import OPENEMR_DDL, split_sql

MARIADBD_CANDIDATES = ["/usr/sbin/mariadbd", "/usr/sbin/mysqld", "/usr/bin/mariadbd"]


def _find(names):
    for name in names:
        path = shutil.which(name) or (name if os.path.exists(name) else None)
        if path:
            return path
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MariaDBServer:
    """Start with start(), stop with stop(); data survives a stop/start (used by the outage test)."""

    def __init__(self, basedir=None, port=None, extra_args=()):
        self.basedir = Path(basedir or tempfile.mkdtemp(prefix="portal-mariadb-"))
        self.datadir = self.basedir / "data"
        self.socket = str(self.basedir / "mysqld.sock")
        self.port = port or free_port()
        self.extra_args = list(extra_args)
        self.process = None
        self.mariadbd = _find(MARIADBD_CANDIDATES)
        self.install_db = _find(["mariadb-install-db", "mysql_install_db"])
        if not self.mariadbd or not self.install_db:
            raise RuntimeError(
                "MariaDB server not found. Install Debian's mariadb-server (make test does this: "
                "scripts/install-system-deps)."
            )

    def _common_args(self):
        # A private tmpdir: concurrent servers' install scripts otherwise clash over temporary tables in /tmp.
        tmpdir = self.basedir / "tmp"
        tmpdir.mkdir(parents=True, exist_ok=True)
        args = ["--no-defaults", f"--datadir={self.datadir}", f"--tmpdir={tmpdir}"]
        if os.geteuid() == 0:
            args.append("--user=root")
        return args

    def initialize(self):
        if self.datadir.exists():
            return
        subprocess.run(
            [self.install_db, *self._common_args(), "--auth-root-authentication-method=normal",
             "--skip-test-db", "--skip-name-resolve"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )

    def start(self, timeout=60):
        self.initialize()
        log = open(self.basedir / "server.log", "ab")
        self.process = subprocess.Popen(
            [self.mariadbd, *self._common_args(), f"--socket={self.socket}", f"--port={self.port}",
             "--bind-address=127.0.0.1", f"--pid-file={self.basedir / 'mysqld.pid'}",
             "--skip-name-resolve", "--skip-log-bin", "--innodb-buffer-pool-size=256M",
             "--innodb-flush-log-at-trx-commit=2", "--innodb-doublewrite=0", "--sync-binlog=0",
             "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
             "--max-connections=300", "--log-error=" + str(self.basedir / "error.log"), *self.extra_args],
            stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited; see {self.basedir / 'error.log'}")
            try:
                self.connect().close()
                return self
            except MySQLdb.OperationalError:
                time.sleep(0.1)
        raise RuntimeError(f"mariadbd did not start in {timeout}s; see {self.basedir / 'error.log'}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def destroy(self):
        self.stop()
        shutil.rmtree(self.basedir, ignore_errors=True)

    def connect(self, db=None, user="root", password="", **kwargs):
        params = {"host": "127.0.0.1", "port": self.port, "user": user, "passwd": password, "charset": "utf8mb4"}
        if db:
            params["db"] = db
        params.update(kwargs)
        return MySQLdb.connect(**params)

    def url(self, db, user="root", password=""):
        auth = f"{user}:{password}" if password else user
        return f"mysql://{auth}@127.0.0.1:{self.port}/{db}"

    def execute(self, sql, db=None):
        conn = self.connect(db)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                rows = cur.fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()




def load_openemr_schema(conn, path=OPENEMR_DDL):
    """Load our OpenEMR-shaped DDL with sql_mode='' as OpenEMR runs (schema doc §0.2)."""
    with conn.cursor() as cur:
        cur.execute("SET SESSION sql_mode = ''")
        for statement in split_sql(Path(path).read_text()):
            cur.execute(statement)
    conn.commit()
