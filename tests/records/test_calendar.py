"""The appointment calendar file (records/downloads/calendar.py): RFC 5545 escaping and folding."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from records.downloads import calendar
from records.queries import Appointment


def _appointment(**kwargs):
    values = dict(key="7-2026-05-01", date=datetime.date(2026, 5, 1), start_time=datetime.time(9, 30),
                  end_time=datetime.time(9, 45), all_day=False, title="", category="Office Visit",
                  facility="Riverside Family Clinic", comments="", recurring=False, provider="Maria Okafor, MD")
    values.update(kwargs)
    return Appointment(**values)


def _unfold(text):
    return text.replace("\r\n ", "")


def test_times_are_utc_from_the_clinics_zone(settings):
    settings.CLINIC_TIME_ZONE = "America/New_York"
    body = calendar.ics(_appointment())
    assert "DTSTART:20260501T133000Z" in body and "DTEND:20260501T134500Z" in body
    assert "SUMMARY:Office Visit at Riverside Family Clinic with Maria Okafor\\, MD" in _unfold(body)


def test_all_day_and_missing_end_times():
    assert "DTSTART;VALUE=DATE:20260501\r\nDTEND;VALUE=DATE:20260502" in calendar.ics(_appointment(all_day=True))
    body = calendar.ics(_appointment(end_time=datetime.time(0, 0)))  # OpenEMR's empty end: 30 minutes
    assert "DTEND:20260501T" in body


@given(st.text(min_size=0, max_size=300))
def test_any_text_is_escaped_and_folded_to_75_octets(text):
    body = calendar.ics(_appointment(category=text or "Visit", facility=text))
    for line in body.split("\r\n"):
        assert len(line.encode()) <= 75
    unfolded = _unfold(body)
    assert unfolded.count("BEGIN:VEVENT") == 1 and unfolded.endswith("END:VCALENDAR\r\n")
    summary = next(line for line in unfolded.split("\r\n") if line.startswith("SUMMARY:"))
    assert "\n" not in summary and "\r" not in summary


def test_line_breaks_and_control_characters_never_break_a_property():
    body = _unfold(calendar.ics(_appointment(category="Visit\rwith\r\nbreaks\x00\x1b, and; more")))
    summary = next(line for line in body.split("\r\n") if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:Visit\\nwith\\nbreaks\\, and\\; more at Riverside Family Clinic with Maria Okafor\\, MD"
