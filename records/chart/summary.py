"""The health summary (home page): one call to each page family's parts, in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass

from records.chart.appointments import _upcoming
from records.chart.base import _Names, _page
from records.chart.issues import _allergy, _allergy_sort_key, _issue_rows, _problem
from records.chart.labs import _recent_results
from records.chart.medications import _list_medication, _prescription, _prescription_rows
from records.chart.visits import _visit, _VISIT_FIELDS, _visits_queryset
from records.chart.vitals import _vitals, _VITALS_FIELDS, _vitals_queryset


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
