"""The foundation: real MariaDB, read-only OpenEMR, health check and outage recovery."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connections, transaction

from portal.routers import ReadOnlyOpenEMRError
from records.models import FormEncounter, PatientData
from tests import factories

pytestmark = pytest.mark.django_db


def test_suite_runs_on_mariadb_10_11():
    for alias in ("default", "openemr"):
        conn = connections[alias]
        assert conn.vendor == "mysql"
        with conn.cursor() as cur:
            cur.execute("SELECT VERSION()")
            version = cur.fetchone()[0]
        assert "MariaDB" in version and version.startswith("10.11"), version


def test_records_model_reads_openemr_rows_with_ugly_values(openemr):
    factories.PatientFactory(pid=7, fname="Zoë", lname="山田", DOB="0000-00-00", uuid=None)
    patient = PatientData.objects.get(pid=7)
    assert (patient.fname, patient.lname) == ("Zoë", "山田")
    assert patient.dob is None  # zero date comes back as None (mysqlclient)
    assert patient.uuid is None


def test_write_through_records_model_raises(openemr):
    factories.PatientFactory(pid=8)
    patient = PatientData.objects.get(pid=8)
    patient.fname = "Mallory"
    with pytest.raises(ReadOnlyOpenEMRError):
        patient.save()
    with pytest.raises(ReadOnlyOpenEMRError):
        patient.delete()
    with pytest.raises(ReadOnlyOpenEMRError):
        PatientData.objects.filter(pid=8).update(fname="Mallory")
    with pytest.raises(ReadOnlyOpenEMRError):
        FormEncounter.objects.filter(pid=8).delete()
    assert PatientData.objects.get(pid=8).fname == "Alice"


def test_read_only_session_refuses_writes_that_bypass_the_router(openemr):
    factories.PatientFactory(pid=9)
    with pytest.raises(DatabaseError, match="READ ONLY"), transaction.atomic(using="openemr"):
        PatientData.objects.using("openemr").filter(pid=9).update(fname="Mallory")
    assert PatientData.objects.get(pid=9).fname == "Alice"


def _openemr_tables():
    with connections["openemr"].cursor() as cur:
        cur.execute("SHOW TABLES")
        return sorted(row[0] for row in cur.fetchall())


def test_migrate_never_touches_the_openemr_database():
    before = _openemr_tables()
    call_command("migrate", verbosity=0)
    assert _openemr_tables() == before
    assert "django_migrations" not in before
    with pytest.raises(CommandError, match="never migrates OpenEMR"):
        call_command("migrate", database="openemr", verbosity=0)
    assert _openemr_tables() == before


def test_healthz_answers_200_when_both_databases_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "default": "ok", "openemr": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_unknown_page_gives_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content
