"""Helpers for the deployment tests: a real restricted MariaDB account made from `portal_grants`, and
switching the portal's connections to it."""

import contextlib
import io
import os
import secrets

import MySQLdb
import pytest
from django.core.management import call_command
from django.db import connections


def root_connection(db=None, port=None):
    port = port or int(os.environ["PORTAL_TEST_MARIADB_PORT"])
    return MySQLdb.connect(host="127.0.0.1", port=port, user="root", passwd="", charset="utf8mb4",
                           **({"db": db} if db else {}))


def root_execute(sql, db=None, port=None):
    conn = root_connection(db, port)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            rows = cur.fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def grant_statements(**options):
    """The executable statements printed by `manage.py portal_grants` (comments dropped)."""
    out = io.StringIO()
    call_command("portal_grants", stdout=out, **options)
    return [line for line in out.getvalue().splitlines() if line.strip() and not line.lstrip().startswith("--")]


def openemr_db_name():
    return connections["openemr"].settings_dict["NAME"]


def portal_db_name():
    return connections["default"].settings_dict["NAME"]


@contextlib.contextmanager
def connected_as(aliases, user, password, **overrides):
    """Point the given connection aliases at another account (closing them first), restoring them after."""
    saved = {}
    for alias in aliases:
        connections[alias].close()
        saved[alias] = dict(connections[alias].settings_dict)
        connections[alias].settings_dict.update(USER=user, PASSWORD=password, **overrides)
    try:
        yield
    finally:
        for alias in aliases:
            connections[alias].close()
            connections[alias].settings_dict.clear()
            connections[alias].settings_dict.update(saved[alias])


class Account:
    def __init__(self, user, password, port=None):
        self.user, self.password, self.port = user, password, port

    def connect(self, db=None):
        return MySQLdb.connect(host="127.0.0.1", port=self.port or int(os.environ["PORTAL_TEST_MARIADB_PORT"]),
                               user=self.user, passwd=self.password, charset="utf8mb4", **({"db": db} if db else {}))

    def execute(self, sql, db=None, params=None):
        conn = self.connect(db)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                rows = cur.fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()


@pytest.fixture
def restricted_account(django_db_setup):
    """A MariaDB account holding exactly the grants `portal_grants` prints for the test databases."""
    user = f"portal_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    root_execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
    conn = root_connection()
    try:
        with conn.cursor() as cur:
            for statement in grant_statements(user=user, host="%", openemr_db=openemr_db_name(),
                                              portal_db=portal_db_name()):
                cur.execute(statement)
        conn.commit()
    finally:
        conn.close()
    yield Account(user, password)
    root_execute(f"DROP USER IF EXISTS '{user}'@'%'")


def rich_record(pid=1, encounter=50000, reason="Annual check-up"):
    """A patient record touching every kind of page; returns the URLs of its pages that take an id."""
    import datetime

    from django.urls import NoReverseMatch, reverse

    from tests import factories

    facility = factories.FacilityFactory()
    provider = factories.ProviderFactory(facility_id=facility["id"])
    factories.EncounterFactory(pid=pid, encounter=encounter, facility_id=facility["id"], provider_id=provider["id"],
                               reason=reason)
    factories.VitalsFactory(pid=pid, encounter=encounter)
    factories.ProblemFactory(pid=pid)
    factories.AllergyFactory(pid=pid)
    factories.ListMedicationFactory(pid=pid)
    factories.PrescriptionFactory(patient_id=pid, encounter=encounter)
    factories.ImmunizationFactory(patient_id=pid)
    factories.BillingFactory(pid=pid, encounter=encounter)
    factories.AppointmentFactory(pc_pid=str(pid), pc_eventDate=datetime.date.today() + datetime.timedelta(days=14))
    _order, report, results = factories.lab_report(pid=pid, encounter=encounter)
    urls = []
    for name, args in (("records:visit_detail", [encounter]),
                       ("records:result_detail", [report["procedure_report_id"]]),
                       ("records:analyte", [results[0].get("result_code") or "2345-7"])):
        try:
            urls.append(reverse(name, args=args))
        except NoReverseMatch:
            pass  # that page does not exist (yet)
    return urls
