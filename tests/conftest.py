"""Session harness: MariaDB (started by tests/plugin.py), the portal DB built by migrations, the OpenEMR DB
built from our own DDL (tests/sql/openemr.sql), and per-test cleaning of OpenEMR tables."""

import os

import pytest

from tests import factories
from tests.mariadb import load_openemr_schema
from tests.openemr_writer import OpenEMRWriter

BOTH_DATABASES = ["default", "openemr"]


def pytest_collection_modifyitems(items):
    # Every database test may read OpenEMR: give each django_db mark both aliases unless it names its own.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and "databases" not in marker.kwargs:
            item.add_marker(pytest.mark.django_db(*marker.args, **marker.kwargs, databases=BOTH_DATABASES),
                            append=False)


def _root_connection(db=None):
    import MySQLdb

    return MySQLdb.connect(host="127.0.0.1", port=int(os.environ["PORTAL_TEST_MARIADB_PORT"]), user="root",
                           passwd="", charset="utf8mb4", **({"db": db} if db else {}))


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """Portal DB by migrations; OpenEMR DB from our DDL. Django never creates or migrates the OpenEMR DB."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    openemr_name = connections["openemr"].settings_dict["NAME"]
    conn = _root_connection()
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{openemr_name}`")
        cur.execute(f"CREATE DATABASE `{openemr_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
    conn.select_db(openemr_name)
    load_openemr_schema(conn)
    conn.close()
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        try:
            teardown_databases(config, verbosity=0)
        except Exception:  # the server is thrown away with the session anyway
            pass


@pytest.fixture
def openemr(django_db_setup):
    """Writer for OpenEMR rows; every table it touched is emptied after the test."""
    from django.db import connections

    conn = _root_connection(connections["openemr"].settings_dict["NAME"])
    writer = OpenEMRWriter(conn)
    factories.bind(writer)
    try:
        yield writer
    finally:
        factories.bind(None)
        writer.clean()
        conn.close()


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 is deliberately slow; tests check behaviour, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def mariadb_server():
    """A second, private MariaDB server that a test may stop and start (outage, replica, restricted user)."""
    from tests.mariadb import MariaDBServer

    server = MariaDBServer().start()
    yield server
    server.destroy()
