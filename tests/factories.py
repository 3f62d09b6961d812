"""Realistic OpenEMR rows for tests, including the ugly ones (zero dates, NULL uuids, empty strings,
accents and CJK, very long text).

Factories build plain dicts (factory-boy DictFactory) and insert them through the test session's
OpenEMRWriter (see conftest.openemr), because the portal's own connection cannot write to OpenEMR.
Each factory returns the inserted row as a dict, with its auto-increment id filled in.
"""

import datetime
import uuid

import factory

_writer = None


def bind(writer):
    global _writer
    _writer = writer


def writer():
    if _writer is None:
        raise RuntimeError("Use the `openemr` fixture before creating OpenEMR rows.")
    return _writer


def uuid_bytes():
    return uuid.uuid4().bytes


class OpenEMRFactory(factory.DictFactory):
    """Base: `_create` inserts into `_table`; `_id_column` receives the auto-increment id if any."""

    class Meta:
        abstract = True

    _table = None
    _id_column = "id"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = dict(kwargs)
        new_id = writer().insert(cls._table, row)
        if cls._id_column and new_id and row.get(cls._id_column) is None:
            row[cls._id_column] = new_id
        return row


class FacilityFactory(OpenEMRFactory):
    _table = "facility"
    id = factory.Sequence(lambda n: 100 + n)
    uuid = factory.LazyFunction(uuid_bytes)
    name = "Riverside Family Clinic"
    phone = "(555) 201-3300"
    street = "12 River Road"
    city = "Springfield"
    state = "IL"
    postal_code = "62701"
    service_location = 1
    billing_location = 1
    primary_business_entity = 1


class ProviderFactory(OpenEMRFactory):
    _table = "users"
    id = factory.Sequence(lambda n: 1000 + n)
    uuid = factory.LazyFunction(uuid_bytes)
    username = factory.Sequence(lambda n: f"provider{n}")
    fname = "Maria"
    mname = ""
    lname = factory.Sequence(lambda n: f"Okafor{n}")
    valedictory = "MD"
    specialty = "Family Medicine"
    authorized = 1
    active = 1
    facility_id = 0


class PatientFactory(OpenEMRFactory):
    _table = "patient_data"
    _id_column = None  # patient_data.id is not the key; pid is
    pid = factory.Sequence(lambda n: 1 + n)
    id = factory.LazyAttribute(lambda o: o.pid)
    pubpid = factory.LazyAttribute(lambda o: f"MRN{o.pid:06d}")
    uuid = factory.LazyFunction(uuid_bytes)
    title = "Ms."
    fname = "Alice"
    mname = ""
    lname = "Martín"
    DOB = datetime.date(1980, 4, 12)
    sex = "Female"
    street = "5 Elm Street"
    city = "Springfield"
    state = "IL"
    postal_code = "62704"
    phone_cell = "(555) 010-2222"
    email = "alice@example.org"
    allow_patient_portal = "YES"
    providerID = None
    date = factory.LazyFunction(datetime.datetime.now)


class EncounterFactory(OpenEMRFactory):
    """A form_encounter row plus its `newpatient` forms row, as OpenEMR writes them (§1.2)."""

    _table = "form_encounter"
    uuid = factory.LazyFunction(uuid_bytes)
    encounter = factory.Sequence(lambda n: 50000 + n)
    pid = 1
    date = datetime.datetime(2026, 3, 2, 9, 30)
    reason = "Annual check-up"
    facility = "Riverside Family Clinic"
    facility_id = 0
    provider_id = 0
    pc_catid = 5
    sensitivity = "normal"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        writer().insert("forms", {
            "date": row["date"], "encounter": row["encounter"], "form_name": "New Patient Encounter",
            "form_id": row["id"], "pid": row["pid"], "user": "admin", "groupname": "Default",
            "authorized": 1, "deleted": 0, "formdir": "newpatient",
        })
        return row


# --- Clinical record factories (records pages) -------------------------------------------------------------

LONG_TEXT = ("Patient reports intermittent symptoms over several weeks; discussed options at length. " * 40).strip()
CJK_TEXT = "高血圧症（本態性）"


class FormFactory(OpenEMRFactory):
    """A forms registry row (forms.deleted = 0 unless told)."""

    _table = "forms"
    date = datetime.datetime(2026, 3, 2, 9, 45)
    encounter = 50000
    form_name = "Vitals"
    form_id = 0
    pid = 1
    user = "admin"
    groupname = "Default"
    authorized = 1
    deleted = 0
    formdir = "vitals"


def _with_form(row, formdir, form_name, encounter, form_id=None, deleted=0):
    FormFactory(date=row.get("date") or datetime.datetime(2026, 3, 2, 9, 45), encounter=encounter,
                form_name=form_name, form_id=form_id if form_id is not None else row["id"], pid=row["pid"],
                formdir=formdir, deleted=deleted)
    return row


class VitalsFactory(OpenEMRFactory):
    """form_vitals in US units (lb, in, °F), plus its forms row (formdir vitals) unless encounter=None."""

    _table = "form_vitals"
    uuid = factory.LazyFunction(uuid_bytes)
    date = datetime.datetime(2026, 3, 2, 9, 40)
    pid = 1
    user = "nurse"
    groupname = "Default"
    authorized = 1
    activity = 1
    bps = "128"
    bpd = "82"
    weight = "154.323600"
    height = "65.000000"
    temperature = "98.600000"
    temp_method = "Oral"
    pulse = "72.000000"
    respiration = "16.000000"
    BMI = "25.700000"
    BMI_status = "Overweight"
    oxygen_saturation = "98.00"

    @classmethod
    def _create(cls, model_class, *args, encounter=50000, form_deleted=0, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        if encounter is not None:
            _with_form(row, "vitals", "Vitals", encounter, deleted=form_deleted)
        return row


class ListFactory(OpenEMRFactory):
    """A lists (issue) row: a medical problem by default."""

    _table = "lists"
    uuid = factory.LazyFunction(uuid_bytes)
    date = datetime.datetime(2025, 1, 10, 10, 0)
    type = "medical_problem"
    title = "Essential hypertension"
    begdate = datetime.datetime(2024, 5, 1)
    enddate = None
    diagnosis = "ICD10:I10"
    activity = 1
    pid = 1
    user = "admin"
    groupname = "Default"
    outcome = 0
    reaction = ""
    verification = "confirmed"
    severity_al = None


class ProblemFactory(ListFactory):
    pass


class AllergyFactory(ListFactory):
    type = "allergy"
    title = "Penicillin"
    diagnosis = "RXNORM:7980"
    reaction = "hives"
    severity_al = "severe"


class ListMedicationFactory(ListFactory):
    type = "medication"
    title = "Vitamin D3 1000 IU"
    diagnosis = ""


class ListsMedicationFactory(OpenEMRFactory):
    _table = "lists_medication"
    list_id = 0
    drug_dosage_instructions = "Take one capsule daily with food"
    usage_category = "community"
    usage_category_title = "Home/Community"
    request_intent = "plan"
    request_intent_title = "Plan"
    prescription_id = None
    is_primary_record = 1


class IssueEncounterFactory(OpenEMRFactory):
    _table = "issue_encounter"
    uuid = factory.LazyFunction(uuid_bytes)
    pid = 1
    list_id = 0
    encounter = 50000
    resolved = 0


class PrescriptionFactory(OpenEMRFactory):
    _table = "prescriptions"
    uuid = factory.LazyFunction(uuid_bytes)
    patient_id = 1
    date_added = datetime.datetime(2026, 3, 2, 10, 0)
    date_modified = datetime.datetime(2026, 3, 2, 10, 0)
    provider_id = 0
    encounter = 0
    start_date = datetime.date(2026, 3, 2)
    drug = "Lisinopril"
    drug_id = 0
    rxnorm_drugcode = "314076"
    form = 2  # drug_form: tablet
    dosage = "1"
    quantity = "30"
    size = "10"
    unit = 1  # drug_units: mg
    route = "1"  # drug_route: by mouth
    interval = 1  # drug_interval: b.i.d.
    refills = 2
    active = 1
    end_date = None
    txDate = "0000-00-00"
    usage_category_title = ""
    request_intent_title = ""
    drug_dosage_instructions = "Take in the morning"
    user = "admin"


class ImmunizationFactory(OpenEMRFactory):
    _table = "immunizations"
    uuid = factory.LazyFunction(uuid_bytes)
    patient_id = 1
    administered_date = datetime.datetime(2025, 10, 15, 11, 0)
    immunization_id = None
    cvx_code = "141"
    manufacturer = "SKB"
    lot_number = "FLU-2025-A7"
    amount_administered = 0.5
    amount_administered_unit = "mL"
    route = "intramuscular"
    administration_site = "LD"
    completion_status = "Completed"
    encounter_id = None
    added_erroneously = 0
    create_date = datetime.datetime(2025, 10, 15, 11, 5)
    update_date = "0000-00-00 00:00:00"


class CodeTypeFactory(OpenEMRFactory):
    _table = "code_types"
    _id_column = None
    ct_key = "CVX"
    ct_id = 100
    ct_seq = 100
    ct_diag = 0
    ct_active = 1
    ct_label = "CVX"


class CodeFactory(OpenEMRFactory):
    _table = "codes"
    code_text = "influenza, injectable, quadrivalent, preservative free"
    code_text_short = "Flu vaccine, quadrivalent"
    code = "141"
    code_type = 100
    active = 1


def seed_code_types():
    """The code_types rows the portal reads (OpenEMR seeds these at install)."""
    for key, ct_id, diag in (("CPT4", 1, 0), ("ICD9", 2, 1), ("CVX", 100, 0), ("ICD10", 102, 1),
                             ("SNOMED-CT", 107, 1), ("LOINC", 110, 0)):
        CodeTypeFactory(ct_key=key, ct_id=ct_id, ct_seq=ct_id, ct_diag=diag, ct_label=key)


class ListOptionFactory(OpenEMRFactory):
    _table = "list_options"
    _id_column = None
    list_id = "reaction"
    option_id = "hives"
    title = "Hives"
    seq = 10
    activity = 1


STANDARD_OPTIONS = [
    ("reaction", "hives", "Hives"), ("reaction", "nausea", "Nausea"),
    ("severity_ccda", "mild", "Mild"), ("severity_ccda", "moderate", "Moderate"),
    ("severity_ccda", "severe", "Severe"), ("severity_ccda", "fatal", "Fatal"),
    ("outcome", "1", "Resolved"), ("outcome", "2", "Improved"),
    ("drug_units", "1", "mg"), ("drug_form", "2", "tablet"), ("drug_route", "1", "By mouth"),
    ("drug_route", "intramuscular", "Intramuscular"), ("drug_interval", "1", "twice daily"),
    ("immunization_administered_site", "LD", "Left deltoid"),
    ("Immunization_Manufacturer", "SKB", "GlaxoSmithKline"),
    ("Immunization_Completion_Status", "Completed", "Completed"),
    ("apptstat", "-", "- None"), ("apptstat", "x", "x Canceled"), ("apptstat", "@", "@ Arrived"),
    ("proc_rep_status", "final", "Final"), ("proc_res_status", "final", "Final"),
    ("sex", "Female", "Female"), ("marital", "married", "Married"), ("language", "english", "English"),
    ("Plan_of_Care_Type", "goal", "Goal"), ("Plan_of_Care_Type", "instructions", "Instructions"),
    ("condition-verification", "confirmed", "Confirmed"),
    ("allergyintolerance-verification", "confirmed", "Confirmed"),
]


def seed_list_options(rows=STANDARD_OPTIONS):
    for list_id, option_id, title in rows:
        ListOptionFactory(list_id=list_id, option_id=option_id, title=title)


class ProcedureOrderFactory(OpenEMRFactory):
    _table = "procedure_order"
    _id_column = "procedure_order_id"
    uuid = factory.LazyFunction(uuid_bytes)
    provider_id = 0
    patient_id = 1
    encounter_id = 50000
    date_ordered = datetime.datetime(2026, 3, 2, 10, 0)
    order_status = "complete"
    activity = 1
    procedure_order_type = "laboratory_test"


class ProcedureOrderCodeFactory(OpenEMRFactory):
    _table = "procedure_order_code"
    _id_column = None
    procedure_order_id = 0
    procedure_order_seq = 1
    procedure_code = "24323-8"
    procedure_name = "Comprehensive metabolic panel"
    procedure_source = "1"


class ProcedureReportFactory(OpenEMRFactory):
    _table = "procedure_report"
    _id_column = "procedure_report_id"
    uuid = factory.LazyFunction(uuid_bytes)
    procedure_order_id = 0
    procedure_order_seq = 1
    date_collected = datetime.datetime(2026, 3, 2, 10, 15)
    date_report = datetime.datetime(2026, 3, 3, 8, 0)
    report_status = "final"
    review_status = "reviewed"


class ProcedureResultFactory(OpenEMRFactory):
    _table = "procedure_result"
    _id_column = "procedure_result_id"
    uuid = factory.LazyFunction(uuid_bytes)
    procedure_report_id = 0
    result_data_type = "N"
    result_code = "2345-7"
    result_text = "Glucose"
    date = datetime.datetime(2026, 3, 2, 10, 15)
    units = "mg/dL"
    result = "105"
    range = "70-99"
    abnormal = "H"
    comments = ""
    result_status = "final"


def lab_report(pid=1, encounter=50000, results=(), order=None, report=None, test="Comprehensive metabolic panel"):
    """An order with one test, a report and its results; returns (order, report, [results])."""
    order = ProcedureOrderFactory(patient_id=pid, encounter_id=encounter, **(order or {}))
    ProcedureOrderCodeFactory(procedure_order_id=order["procedure_order_id"], procedure_name=test)
    report = ProcedureReportFactory(procedure_order_id=order["procedure_order_id"], **(report or {}))
    rows = [ProcedureResultFactory(procedure_report_id=report["procedure_report_id"], **values)
            for values in (results or [{}])]
    return order, report, rows


class BillingFactory(OpenEMRFactory):
    _table = "billing"
    date = datetime.datetime(2026, 3, 2, 10, 30)
    code_type = "ICD10"
    code = "I10"
    code_text = "Essential (primary) hypertension"
    pid = 1
    provider_id = 0
    encounter = 50000
    activity = 1
    fee = "0.00"


class CalendarCategoryFactory(OpenEMRFactory):
    _table = "openemr_postcalendar_categories"
    _id_column = "pc_catid"
    pc_catid = 5
    pc_constant_id = "office_visit"
    pc_catname = "Office Visit"
    pc_cattype = 0
    pc_duration = 900


class AppointmentFactory(OpenEMRFactory):
    """An openemr_postcalendar_events row; pc_pid is a STRING, as OpenEMR stores it."""

    _table = "openemr_postcalendar_events"
    _id_column = "pc_eid"
    uuid = factory.LazyFunction(uuid_bytes)
    pc_catid = 5
    pc_aid = "0"
    pc_pid = "1"
    pc_title = "Office Visit"
    pc_time = datetime.datetime(2026, 1, 5, 9, 0)
    pc_hometext = ":text:Bring your medication list"
    pc_eventDate = datetime.date(2026, 6, 1)
    pc_endDate = None
    pc_duration = 900
    pc_recurrtype = 0
    pc_recurrspec = ('a:6:{s:17:"event_repeat_freq";s:1:"0";s:22:"event_repeat_freq_type";s:1:"0";'
                     's:19:"event_repeat_on_num";s:1:"1";s:19:"event_repeat_on_day";s:1:"0";'
                     's:20:"event_repeat_on_freq";s:1:"0";s:6:"exdate";s:0:"";}')
    pc_startTime = datetime.time(9, 30)
    pc_endTime = datetime.time(9, 45)
    pc_alldayevent = 0
    pc_apptstatus = "-"
    pc_eventstatus = 1
    pc_facility = 0


def weekly_recurrspec(exdates=""):
    """pc_recurrspec for "every 1 week" (recurrtype 1), PHP-serialized, with yyyymmdd exceptions."""
    return ('a:6:{s:17:"event_repeat_freq";s:1:"1";s:22:"event_repeat_freq_type";s:1:"1";'
            's:19:"event_repeat_on_num";s:1:"1";s:19:"event_repeat_on_day";s:1:"0";'
            f's:20:"event_repeat_on_freq";s:1:"0";s:6:"exdate";s:{len(exdates)}:"{exdates}";}}')


class ClinicalNoteFactory(OpenEMRFactory):
    """form_clinical_notes rows share form_id (a per-table counter) with their forms row."""

    _table = "form_clinical_notes"
    uuid = factory.LazyFunction(uuid_bytes)
    form_id = 1
    date = datetime.date(2026, 3, 2)
    pid = 1
    encounter = "50000"
    user = "drokafor"
    activity = 1
    code = "LOINC:11506-3"
    codetext = "Progress note"
    description = "Blood pressure improving. Continue current plan."
    clinical_notes_type = "progress_note"

    @classmethod
    def _create(cls, model_class, *args, with_form=True, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        if with_form:
            _with_form(row, "clinical_notes", "Clinical Notes", int(row["encounter"]), form_id=row["form_id"])
        return row


class CarePlanFactory(OpenEMRFactory):
    """form_care_plan has no primary key: `id` is the forms.form_id shared by every line."""

    _table = "form_care_plan"
    _id_column = None
    id = 1
    date = datetime.datetime(2026, 3, 2)
    pid = 1
    encounter = "50000"
    user = "drokafor"
    activity = 1
    codetext = "Reduce salt"
    description = "Keep sodium under 2 g a day"
    care_plan_type = "goal"
    date_end = datetime.datetime(2026, 9, 1)

    @classmethod
    def _create(cls, model_class, *args, with_form=True, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        if with_form:
            _with_form(row, "care_plan", "Care Plan Form", int(row["encounter"]), form_id=row["id"])
        return row


class ClinicalInstructionsFactory(OpenEMRFactory):
    _table = "form_clinical_instructions"
    pid = 1
    encounter = "50000"
    user = "drokafor"
    instruction = "Walk 30 minutes a day. Return in 3 months."
    activity = 1

    @classmethod
    def _create(cls, model_class, *args, with_form=True, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        if with_form:
            _with_form(row, "clinical_instructions", "Clinical Instructions", int(row["encounter"]))
        return row


class SoapFactory(OpenEMRFactory):
    _table = "form_soap"
    date = datetime.datetime(2026, 3, 2, 10, 0)
    pid = 1
    user = "drokafor"
    activity = 1
    subjective = "Headaches in the morning"
    objective = "BP 128/82"
    assessment = "Hypertension, improving"
    plan = "Continue lisinopril"

    @classmethod
    def _create(cls, model_class, *args, encounter=50000, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        _with_form(row, "soap", "SOAP", encounter)
        return row


# --- Ugly shapes OpenEMR really writes (issue 10); devtools/fakedata/generator.py makes the same ones -----------

HUGE_FLOAT = 1e308  # what a typo puts in a FLOAT column (MariaDB clamps it to 3.4e38)
HUGE_BPS = "9" * 40  # form_vitals.bps is varchar(40): free text no rounding holds


class PrescriptionWithoutVisitFactory(PrescriptionFactory):
    """Many prescriptions have no encounter (NULL), e.g. written from the medication list or by eRx."""

    encounter = None


class ImmunizationWithoutVisitFactory(ImmunizationFactory):
    """Most immunizations have no encounter (NULL encounter_id): recorded history, outside pharmacies."""

    encounter_id = None


class ErroneousProblemFactory(ProblemFactory):
    title = "Diabetes typed on the wrong chart"
    verification = "entered-in-error"


class RefutedProblemFactory(ProblemFactory):
    title = "Suspected lupus"
    verification = "refuted"


class RetiredListMedicationFactory(ListMedicationFactory):
    """lists.activity = 0: OpenEMR's prescription sync took it off the medication list (no end date)."""

    title = "Warfarin 5 mg"
    activity = 0


class AllDayAppointmentFactory(AppointmentFactory):
    """OpenEMR's calendar stores an all-day event as 00:00 to 24:00 (TIME allows up to 838:59:59)."""

    pc_startTime = "00:00:00"
    pc_endTime = "24:00:00"
    pc_duration = 86400
    pc_title = "Health fair"


class PastMidnightAppointmentFactory(AppointmentFactory):
    """A 23:30 one-hour appointment: the editor does not wrap the end, it stores '24:30:00'."""

    pc_startTime = "23:30:00"
    pc_endTime = "24:30:00"
    pc_duration = 3600
    pc_title = "Sleep study"


class CancelledAppointmentFactory(AppointmentFactory):
    pc_apptstatus = "x"  # x Canceled; % is Canceled < 24h


class NoShowAppointmentFactory(AppointmentFactory):
    pc_apptstatus = "?"


class HiddenAppointmentFactory(AppointmentFactory):
    pc_eventstatus = -1
