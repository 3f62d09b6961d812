"""Every clinical read from OpenEMR, always given the session's pid, returning plain dataclasses.

OpenEMR's meaning of its flags lives here, once (openemr-schema.md §0.4, §1, §4 "stricter views"):
- issues are active when they have no end date (NULL or a zero date) or a future one, and are not resolved
  (outcome 1); zero dates compare with a year-1000 bound because `IS NULL` misses them (§2.2);
- prescriptions are current when active = 1 and not ended; lists medications are merged in only when no
  prescription is linked to them (lists_medication.prescription_id), so nothing shows twice (§1.7);
- immunizations entered in error (added_erroneously = 1) are dropped; vaccine names come from codes (CVX);
- forms.deleted = 0, billing.activity = 1 with diagnosis code types, procedure_order.activity = 1, results
  "DNR"/"TNP" dropped, and the lab release policy applied to every report;
- encounters whose sensitivity is not normal/empty are hidden (unless settings say otherwise), and so is
  everything linked to their encounter number.

Each page function issues a fixed number of SQL queries whatever the size of the record: related rows are
fetched in bulk (`__in` lists or subqueries), list_options titles for a page in one query, provider names in
one query (see _Names). Long lists are paginated in SQL; "recent" lists are bounded by indexed columns first.
"""

import contextvars
import datetime
import functools
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import ExtractYear
from django.db import DatabaseError, connections
from django.utils import timezone

from records.display import clean, provider_name, result_flag
from records.models import (
    Billing,
    CalendarCategory,
    CalendarEvent,
    Codes,
    CodeTypes,
    Facility,
    FormCarePlan,
    FormClinicalInstructions,
    FormClinicalNotes,
    FormEncounter,
    Forms,
    FormSoap,
    FormVitals,
    Immunizations,
    IssueEncounter,
    ListOption,
    Lists,
    ListsMedication,
    PatientData,
    Prescriptions,
    ProcedureOrder,
    ProcedureOrderCode,
    ProcedureReport,
    ProcedureResult,
    ProcedureType,
    Users,
)
from records.recurrence import expand_occurrences, strip_hometext
from records import units
from records.openemr import meaning
from records.openemr.meaning import NOT_RESULTS, RESOLVED_OUTCOME, ZERO_DATE_BOUND, ZERO_DATETIME_BOUND  # noqa: F401
from records.units import vitals_display

PAGE_SIZE = 20
SEVERE_ALLERGY = ("fatal", "life_threatening_severity", "severe")  # OpenEMR's "critical" (stats.php)
SEVERITY_ORDER = {"fatal": 0, "life_threatening_severity": 1, "severe": 2, "moderate_to_severe": 3,
                  "moderate": 4, "mild_to_moderate": 5, "mild": 6}
RECENT_ORDERS = 20  # the summary's "recent results" look at this many latest orders, never the whole set
PAST_APPOINTMENT_DAYS = 365
UPCOMING_APPOINTMENTS = 10  # OpenEMR's portal home shows the next 10 (fetchNextXAppts), whatever their distance
UPCOMING_HORIZON_DAYS = 5 * 366  # how far a recurring series is expanded to find its next occurrences


# --- Shared meaning (the rules themselves are in records.openemr.meaning) --------------------------------

def _no_date(field_name, bound):
    """NULL or OpenEMR's zero date."""
    return meaning.no_date(field_name, bound)


def _active_issue_q():
    return meaning.active_issue(timezone.now())


def _ended_issue_q():
    return meaning.ended_issue(timezone.now())


# One page = one read of the patient's sensitive encounter numbers (a handful at most), excluded as a literal
# list. A subquery here made MariaDB scan every visit of the clinic ("full scan on NULL key") for each item
# whose encounter is NULL, as most immunizations are (issue 10, item 1).
_page_memo = contextvars.ContextVar("records_page_memo", default=None)


def _page(function):
    """Public page functions: the reads shared by their parts (sensitive encounters) run once per call."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        token = _page_memo.set({})
        try:
            return function(*args, **kwargs)
        finally:
            _page_memo.reset(token)

    return wrapper


def _hidden_encounters(pid):
    """This patient's sensitive encounter numbers (one indexed query per page), or () when the clinic shows
    them (PORTAL_SHOW_SENSITIVE_ENCOUNTERS)."""
    if settings.PORTAL_SHOW_SENSITIVE_ENCOUNTERS:
        return ()
    memo = _page_memo.get()
    if memo is not None and ("hidden", pid) in memo:
        return memo[("hidden", pid)]
    hidden = tuple(sorted(
        FormEncounter.objects.filter(pid=pid, encounter__isnull=False).filter(meaning.sensitive_encounter())
        .values_list("encounter", flat=True).distinct()))
    if memo is not None:
        memo[("hidden", pid)] = hidden
    return hidden


def _sensitive_encounters(pid):
    """Encounter numbers of this patient whose sensitivity is not normal/empty (a literal tuple)."""
    return _hidden_encounters(pid)


def _visible(queryset, pid, encounter_field):
    """Drop rows linked to a sensitive encounter of this patient (unless the clinic shows them)."""
    hidden = _hidden_encounters(pid)
    if not hidden:
        return queryset
    return queryset.exclude(**{f"{encounter_field}__in": hidden})


def _released_q():
    """The clinic's lab release policy (settings.PORTAL_LAB_RELEASE) and no voided report, on procedure_report."""
    try:
        return meaning.released_report(settings.PORTAL_LAB_RELEASE, timezone.now(),
                                       settings.PORTAL_LAB_RELEASE_DELAY_HOURS)
    except ValueError:
        raise ImproperlyConfigured("PORTAL_LAB_RELEASE must be immediate, reviewed or delay.") from None


def _patient_orders(pid):
    return _visible(ProcedureOrder.objects.filter(patient_id=pid, activity=1), pid, "encounter_id")


def _patient_reports(pid):
    """Released reports of this patient's active, visible orders (reports have no pid: scope via the order)."""
    orders = _patient_orders(pid).values("procedure_order_id")
    return ProcedureReport.objects.filter(procedure_order_id__in=orders).filter(_released_q())


def _real_results():
    return ProcedureResult.objects.filter(meaning.real_result())


def _vitals_forms(pid):
    forms = Forms.objects.filter(pid=pid, formdir="vitals", deleted=0)
    return _visible(forms, pid, "encounter")


def _int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


class _Names:
    """Collects list_options titles and provider names a page needs, then fetches each kind in ONE query.

    `option(obj, attr, list_id, value)` and `provider(obj, attr, user_id)` set the attribute to the raw value
    now and to the resolved title in resolve(): only active options count, and the raw value is the
    fallback, as OpenEMR's getListItemTitle does.
    """

    def __init__(self):
        self._options = []
        self._providers = []

    def option(self, obj, attr, list_id, value, fallback=None):
        value = clean(value)
        setattr(obj, attr, value if fallback is None else fallback)
        if value:
            self._options.append((obj, attr, list_id, value, fallback))

    def provider(self, obj, attr, user_id):
        setattr(obj, attr, "")
        user_id = _int(user_id)
        if user_id and user_id > 0:
            self._providers.append((obj, attr, user_id))

    def resolve(self):
        if self._options:
            wanted = defaultdict(set)
            for _obj, _attr, list_id, value, _fallback in self._options:
                wanted[list_id].add(value)
            query = Q()
            for list_id, values in wanted.items():
                query |= Q(list_id=list_id, option_id__in=sorted(values))
            titles = {
                (list_id.lower(), option_id.lower()): clean(title)
                for list_id, option_id, title in ListOption.objects.filter(query, activity=1).values_list(
                    "list_id", "option_id", "title"
                )
            }
            for obj, attr, list_id, value, fallback in self._options:
                title = titles.get((list_id.lower(), value.lower()))
                setattr(obj, attr, title or (value if fallback is None else fallback))
        if self._providers:
            names = _provider_names({user_id for _obj, _attr, user_id in self._providers})
            for obj, attr, user_id in self._providers:
                setattr(obj, attr, names.get(user_id, ""))


def _provider_names(ids):
    rows = Users.objects.filter(id__in=sorted(ids)).values("id", "fname", "mname", "lname", "suffix", "valedictory")
    return {
        row["id"]: provider_name(row["fname"], row["mname"], row["lname"], row["suffix"], row["valedictory"])
        for row in rows
    }


@dataclass
class PageInfo:
    number: int
    num_pages: int
    count: int

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.num_pages

    @property
    def previous_page_number(self):
        return self.number - 1

    @property
    def next_page_number(self):
        return self.number + 1


def _paginate(queryset, page_number, per_page=PAGE_SIZE):
    """One COUNT and one page query; returns (rows as a list, PageInfo)."""
    page = Paginator(queryset, per_page).get_page(page_number)
    rows = list(page.object_list)
    return rows, PageInfo(page.number, page.paginator.num_pages, page.paginator.count)


# --- Access gate -----------------------------------------------------------------------------------------

def portal_allowed(pid):
    """OpenEMR's own rule: only patients whose allow_patient_portal is YES may use the portal (§4)."""
    value = PatientData.objects.filter(pid=pid).values_list("allow_patient_portal", flat=True).first()
    return meaning.allows_portal(value)


# --- Issues: problems, allergies, list medications --------------------------------------------------------

@dataclass
class Problem:
    id: int
    title: str
    begdate: object
    enddate: object
    diagnosis: str
    resolved: bool
    outcome: str = ""
    verification: str = ""
    refuted: bool = False  # verification 'refuted': listed with the past problems as ruled out (§1.6)


@dataclass
class Allergy:
    id: int
    title: str
    begdate: object
    severity_code: str
    critical: bool
    reaction: str = ""
    severity: str = ""
    verification: str = ""


@dataclass
class Medication:
    """A prescription or a medication-list entry, shown the same way."""

    key: str
    name: str
    source: str  # "prescription" or "list"
    start_date: object
    end_date: object
    instructions: str = ""
    dosage: str = ""
    strength: str = ""
    form: str = ""
    route: str = ""
    interval: str = ""
    quantity: str = ""
    refills: object = None
    indication: str = ""
    prescriber: str = ""
    status: str = "Current"
    unit: str = ""

    @property
    def how_to_take(self):
        parts = [" ".join(p for p in (self.dosage, self.form) if p), self.route, self.interval]
        return ", ".join(p for p in parts if p)

    @property
    def strength_text(self):
        return " ".join(p for p in (self.strength, self.unit) if p)


_ISSUE_FIELDS = ("id", "type", "title", "begdate", "enddate", "diagnosis", "outcome", "verification", "reaction",
                 "severity_al")


def _issue_rows(pid, types, *, active=True):
    """lists rows of these types (one query). Medication rows linked to a prescription are left out, entered-
    in-error rows never appear, and a medication retired by OpenEMR's prescription sync (activity 0) is past.

    Issues are the patient's, not a visit's: a problem first recorded at a sensitive visit stays on the list
    (the visit's own notes, orders, results, vitals and prescriptions are what sensitivity hides; issue 10,
    item 11). OpenEMR applies encounter sensitivity to encounters only (§1.2), never to the issue lists."""
    now = timezone.now()
    linked = ListsMedication.objects.filter(list_id=OuterRef("id"), prescription_id__gt=0)
    instructions = ListsMedication.objects.filter(list_id=OuterRef("id")).order_by("-id").values(
        "drug_dosage_instructions")[:1]
    if "medication" in types:
        medication = Q(type="medication") & (meaning.current_list_medication(now) if active
                                             else meaning.past_list_medication(now))
        others = Q(type__in=[t for t in types if t != "medication"]) & (
            meaning.active_issue(now) if active else meaning.ended_issue(now))
        state = medication | others
    else:
        state = Q(type__in=types) & (meaning.active_issue(now) if active else meaning.ended_issue(now))
    queryset = (
        Lists.objects.filter(pid=pid, type__in=types)
        .filter(state)
        .exclude(meaning.erroneous_issue())
        .filter(~Exists(linked))
        .annotate(instructions=Subquery(instructions))
        .order_by(F("begdate").desc(nulls_last=True), "-id")
    )
    return list(queryset.values(*_ISSUE_FIELDS, "instructions"))


def _problem(row, names, resolved):
    problem = Problem(row["id"], clean(row["title"]) or "Unnamed problem", row["begdate"], row["enddate"],
                      clean(row["diagnosis"]), resolved,
                      refuted=clean(row["verification"]).lower() == meaning.REFUTED)
    if row["outcome"]:
        names.option(problem, "outcome", "outcome", str(row["outcome"]))
    names.option(problem, "verification", "condition-verification", row["verification"])
    return problem


def _allergy(row, names):
    severity = clean(row["severity_al"]).lower()
    allergy = Allergy(row["id"], clean(row["title"]) or "Unnamed allergy", row["begdate"], severity,
                      severity in SEVERE_ALLERGY)
    names.option(allergy, "reaction", "reaction", "" if clean(row["reaction"]) == "unassigned" else row["reaction"])
    names.option(allergy, "severity", "severity_ccda", row["severity_al"])
    names.option(allergy, "verification", "allergyintolerance-verification", row["verification"])
    return allergy


def _allergy_sort_key(allergy):
    return (SEVERITY_ORDER.get(allergy.severity_code, 99), allergy.title.lower())


def _list_medication(row, status):
    return Medication(f"list-{row['id']}", clean(row["title"]) or "Unnamed medication", "list", row["begdate"],
                      row["enddate"], instructions=clean(row["instructions"]), status=status)


def _prescription_rows(pid, *, current=True, encounter=None):
    today = timezone.localdate()
    queryset = Prescriptions.objects.filter(patient_id=pid)
    if encounter is not None:
        queryset = queryset.filter(encounter=encounter, active=1)
    elif current:
        queryset = queryset.filter(meaning.current_prescription(today))
    else:
        queryset = queryset.filter(meaning.past_prescription(today))
    queryset = _visible(queryset, pid, "encounter").order_by(
        F("start_date").desc(nulls_last=True), F("date_added").desc(nulls_last=True), "-id")
    return list(queryset.values(
        "id", "drug", "start_date", "end_date", "date_added", "active", "dosage", "size", "unit", "form", "route",
        "interval", "quantity", "refills", "drug_dosage_instructions", "indication", "provider_id"))


def _prescription(row, names, status):
    med = Medication(f"rx-{row['id']}", clean(row["drug"]) or "Unnamed medication", "prescription",
                     row["start_date"] or (row["date_added"].date() if row["date_added"] else None), row["end_date"],
                     instructions=clean(row["drug_dosage_instructions"]), dosage=clean(row["dosage"]),
                     strength=clean(row["size"]), quantity=clean(row["quantity"]), refills=row["refills"],
                     indication=clean(row["indication"]), status=status)
    names.option(med, "unit", "drug_units", "" if row["unit"] in (None, 0) else str(row["unit"]))
    names.option(med, "form", "drug_form", "" if row["form"] in (None, 0) else str(row["form"]))
    names.option(med, "route", "drug_route", "" if clean(row["route"]) in ("0",) else row["route"])
    names.option(med, "interval", "drug_interval", "" if row["interval"] in (None, 0) else str(row["interval"]))
    names.provider(med, "prescriber", row["provider_id"])
    return med


# --- Vitals ----------------------------------------------------------------------------------------------

@dataclass
class VitalsReading:
    id: int
    date: object
    weight: str = ""
    height: str = ""
    temperature: str = ""
    blood_pressure: str = ""
    pulse: str = ""
    respiration: str = ""
    bmi: str = ""
    bmi_status: str = ""
    oxygen_saturation: str = ""
    weight_value: object = None
    bmi_value: object = None
    bps_value: object = None
    bpd_value: object = None

    @property
    def is_empty(self):
        return not any((self.weight, self.height, self.temperature, self.blood_pressure, self.pulse,
                        self.respiration, self.bmi, self.oxygen_saturation))


_VITALS_FIELDS = ("id", "date", "weight", "height", "temperature", "bps", "bpd", "pulse", "respiration", "bmi",
                  "bmi_status", "oxygen_saturation")


def _vitals(row):
    preferred = settings.PORTAL_VITALS_UNITS
    reading = VitalsReading(row["id"], row["date"])
    reading.weight = vitals_display(row["weight"], "weight", preferred) or ""
    reading.height = vitals_display(row["height"], "height", preferred) or ""
    reading.temperature = vitals_display(row["temperature"], "temperature", preferred) or ""
    reading.blood_pressure = units.blood_pressure(row["bps"], row["bpd"]) or ""
    reading.pulse = units.pulse_display(row["pulse"]) or ""
    reading.respiration = units.respiration_display(row["respiration"]) or ""
    reading.bmi = units.bmi_display(row["bmi"]) or ""
    reading.bmi_status = clean(row["bmi_status"])
    reading.oxygen_saturation = units.percent_display(row["oxygen_saturation"]) or ""
    # Unrounded numbers in the preferred system, for the trend charts.
    reading.weight_value = units.chart_value(row["weight"], "weight", preferred) if units.plottable(
        row["weight"]) is not None else None
    reading.bmi_value = units.to_number(units.plottable(row["bmi"]))
    if reading.blood_pressure:
        reading.bps_value = units.to_number(units.plottable(row["bps"]))
        reading.bpd_value = units.to_number(units.plottable(row["bpd"]))
    return reading


def _vitals_queryset(pid):
    forms = _vitals_forms(pid).values("form_id")
    return FormVitals.objects.filter(pid=pid, id__in=forms).order_by(F("date").desc(nulls_last=True), "-id")


# --- Lab results -----------------------------------------------------------------------------------------

@dataclass
class LabResult:
    id: int
    name: str
    code: str
    value: str
    units: str
    range: str
    flag: object
    status: str
    date: object
    comments: str
    numeric: object = None
    report_id: int = 0

    @property
    def range_text(self):
        return self.range or "no range given"


@dataclass
class LabReport:
    id: int
    test: str
    date_ordered: object
    date_collected: object
    date_reported: object
    status: str = ""
    review_status: str = ""
    ordered_by: str = ""
    results: list = field(default_factory=list)

    @property
    def flagged_count(self):
        return sum(1 for result in self.results if result.flag)


_RESULT_FIELDS = ("procedure_result_id", "procedure_report_id", "result_code", "result_text", "date", "units",
                  "result", "range", "abnormal", "comments", "result_status")


def _result(row, names):
    value = clean(row["result"])
    result = LabResult(row["procedure_result_id"], clean(row["result_text"]) or clean(row["result_code"]) or "Result",
                       clean(row["result_code"]), value, clean(row["units"]), clean(row["range"]),
                       result_flag(row["abnormal"]), "", row["date"], clean(row["comments"]),
                       report_id=row["procedure_report_id"])
    result.numeric = units.plottable(value)
    names.option(result, "status", "proc_res_status", row["result_status"])
    return result


def _reports_with_results(report_rows, names):
    """LabReport objects for these report rows: orders, test names and results in 3 bulk queries."""
    if not report_rows:
        return []
    order_ids = {row["procedure_order_id"] for row in report_rows}
    orders = {row["procedure_order_id"]: row for row in ProcedureOrder.objects.filter(
        procedure_order_id__in=sorted(order_ids)).values("procedure_order_id", "date_ordered", "provider_id",
                                                         "lab_id")}
    tests = {}
    for row in ProcedureOrderCode.objects.filter(procedure_order_id__in=sorted(order_ids)).values(
            "procedure_order_id", "procedure_order_seq", "procedure_name", "procedure_code"):
        tests[(row["procedure_order_id"], row["procedure_order_seq"])] = (
            clean(row["procedure_name"]) or clean(row["procedure_code"]))
    by_report = defaultdict(list)
    report_ids = [row["procedure_report_id"] for row in report_rows]
    for row in _real_results().filter(procedure_report_id__in=report_ids).order_by(
            "procedure_report_id", "procedure_result_id").values(*_RESULT_FIELDS):
        by_report[row["procedure_report_id"]].append(_result(row, names))
    lab_of_report = {row["procedure_report_id"]: orders.get(row["procedure_order_id"], {}).get("lab_id")
                     for row in report_rows}
    _catalogue_ranges(by_report, lab_of_report, names)
    reports = []
    for row in report_rows:
        order = orders.get(row["procedure_order_id"], {})
        report = LabReport(row["procedure_report_id"],
                           tests.get((row["procedure_order_id"], row["procedure_order_seq"])) or "Laboratory test",
                           order.get("date_ordered"), row["date_collected"], row["date_report"],
                           results=by_report.get(row["procedure_report_id"], []))
        names.option(report, "status", "proc_rep_status", row["report_status"])
        report.review_status = "Reviewed by your care team" if clean(row["review_status"]) == "reviewed" else ""
        names.provider(report, "ordered_by", order.get("provider_id"))
        reports.append(report)
    return reports


def _catalogue_ranges(by_report, lab_of_report, names):
    """Where the lab sent no range (or units), the catalogue's (procedure_type, type 'res', same lab and
    code) stand in, as OpenEMR's portal shows them (§1.12); one query, only when a result lacks one."""
    missing = [(result, lab_of_report.get(report_id)) for report_id, results in by_report.items()
               for result in results if result.code and (not result.range or not result.units)]
    if not missing:
        return
    catalogue = {}
    for row in ProcedureType.objects.filter(procedure_type="res", activity=1, procedure_code__in=sorted(
            {result.code for result, _lab in missing})).order_by("procedure_type_id").values(
            "lab_id", "procedure_code", "units", "range"):
        catalogue.setdefault((row["lab_id"], row["procedure_code"]), row)
    for result, lab_id in missing:
        entry = catalogue.get((lab_id, result.code))
        if entry is None:
            continue
        if not result.range and clean(entry["range"]):
            result.range = clean(entry["range"])
        if not result.units and clean(entry["units"]):
            names.option(result, "units", "proc_unit", entry["units"])


_REPORT_FIELDS = ("procedure_report_id", "procedure_order_id", "procedure_order_seq", "date_collected",
                  "date_report", "report_status", "review_status")


def _recent_results(pid, names, limit=10):
    """Latest results, bounded: the latest RECENT_ORDERS orders first, then their reports and results."""
    order_ids = list(_patient_orders(pid).order_by(F("date_ordered").desc(nulls_last=True), "-procedure_order_id")
                     .values_list("procedure_order_id", flat=True)[:RECENT_ORDERS])
    if not order_ids:
        return []
    reports = {row["procedure_report_id"]: row for row in ProcedureReport.objects.filter(
        procedure_order_id__in=order_ids).filter(_released_q()).values(*_REPORT_FIELDS)}
    if not reports:
        return []
    rows = list(_real_results().filter(procedure_report_id__in=sorted(reports)).values(*_RESULT_FIELDS))

    def when(row):
        report = reports[row["procedure_report_id"]]
        moment = row["date"] or report["date_collected"] or report["date_report"]
        return (moment is not None, moment or datetime.datetime.min.replace(tzinfo=datetime.timezone.utc),
                row["procedure_result_id"])

    rows.sort(key=when, reverse=True)
    results = []
    for row in rows[:limit]:
        result = _result(row, names)
        if result.date is None:
            report = reports[row["procedure_report_id"]]
            result.date = report["date_collected"] or report["date_report"]
        results.append(result)
    return results


# --- Appointments ----------------------------------------------------------------------------------------

@dataclass
class Appointment:
    key: str
    date: datetime.date
    start_time: object  # datetime.time or None
    end_time: object  # datetime.time or None (the wall-clock end; see ends_next_day)
    all_day: bool
    title: str
    category: str
    facility: str
    comments: str
    recurring: bool
    status: str = ""
    provider: str = ""
    ends_next_day: bool = False  # pc_endTime of 24:00 or later (§2.5)
    kept_open: bool = True  # not cancelled and not a no-show (§1.14 apptstat)


_calendar_index = {"checked": None, "value": False}
CALENDAR_INDEX_RECHECK_SECONDS = 600


def calendar_pid_index():
    """Whether openemr_postcalendar_events has an index leading with pc_pid (OpenEMR ships none, §1.14, §7):
    PORTAL_CALENDAR_PID_INDEX yes/no, or auto = look in information_schema, re-checked every 10 minutes."""
    setting = settings.PORTAL_CALENDAR_PID_INDEX
    if setting in ("yes", "no"):
        return setting == "yes"
    now = time.monotonic()
    if _calendar_index["checked"] is not None and now - _calendar_index["checked"] < CALENDAR_INDEX_RECHECK_SECONDS:
        return _calendar_index["value"]
    connection = connections[CalendarEvent.objects.db]
    value = True  # SQLite (the demo): a few hundred patients, nothing to bound
    if connection.vendor == "mysql":
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND "
                    "TABLE_NAME = 'openemr_postcalendar_events' AND COLUMN_NAME = 'pc_pid' AND SEQ_IN_INDEX = 1 "
                    "LIMIT 1")
                value = cursor.fetchone() is not None
        except DatabaseError:
            value = False
    _calendar_index.update(checked=now, value=value)
    return value


def _appointment_rows(pid, since):
    """This patient's shown events that can have an occurrence on or after `since` (one query).

    pc_pid is varchar: compared as a string (§1.14). With an index on pc_pid the read is the patient's own
    calendar rows, so a series is found whenever it started. Without one (OpenEMR's default) the read is a
    range on the indexed pc_eventDate: from `since` for single events (no upper bound, so an appointment a
    year away is found) and from PORTAL_RECURRING_LOOKBACK_DAYS earlier for series: the one place where the
    rows read grow with the clinic, by the date window only (§7; portal_check's W020 gives the CREATE INDEX).
    """
    single = Q(pc_recurrtype=0, pc_event_date__gte=since)
    series = Q(pc_recurrtype__gt=0) & (_no_date("pc_end_date", ZERO_DATE_BOUND) | Q(pc_end_date__gte=since))
    if not calendar_pid_index():
        series &= Q(pc_event_date__gte=since - datetime.timedelta(days=settings.PORTAL_RECURRING_LOOKBACK_DAYS))
    category = CalendarCategory.objects.filter(pc_catid=OuterRef("pc_catid")).values("pc_catname")[:1]
    facility = Facility.objects.filter(id=OuterRef("pc_facility")).values("name")[:1]
    return list(
        CalendarEvent.objects.filter(pc_pid=str(pid)).filter(single | series).filter(meaning.shown_calendar_event())
        .annotate(category_name=Subquery(category), facility_name=Subquery(facility))
        .values("pc_eid", "pc_aid", "pc_title", "pc_hometext", "pc_event_date", "pc_end_date", "pc_recurrtype",
                "pc_recurrspec", "pc_start_time", "pc_end_time", "pc_alldayevent", "pc_apptstatus",
                "category_name", "facility_name")
    )


def _occurrence_dates(row, window_start, window_end, limit):
    if row["pc_recurrtype"]:
        return expand_occurrences(row["pc_event_date"], row["pc_end_date"], row["pc_recurrtype"],
                                  row["pc_recurrspec"] or "", window_start, window_end, limit=limit)
    return [row["pc_event_date"]] if window_start <= row["pc_event_date"] <= window_end else []


def _appointment(row, day, names):
    start, end = row["pc_start_time"], row["pc_end_time"]
    appointment = Appointment(
        f"{row['pc_eid']}-{day.isoformat()}", day, start.time if start else None, end.time if end else None,
        meaning.appointment_all_day(row["pc_alldayevent"], start, end), clean(row["pc_title"]),
        clean(row["category_name"]), clean(row["facility_name"]), clean(strip_hometext(row["pc_hometext"] or "")),
        bool(row["pc_recurrtype"]), ends_next_day=bool(end and end.next_day),
        kept_open=meaning.appointment_kept_open(row["pc_apptstatus"]))
    names.option(appointment, "status", "apptstat", "" if clean(row["pc_apptstatus"]) == "-" else
                 row["pc_apptstatus"])
    names.provider(appointment, "provider", row["pc_aid"])
    return appointment


def _sort_key(appointment):
    return (appointment.date, appointment.start_time or datetime.time.min, appointment.key)


def _appointment_lists(pid, names, *, past_days=0, upcoming=UPCOMING_APPOINTMENTS, include_cancelled=False):
    """(upcoming, past): the next `upcoming` occurrences from today whatever their distance (series expanded,
    exceptions removed; cancelled and no-show ones only if include_cancelled), and the last `past_days` days'
    occurrences, most recent first. One calendar query."""
    today = timezone.localdate()
    since = today - datetime.timedelta(days=past_days)
    horizon = today + datetime.timedelta(days=UPCOMING_HORIZON_DAYS)
    future, past = [], []
    for row in _appointment_rows(pid, since):
        for day in _occurrence_dates(row, today, horizon, upcoming):
            future.append((row, day))
        if past_days:
            for day in _occurrence_dates(row, since, today - datetime.timedelta(days=1), past_days + 1):
                past.append((row, day))
    if not include_cancelled:
        future = [(row, day) for row, day in future if meaning.appointment_kept_open(row["pc_apptstatus"])]
    future.sort(key=_row_order)
    past.sort(key=_row_order, reverse=True)
    return ([_appointment(row, day, names) for row, day in future[:upcoming]],
            [_appointment(row, day, names) for row, day in past[:PAGE_SIZE]])


def _row_order(item):
    row, day = item
    start = row["pc_start_time"]
    return (day, start.time if start else datetime.time.min, row["pc_eid"])


def _upcoming(pid, names, count):
    """The next `count` booked appointments (not cancelled, not a no-show, not hidden), soonest first."""
    return _appointment_lists(pid, names, upcoming=count)[0]


def _appointments(pid, window_start, window_end, names):
    """Occurrences (recurring series expanded, exceptions removed) within the window, soonest first."""
    occurrences = []
    for row in _appointment_rows(pid, window_start):
        for day in _occurrence_dates(row, window_start, window_end, (window_end - window_start).days + 1):
            occurrences.append(_appointment(row, day, names))
    occurrences.sort(key=_sort_key)
    return occurrences


def _upcoming_window():
    today = timezone.localdate()
    return today, _add_months(today, settings.PORTAL_APPOINTMENT_MONTHS)


def _add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


@dataclass
class AppointmentsPage:
    upcoming: list
    past: list
    months_ahead: int  # kept for compatibility; the upcoming list is no longer bounded by months


@_page
def appointments(pid):
    """The next UPCOMING_APPOINTMENTS appointments whatever their distance (cancelled ones shown with their
    status) and the past year's, most recent first: calendar, list_options and users, 3 queries."""
    names = _Names()
    upcoming, past = _appointment_lists(pid, names, past_days=PAST_APPOINTMENT_DAYS, include_cancelled=True)
    names.resolve()
    return AppointmentsPage(upcoming, past, settings.PORTAL_APPOINTMENT_MONTHS)


# --- Visits ----------------------------------------------------------------------------------------------

@dataclass
class Visit:
    encounter: int
    date: object
    reason: str
    facility: str
    provider: str = ""


_VISIT_FIELDS = ("id", "encounter", "date", "date_end", "reason", "facility", "facility_id", "provider_id",
                 "supervisor_id")


def _visits_queryset(pid):
    return _visible(FormEncounter.objects.filter(pid=pid, encounter__isnull=False), pid, "encounter").order_by(
        F("date").desc(nulls_last=True), "-encounter")


def _visit(row, names):
    visit = Visit(row["encounter"], row["date"], clean(row["reason"]), clean(row["facility"]))
    names.provider(visit, "provider", row["provider_id"])
    return visit


@dataclass
class VisitsPage:
    visits: list
    page: PageInfo
    years: list
    year: object


@_page
def visit_list(pid, year=None, page=1):
    """Visits newest first, 20 a page, optionally one year: 4 queries (years, count, page, providers)."""
    names = _Names()
    queryset = _visits_queryset(pid)
    years = [y for y in queryset.annotate(year=ExtractYear("date")).order_by("-year").values_list(
        "year", flat=True).distinct() if y]
    if year:
        queryset = queryset.filter(date__year=year)
    rows, info = _paginate(queryset.values(*_VISIT_FIELDS), page)
    visits = [_visit(row, names) for row in rows]
    names.resolve()
    return VisitsPage(visits, info, years, year)


@dataclass
class Diagnosis:
    text: str
    code: str


@dataclass
class Immunization:
    id: int
    name: str
    date: object
    lot_number: str
    amount: str
    manufacturer: str = ""
    route: str = ""
    site: str = ""
    completion_status: str = ""
    unit: str = ""

    @property
    def amount_text(self):
        return " ".join(p for p in (self.amount, self.unit) if p)


@dataclass
class Note:
    kind: str
    title: str
    text: str
    date: object = None


@dataclass
class CarePlanItem:
    kind: str
    text: str
    date: object
    date_end: object
    goal: bool


@dataclass
class Clinic:
    name: str
    street: str
    city_line: str
    phone: str


@dataclass
class VisitSummary:
    visit: Visit
    end: object
    clinic: Clinic
    supervisor: str = ""
    vitals: list = field(default_factory=list)
    diagnoses: list = field(default_factory=list)
    issues: list = field(default_factory=list)
    medications: list = field(default_factory=list)
    immunizations: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    instructions: list = field(default_factory=list)
    care_plan: list = field(default_factory=list)
    goals: list = field(default_factory=list)
    next_appointments: list = field(default_factory=list)


def _clinic(row):
    facility = Facility.objects.filter(id=row["facility_id"]).values(
        "name", "street", "city", "state", "postal_code", "phone").first() if row["facility_id"] else None
    if facility is None:
        return Clinic(clean(row["facility"]) or settings.PORTAL_CLINIC_NAME, "", "", "")
    region = " ".join(p for p in (clean(facility["state"]), clean(facility["postal_code"])) if p)
    city_line = ", ".join(p for p in (clean(facility["city"]), region) if p)
    return Clinic(clean(facility["name"]) or clean(row["facility"]) or settings.PORTAL_CLINIC_NAME,
                  clean(facility["street"]), city_line, clean(facility["phone"]))


def _encounter_diagnoses(pid, encounter):
    """Billing diagnosis lines: activity = 1 and a code type flagged ct_diag (§1.13). pid bounds the scan."""
    diagnosis_types = CodeTypes.objects.filter(ct_diag=1).values("ct_key")
    rows = Billing.objects.filter(pid=pid, encounter=encounter, activity=1, code_type__in=diagnosis_types).order_by(
        "id").values("code_type", "code", "code_text")
    seen, diagnoses = set(), []
    for row in rows:
        key = (clean(row["code_type"]), clean(row["code"]))
        if key in seen:
            continue
        seen.add(key)
        code = f"{key[0]} {key[1]}".strip()
        diagnoses.append(Diagnosis(clean(row["code_text"]) or code, code))
    return diagnoses


def _cvx_names(codes):
    """CVX code -> vaccine name from codes joined to code_types (ct_key CVX), one query."""
    if not codes:
        return {}
    lookups = set(codes) | {code.lstrip("0") for code in codes if code.lstrip("0")}
    cvx_type = CodeTypes.objects.filter(ct_key="CVX").values("ct_id")
    names = {}
    for row in Codes.objects.filter(code__in=sorted(lookups), code_type__in=cvx_type).values(
            "code", "code_text_short", "code_text"):
        names.setdefault(row["code"], clean(row["code_text_short"]) or clean(row["code_text"]))
    return {code: names.get(code) or names.get(code.lstrip("0")) or "" for code in codes}


_IMMUNIZATION_FIELDS = ("id", "administered_date", "immunization_id", "cvx_code", "manufacturer", "lot_number",
                        "amount_administered", "amount_administered_unit", "route", "administration_site",
                        "completion_status", "encounter_id")


def _immunization_rows(pid, encounter=None):
    queryset = Immunizations.objects.filter(patient_id=pid).filter(meaning.shown_immunization())
    if encounter is not None:
        queryset = queryset.filter(encounter_id=encounter)
    queryset = _visible(queryset, pid, "encounter_id")
    return list(queryset.order_by(F("administered_date").desc(nulls_last=True), "-id").values(*_IMMUNIZATION_FIELDS))


def _immunizations(rows, names):
    cvx = _cvx_names({clean(row["cvx_code"]) for row in rows if clean(row["cvx_code"])})
    items = []
    for row in rows:
        code = clean(row["cvx_code"])
        amount = units.number_display(row["amount_administered"], decimals=2) or ""
        item = Immunization(row["id"], "", row["administered_date"], clean(row["lot_number"]), amount)
        fallback = f"Vaccine (CVX code {code})" if code else "Vaccine (name not recorded)"
        if cvx.get(code):
            item.name = cvx[code]
        elif row["immunization_id"]:
            names.option(item, "name", "immunizations", str(row["immunization_id"]), fallback=fallback)
        else:
            item.name = fallback
        names.option(item, "manufacturer", "Immunization_Manufacturer", row["manufacturer"])
        names.option(item, "route", "drug_route", row["route"])
        names.option(item, "site", "immunization_administered_site", row["administration_site"])
        names.option(item, "completion_status", "Immunization_Completion_Status", row["completion_status"])
        names.option(item, "unit", "drug_units", row["amount_administered_unit"])
        items.append(item)
    return items


def _visit_orders(pid, encounter, names):
    orders = list(_patient_orders(pid).filter(encounter_id=encounter).values_list("procedure_order_id", flat=True))
    if not orders:
        return []
    report_rows = list(ProcedureReport.objects.filter(procedure_order_id__in=orders).filter(_released_q()).order_by(
        "procedure_report_id").values(*_REPORT_FIELDS))
    reports = _reports_with_results(report_rows, names)
    reported = {(row["procedure_order_id"], row["procedure_order_seq"]) for row in report_rows}
    # Tests ordered but without a released report yet are listed too ("results pending").
    pending = []
    for row in ProcedureOrderCode.objects.filter(procedure_order_id__in=orders).order_by(
            "procedure_order_id", "procedure_order_seq").values(
            "procedure_order_id", "procedure_order_seq", "procedure_name", "procedure_code"):
        if (row["procedure_order_id"], row["procedure_order_seq"]) not in reported:
            pending.append(LabReport(0, clean(row["procedure_name"]) or clean(row["procedure_code"]) or
                                     "Laboratory test", None, None, None, status="Results not available yet"))
    return reports + pending


def _visit_forms(pid, encounter, summary, names):
    """Vitals, notes, instructions and care plan of one visit, through forms (deleted = 0)."""
    by_dir = defaultdict(list)
    for formdir, form_id in Forms.objects.filter(pid=pid, encounter=encounter, deleted=0).values_list(
            "formdir", "form_id"):
        if form_id:
            by_dir[clean(formdir).lower()].append(form_id)
    if by_dir["vitals"]:
        rows = FormVitals.objects.filter(pid=pid, id__in=by_dir["vitals"]).order_by("date", "id").values(
            *_VITALS_FIELDS)
        summary.vitals = [reading for reading in map(_vitals, rows) if not reading.is_empty]
    if by_dir["clinical_notes"]:
        for row in FormClinicalNotes.objects.filter(pid=pid, form_id__in=by_dir["clinical_notes"]).exclude(
                activity=0).order_by("date", "id").values("codetext", "description", "clinical_notes_type", "date"):
            if clean(row["description"]):
                note = Note("clinical_note", clean(row["codetext"]), clean(row["description"]), row["date"])
                names.option(note, "title", "Clinical_Note_Type", row["clinical_notes_type"],
                             fallback=clean(row["codetext"]) or "Clinical note")
                summary.notes.append(note)
    if by_dir["soap"]:
        labels = (("subjective", "What you told us"), ("objective", "What we found"),
                  ("assessment", "Assessment"), ("plan", "Plan"))
        for row in FormSoap.objects.filter(pid=pid, id__in=by_dir["soap"]).order_by("id").values(
                "date", *(name for name, _label in labels)):
            for name, label in labels:
                if clean(row[name]):
                    summary.notes.append(Note("soap", label, clean(row[name]), row["date"]))
    if by_dir["clinical_instructions"]:
        for row in FormClinicalInstructions.objects.filter(pid=pid, id__in=by_dir["clinical_instructions"]).exclude(
                activity=0).order_by("id").values("instruction", "date"):
            if clean(row["instruction"]):
                summary.instructions.append(Note("instruction", "Instructions", clean(row["instruction"]),
                                                 row["date"]))
    if by_dir["care_plan"]:
        for row in FormCarePlan.objects.filter(pid=pid, id__in=by_dir["care_plan"]).order_by("date").values(
                "codetext", "description", "care_plan_type", "date", "date_end"):
            text = clean(row["description"]) or clean(row["codetext"])
            if not text:
                continue
            item = CarePlanItem("", text, row["date"], row["date_end"], clean(row["care_plan_type"]) == "goal")
            names.option(item, "kind", "Plan_of_Care_Type", row["care_plan_type"])
            (summary.goals if item.goal else summary.care_plan).append(item)


@_page
def visit_summary(pid, encounter):
    """The take-home summary of one visit (encounter NUMBER looked up within this patient), or None."""
    row = _visits_queryset(pid).filter(encounter=encounter).order_by("id").values(*_VISIT_FIELDS).first()
    if row is None:
        return None
    names = _Names()
    summary = VisitSummary(_visit(row, names), row["date_end"], _clinic(row))
    names.provider(summary, "supervisor", row["supervisor_id"])
    _visit_forms(pid, encounter, summary, names)
    summary.diagnoses = _encounter_diagnoses(pid, encounter)
    linked = IssueEncounter.objects.filter(pid=pid, encounter=encounter).values("list_id")
    billed = {d.text.casefold() for d in summary.diagnoses}
    summary.issues = [  # a problem both billed and linked to the visit is listed once
        Diagnosis(clean(r["title"]) or "Unnamed problem", clean(r["diagnosis"]))
        for r in Lists.objects.filter(pid=pid, id__in=linked).order_by("id").values("title", "diagnosis")
        if clean(r["title"]).casefold() not in billed
    ]
    summary.medications = [_prescription(r, names, "Prescribed at this visit")
                           for r in _prescription_rows(pid, encounter=encounter)]
    summary.immunizations = _immunizations(_immunization_rows(pid, encounter=encounter), names)
    summary.orders = _visit_orders(pid, encounter, names)
    summary.next_appointments = _upcoming(pid, names, 3)
    names.resolve()
    return summary


# --- Pages -----------------------------------------------------------------------------------------------

@dataclass
class HealthSummary:
    problems: list
    medications: list
    allergies: list
    vitals: object
    results: list
    appointments: list
    visits: list


@_page
def health_summary(pid):
    """The home page: active problems, current medications, allergies (severe first), latest vitals,
    recent results, upcoming appointments and recent visits, in a fixed number of queries."""
    names = _Names()
    issues = defaultdict(list)
    for row in _issue_rows(pid, ("medical_problem", "allergy", "medication")):
        issues[row["type"]].append(row)
    problems = [_problem(row, names, False) for row in issues["medical_problem"]]
    allergies = [_allergy(row, names) for row in issues["allergy"]]
    medications = [_prescription(row, names, "Current") for row in _prescription_rows(pid)]
    medications += [_list_medication(row, "Current") for row in issues["medication"]]
    latest = _vitals_queryset(pid).values(*_VITALS_FIELDS).first()
    results = _recent_results(pid, names)
    upcoming = _upcoming(pid, names, 5)
    visits = [_visit(row, names) for row in _visits_queryset(pid).values(*_VISIT_FIELDS)[:5]]
    names.resolve()
    allergies.sort(key=_allergy_sort_key)
    return HealthSummary(problems, medications, allergies, _vitals(latest) if latest else None, results, upcoming,
                         visits)


@dataclass
class MedicationsPage:
    medications: list
    past: bool


@_page
def medications(pid, past=False):
    """Current medications (prescriptions active = 1 and not ended, plus unlinked list entries), or past ones."""
    names = _Names()
    status = "Past" if past else "Current"
    items = [_prescription(row, names, status) for row in _prescription_rows(pid, current=not past)]
    items += [_list_medication(row, status) for row in _issue_rows(pid, ("medication",), active=not past)]
    names.resolve()
    items.sort(key=lambda m: m.name.lower())
    return MedicationsPage(items, past)


@dataclass
class ProblemsPage:
    problems: list
    resolved: bool


@_page
def problems(pid, resolved=False):
    names = _Names()
    items = [_problem(row, names, resolved) for row in _issue_rows(pid, ("medical_problem",), active=not resolved)]
    names.resolve()
    return ProblemsPage(items, resolved)


@_page
def allergies(pid):
    """Active allergies, severe ones first."""
    names = _Names()
    items = [_allergy(row, names) for row in _issue_rows(pid, ("allergy",))]
    names.resolve()
    items.sort(key=_allergy_sort_key)
    return items


@_page
def immunizations(pid):
    names = _Names()
    items = _immunizations(_immunization_rows(pid), names)
    names.resolve()
    return items


@dataclass
class VitalsPage:
    readings: list
    page: PageInfo
    trend: list  # oldest first, for the charts


VITALS_TREND_READINGS = 60


@_page
def vitals(pid, page=1):
    """Vitals history (20 a page) and the latest VITALS_TREND_READINGS readings for the trend charts."""
    queryset = _vitals_queryset(pid).values(*_VITALS_FIELDS)
    rows, info = _paginate(queryset, page)
    trend = [_vitals(row) for row in queryset[:VITALS_TREND_READINGS]]
    trend.reverse()
    return VitalsPage([_vitals(row) for row in rows], info, trend)


@dataclass
class ReportsPage:
    reports: list
    page: PageInfo


@_page
def lab_reports(pid, page=1):
    """Released lab reports, newest first, 20 a page, each with its results."""
    names = _Names()
    queryset = _patient_reports(pid).order_by(F("date_report").desc(nulls_last=True),
                                              F("date_collected").desc(nulls_last=True), "-procedure_report_id")
    rows, info = _paginate(queryset.values(*_REPORT_FIELDS), page)
    reports = _reports_with_results(rows, names)
    names.resolve()
    return ReportsPage(reports, info)


@_page
def lab_results_export(pid):
    """Every released report with its results, newest first, for the CSV download: 5 queries at most."""
    names = _Names()
    rows = list(_patient_reports(pid).order_by(F("date_report").desc(nulls_last=True),
                                               F("date_collected").desc(nulls_last=True), "-procedure_report_id")
                .values(*_REPORT_FIELDS))
    reports = _reports_with_results(rows, names)
    names.resolve()
    return reports


@_page
def lab_report(pid, report_id):
    """One released report of this patient, or None (another patient's id reads as not found)."""
    row = _patient_reports(pid).filter(procedure_report_id=report_id).values(*_REPORT_FIELDS).first()
    if row is None:
        return None
    names = _Names()
    report = _reports_with_results([row], names)[0]
    names.resolve()
    return report


@dataclass
class AnalyteHistory:
    code: str
    name: str
    units: str
    results: list  # oldest first

    @property
    def numeric_points(self):
        return [(r.date, r.numeric) for r in self.results if r.numeric is not None and r.date]


ANALYTE_HISTORY_LIMIT = 100


@_page
def analyte_history(pid, code):
    """The latest ANALYTE_HISTORY_LIMIT released results of one analyte (LOINC code), oldest first, or None."""
    reports = _patient_reports(pid)
    report = ProcedureReport.objects.filter(procedure_report_id=OuterRef("procedure_report_id"))
    rows = list(
        _real_results().filter(result_code=code, procedure_report_id__in=reports.values("procedure_report_id"))
        .annotate(collected=Subquery(report.values("date_collected")[:1]),
                  reported=Subquery(report.values("date_report")[:1]))
        .order_by(F("collected").desc(nulls_last=True), "-procedure_result_id")
        .values(*_RESULT_FIELDS, "collected", "reported")[:ANALYTE_HISTORY_LIMIT]
    )
    if not rows:
        return None
    names = _Names()
    results = []
    for row in reversed(rows):
        result = _result(row, names)
        result.date = row["collected"] or row["date"] or row["reported"]
        results.append(result)
    names.resolve()
    latest = results[-1]
    return AnalyteHistory(clean(code), latest.name, latest.units, results)


# --- Profile ---------------------------------------------------------------------------------------------

@dataclass
class Profile:
    name: str
    preferred_name: str
    date_of_birth: object
    record_number: str
    address_lines: list
    phones: list
    email: str
    emergency_contact: str
    sex: str = ""
    gender_identity: str = ""
    pronoun: str = ""
    language: str = ""
    marital_status: str = ""
    primary_provider: str = ""
    care_team: list = field(default_factory=list)
    deceased: bool = False


@dataclass
class CareTeamMember:
    name: str = ""


@_page
def profile(pid):
    """Demographics, primary provider and care team (patient_data + one users query + one list_options)."""
    row = PatientData.objects.filter(pid=pid).values(
        "title", "fname", "mname", "lname", "suffix", "preferred_name", "dob", "pubpid", "street", "street_line_2",
        "city", "state", "postal_code", "country_code", "phone_home", "phone_biz", "phone_cell", "phone_contact",
        "contact_relationship", "email", "provider_id", "care_team_provider", "sex", "gender_identity", "pronoun",
        "language", "status", "deceased_date").first()
    if row is None:
        return None
    names = _Names()
    name = " ".join(p for p in (clean(row["fname"]), clean(row["mname"]), clean(row["lname"])) if p)
    if clean(row["suffix"]):
        name = f"{name}, {clean(row['suffix'])}"
    region = " ".join(p for p in (clean(row["state"]), clean(row["postal_code"])) if p)
    address = [clean(row["street"]), clean(row["street_line_2"]),
               ", ".join(p for p in (clean(row["city"]), region) if p)]
    phones = [(label, clean(row[key])) for key, label in (
        ("phone_cell", "Mobile"), ("phone_home", "Home"), ("phone_biz", "Work")) if clean(row[key])]
    item = Profile(name or "Name not recorded", clean(row["preferred_name"]), row["dob"], clean(row["pubpid"]),
                   [line for line in address if line], phones, clean(row["email"]),
                   " ".join(p for p in (clean(row["contact_relationship"]), clean(row["phone_contact"])) if p),
                   deceased=row["deceased_date"] is not None)
    names.option(item, "sex", "sex", row["sex"])
    names.option(item, "gender_identity", "gender_identity", clean(row["gender_identity"]).split("|")[0])
    names.option(item, "pronoun", "pronoun", row["pronoun"])
    names.option(item, "language", "language", row["language"])
    names.option(item, "marital_status", "marital", row["status"])
    names.provider(item, "primary_provider", row["provider_id"])
    team_ids = []
    for part in clean(row["care_team_provider"]).split("|"):
        user_id = _int(part)
        if user_id and user_id > 0 and user_id not in team_ids and user_id != _int(row["provider_id"]):
            team_ids.append(user_id)
    for user_id in team_ids:
        member = CareTeamMember()
        names.provider(member, "name", user_id)
        item.care_team.append(member)
    names.resolve()
    item.care_team = [member.name for member in item.care_team if member.name]
    return item


