"""What the portal reads from OpenEMR, in one place: derived from the records models, never listed by hand.

Used by `portal_grants` (column-level GRANT SELECT), `portal_check` / the system check (the columns exist with
a compatible type) and `replication_filters` (replicate-do-table). A model added to records/ is granted,
checked and replicated without touching this file; only the version notes below are hand-kept, from
openemr-schema.md §5 ("X→Y" means the column exists from version Y on).
"""

import re
from dataclasses import dataclass

from django.apps import apps

from portal.routers import OPENEMR_APPS


@dataclass(frozen=True)
class MappedColumn:
    table: str
    column: str
    field: str  # model label and field name, for messages: "records.PatientData.pronoun"
    internal_type: str  # Django's get_internal_type(), e.g. "DateTimeField"


def openemr_models():
    """The unmanaged models that read OpenEMR's database, in a stable order (by table name)."""
    models = [m for label in sorted(OPENEMR_APPS) for m in apps.get_app_config(label).get_models()]
    return sorted(models, key=lambda m: m._meta.db_table)


def mapped_columns():
    """Every (table, column) a records model maps, in model field order, without duplicates."""
    seen, result = set(), []
    for model in openemr_models():
        table = model._meta.db_table
        for field in model._meta.local_concrete_fields:
            if field.column is None:  # a CompositePrimaryKey has no column of its own
                continue
            if (table, field.column) in seen:
                continue
            seen.add((table, field.column))
            result.append(MappedColumn(table, field.column, f"{model._meta.label}.{field.name}",
                                       field.get_internal_type()))
    return result


def mapped_tables():
    """{table: [column, ...]} in a stable order: exactly what the portal may SELECT."""
    tables = {}
    for col in mapped_columns():
        tables.setdefault(col.table, []).append(col.column)
    return tables


# --- Versions (openemr-schema.md §5) ------------------------------------------------------------------------
# Tables newer than the oldest OpenEMR anyone still runs. A table not listed is older than every version the
# portal supports.
TABLE_ADDED_IN = {
    "code_types": "4.0.0",
    "procedure_order": "4.0.0",
    "procedure_report": "4.0.0",
    "procedure_result": "4.0.0",
    "procedure_type": "4.0.0",
    "procedure_order_code": "4.1.2",
    "procedure_providers": "4.1.2",
    "patient_access_onsite": "4.1.0",
    "amendments": "4.2.0",
    "form_care_plan": "4.2.1",
    "lists_medication": "6.1.0",
    "form_clinical_notes": "6.1.0",
    "form_vital_details": "6.1.0",
    "api_log": "6.0.0",
    "verify_email": "6.1.0",
    "onetime_auth": "7.0.1",
}

_UUID_6_0 = ("patient_data", "form_encounter", "users", "facility", "lists", "prescriptions", "immunizations",
             "procedure_order", "procedure_result")
_UUID_6_1 = ("form_vitals", "procedure_report", "procedure_providers", "documents", "history_data",
             "form_clinical_notes")

COLUMN_ADDED_IN = {
    **{(table, "uuid"): "6.0.0" for table in _UUID_6_0},
    **{(table, "uuid"): "6.1.0" for table in _UUID_6_1},
    ("openemr_postcalendar_events", "uuid"): "7.0.1",
    ("issue_encounter", "uuid"): "7.0.4",
    ("issue_encounter", "id"): "7.0.4",
    ("form_observation", "uuid"): "7.0.4",
    # patient_data
    ("patient_data", "race"): "4.0.0",
    ("patient_data", "ethnicity"): "4.0.0",
    ("patient_data", "allow_patient_portal"): "4.1.0",
    ("patient_data", "deceased_date"): "4.1.0",
    ("patient_data", "deceased_reason"): "4.1.0",
    ("patient_data", "email_direct"): "4.2.0",
    ("patient_data", "religion"): "4.2.1",
    ("patient_data", "county"): "4.2.1",
    **{("patient_data", col): "6.1.0" for col in (
        "suffix", "street_line_2", "birth_fname", "birth_mname", "birth_lname", "name_history",
        "sexual_orientation", "gender_identity", "care_team_status", "dupscore", "patient_groups")},
    ("patient_data", "created_by"): "7.0.0",
    ("patient_data", "updated_by"): "7.0.0",
    ("patient_data", "prevent_portal_apps"): "7.0.0",
    ("patient_data", "provider_since_date"): "7.0.0",
    ("patient_data", "nationality_country"): "7.0.2",
    ("patient_data", "preferred_name"): "7.0.2",
    ("patient_data", "last_updated"): "7.0.3",
    ("patient_data", "sex_identified"): "7.0.4",
    ("patient_data", "interpreter_needed"): "7.0.4",
    ("patient_data", "advance_directive_user_authenticator"): "7.0.4",
    ("patient_data", "tribal_affiliations"): "7.0.4",
    ("patient_data", "pronoun"): "8.0.0",
    # form_encounter
    ("form_encounter", "provider_id"): "3.1.0",
    ("form_encounter", "class_code"): "6.0.0",
    ("form_encounter", "parent_encounter_id"): "6.0.0",
    ("form_encounter", "encounter_type_code"): "6.1.0",
    ("form_encounter", "encounter_type_description"): "6.1.0",
    ("form_encounter", "referring_provider_id"): "6.1.0",
    ("form_encounter", "discharge_disposition"): "6.1.0",
    ("form_encounter", "date_end"): "7.0.0",
    ("form_encounter", "ordering_provider_id"): "7.0.3",
    ("form_encounter", "last_update"): "7.0.3",
    # forms
    ("forms", "deleted"): "3.0.0",
    ("forms", "provider_id"): "5.0.1",
    ("forms", "issue_id"): "5.0.1",
    ("forms", "therapy_group_id"): "5.0.1",
    # lists
    ("lists", "reaction"): "4.0.0",
    ("lists", "modifydate"): "4.1.2",
    ("lists", "severity_al"): "4.2.1",
    ("lists", "subtype"): "4.2.2",
    ("lists", "verification"): "6.0.0",
    ("lists", "udi"): "6.1.0",
    ("lists", "udi_data"): "6.1.0",
    # lists_medication (the table itself is 6.1.0)
    **{("lists_medication", col): "6.1.0" for col in (
        "list_id", "drug_dosage_instructions", "usage_category", "usage_category_title", "request_intent",
        "request_intent_title")},
    ("lists_medication", "prescription_id"): "7.0.4",
    ("lists_medication", "is_primary_record"): "7.0.4",
    ("lists_medication", "reporting_source_record_id"): "7.0.4",
    # prescriptions
    ("prescriptions", "rxnorm_drugcode"): "4.1.0",
    ("prescriptions", "encounter"): "4.1.0",
    ("prescriptions", "end_date"): "4.2.1",
    ("prescriptions", "indication"): "4.2.1",
    ("prescriptions", "prn"): "4.2.1",
    ("prescriptions", "txDate"): "5.0.1",
    ("prescriptions", "ntx"): "5.0.1",
    ("prescriptions", "rtx"): "5.0.1",
    **{("prescriptions", col): "6.1.0" for col in (
        "usage_category", "usage_category_title", "request_intent", "request_intent_title",
        "drug_dosage_instructions")},
    ("prescriptions", "created_by"): "7.0.0",
    ("prescriptions", "updated_by"): "7.0.0",
    ("prescriptions", "diagnosis"): "7.0.4",
    # immunizations
    ("immunizations", "vis_date"): "3.0.0",
    ("immunizations", "cvx_code"): "4.1.0",
    **{("immunizations", col): "4.1.2" for col in (
        "added_erroneously", "route", "administration_site", "amount_administered", "amount_administered_unit",
        "expiration_date")},
    ("immunizations", "completion_status"): "4.2.1",
    ("immunizations", "information_source"): "5.0.0",
    ("immunizations", "refusal_reason"): "5.0.0",
    ("immunizations", "ordering_provider"): "5.0.0",
    ("immunizations", "reason_code"): "7.0.0",
    ("immunizations", "reason_description"): "7.0.0",
    ("immunizations", "encounter_id"): "7.0.4",
    # form_vitals
    ("form_vitals", "oxygen_flow_rate"): "6.1.0",
    ("form_vitals", "inhaled_oxygen_concentration"): "6.1.0",
    ("form_vitals", "last_updated"): "7.0.3",
    # procedure_*
    ("procedure_result", "result_data_type"): "4.1.2",
    ("procedure_result", "result_code"): "4.1.2",
    ("procedure_result", "result_text"): "4.1.2",
    ("procedure_result", "date_end"): "7.0.0",
    ("procedure_report", "procedure_order_seq"): "4.1.2",
    ("procedure_report", "report_notes"): "4.1.2",
    ("procedure_order", "history_order"): "5.0.0",
    ("procedure_order", "order_diagnosis"): "5.0.2",
    ("procedure_order", "procedure_order_type"): "6.1.0",
    ("procedure_order", "order_intent"): "7.0.4",
    ("procedure_order", "location_id"): "7.0.4",
    # calendar
    ("openemr_postcalendar_events", "pc_facility"): "2.9.0",
    ("openemr_postcalendar_events", "pc_room"): "4.2.1",
    ("openemr_postcalendar_events", "pc_gid"): "5.0.1",
    ("openemr_postcalendar_categories", "pc_cattype"): "4.1.0",
    ("openemr_postcalendar_categories", "pc_active"): "5.0.0",
    ("openemr_postcalendar_categories", "pc_seq"): "5.0.0",
    ("openemr_postcalendar_categories", "pc_constant_id"): "5.0.1",
    # list_options
    ("list_options", "codes"): "4.1.2",
    ("list_options", "activity"): "4.2.1",
    ("list_options", "toggle_setting_1"): "4.2.1",
    ("list_options", "toggle_setting_2"): "4.2.1",
    # visit-note forms
    ("form_care_plan", "care_plan_type"): "5.0.0",
    ("form_care_plan", "date_end"): "7.0.0",
    ("form_care_plan", "reason_code"): "7.0.0",
    ("form_care_plan", "reason_description"): "7.0.0",
    ("form_care_plan", "plan_status"): "7.0.4",
    ("form_care_plan", "proposed_date"): "7.0.4",
    # documents, code_types, log
    ("documents", "encounter_id"): "4.2.0",
    ("documents", "encrypted"): "5.0.2",
    ("documents", "deleted"): "6.0.0",
    ("documents", "name"): "6.0.0",
    ("documents", "drive_uuid"): "6.0.0",
    ("code_types", "ct_diag"): "4.0.0",
    ("code_types", "ct_active"): "4.1.1",
    ("log", "patient_id"): "4.0.0",
}


def added_in(table, column=None):
    """The OpenEMR version that added a table (column=None) or column, or None if older than any we know."""
    if column is None:
        return TABLE_ADDED_IN.get(table)
    # A column of a table that is itself newer exists from the table's version at the latest.
    return COLUMN_ADDED_IN.get((table, column)) or TABLE_ADDED_IN.get(table)


# --- Type compatibility ---------------------------------------------------------------------------------------
_INTEGERS = frozenset({"tinyint", "smallint", "mediumint", "int", "integer", "bigint"})
_TEXT = frozenset({"varchar", "char", "enum", "set", "tinytext", "text", "mediumtext", "longtext"})
_BINARY = frozenset({"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"})
_NUMERIC = frozenset({"decimal", "numeric", "float", "double", "real"})

# Django field type -> the MySQL/MariaDB DATA_TYPEs it reads correctly. Wider than "equal" on purpose: OpenEMR
# changed lists.begdate DATE -> DATETIME (7.0.0) and form_vitals float -> DECIMAL (7.0.0); both read fine.
COMPATIBLE_TYPES = {
    "AutoField": _INTEGERS,
    "BigAutoField": _INTEGERS,
    "SmallAutoField": _INTEGERS,
    "IntegerField": _INTEGERS,
    "BigIntegerField": _INTEGERS,
    "SmallIntegerField": _INTEGERS,
    "PositiveIntegerField": _INTEGERS,
    "PositiveBigIntegerField": _INTEGERS,
    "PositiveSmallIntegerField": _INTEGERS,
    "BooleanField": _INTEGERS | {"bit"},
    "CharField": _TEXT,
    "TextField": _TEXT,
    "DateTimeField": frozenset({"datetime", "timestamp", "date"}),
    "DateField": frozenset({"date", "datetime", "timestamp"}),
    "TimeField": frozenset({"time"}),
    "ClockTimeField": frozenset({"time"}),
    "InstantField": frozenset({"timestamp", "datetime"}),
    "LenientDecimalField": _NUMERIC,
    "DecimalField": _NUMERIC,
    "FloatField": _NUMERIC,
    "BinaryField": _BINARY,
    "UUIDField": _BINARY | {"char", "varchar"},
}

# SQLite (the demo) declares types loosely; map its declared names onto the MySQL names above.
_SQLITE_ALIASES = {"integer": "int", "bool": "tinyint", "boolean": "tinyint", "real": "double",
                   "numeric": "decimal", "clob": "text"}


def base_type(declared):
    """'int(11) unsigned' -> 'int'; 'VARCHAR(255)' -> 'varchar'; 'enum('a','b')' -> 'enum'."""
    match = re.match(r"\s*([a-zA-Z]+)", declared or "")
    return match.group(1).lower() if match else ""


def type_is_compatible(internal_type, data_type, vendor="mysql"):
    """Whether a column of DATA_TYPE `data_type` can be read by a Django field of `internal_type`."""
    data_type = base_type(data_type)
    if vendor == "sqlite":
        data_type = _SQLITE_ALIASES.get(data_type, data_type)
    allowed = COMPATIBLE_TYPES.get(internal_type)
    if allowed is None:
        return True  # a field type we do not know: say nothing rather than cry wolf
    return data_type in allowed
