"""Shared by every page family: constants, the per-page memo of the patient's sensitive visits, the
visibility filter, list_options and provider names in one query each, pagination, and the portal gate.

OpenEMR's rules themselves are in records.openemr.meaning; this module only applies them."""

import contextvars
import functools
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils import timezone

from records.display import clean, provider_name
from records.models import (
    FormEncounter,
    Forms,
    ListOption,
    PatientData,
    ProcedureOrder,
    ProcedureReport,
    ProcedureResult,
    Users,
)
from records.openemr import meaning


PAGE_SIZE = 20
SEVERE_ALLERGY = ("fatal", "life_threatening_severity", "severe")  # OpenEMR's "critical" (stats.php)
SEVERITY_ORDER = {"fatal": 0, "life_threatening_severity": 1, "severe": 2, "moderate_to_severe": 3,
                  "moderate": 4, "mild_to_moderate": 5, "mild": 6}
RECENT_ORDERS = 20  # the summary's "recent results" look at this many latest orders, never the whole set
PAST_APPOINTMENT_DAYS = 365
UPCOMING_APPOINTMENTS = 10  # OpenEMR's portal home shows the next 10 (fetchNextXAppts), whatever their distance
UPCOMING_HORIZON_DAYS = 5 * 366  # how far a recurring series is expanded to find its next occurrences


# --- Shared meaning (the rules themselves are in records.openemr.meaning) --------------------------------

# Thin wrappers kept so that code written against the old records.queries (re-exported there) keeps working.
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
