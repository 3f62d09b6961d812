"""Replica mode: a primary and a filtered replica (MariaDB's own replication, with the generated filters)."""

import time
from pathlib import Path

import pytest
from django.db import connections

from portal.management.commands.replication_filters import replicated_tables, server_args
from portal.lib.openemr_schema import mapped_tables
from tests import factories
from tests.deploy.conftest import connected_as, rich_record
from tests.mariadb import MariaDBServer, load_openemr_schema, split_sql
from tests.openemr_writer import OpenEMRWriter

pytestmark = pytest.mark.django_db(transaction=True)

DB = "openemr"
INDEX_SQL = Path(__file__).resolve().parents[2] / "deploy" / "mysql" / "replica-pc_pid-index.sql"


def test_filters_name_exactly_the_tables_the_models_read():
    assert replicated_tables(DB) == [f"{DB}.{table}" for table in mapped_tables()]
    assert f"--replicate-do-table={DB}.patient_data" in server_args(DB)
    assert not any("users_secure" in arg or "patient_access_onsite" in arg for arg in server_args(DB))


def test_replication_filters_command_prints_mariadb_and_mysql_syntax():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("replication_filters", openemr_db=DB, stdout=out)
    text = out.getvalue()
    assert "replicate-do-table = openemr.patient_data\n" in text  # MariaDB my.cnf
    assert "#   replicate-do-table=openemr.patient_data\n" in text  # MySQL 8 my.cnf, commented in "both"
    assert "CHANGE REPLICATION FILTER REPLICATE_DO_TABLE = (openemr." in text
    assert "pc_pid" in text and "replica-pc_pid-index.sql" in text
    assert "users_secure" not in text
    # The whole default output pastes into a MariaDB my.cnf: every active line is a MariaDB filter.
    active = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert active == [f"replicate-do-table = {name}" for name in replicated_tables(DB)]
    mysql = io.StringIO()
    call_command("replication_filters", openemr_db=DB, flavor="mysql", stdout=mysql)
    assert "\nreplicate-do-table=openemr.patient_data\n" in mysql.getvalue()
    assert "replicate-do-table = " not in mysql.getvalue()
    only_mariadb = io.StringIO()
    call_command("replication_filters", openemr_db=DB, flavor="mariadb", stdout=only_mariadb)
    assert "CHANGE REPLICATION FILTER" not in only_mariadb.getvalue()


def _wait_for(query, server, db=DB, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = server.execute(query, db=db)
        if rows:
            return rows
        time.sleep(0.1)
    status = server.execute("SHOW SLAVE STATUS")
    raise AssertionError(f"not replicated within {timeout}s; SHOW SLAVE STATUS: {status}")


@pytest.fixture
def primary_and_replica():
    primary = MariaDBServer(extra_args=["--log-bin=primary-bin", "--server-id=1", "--binlog-format=ROW"])
    replica = MariaDBServer(extra_args=["--server-id=2", "--read-only=1", "--relay-log=replica-relay",
                                        *server_args(DB)])
    try:
        primary.start()
        replica.start()
        # The schema exists on both sides before replication starts: only row events travel.
        for server in (primary, replica):
            conn = server.connect()
            conn.cursor().execute(f"CREATE DATABASE {DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
            conn.select_db(DB)
            load_openemr_schema(conn)
            conn.close()
        # The appointment index, on the replica only (deploy/mysql/replica-pc_pid-index.sql).
        for statement in split_sql(INDEX_SQL.read_text()):
            replica.execute(statement)
        primary.execute("CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-secret'")
        primary.execute("GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'")
        log_file, log_pos = primary.execute("SHOW MASTER STATUS")[0][:2]
        replica.execute(
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={primary.port}, MASTER_USER='repl', "
            f"MASTER_PASSWORD='repl-secret', MASTER_LOG_FILE='{log_file}', MASTER_LOG_POS={log_pos}, "
            "MASTER_USE_GTID=no"
        )
        replica.execute("START SLAVE")
        yield primary, replica
    finally:
        replica.destroy()
        primary.destroy()


@pytest.fixture
def primary_writer(primary_and_replica):
    primary, _replica = primary_and_replica
    conn = primary.connect(DB)
    writer = OpenEMRWriter(conn)
    factories.bind(writer)
    yield writer
    factories.bind(None)
    conn.close()


@pytest.mark.slow
def test_replica_gets_listed_tables_only_and_serves_the_patient_pages(
        primary_and_replica, primary_writer, make_patient_account, client):
    primary, replica = primary_and_replica
    factories.PatientFactory(pid=1, fname="Ada", lname="Replicated")
    rich_record(pid=1, reason="Knee pain after the replica hike")
    # Tables the portal never reads: written on the primary, they must never reach the DMZ replica.
    primary_writer.execute("INSERT INTO users_secure (id, username, password) VALUES (1, 'admin', 'bcrypt-hash')")
    primary_writer.execute("INSERT INTO patient_access_onsite (pid, portal_username, portal_pwd) "
                           "VALUES (1, 'ada', 'hash')")
    marker = factories.ProblemFactory(pid=1, title="Marker written last")

    _wait_for(f"SELECT id FROM lists WHERE id = {marker['id']}", replica)
    assert replica.execute("SELECT fname, lname FROM patient_data WHERE pid = 1", db=DB) == (("Ada", "Replicated"),)
    assert replica.execute("SELECT COUNT(*) FROM form_encounter", db=DB)[0][0] == 1
    assert replica.execute("SELECT COUNT(*) FROM openemr_postcalendar_events", db=DB)[0][0] == 1  # with the index
    assert replica.execute("SELECT COUNT(*) FROM users_secure", db=DB) == ((0,),)
    assert replica.execute("SELECT COUNT(*) FROM patient_access_onsite", db=DB) == ((0,),)
    assert primary.execute("SELECT COUNT(*) FROM users_secure", db=DB) == ((1,),)
    status = dict(zip([d[0] for d in _slave_status_columns(replica)], replica.execute("SHOW SLAVE STATUS")[0]))
    assert status["Slave_SQL_Running"] == "Yes" and status["Last_SQL_Errno"] == 0

    user = make_patient_account(1, "ada")
    from tests.conftest import _verified_client

    patient_client = _verified_client(client, user, user.totpdevice_set.get())
    with connected_as(["openemr"], "root", "", NAME=DB, HOST="127.0.0.1", PORT=str(replica.port)):
        front = patient_client.get("/")
        visits = patient_client.get("/visits/")
        with connections["openemr"].cursor() as cur:
            cur.execute("SELECT @@server_id")
            assert cur.fetchone()[0] == 2  # really served from the replica
    assert front.status_code == 200
    assert visits.status_code == 200
    assert b"Knee pain after the replica hike" in front.content + visits.content


def _slave_status_columns(server):
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW SLAVE STATUS")
            return cur.description
    finally:
        conn.close()
