"""Unmanaged, read-only models over OpenEMR's real schema (openemr-schema.md).

These models are the inventory of what the portal reads: `manage.py portal_grants` turns exactly these
columns into column-level GRANT SELECT statements, and `portal_check` verifies they exist. Map only what a
page shows or a query joins on. Never map patient_data.ss, license numbers, billing amounts, password
columns, or anything from users beyond the names and credentials (MD, RN) shown beside a provider.

OpenEMR declares no foreign keys and many references point at non-unique or string columns (the encounter
number, varchar pc_pid), so relations are plain integer/char fields joined in records.queries.
"""

import uuid

from django.db import models

from portal.routers import ReadOnlyOpenEMRError
from records.openemr.columns import ClockTimeField, InstantField, LenientDecimalField


class BinaryUUIDField(models.BinaryField):
    """OpenEMR's binary(16) uuid, read as a string; NULL and the all-zero value mean "no uuid" (§0.1)."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        value = bytes(value)
        if len(value) != 16 or value == bytes(16):
            return None
        return str(uuid.UUID(bytes=value))


class OpenEMRModel(models.Model):
    class Meta:
        abstract = True
        managed = False

    def save(self, *args, **kwargs):
        raise ReadOnlyOpenEMRError("The portal never writes to OpenEMR's database.")

    def delete(self, *args, **kwargs):
        raise ReadOnlyOpenEMRError("The portal never writes to OpenEMR's database.")


class PatientData(OpenEMRModel):
    # No primary key in OpenEMR; pid is UNIQUE NOT NULL, so it stands in for one (§2.6).
    pid = models.BigIntegerField(primary_key=True)
    uuid = BinaryUUIDField(null=True)
    pubpid = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    fname = models.CharField(max_length=255)
    mname = models.CharField(max_length=255)
    lname = models.CharField(max_length=255)
    suffix = models.TextField(null=True)
    preferred_name = models.TextField(null=True)
    dob = models.DateField(db_column="DOB", null=True)
    sex = models.CharField(max_length=255)
    gender_identity = models.TextField(null=True)
    pronoun = models.TextField(null=True)
    language = models.CharField(max_length=255, null=True)
    status = models.CharField(max_length=255, null=True)  # marital status, list "marital"
    street = models.CharField(max_length=255, null=True)
    street_line_2 = models.TextField(null=True)
    city = models.CharField(max_length=255, null=True)
    state = models.CharField(max_length=255, null=True)
    postal_code = models.CharField(max_length=255, null=True)
    country_code = models.CharField(max_length=255, null=True)
    phone_home = models.CharField(max_length=255, null=True)
    phone_biz = models.CharField(max_length=255, null=True)
    phone_cell = models.CharField(max_length=255, null=True)
    phone_contact = models.CharField(max_length=255, null=True)
    contact_relationship = models.CharField(max_length=255, null=True)
    email = models.CharField(max_length=255)
    provider_id = models.IntegerField(db_column="providerID", null=True)
    care_team_provider = models.TextField(null=True)
    allow_patient_portal = models.CharField(max_length=31)
    deceased_date = models.DateTimeField(null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "patient_data"


class Users(OpenEMRModel):
    """Providers; names and credentials for display only (never usernames, passwords, licences)."""

    id = models.BigIntegerField(primary_key=True)
    title = models.CharField(max_length=30, null=True)
    fname = models.CharField(max_length=255, null=True)
    mname = models.CharField(max_length=255, null=True)
    lname = models.CharField(max_length=255, null=True)
    suffix = models.CharField(max_length=255, null=True)
    valedictory = models.CharField(max_length=255, null=True)
    specialty = models.CharField(max_length=255, null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "users"


class Facility(OpenEMRModel):
    id = models.IntegerField(primary_key=True)
    name = models.CharField(max_length=255, null=True)
    phone = models.CharField(max_length=30, null=True)
    street = models.CharField(max_length=255, null=True)
    city = models.CharField(max_length=255, null=True)
    state = models.CharField(max_length=50, null=True)
    postal_code = models.CharField(max_length=11, null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "facility"


class FormEncounter(OpenEMRModel):
    id = models.BigIntegerField(primary_key=True)
    uuid = BinaryUUIDField(null=True)
    encounter = models.BigIntegerField(null=True)  # the encounter number every other table points to
    pid = models.BigIntegerField(null=True)
    date = models.DateTimeField(null=True)
    date_end = models.DateTimeField(null=True)
    reason = models.TextField(null=True)
    facility = models.TextField(null=True)  # a copy of the facility name
    facility_id = models.IntegerField()
    provider_id = models.IntegerField(null=True)
    supervisor_id = models.IntegerField(null=True)
    pc_catid = models.IntegerField()
    sensitivity = models.CharField(max_length=30, null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "form_encounter"


class Forms(OpenEMRModel):
    id = models.BigIntegerField(primary_key=True)
    date = models.DateTimeField(null=True)
    encounter = models.BigIntegerField(null=True)
    form_name = models.TextField(null=True)
    form_id = models.BigIntegerField(null=True)
    pid = models.BigIntegerField(null=True)
    deleted = models.SmallIntegerField()
    formdir = models.TextField(null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "forms"


class Lists(OpenEMRModel):
    """Issues: problems, allergies, medications, surgeries (type)."""

    id = models.BigIntegerField(primary_key=True)
    pid = models.BigIntegerField(null=True)
    type = models.CharField(max_length=255, null=True)
    title = models.CharField(max_length=255, null=True)
    date = models.DateTimeField(null=True)
    begdate = models.DateTimeField(null=True)
    enddate = models.DateTimeField(null=True)
    diagnosis = models.CharField(max_length=255, null=True)
    activity = models.SmallIntegerField(null=True)
    outcome = models.IntegerField()
    verification = models.CharField(max_length=36)
    reaction = models.CharField(max_length=255)
    severity_al = models.CharField(max_length=50, null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "lists"


class ListsMedication(OpenEMRModel):
    id = models.BigIntegerField(primary_key=True)
    list_id = models.BigIntegerField(null=True)
    drug_dosage_instructions = models.TextField(null=True)
    prescription_id = models.BigIntegerField(null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "lists_medication"


class IssueEncounter(OpenEMRModel):
    id = models.BigIntegerField(primary_key=True)
    pid = models.BigIntegerField()
    list_id = models.IntegerField()
    encounter = models.IntegerField()
    resolved = models.SmallIntegerField()

    class Meta(OpenEMRModel.Meta):
        db_table = "issue_encounter"


class Prescriptions(OpenEMRModel):
    id = models.IntegerField(primary_key=True)
    patient_id = models.BigIntegerField(null=True)
    provider_id = models.IntegerField(null=True)
    encounter = models.IntegerField(null=True)
    drug = models.CharField(max_length=150, null=True)
    rxnorm_drugcode = models.CharField(max_length=25, null=True)
    start_date = models.DateField(null=True)
    end_date = models.DateField(null=True)
    date_added = models.DateTimeField(null=True)
    active = models.IntegerField()
    dosage = models.CharField(max_length=100, null=True)
    size = models.CharField(max_length=25, null=True)
    unit = models.IntegerField(null=True)
    form = models.IntegerField(null=True)
    route = models.CharField(max_length=100, null=True)
    interval = models.IntegerField(null=True)
    quantity = models.CharField(max_length=31, null=True)
    refills = models.IntegerField(null=True)
    drug_dosage_instructions = models.TextField(null=True)
    indication = models.TextField(null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "prescriptions"


class Immunizations(OpenEMRModel):
    id = models.BigIntegerField(primary_key=True)
    patient_id = models.BigIntegerField(null=True)
    administered_date = models.DateTimeField(null=True)
    immunization_id = models.IntegerField(null=True)
    cvx_code = models.CharField(max_length=64, null=True)
    manufacturer = models.CharField(max_length=100, null=True)
    lot_number = models.CharField(max_length=50, null=True)
    amount_administered = models.FloatField(null=True)
    amount_administered_unit = models.CharField(max_length=50, null=True)
    route = models.CharField(max_length=100, null=True)
    administration_site = models.CharField(max_length=100, null=True)
    completion_status = models.CharField(max_length=50, null=True)
    encounter_id = models.BigIntegerField(null=True)
    added_erroneously = models.SmallIntegerField()

    class Meta(OpenEMRModel.Meta):
        db_table = "immunizations"


class Codes(OpenEMRModel):
    id = models.IntegerField(primary_key=True)
    code = models.CharField(max_length=25)
    code_type = models.SmallIntegerField(null=True)
    code_text = models.TextField(null=True)
    code_text_short = models.TextField(null=True)
    active = models.SmallIntegerField(null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "codes"


class CodeTypes(OpenEMRModel):
    ct_key = models.CharField(max_length=15, primary_key=True)
    ct_id = models.IntegerField(unique=True)
    ct_diag = models.SmallIntegerField()

    class Meta(OpenEMRModel.Meta):
        db_table = "code_types"


class FormVitals(OpenEMRModel):
    """Stored in US units: lb, in, °F (§1.11); 0 means "not recorded"."""

    id = models.BigIntegerField(primary_key=True)
    pid = models.BigIntegerField(null=True)
    date = models.DateTimeField(null=True)
    weight = LenientDecimalField(max_digits=12, decimal_places=6, null=True)
    height = LenientDecimalField(max_digits=12, decimal_places=6, null=True)
    temperature = LenientDecimalField(max_digits=12, decimal_places=6, null=True)
    bps = models.CharField(max_length=40, null=True)
    bpd = models.CharField(max_length=40, null=True)
    pulse = LenientDecimalField(max_digits=12, decimal_places=6, null=True)
    respiration = LenientDecimalField(max_digits=12, decimal_places=6, null=True)
    bmi = LenientDecimalField(db_column="BMI", max_digits=12, decimal_places=6, null=True)
    bmi_status = models.CharField(db_column="BMI_status", max_length=255, null=True)
    oxygen_saturation = LenientDecimalField(max_digits=6, decimal_places=2, null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "form_vitals"


class ProcedureOrder(OpenEMRModel):
    procedure_order_id = models.BigIntegerField(primary_key=True)
    patient_id = models.BigIntegerField()
    provider_id = models.BigIntegerField()
    encounter_id = models.BigIntegerField()
    date_ordered = models.DateTimeField(null=True)
    order_status = models.CharField(max_length=31, null=True)
    activity = models.SmallIntegerField()
    lab_id = models.BigIntegerField()
    procedure_order_type = models.CharField(max_length=32)
    patient_instructions = models.TextField(null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "procedure_order"


class ProcedureOrderCode(OpenEMRModel):
    pk = models.CompositePrimaryKey("procedure_order_id", "procedure_order_seq")
    procedure_order_id = models.BigIntegerField()
    procedure_order_seq = models.IntegerField()
    procedure_code = models.CharField(max_length=64)
    procedure_name = models.CharField(max_length=255)

    class Meta(OpenEMRModel.Meta):
        db_table = "procedure_order_code"


class ProcedureReport(OpenEMRModel):
    procedure_report_id = models.BigIntegerField(primary_key=True)
    procedure_order_id = models.BigIntegerField(null=True)
    procedure_order_seq = models.IntegerField()
    date_collected = models.DateTimeField(null=True)
    date_report = models.DateTimeField(null=True)
    report_status = models.CharField(max_length=31, null=True)
    review_status = models.CharField(max_length=31)

    class Meta(OpenEMRModel.Meta):
        db_table = "procedure_report"


class ProcedureResult(OpenEMRModel):
    procedure_result_id = models.BigIntegerField(primary_key=True)
    procedure_report_id = models.BigIntegerField()
    result_data_type = models.CharField(max_length=1)
    result_code = models.CharField(max_length=31, null=True)
    result_text = models.CharField(max_length=255, null=True)
    date = models.DateTimeField(null=True)
    units = models.CharField(max_length=31, null=True)
    result = models.CharField(max_length=255, null=True)
    range = models.CharField(max_length=255, null=True)
    abnormal = models.CharField(max_length=31, null=True)
    comments = models.TextField(null=True)
    result_status = models.CharField(max_length=31, null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "procedure_result"


class ProcedureType(OpenEMRModel):
    """The order/result catalogue: its range and units stand in where a lab sent none (§1.12)."""

    procedure_type_id = models.BigIntegerField(primary_key=True)
    lab_id = models.BigIntegerField()
    procedure_code = models.CharField(max_length=64)
    procedure_type = models.CharField(max_length=31)
    units = models.CharField(max_length=31)
    range = models.CharField(max_length=255)
    activity = models.SmallIntegerField()

    class Meta(OpenEMRModel.Meta):
        db_table = "procedure_type"


class Billing(OpenEMRModel):
    """Diagnosis lines only are shown; amounts (fee) are never mapped."""

    id = models.IntegerField(primary_key=True)
    date = models.DateTimeField(null=True)
    code_type = models.CharField(max_length=15, null=True)
    code = models.CharField(max_length=20, null=True)
    code_text = models.TextField(null=True)
    pid = models.BigIntegerField(null=True)
    encounter = models.IntegerField(null=True)
    activity = models.SmallIntegerField(null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "billing"


class CalendarEvent(OpenEMRModel):
    """Appointments. pc_pid is varchar with NO index: always bound queries by pc_eventDate (§1.14, §7)."""

    pc_eid = models.IntegerField(primary_key=True)
    pc_catid = models.IntegerField()
    pc_aid = models.CharField(max_length=30, null=True)
    pc_pid = models.CharField(max_length=11, null=True)
    pc_title = models.CharField(max_length=150, null=True)
    pc_hometext = models.TextField(null=True)
    pc_event_date = models.DateField(db_column="pc_eventDate")
    pc_end_date = models.DateField(db_column="pc_endDate", null=True)
    pc_duration = models.BigIntegerField()
    pc_recurrtype = models.IntegerField()
    pc_recurrspec = models.TextField(null=True)
    # TIME up to 838:59:59: OpenEMR writes 24:00:00 for all-day events and 24:30:00 past midnight (§2.5).
    pc_start_time = ClockTimeField(db_column="pc_startTime", null=True)
    pc_end_time = ClockTimeField(db_column="pc_endTime", null=True)
    pc_alldayevent = models.IntegerField()
    pc_apptstatus = models.CharField(max_length=15)
    pc_eventstatus = models.IntegerField()
    pc_facility = models.IntegerField()

    class Meta(OpenEMRModel.Meta):
        db_table = "openemr_postcalendar_events"


class CalendarCategory(OpenEMRModel):
    pc_catid = models.IntegerField(primary_key=True)
    pc_catname = models.CharField(max_length=100, null=True)
    pc_cattype = models.IntegerField()

    class Meta(OpenEMRModel.Meta):
        db_table = "openemr_postcalendar_categories"


class ListOption(OpenEMRModel):
    pk = models.CompositePrimaryKey("list_id", "option_id")
    list_id = models.CharField(max_length=100)
    option_id = models.CharField(max_length=100)
    title = models.CharField(max_length=255)
    seq = models.IntegerField()
    activity = models.SmallIntegerField()

    class Meta(OpenEMRModel.Meta):
        db_table = "list_options"


class FormClinicalNotes(OpenEMRModel):
    id = models.BigIntegerField(primary_key=True)
    form_id = models.BigIntegerField()
    date = models.DateField(null=True)
    pid = models.BigIntegerField(null=True)
    encounter = models.CharField(max_length=255, null=True)
    codetext = models.TextField(null=True)
    description = models.TextField(null=True)
    clinical_notes_type = models.CharField(max_length=100, null=True)
    activity = models.SmallIntegerField(null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "form_clinical_notes"


class FormCarePlan(OpenEMRModel):
    # No primary key in OpenEMR; id is shared by every line of one saved form. Read with .values() only.
    id = models.BigIntegerField(primary_key=True)
    date = models.DateTimeField(null=True)
    pid = models.BigIntegerField(null=True)
    encounter = models.CharField(max_length=255, null=True)
    codetext = models.TextField(null=True)
    description = models.TextField(null=True)
    care_plan_type = models.CharField(max_length=30, null=True)
    date_end = models.DateTimeField(null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "form_care_plan"


class FormClinicalInstructions(OpenEMRModel):
    id = models.BigIntegerField(primary_key=True)
    pid = models.BigIntegerField(null=True)
    encounter = models.CharField(max_length=255, null=True)
    instruction = models.TextField(null=True)
    date = InstantField(null=True)  # TIMESTAMP ON UPDATE (§1.16): read as an instant
    activity = models.SmallIntegerField(null=True)  # 0 = inactive

    class Meta(OpenEMRModel.Meta):
        db_table = "form_clinical_instructions"


class FormSoap(OpenEMRModel):
    id = models.BigIntegerField(primary_key=True)
    pid = models.BigIntegerField(null=True)
    date = models.DateTimeField(null=True)
    subjective = models.TextField(null=True)
    objective = models.TextField(null=True)
    assessment = models.TextField(null=True)
    plan = models.TextField(null=True)

    class Meta(OpenEMRModel.Meta):
        db_table = "form_soap"
