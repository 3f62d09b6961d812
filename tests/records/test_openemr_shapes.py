"""What OpenEMR writes, read as OpenEMR means it (issue 10, items 1, 5-10): each test failed before the change
that made it pass. The rows come from tests/factories.py, ugly shapes included."""

import datetime
import re

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from records import queries
from tests import factories as f
from tests.records.conftest import SENSITIVE_VISIT, VISIT
from tests.records.test_pages import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_today")]


def row(response, needle):
    """The visible text of the table row (or list item) that contains `needle`."""
    assert response.status_code == 200
    body = response.content.decode()
    for chunk in re.split(r"</tr>|</li>", body):
        visible = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", chunk))
        if needle in visible:
            return visible
    raise AssertionError(f"{needle!r} is in no row")


# --- Item 1: items without a visit never make the page scan the clinic's visits ------------------------------

def test_items_without_a_visit_are_filtered_by_a_literal_list_of_sensitive_visits(alice_client, rich):
    f.ImmunizationWithoutVisitFactory(patient_id=1, cvx_code="141")
    f.PrescriptionWithoutVisitFactory(patient_id=1, drug="Naproxen")
    for url in ("/immunizations/", "/medications/", "/"):
        with CaptureQueriesContext(connections["openemr"]) as captured:
            assert alice_client.get(url).status_code == 200
        for query in captured:
            sql = query["sql"]
            if "FROM `immunizations`" in sql or "FROM `prescriptions`" in sql:
                # The sensitive encounters were read once, by their own indexed query; never a subquery that
                # MariaDB evaluates per NULL-encounter row as a full scan of form_encounter.
                assert "form_encounter" not in sql, sql
                assert f"IN ({SENSITIVE_VISIT})" in sql
    page = text(alice_client.get("/medications/"))
    assert "Naproxen" in page and "Sertraline" not in page


def test_the_sensitive_visits_are_read_once_per_page(alice_client, rich):
    with CaptureQueriesContext(connections["openemr"]) as captured:
        alice_client.get("/")
    reads = [q["sql"] for q in captured if q["sql"].lstrip().startswith("SELECT DISTINCT `form_encounter`.`encounter`")]
    assert len(reads) == 1


# --- Item 5: TIME of 24:00 and later -------------------------------------------------------------------------

def test_an_all_day_event_ending_at_24_00_shows_as_all_day_on_every_page(alice_client, rich):
    f.AllDayAppointmentFactory(pc_pid="1", pc_eventDate=datetime.date(2026, 4, 8), pc_alldayevent=0)
    for url in ("/", "/appointments/", f"/visits/{VISIT}/"):
        response = alice_client.get(url)
        assert response.status_code == 200, url
    assert "All day" in row(alice_client.get("/appointments/"), "Apr 8, 2026")
    assert "Apr 8, 2026, all day" in text(alice_client.get("/"))


def test_an_appointment_ending_past_midnight_shows_it_ends_the_next_day(alice_client, rich):
    f.PastMidnightAppointmentFactory(pc_pid="1", pc_eventDate=datetime.date(2026, 4, 9))
    assert "11:30 PM to 12:30 AM (ends next day)" in row(alice_client.get("/appointments/"), "Apr 9, 2026")


# --- Item 6: entered-in-error and refuted issues --------------------------------------------------------------

def test_entered_in_error_and_refuted_issues_are_not_shown_as_active(alice_client, rich):
    f.ErroneousProblemFactory(pid=1)
    f.RefutedProblemFactory(pid=1)
    f.AllergyFactory(pid=1, title="Shellfish (wrong patient)", verification="entered-in-error")
    f.AllergyFactory(pid=1, title="Codeine (ruled out)", verification="refuted")
    summary = text(alice_client.get("/"))
    for title in ("Diabetes typed on the wrong chart", "Suspected lupus", "Shellfish (wrong patient)",
                  "Codeine (ruled out)"):
        assert title not in summary, title
    assert "Suspected lupus" not in text(alice_client.get("/problems/"))
    allergies = text(alice_client.get("/allergies/"))
    assert "Shellfish" not in allergies and "Codeine" not in allergies and "Penicillin" in allergies


def test_a_refuted_problem_is_listed_with_past_problems_marked_ruled_out(alice_client, rich):
    f.ProblemFactory(pid=1, title="Suspected lupus", verification="refuted")
    f.ProblemFactory(pid=1, title="Diabetes typed on the wrong chart", verification="entered-in-error",
                     enddate=datetime.datetime(2025, 1, 1))
    response = alice_client.get("/problems/?show=resolved")
    assert "Ruled out" in row(response, "Suspected lupus")
    assert "Diabetes typed on the wrong chart" not in text(response)


# --- Item 7: list medications retired by the prescription sync ----------------------------------------------

def test_a_medication_list_row_with_activity_0_is_not_current(alice_client, rich):
    f.RetiredListMedicationFactory(pid=1)
    f.ListMedicationFactory(pid=1, title="Folic acid 1 mg", activity=None)  # legacy rows without the flag
    current = text(alice_client.get("/medications/"))
    assert "Warfarin" not in current and "Folic acid" in current
    assert "Warfarin" not in text(alice_client.get("/"))
    assert "Warfarin" in text(alice_client.get("/medications/?show=past"))


# --- Item 8: cancelled, no-show and hidden appointments -----------------------------------------------------

def test_cancelled_no_show_and_hidden_appointments_are_not_upcoming(alice_client, rich):
    f.CancelledAppointmentFactory(pc_pid="1", pc_eventDate=datetime.date(2026, 4, 3),
                                  pc_hometext=":text:Cancelled one")
    f.AppointmentFactory(pc_pid="1", pc_eventDate=datetime.date(2026, 4, 4), pc_apptstatus="%",
                         pc_hometext=":text:Cancelled late")
    f.NoShowAppointmentFactory(pc_pid="1", pc_eventDate=datetime.date(2026, 4, 5), pc_hometext=":text:Missed one")
    f.HiddenAppointmentFactory(pc_pid="1", pc_eventDate=datetime.date(2026, 4, 7), pc_hometext=":text:Hidden one")
    for url in ("/", f"/visits/{VISIT}/"):
        page = text(alice_client.get(url))
        for day in ("Apr 3, 2026", "Apr 4, 2026", "Apr 5, 2026", "Apr 7, 2026"):
            assert day not in page, (url, day)
    response = alice_client.get("/appointments/")
    assert "Hidden one" not in text(response) and "Apr 7, 2026" not in text(response)
    cancelled = row(response, "Apr 3, 2026")
    assert "Cancelled" in cancelled and "Add to calendar" not in cancelled  # listed, with its status in words


# --- Item 9: numbers that raise -------------------------------------------------------------------------------

def test_huge_numbers_are_shown_as_stored_instead_of_a_server_error(alice_client, rich):
    f.ImmunizationFactory(patient_id=1, cvx_code="141", amount_administered=f.HUGE_FLOAT,
                          administered_date=datetime.datetime(2026, 1, 5, 9, 0))
    f.VitalsFactory(pid=1, encounter=VISIT, date=datetime.datetime(2026, 3, 20, 9, 0), bps=f.HUGE_BPS, bpd="85")
    f.lab_report(pid=1, encounter=VISIT, test="Overflow panel", results=[
        {"result_code": "2345-7", "result_text": "Glucose", "result": "1e308", "abnormal": "HH"}])
    for url in ("/", "/immunizations/", "/vitals/", f"/visits/{VISIT}/", "/results/",
                "/results/analyte/2345-7/"):
        assert alice_client.get(url).status_code == 200, url
    assert "3.4028" in text(alice_client.get("/immunizations/"))  # MariaDB's FLOAT clamps 1e308 to 3.4e38
    assert f.HUGE_BPS in text(alice_client.get("/vitals/"))
    assert "1e308" in text(alice_client.get("/results/"))


# --- Item 10: void lab lines, catalogue ranges, one allow-portal rule, TIMESTAMP zones -----------------------

def test_lab_reports_and_results_in_error_or_cancelled_are_not_shown(alice_client, rich):
    f.lab_report(pid=1, encounter=VISIT, test="Lipid panel sent in error", report={"report_status": "error"},
                 results=[{"result_code": "2093-3", "result_text": "Cholesterol (void report)", "result": "999"}])
    f.lab_report(pid=1, encounter=VISIT, test="Cancelled panel", report={"report_status": "cancel"},
                 results=[{"result_code": "2093-3", "result_text": "Cholesterol (cancelled)", "result": "998"}])
    f.lab_report(pid=1, encounter=VISIT, test="Mixed panel", results=[
        {"result_code": "2160-0", "result_text": "Creatinine", "result": "0.9"},
        {"result_code": "3094-0", "result_text": "BUN (voided line)", "result": "77", "result_status": "error"}])
    page = text(alice_client.get("/results/"))
    assert "Creatinine" in page
    for hidden in ("Lipid panel sent in error", "Cancelled panel", "BUN (voided line)"):
        assert hidden not in page, hidden
    assert "Cholesterol (void report)" not in text(alice_client.get("/"))


def test_the_catalogue_range_stands_in_where_the_lab_sent_none(alice_client, rich):
    writer = f.writer()
    writer.insert("procedure_type", {"parent": 0, "name": "Sodium", "lab_id": 7, "procedure_code": "2951-2",
                                     "procedure_type": "res", "units": "mmol/L", "range": "135-145",
                                     "activity": 1})
    f.lab_report(pid=1, encounter=VISIT, test="Electrolytes", order={"lab_id": 7}, results=[
        {"result_code": "2951-2", "result_text": "Sodium, catalogue", "result": "140", "units": "", "range": "",
         "abnormal": ""}])
    for url in ("/results/", "/"):  # the results pages and the summary's recent results
        line = row(alice_client.get(url), "Sodium, catalogue")
        assert "135-145" in line and "mmol/L" in line, url


def test_allow_portal_yes_in_lower_case_lets_the_patient_in_everywhere(client, make_patient_account, openemr):
    from records.identity import patient_identity

    f.PatientFactory(pid=7, allow_patient_portal="yes ")
    assert patient_identity(7).allow_portal is True
    assert queries.portal_allowed(7) is True


def test_timestamp_columns_read_as_the_instant_they_record(alice, reference_data, openemr):
    f.EncounterFactory(pid=1, encounter=VISIT)
    openemr.execute("SET SESSION time_zone = '+00:00'")
    f.ClinicalInstructionsFactory(pid=1, encounter=str(VISIT), date="2026-03-02 15:00:00",
                                  instruction="Rest the ankle")
    summary = queries.visit_summary(1, VISIT)
    assert summary.instructions[0].date == datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.timezone.utc)
