"""Appointments (openemr_postcalendar_events, §1.14): the next ones whatever their distance, the past year's,
recurring series expanded."""

import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, DatabaseError
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from records.chart.base import (
    _Names,
    _no_date,
    _page,
    PAGE_SIZE,
    PAST_APPOINTMENT_DAYS,
    UPCOMING_APPOINTMENTS,
    UPCOMING_HORIZON_DAYS,
)
from records.display import clean
from records.models import CalendarCategory, CalendarEvent, Facility
from records.openemr import meaning
from records.openemr.meaning import ZERO_DATE_BOUND
from records.recurrence import expand_occurrences, strip_hometext


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


# Kept for code written against the old records.queries (re-exported there); the pages use
# _appointment_lists, which is not bounded by PORTAL_APPOINTMENT_MONTHS.
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
