"""`manage.py fake_openemr` on the session's MariaDB, each run into its own fresh database (never the shared
test_openemr one): deterministic, OpenEMR-shaped, with the ugly rows a portal must survive."""

import os
import re
import secrets
import uuid

import MySQLdb
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.mariadb import load_openemr_schema

TODAY = "2026-11-22"
CHECKSUM_TABLES = [
    "patient_data", "users", "facility", "list_options", "code_types", "codes", "openemr_postcalendar_categories",
    "form_encounter", "forms", "form_vitals", "lists", "lists_medication", "issue_encounter", "prescriptions",
    "immunizations", "billing", "procedure_order", "procedure_order_code", "procedure_report", "procedure_result",
    "openemr_postcalendar_events", "form_clinical_notes", "form_care_plan", "form_clinical_instructions",
    "form_soap",
]


def _root(db=None):
    return MySQLdb.connect(host="127.0.0.1", port=int(os.environ["PORTAL_TEST_MARIADB_PORT"]), user="root",
                           passwd="", charset="utf8mb4", **({"db": db} if db else {}))


class FakeDatabases:
    """Creates fresh `fake_<random>` databases with our DDL; drops them all at the end."""

    def __init__(self):
        self.names = []

    def create(self):
        name = f"fake_{secrets.token_hex(4)}"
        conn = _root()
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
        conn.select_db(name)
        load_openemr_schema(conn)
        conn.close()
        self.names.append(name)
        return name

    def url(self, name):
        return f"mysql://root@127.0.0.1:{os.environ['PORTAL_TEST_MARIADB_PORT']}/{name}"

    def generate(self, name, force=False, create_schema=False, **options):
        values = {"patients": 12, "seed": 7, "today": TODAY, "heavy_encounters": 150, **options}
        args = [f"--{key.replace('_', '-')}={value}" for key, value in values.items()]
        args += ["--force"] * force + ["--create-schema"] * create_schema
        call_command("fake_openemr", *args, database_url=self.url(name), verbosity=0)

    def query(self, name, sql, params=None):
        conn = _root(name)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            conn.close()

    def checksum(self, name):
        rows = self.query(name, "CHECKSUM TABLE " + ", ".join(f"`{t}`" for t in CHECKSUM_TABLES))
        return [(table.split(".", 1)[1], value) for table, value in rows]

    def drop_all(self):
        conn = _root()
        with conn.cursor() as cur:
            for name in self.names:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@pytest.fixture(scope="module")
def fake(django_db_blocker):
    databases = FakeDatabases()
    with django_db_blocker.unblock():
        yield databases
    databases.drop_all()


@pytest.fixture(scope="module")
def small(fake):
    """One generated clinic (12 patients, seed 7; pid 2 is the heavy patient with 150 visits)."""
    name = fake.create()
    fake.generate(name)
    return name


def test_same_seed_gives_identical_rows_and_another_seed_does_not(fake, small):
    again, other = fake.create(), fake.create()
    fake.generate(again)
    fake.generate(other, seed=8)
    assert fake.checksum(again) == fake.checksum(small)
    differing = [a for a, b in zip(fake.checksum(other), fake.checksum(small)) if a != b]
    assert {table for table, _ in differing} >= {"patient_data", "form_encounter", "procedure_result"}


def test_patients_are_numbered_from_one_with_providers_and_facilities(fake, small):
    assert fake.query(small, "SELECT MIN(pid), MAX(pid), COUNT(*) FROM patient_data") == ((1, 12, 12),)
    assert fake.query(small, "SELECT COUNT(*) FROM users WHERE authorized = 1 AND active = 1 AND valedictory <> ''"
                      )[0][0] >= 5
    assert 2 <= fake.query(small, "SELECT COUNT(*) FROM facility")[0][0] <= 3
    orphans = fake.query(small, "SELECT COUNT(*) FROM patient_data p LEFT JOIN users u ON u.id = p.providerID "
                                "WHERE u.id IS NULL")
    assert orphans == ((0,),)


def test_demo_patient_one_has_a_bit_of_everything(fake, small):
    (fname, dob, portal), = fake.query(small, "SELECT fname, CAST(DOB AS CHAR), allow_patient_portal "
                                              "FROM patient_data WHERE pid = 1")
    assert (fname, dob, portal) == ("Alice", "1980-04-12", "YES")
    counts = {
        "problems": "SELECT COUNT(*) FROM lists WHERE pid = 1 AND type = 'medical_problem'",
        "allergies": "SELECT COUNT(*) FROM lists WHERE pid = 1 AND type = 'allergy'",
        "medications": "SELECT COUNT(*) FROM prescriptions WHERE patient_id = 1",
        "immunizations": "SELECT COUNT(*) FROM immunizations WHERE patient_id = 1",
        "vitals": "SELECT COUNT(*) FROM form_vitals WHERE pid = 1",
        "flagged results": "SELECT COUNT(*) FROM procedure_result r JOIN procedure_report USING (procedure_report_id) "
                           "JOIN procedure_order o USING (procedure_order_id) WHERE o.patient_id = 1 "
                           "AND r.abnormal IN ('high', 'low', 'vhigh', 'vlow', 'H', 'L', 'HH', 'LL')",
        "upcoming appointments": f"SELECT COUNT(*) FROM openemr_postcalendar_events WHERE pc_pid = '1' "
                                 f"AND pc_eventDate > '{TODAY}'",
        "notes": "SELECT COUNT(*) FROM forms WHERE pid = 1 AND formdir = 'clinical_notes'",
        "care plans": "SELECT COUNT(*) FROM forms WHERE pid = 1 AND formdir = 'care_plan'",
    }
    empty = [what for what, sql in counts.items() if fake.query(small, sql)[0][0] == 0]
    assert empty == []


def test_heavy_patient_has_thousands_of_visits_and_about_9500_results(fake):
    name = fake.create()
    fake.generate(name, patients=3, heavy_encounters=2000)
    assert fake.query(name, "SELECT COUNT(*) FROM form_encounter WHERE pid = 2") == ((2000,),)
    assert fake.query(name, "SELECT COUNT(*) FROM forms WHERE pid = 2 AND formdir = 'newpatient'") == ((2000,),)
    results = fake.query(name, "SELECT COUNT(*) FROM procedure_result r JOIN procedure_report USING "
                               "(procedure_report_id) JOIN procedure_order o USING (procedure_order_id) "
                               "WHERE o.patient_id = 2")[0][0]
    assert 9500 <= results < 9520


def test_every_encounter_has_a_newpatient_form_and_visit_numbers_are_not_ids(fake, small):
    missing = fake.query(small, "SELECT COUNT(*) FROM form_encounter fe LEFT JOIN forms f ON f.formdir = "
                                "'newpatient' AND f.form_id = fe.id AND f.encounter = fe.encounter "
                                "AND f.pid = fe.pid WHERE f.id IS NULL")
    assert missing == ((0,),)
    assert fake.query(small, "SELECT COUNT(*) FROM form_encounter WHERE encounter = id") == ((0,),)


def test_ugly_rows_are_present(fake, small):
    checks = {
        "zero DOB": "SELECT COUNT(*) FROM patient_data WHERE DOB = '0000-00-00'",
        "NULL patient uuid": "SELECT COUNT(*) FROM patient_data WHERE uuid IS NULL",
        "portal not allowed": "SELECT COUNT(*) FROM patient_data WHERE allow_patient_portal <> 'YES'",
        "accented or CJK names": "SELECT COUNT(*) FROM users WHERE CHAR_LENGTH(lname) <> LENGTH(lname)",
        "sensitive encounter": "SELECT COUNT(*) FROM form_encounter WHERE sensitivity = 'high'",
        "deleted form": "SELECT COUNT(*) FROM forms WHERE deleted = 1",
        "erroneous immunization": "SELECT COUNT(*) FROM immunizations WHERE added_erroneously = 1",
        "zero txDate": "SELECT COUNT(*) FROM prescriptions WHERE txDate = '0000-00-00'",
        "inactive prescription": "SELECT COUNT(*) FROM prescriptions WHERE active = 0",
        "ended problem": "SELECT COUNT(*) FROM lists WHERE type = 'medical_problem' AND enddate > '1000-01-01'",
        "resolved problem": "SELECT COUNT(*) FROM lists WHERE outcome = 1",
        "severe allergy": "SELECT COUNT(*) FROM lists WHERE type = 'allergy' AND severity_al = 'severe'",
        "DNR/TNP result": "SELECT COUNT(*) FROM procedure_result WHERE result IN ('DNR', 'TNP')",
        "received (unreviewed) report": "SELECT COUNT(*) FROM procedure_report WHERE review_status = 'received'",
        "deleted billing line": "SELECT COUNT(*) FROM billing WHERE activity = 0",
        "zero pc_endDate": "SELECT COUNT(*) FROM openemr_postcalendar_events WHERE pc_endDate = '0000-00-00'",
        "non-patient event": "SELECT COUNT(*) FROM openemr_postcalendar_events WHERE pc_pid IS NULL OR pc_pid IN "
                             "('', '0')",
        "recurring appointment": "SELECT COUNT(*) FROM openemr_postcalendar_events WHERE pc_recurrtype > 0",
        ":text: comment": "SELECT COUNT(*) FROM openemr_postcalendar_events WHERE pc_hometext LIKE ':text:%'",
        "retired list option": "SELECT COUNT(*) FROM list_options WHERE activity = 0",
        "care plan sharing one id": "SELECT COUNT(*) FROM (SELECT id FROM form_care_plan GROUP BY id "
                                    "HAVING COUNT(*) > 1) t",
        # Issue 10: what real OpenEMR holds and the portal must read.
        "immunization without a visit": "SELECT COUNT(*) FROM immunizations WHERE encounter_id IS NULL",
        "prescription without a visit": "SELECT COUNT(*) FROM prescriptions WHERE encounter IS NULL",
        "all-day event ending 24:00": "SELECT COUNT(*) FROM openemr_postcalendar_events "
                                      "WHERE pc_endTime = '24:00:00'",
        "appointment ending 24:30": "SELECT COUNT(*) FROM openemr_postcalendar_events WHERE pc_endTime = '24:30:00'",
        "series running for years": "SELECT COUNT(*) FROM openemr_postcalendar_events WHERE pc_recurrtype > 0 "
                                    "AND pc_eventDate < %(today)s - INTERVAL 2 YEAR AND pc_endDate IS NULL",
        "appointment over 6 months out": "SELECT COUNT(*) FROM openemr_postcalendar_events "
                                         "WHERE pc_eventDate > %(today)s + INTERVAL 6 MONTH",
        "cancelled or no-show ahead": "SELECT COUNT(*) FROM openemr_postcalendar_events "
                                      "WHERE pc_apptstatus IN ('x', '%%', '?') AND pc_eventDate > %(today)s",
        "hidden event": "SELECT COUNT(*) FROM openemr_postcalendar_events WHERE pc_eventstatus = -1",
        "refuted issue": "SELECT COUNT(*) FROM lists WHERE verification = 'refuted'",
        "entered-in-error issue": "SELECT COUNT(*) FROM lists WHERE verification = 'entered-in-error'",
        "retired list medication": "SELECT COUNT(*) FROM lists WHERE type = 'medication' AND activity = 0 "
                                   "AND enddate IS NULL",
        "huge FLOAT": "SELECT COUNT(*) FROM immunizations WHERE amount_administered > 1e30",
        "forty nines in bps": "SELECT COUNT(*) FROM form_vitals WHERE CHAR_LENGTH(bps) = 40",
        "result of 1e308": "SELECT COUNT(*) FROM procedure_result WHERE result = '1e308'",
        "catalogue range": "SELECT COUNT(*) FROM procedure_type WHERE procedure_type = 'res' AND `range` <> ''",
    }
    absent = [what for what, sql in checks.items()
              if fake.query(small, sql, {"today": TODAY} if "%(" in sql else None)[0][0] == 0]
    assert absent == []


def test_pc_pid_is_stored_as_the_pid_string(fake, small):
    rows = fake.query(small, "SELECT DISTINCT pc_pid FROM openemr_postcalendar_events WHERE pc_pid <> '' "
                             "AND pc_pid <> '0'")
    assert rows and all(isinstance(pc_pid, str) and pc_pid.isdigit() for (pc_pid,) in rows)
    column_type = fake.query(small, "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s "
                                    "AND TABLE_NAME = 'openemr_postcalendar_events' AND COLUMN_NAME = 'pc_pid'",
                             (small,))
    assert column_type == (("varchar",),)


def test_recurring_appointments_carry_a_valid_php_serialized_spec_with_exdate(fake, small):
    specs = fake.query(small, "SELECT pc_recurrspec FROM openemr_postcalendar_events WHERE pc_recurrtype > 0")
    assert specs
    for (spec,) in specs:
        assert re.fullmatch(r'a:6:\{(s:\d+:"[^"]*";){12}\}', spec)
        for length, text in re.findall(r's:(\d+):"([^"]*)";', spec):
            assert int(length) == len(text.encode())
        exdate = re.search(r's:6:"exdate";s:\d+:"([^"]*)";', spec).group(1)
        assert re.fullmatch(r"(\d{8}(,\d{8})*)?", exdate)  # a series without exceptions has an empty one


def test_immunizations_use_bare_integer_cvx_codes_from_the_codes_table(fake, small):
    assert fake.query(small, "SELECT COUNT(*) FROM codes c JOIN code_types t ON t.ct_id = c.code_type "
                             "WHERE t.ct_key = 'CVX'")[0][0] >= 20
    assert fake.query(small, "SELECT COUNT(*) FROM codes WHERE code_type = 100 AND code LIKE '0%'") == ((0,),)
    matched = fake.query(small, "SELECT COUNT(*) FROM immunizations i JOIN codes c ON c.code = i.cvx_code "
                                "AND c.code_type = 100")[0][0]
    total = fake.query(small, "SELECT COUNT(*) FROM immunizations")[0][0]
    assert 0.9 * total <= matched < total + 1


def test_uuids_are_sixteen_bytes_of_a_version_4_uuid(fake, small):
    rows = fake.query(small, "SELECT uuid FROM form_encounter WHERE uuid IS NOT NULL LIMIT 50")
    assert rows and all(uuid.UUID(bytes=bytes(value)).version == 4 for (value,) in rows)


def test_refuses_a_database_that_already_holds_patients_unless_forced(fake):
    name = fake.create()
    fake.generate(name, patients=4, heavy_encounters=10)
    with pytest.raises(CommandError, match="already holds 4 patients"):
        fake.generate(name, patients=4, heavy_encounters=10)
    fake.generate(name, patients=5, heavy_encounters=10, force=True)
    assert fake.query(name, "SELECT COUNT(*) FROM patient_data") == ((5,),)


def test_refuses_a_database_without_the_openemr_tables(fake):
    name = f"fake_{secrets.token_hex(4)}"
    conn = _root()
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}`")
    conn.close()
    fake.names.append(name)
    with pytest.raises(CommandError, match="--create-schema"):
        fake.generate(name, patients=2)
    fake.generate(name, patients=2, heavy_encounters=10, create_schema=True)


def test_generated_rows_read_back_through_every_records_model(fake, small):
    from django.apps import apps
    from django.db import connections

    alias = "fake_openemr_read"
    settings = dict(connections.settings["openemr"])
    settings.update(NAME=small, OPTIONS={"charset": "utf8mb4"})
    connections.settings[alias] = settings
    try:
        for model in apps.get_app_config("records").get_models():
            rows = model.objects.using(alias).values() if model._meta.db_table == "form_care_plan" else (
                model.objects.using(alias).all())
            assert len(list(rows)) > 0, model.__name__
        from records.models import PatientData

        legacy = PatientData.objects.using(alias).get(pid=3)
        assert (legacy.dob, legacy.uuid) == (None, None)  # zero date and NULL uuid read as None
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def test_create_schema_never_drops_a_database_that_holds_patients(fake):
    name = fake.create()
    fake.generate(name, patients=3, heavy_encounters=10)
    with pytest.raises(CommandError, match="already holds 3 patients"):
        fake.generate(name, patients=3, heavy_encounters=10, create_schema=True)
    assert fake.query(name, "SELECT COUNT(*) FROM patient_data") == ((3,),)


def test_php_serialize_counts_utf8_bytes_like_php():
    from devtools.fakedata.php import php_serialize

    assert php_serialize({"exdate": "", "n": 2, "x": None}) == 'a:3:{s:6:"exdate";s:0:"";s:1:"n";i:2;s:1:"x";N;}'
    assert php_serialize("Martín") == 's:7:"Martín";'
