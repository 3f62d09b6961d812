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


# --- Personas: alice (patient, pid 1), bob (patient, pid 2), staff --------------------------------------
PASSWORD = "Correct-horse-battery-42"


def _verified_client(client, user, device):
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def make_patient_account(db):
    """make_patient_account(pid, username) -> User with an active PatientAccount and a confirmed TOTP device."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import PatientAccount

    def make(pid, username, state=PatientAccount.State.ACTIVE):
        user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        PatientAccount.objects.create(user=user, pid=pid, state=state, issued_at=timezone.now())
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        return user

    return make


@pytest.fixture
def alice(make_patient_account, openemr):
    factories.PatientFactory(pid=1, fname="Alice", lname="Martín")
    return make_patient_account(1, "alice")


@pytest.fixture
def bob(make_patient_account, openemr):
    factories.PatientFactory(pid=2, fname="Bob", lname="Nguyễn", email="bob@example.org")
    return make_patient_account(2, "bob")


@pytest.fixture
def alice_client(client, alice):
    """A browser session signed in as alice with her second factor verified."""
    return _verified_client(client, alice, alice.totpdevice_set.get())


@pytest.fixture
def staff(db):
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create_user(username="frontdesk", password=PASSWORD, is_staff=True,
                                                first_name="Dana", last_name="Front")
    TOTPDevice.objects.create(user=user, name="Staff authenticator", confirmed=True)
    return user


@pytest.fixture
def staff_client(client, staff):
    return _verified_client(client, staff, staff.totpdevice_set.get())
