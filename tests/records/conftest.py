"""Records-page fixtures: a frozen clinic "today", alice's rich record, bob's record and a heavy patient."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests import factories as f

TODAY = datetime.date(2026, 4, 1)
NOW = datetime.datetime(2026, 4, 1, 12, 0, tzinfo=ZoneInfo("America/New_York"))
VISIT = 50000
SENSITIVE_VISIT = 50001
OLD_VISIT = 49000
BOB_VISIT = 60000


@pytest.fixture
def clinic_today():
    """Chart tests run on 1 April 2026, noon at the clinic. Modules opt in with
    `pytest.mark.usefixtures("clinic_today")`, so the clock stops before any sign-in happens."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def reference_data(openemr):
    f.seed_code_types()
    f.seed_list_options()
    f.CodeFactory(code="141", code_text_short="Flu vaccine, quadrivalent")
    f.CodeFactory(code="3", code_text_short="", code_text="measles, mumps and rubella virus vaccine")
    f.ListOptionFactory(list_id="immunizations", option_id="5", title="Tetanus (legacy list)")
    f.CalendarCategoryFactory(pc_catid=5, pc_catname="Office Visit")
    f.CalendarCategoryFactory(pc_catid=9, pc_constant_id="established_patient", pc_catname="Established Patient")
    facility = f.FacilityFactory(id=100)
    provider = f.ProviderFactory(id=1000, fname="Maria", mname="L.", lname="Okafor", suffix="Jr.",
                                 valedictory="MD")
    nurse = f.ProviderFactory(id=1001, fname="Sam", lname="Lee", valedictory="RN")
    return {"facility": facility, "provider": provider, "nurse": nurse}


@pytest.fixture
def rich(alice, reference_data):
    """Alice (pid 1): every section filled, plus rows OpenEMR means to hide (sensitive, deleted, erroneous)."""
    ids = {}
    provider_id = reference_data["provider"]["id"]
    f.EncounterFactory(pid=1, encounter=VISIT, date=datetime.datetime(2026, 3, 2, 9, 30), provider_id=provider_id,
                       facility_id=100, reason="Blood pressure follow-up", supervisor_id=1001)
    f.EncounterFactory(pid=1, encounter=OLD_VISIT, date=datetime.datetime(2025, 6, 10, 14, 0),
                       provider_id=provider_id, facility_id=100, reason="Sprained ankle", sensitivity="")
    f.EncounterFactory(pid=1, encounter=SENSITIVE_VISIT, date=datetime.datetime(2026, 3, 10, 16, 0),
                       reason="Confidential counselling", sensitivity="high")
    # Problems: active, resolved (outcome 1), ended, zero end date (= active), future end date (= active).
    ids["hypertension"] = f.ProblemFactory(pid=1, title="Essential hypertension")["id"]
    f.ProblemFactory(pid=1, title="Acute bronchitis", outcome=1)
    f.ProblemFactory(pid=1, title="Ankle sprain", enddate=datetime.datetime(2025, 7, 1))
    f.ProblemFactory(pid=1, title="Asthma", enddate="0000-00-00 00:00:00", begdate="0000-00-00 00:00:00")
    f.ProblemFactory(pid=1, title="Pregnancy", enddate=datetime.datetime(2026, 9, 1))
    # Allergies: shown severe first.
    f.AllergyFactory(pid=1, title="Peanuts", reaction="nausea", severity_al="mild")
    f.AllergyFactory(pid=1, title="Penicillin", reaction="hives", severity_al="severe")
    f.AllergyFactory(pid=1, title="Latex", reaction="", severity_al="fatal")
    f.AllergyFactory(pid=1, title="Sulfa (resolved)", enddate=datetime.datetime(2020, 1, 1))
    # Prescriptions: current, soft-deleted/stopped, ended, and one from the sensitive visit.
    rx = f.PrescriptionFactory(patient_id=1, drug="Lisinopril", encounter=VISIT, provider_id=provider_id)
    f.PrescriptionFactory(patient_id=1, drug="Metformin", active=0)
    f.PrescriptionFactory(patient_id=1, drug="Amoxicillin", end_date=datetime.date(2026, 2, 1))
    f.PrescriptionFactory(patient_id=1, drug="Sertraline", encounter=SENSITIVE_VISIT)
    # List medications: one unlinked (shown), one linked to the prescription (not shown twice).
    vitamin = f.ListMedicationFactory(pid=1, title="Vitamin D3 1000 IU")
    f.ListsMedicationFactory(list_id=vitamin["id"])
    linked = f.ListMedicationFactory(pid=1, title="Lisinopril (list copy)")
    f.ListsMedicationFactory(list_id=linked["id"], prescription_id=rx["id"])
    # Immunizations: CVX name, CVX with only code_text, legacy list id, unknown CVX, entered in error, sensitive.
    f.ImmunizationFactory(patient_id=1, cvx_code="141", encounter_id=VISIT)
    f.ImmunizationFactory(patient_id=1, cvx_code="03", administered_date=datetime.datetime(1990, 5, 1))
    f.ImmunizationFactory(patient_id=1, cvx_code="", immunization_id=5, administered_date="0000-00-00 00:00:00")
    f.ImmunizationFactory(patient_id=1, cvx_code="999", administered_date=datetime.datetime(2024, 1, 2))
    f.ImmunizationFactory(patient_id=1, cvx_code="45", added_erroneously=1)
    f.ImmunizationFactory(patient_id=1, cvx_code="62", encounter_id=SENSITIVE_VISIT)
    # Vitals: this visit, an older one, a deleted form, the sensitive visit.
    f.VitalsFactory(pid=1, encounter=VISIT, date=datetime.datetime(2026, 3, 2, 9, 40))
    f.VitalsFactory(pid=1, encounter=OLD_VISIT, date=datetime.datetime(2025, 6, 10, 14, 5), weight="160.0",
                    bps="140", bpd="90", BMI="26.6")
    f.VitalsFactory(pid=1, encounter=VISIT, form_deleted=1, weight="999.0", bps="999")
    f.VitalsFactory(pid=1, encounter=SENSITIVE_VISIT, date=datetime.datetime(2026, 3, 10, 16, 5), weight="170.0",
                    bps="111", bpd="71")
    # Labs: a report with a high, a normal, a critically low, a DNR; one on the sensitive visit; a deleted order.
    order, report, results = f.lab_report(pid=1, encounter=VISIT, order={"provider_id": provider_id}, results=[
        {"result_code": "2345-7", "result_text": "Glucose", "result": "105", "abnormal": "H", "range": "70-99"},
        {"result_code": "2823-3", "result_text": "Potassium", "result": "4.1", "units": "mmol/L",
         "abnormal": "", "range": "3.5-5.1"},
        {"result_code": "2951-2", "result_text": "Sodium", "result": "118", "units": "mmol/L", "abnormal": "LL",
         "range": ""},
        {"result_code": "17861-6", "result_text": "Calcium", "result": "DNR", "abnormal": ""},
    ])
    ids["report"] = report["procedure_report_id"]
    f.lab_report(pid=1, encounter=OLD_VISIT, order={"date_ordered": datetime.datetime(2025, 6, 10, 14, 30)},
                 report={"date_collected": datetime.datetime(2025, 6, 10, 14, 30),
                         "date_report": datetime.datetime(2025, 6, 11, 9, 0)},
                 results=[{"result_code": "2345-7", "result_text": "Glucose", "result": "92", "abnormal": "N",
                           "date": datetime.datetime(2025, 6, 10, 14, 30)}],
                 test="Glucose, fasting")
    _order, hidden_report, _r = f.lab_report(pid=1, encounter=SENSITIVE_VISIT, test="HIV screen", results=[
        {"result_code": "75622-1", "result_text": "HIV 1+2 antibodies", "result": "Negative", "abnormal": ""}])
    ids["sensitive_report"] = hidden_report["procedure_report_id"]
    _order, deleted_report, _r = f.lab_report(pid=1, encounter=VISIT, order={"activity": 0}, test="Deleted order",
                                              results=[{"result_text": "Deleted analyte", "result_code": "1-1"}])
    ids["deleted_report"] = deleted_report["procedure_report_id"]
    # Billing: a diagnosis, a deleted diagnosis, a procedure line, a sensitive-visit diagnosis.
    f.BillingFactory(pid=1, encounter=VISIT, code="I10", code_text="Essential (primary) hypertension")
    f.BillingFactory(pid=1, encounter=VISIT, code="Z00.00", code_text="Deleted diagnosis", activity=0)
    f.BillingFactory(pid=1, encounter=VISIT, code_type="CPT4", code="99213", code_text="Office visit, est.")
    f.BillingFactory(pid=1, encounter=SENSITIVE_VISIT, code="F32.9", code_text="Depression, unspecified")
    f.IssueEncounterFactory(pid=1, list_id=ids["hypertension"], encounter=VISIT)
    # Visit notes.
    f.ClinicalNoteFactory(pid=1, encounter=str(VISIT), form_id=7)
    f.CarePlanFactory(pid=1, encounter=str(VISIT), id=3)
    f.CarePlanFactory(pid=1, encounter=str(VISIT), id=3, care_plan_type="instructions", with_form=False,
                      description="Low-salt diet handout given", codetext="Diet")
    f.ClinicalInstructionsFactory(pid=1, encounter=str(VISIT))
    f.SoapFactory(pid=1, encounter=VISIT)
    # Appointments: upcoming, past, weekly series with an exception, other patients' (pc_pid "2", "11").
    f.AppointmentFactory(pc_pid="1", pc_eventDate=datetime.date(2026, 4, 15), pc_aid=str(provider_id),
                         pc_facility=100, pc_title="Follow-up")
    f.AppointmentFactory(pc_pid="1", pc_eventDate=datetime.date(2026, 2, 1), pc_apptstatus="@",
                         pc_hometext=":text:Fasting labs")
    f.AppointmentFactory(pc_pid="1", pc_catid=9, pc_eventDate=datetime.date(2026, 4, 6),
                         pc_endDate=datetime.date(2026, 5, 4), pc_recurrtype=1,
                         pc_recurrspec=f.weekly_recurrspec("20260413"), pc_title="Physical therapy",
                         pc_startTime=datetime.time(16, 0), pc_endTime=datetime.time(16, 45))
    f.AppointmentFactory(pc_pid="2", pc_eventDate=datetime.date(2026, 4, 20), pc_hometext=":text:Bob's visit")
    f.AppointmentFactory(pc_pid="11", pc_eventDate=datetime.date(2026, 4, 21), pc_hometext=":text:Other patient")
    return ids


@pytest.fixture
def bob_record(bob, reference_data):
    f.EncounterFactory(pid=2, encounter=BOB_VISIT, reason="Bob's knee pain")
    _order, report, _r = f.lab_report(pid=2, encounter=BOB_VISIT, test="Bob's lipid panel", results=[
        {"result_code": "2093-3", "result_text": "Cholesterol", "result": "180"}])
    return {"report": report["procedure_report_id"]}


def make_heavy(writer, pid=1, visits=300):
    """Hundreds of visits, each with vitals, a prescription, a diagnosis, an immunization, an order with a
    report and three results, plus issues: inserted in bulk (executemany)."""
    base = datetime.datetime(2000, 1, 3, 9, 0)
    encounters = [70000 + i for i in range(visits)]
    dates = [base + datetime.timedelta(days=9 * i) for i in range(visits)]
    writer.insert_many("form_encounter", [
        {"encounter": e, "pid": pid, "date": d, "reason": f"Visit {i}", "facility": "Riverside", "facility_id": 100,
         "provider_id": 1000, "sensitivity": "normal", "pc_catid": 5}
        for i, (e, d) in enumerate(zip(encounters, dates))])
    first_vitals = writer.execute("SELECT COALESCE(MAX(id), 0) FROM form_vitals")[0][0] + 1
    writer.insert_many("form_vitals", [
        {"id": first_vitals + i, "date": d, "pid": pid, "weight": 150 + i % 10, "height": 65, "bps": "120",
         "bpd": "80", "BMI": 25, "pulse": 70} for i, d in enumerate(dates)])
    writer.insert_many("forms", [
        {"date": d, "encounter": e, "form_name": name, "form_id": form_id, "pid": pid, "deleted": 0,
         "formdir": formdir}
        for i, (e, d) in enumerate(zip(encounters, dates))
        for name, formdir, form_id in (("New Patient Encounter", "newpatient", 0), ("Vitals", "vitals",
                                                                                   first_vitals + i))])
    writer.insert_many("prescriptions", [
        {"patient_id": pid, "drug": f"Drug {i}", "encounter": e, "active": 1, "start_date": d.date(),
         "txDate": "0000-00-00", "usage_category_title": "", "request_intent_title": "", "unit": 1, "form": 2,
         "route": "1", "interval": 1, "provider_id": 1000} for i, (e, d) in enumerate(zip(encounters, dates))])
    writer.insert_many("billing", [
        {"pid": pid, "encounter": e, "code_type": "ICD10", "code": "I10", "code_text": "Hypertension",
         "activity": 1, "date": d} for e, d in zip(encounters, dates)])
    writer.insert_many("immunizations", [
        {"patient_id": pid, "cvx_code": "141", "administered_date": d, "encounter_id": e, "added_erroneously": 0,
         "update_date": "0000-00-00 00:00:00"} for e, d in zip(encounters, dates)])
    writer.insert_many("lists", [
        {"pid": pid, "type": kind, "title": f"{kind} {i}", "begdate": d, "outcome": 0, "reaction": "hives",
         "severity_al": "mild", "verification": ""} for i, d in enumerate(dates) for kind in ("medical_problem",
                                                                                            "allergy", "medication")])
    first_order = writer.execute("SELECT COALESCE(MAX(procedure_order_id), 0) FROM procedure_order")[0][0] + 1
    writer.insert_many("procedure_order", [
        {"procedure_order_id": first_order + i, "patient_id": pid, "encounter_id": e, "date_ordered": d,
         "activity": 1, "provider_id": 1000} for i, (e, d) in enumerate(zip(encounters, dates))])
    writer.insert_many("procedure_order_code", [
        {"procedure_order_id": first_order + i, "procedure_order_seq": 1, "procedure_name": "Basic panel"}
        for i in range(visits)])
    first_report = writer.execute("SELECT COALESCE(MAX(procedure_report_id), 0) FROM procedure_report")[0][0] + 1
    writer.insert_many("procedure_report", [
        {"procedure_report_id": first_report + i, "procedure_order_id": first_order + i, "procedure_order_seq": 1,
         "date_collected": d, "date_report": d, "report_status": "final", "review_status": "reviewed"}
        for i, d in enumerate(dates)])
    writer.insert_many("procedure_result", [
        {"procedure_report_id": first_report + i, "result_code": code, "result_text": text, "result": value,
         "units": "mg/dL", "range": "70-99", "abnormal": "", "date": d}
        for i, d in enumerate(dates) for code, text, value in (("2345-7", "Glucose", str(80 + i % 30)),
                                                                ("2160-0", "Creatinine", "0.9"),
                                                                ("3094-0", "BUN", "12"))])
    writer.insert_many("openemr_postcalendar_events", [
        {"pc_pid": str(pid), "pc_catid": 5, "pc_eventDate": d.date(), "pc_startTime": "09:00:00",
         "pc_apptstatus": "-", "pc_aid": "1000", "pc_recurrtype": 0, "pc_title": "Visit"} for d in dates])
