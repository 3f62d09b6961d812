"""OpenEMR's meaning of its flags, one small rule each, citing ../shared/openemr-schema.md.

Everything that decides *what counts* (active, erroneous, current, visible, released, upcoming, empty) lives
here and nowhere else; the page modules only ask. Rules over SQL return Q objects for the model named in the
docstring; rules over one value are plain functions. tests/records/test_meaning.py tests each one.
"""

import datetime

from django.db.models import Q

# Anything before year 1000 is OpenEMR's zero date ('0000-00-00'), which `IS NULL` does not match on a
# nullable column (§2.2). Aware, so that Django does not warn about naive datetimes.
ZERO_DATETIME_BOUND = datetime.datetime(1000, 1, 2, tzinfo=datetime.timezone.utc)
ZERO_DATE_BOUND = datetime.date(1000, 1, 2)
RESOLVED_OUTCOME = 1  # list "outcome": 1 = Resolved (§1.6)
ENTERED_IN_ERROR = "entered-in-error"  # condition-verification / allergyintolerance-verification (§1.6)
REFUTED = "refuted"
NOT_RESULTS = ("DNR", "TNP")  # "did not report" / "test not performed" (§1.12, ProcedureService, CCDA builder)
VOID_STATUSES = ("error", "cancel", "canceled", "cancelled")  # proc_rep_status / proc_res_status (§1.12)
NORMAL_SENSITIVITY = ("", "normal")  # form_encounter.sensitivity ACL values anyone may see (§1.2)
CANCELLED_APPOINTMENT = ("x", "%")  # apptstat: x Canceled, % Canceled < 24h (§1.14)
NO_SHOW_APPOINTMENT = ("?",)  # apptstat: ? No show (§1.14)
HIDDEN_EVENT = -1  # pc_eventstatus: 1 approved, 0 queued, -1 hidden (§1.14)


def no_date(field_name, bound=ZERO_DATETIME_BOUND):
    """NULL or OpenEMR's zero date (§0.2, §2.2): `IS NULL` alone misses '0000-00-00' in a nullable column."""
    return Q(**{f"{field_name}__isnull": True}) | Q(**{f"{field_name}__lt": bound})


def erroneous_issue():
    """lists: entered in error (verification 'entered-in-error', §1.6). Never shown anywhere."""
    return Q(verification__iexact=ENTERED_IN_ERROR)


def refuted_issue():
    """lists: refuted (verification 'refuted', §1.6): ruled out, so not active; listed with the past ones."""
    return Q(verification__iexact=REFUTED)


def active_issue(now):
    """lists: no end date (NULL/zero) or a future one, not resolved (outcome 1) and not refuted
    (§1.6, demographics.php::filterActiveIssues; FHIR clinical status for refuted)."""
    return (no_date("enddate") | Q(enddate__gt=now)) & ~Q(outcome=RESOLVED_OUTCOME) & ~refuted_issue()


def ended_issue(now):
    """lists: resolved (outcome 1), ended (a real end date not in the future) or refuted (§1.6)."""
    return Q(outcome=RESOLVED_OUTCOME) | Q(enddate__gte=ZERO_DATETIME_BOUND, enddate__lte=now) | refuted_issue()


def retired_list_medication():
    """lists (type medication): activity = 0, set by OpenEMR's prescription sync when a medication leaves the
    list (§1.6 `activity`, Prescription.class.php). NULL is not 0: legacy rows without the flag count."""
    return Q(activity=0)


def current_list_medication(now):
    """lists (type medication): an active issue that the prescription sync has not retired (§1.6)."""
    return active_issue(now) & ~retired_list_medication()


def past_list_medication(now):
    """lists (type medication): ended, resolved, refuted, or retired by the prescription sync (§1.6)."""
    return ended_issue(now) | retired_list_medication()


def current_prescription(today):
    """prescriptions: active = 1 (the staff summary and CCDA) and no end date or one not yet past
    (the portal's end_date IS NULL) (§1.9)."""
    return Q(active=1) & (no_date("end_date", ZERO_DATE_BOUND) | Q(end_date__gte=today))


def past_prescription(today):
    """prescriptions: soft-deleted/stopped (active != 1) or ended before today (§1.9)."""
    return ~Q(active=1) | Q(end_date__gte=ZERO_DATE_BOUND, end_date__lt=today)


def shown_immunization():
    """immunizations: not entered in error (added_erroneously = 0; CCDA, getImmunizationList) (§1.10)."""
    return Q(added_erroneously=0)


def sensitive_encounter():
    """form_encounter: sensitivity set to something other than normal/empty (a staff ACL, §1.2)."""
    return ~(Q(sensitivity__isnull=True) | Q(sensitivity__in=NORMAL_SENSITIVITY))


def is_sensitive(sensitivity):
    """The same rule for one value (§1.2)."""
    return (sensitivity or "").strip().lower() not in NORMAL_SENSITIVITY


def allows_portal(allow_patient_portal):
    """patient_data.allow_patient_portal (list yesno) says YES (§4). OpenEMR compares it in SQL under
    utf8mb4_general_ci, which ignores case and trailing spaces, so 'yes ' counts too."""
    return (allow_patient_portal or "").rstrip().upper() == "YES"


def void_report():
    """procedure_report: status error or cancelled (list proc_rep_status, §1.12): not a result to show."""
    return Q(report_status__in=VOID_STATUSES)


def real_result():
    """procedure_result: a value was reported (not DNR/TNP) and the line was not voided (result_status error
    or cancelled) (§1.12)."""
    return ~Q(result__in=NOT_RESULTS) & ~(Q(result_status__isnull=False) & Q(result_status__in=VOID_STATUSES))


def released_report(policy, now, delay_hours=0):
    """procedure_report: not voided, and released by the clinic's policy (settings.PORTAL_LAB_RELEASE):
    immediate (OpenEMR's portal, §1.12), reviewed (review_status), or delay (hours after date_report)."""
    if policy == "immediate":
        release = Q()
    elif policy == "reviewed":
        release = Q(review_status="reviewed")
    elif policy == "delay":
        release = Q(date_report__gte=ZERO_DATETIME_BOUND, date_report__lte=now - datetime.timedelta(hours=delay_hours))
    else:
        raise ValueError(policy)
    return release & ~(Q(report_status__isnull=False) & void_report())


def shown_calendar_event():
    """openemr_postcalendar_events: not hidden (pc_eventstatus -1, §1.14)."""
    return ~Q(pc_eventstatus=HIDDEN_EVENT)


def appointment_kept_open(apptstatus):
    """An appointment still expected to happen: not cancelled (x, %) and not a no-show (?) (§1.14 apptstat).
    Only such appointments are "upcoming"; the others are listed with their status."""
    code = (apptstatus or "").strip()
    return code not in CANCELLED_APPOINTMENT and code not in NO_SHOW_APPOINTMENT


def appointment_all_day(alldayevent, start, end):
    """pc_alldayevent = 1, or the calendar's own all-day shape: 00:00 to 24:00 (§1.14, §2.5)."""
    if alldayevent:
        return True
    return bool(start and end and start.time == datetime.time(0) and not start.days and end.days >= 1
                and end.time == datetime.time(0))


def no_value(value):
    """A date OpenEMR leaves empty: None (mysqlclient's reading of the zero date), '' or a zero-date string
    (§0.2 dateEmptySql / isDateEmpty)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in ("", "0000-00-00", "0000-00-00 00:00:00", "00/00/0000")
    return False
