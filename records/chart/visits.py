"""Visits (form_encounter, §1.2) and the take-home summary of one visit (its forms, diagnoses, orders,
prescriptions and vaccines, §1.3, §1.13, §1.16)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F
from django.db.models.functions import ExtractYear
from django.utils import timezone

from records.chart.appointments import _upcoming
from records.chart.base import _Names, _page, PageInfo, _paginate, _patient_orders, _released_q, _visible
from records.chart.immunizations import _immunization_rows, _immunizations
from records.chart.labs import LabReport, _REPORT_FIELDS, _reports_with_results
from records.chart.medications import _prescription, _prescription_rows
from records.chart.vitals import _vitals, _VITALS_FIELDS
from records.display import clean
from records.models import (
    Billing,
    CodeTypes,
    Facility,
    FormCarePlan,
    FormClinicalInstructions,
    FormClinicalNotes,
    FormEncounter,
    Forms,
    FormSoap,
    FormVitals,
    IssueEncounter,
    Lists,
    ProcedureOrderCode,
    ProcedureReport,
)
from records.openemr import meaning


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


def visits_between(pid, start=None, end=None, limit=100):
    """(visits newest first whose day is in [start, end], more): at most `limit`, for the downloads. A fixed
    3 queries (sensitive visits, visits, providers) whatever the size of the record."""
    names = _Names()
    queryset = _visits_queryset(pid)
    if start is not None:
        queryset = queryset.filter(date__gte=timezone.make_aware(datetime.datetime.combine(start, datetime.time.min)))
    if end is not None:
        after = end + datetime.timedelta(days=1)
        queryset = queryset.filter(date__lt=timezone.make_aware(datetime.datetime.combine(after, datetime.time.min)))
    rows = list(queryset.values(*_VISIT_FIELDS)[:limit + 1])
    visits = [_visit(row, names) for row in rows[:limit]]
    names.resolve()
    return visits, len(rows) > limit


@dataclass
class Diagnosis:
    text: str
    code: str


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
        for r in Lists.objects.filter(pid=pid, id__in=linked).exclude(meaning.erroneous_issue()).order_by(
            "id").values("title", "diagnosis")
        if clean(r["title"]).casefold() not in billed
    ]
    summary.medications = [_prescription(r, names, "Prescribed at this visit")
                           for r in _prescription_rows(pid, encounter=encounter)]
    summary.immunizations = _immunizations(_immunization_rows(pid, encounter=encounter), names)
    summary.orders = _visit_orders(pid, encounter, names)
    summary.next_appointments = _upcoming(pid, names, 3)
    names.resolve()
    return summary
