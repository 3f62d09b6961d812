"""Problems and allergies (lists rows; §1.6): active, past, entered in error, refuted."""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from records.chart.base import _Names, _page, SEVERE_ALLERGY, SEVERITY_ORDER
from records.display import clean
from records.models import Lists, ListsMedication
from records.openemr import meaning


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
