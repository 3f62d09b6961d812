"""records.openemr.meaning and records.openemr.columns: each rule of OpenEMR's meaning on its own (no database for
the value rules; the Q rules are exercised against MariaDB through the pages in test_openemr_shapes.py)."""

import datetime
from decimal import Decimal

import pytest

from records.openemr import meaning
from records.openemr.columns import ClockTime, parse_clock


@pytest.mark.parametrize(("value", "expected"), [
    ("09:30:00", ClockTime(datetime.time(9, 30))),
    ("24:00:00", ClockTime(datetime.time(0, 0), 1)),
    ("24:30:00", ClockTime(datetime.time(0, 30), 1)),
    ("838:59:59", ClockTime(datetime.time(22, 59, 59), 34)),
    (datetime.timedelta(hours=25), ClockTime(datetime.time(1, 0), 1)),
    (datetime.time(7, 15), ClockTime(datetime.time(7, 15))),
    ("-01:00:00", None), ("", None), (None, None), ("garbage", None), ("10:75:00", None),
])
def test_clock_times_read_past_midnight_without_raising(value, expected):
    assert parse_clock(value) == expected


def test_a_clock_time_past_24_hours_ends_the_next_day():
    assert parse_clock("24:30:00").next_day and not parse_clock("23:30:00").next_day


@pytest.mark.parametrize(("allday", "start", "end", "expected"), [
    (1, "09:00:00", "09:15:00", True),
    (0, "00:00:00", "24:00:00", True),
    (0, "23:30:00", "24:30:00", False),
    (0, "09:00:00", "09:15:00", False),
    (0, None, None, False),
])
def test_all_day_is_the_flag_or_midnight_to_midnight(allday, start, end, expected):
    assert meaning.appointment_all_day(allday, parse_clock(start), parse_clock(end)) is expected


@pytest.mark.parametrize(("status", "kept"), [
    ("-", True), ("@", True), ("AVM", True), ("^", True), ("", True), (None, True),
    ("x", False), ("%", False), ("?", False), (" x ", False),
])
def test_cancelled_and_no_show_appointments_are_not_kept_open(status, kept):
    assert meaning.appointment_kept_open(status) is kept


@pytest.mark.parametrize(("value", "allowed"), [
    ("YES", True), ("yes", True), ("YES ", True), ("Yes", True),
    ("NO", False), ("", False), (None, False), (" YES", False), ("Y", False),
])
def test_allow_portal_follows_openemrs_case_and_trailing_space_insensitive_comparison(value, allowed):
    assert meaning.allows_portal(value) is allowed


def test_identity_and_pages_decide_allow_portal_by_the_same_rule():
    from records import identity

    row = {"pid": 1, "pubpid": "", "fname": "", "lname": "", "dob": None, "allow_patient_portal": "yes "}
    assert identity._identity(row).allow_portal is meaning.allows_portal("yes ") is True


@pytest.mark.parametrize(("sensitivity", "sensitive"), [
    ("high", True), ("normal", False), ("", False), (None, False), (" Normal ", False),
])
def test_sensitive_is_any_acl_value_but_normal_or_empty(sensitivity, sensitive):
    assert meaning.is_sensitive(sensitivity) is sensitive


@pytest.mark.parametrize(("value", "empty"), [
    (None, True), ("", True), ("0000-00-00", True), ("0000-00-00 00:00:00", True), ("00/00/0000", True),
    (datetime.date(2020, 1, 1), False), ("2020-01-01", False),
])
def test_no_value_matches_openemrs_empty_dates(value, empty):
    assert meaning.no_value(value) is empty


def test_released_report_refuses_an_unknown_policy():
    with pytest.raises(ValueError):
        meaning.released_report("sometimes", datetime.datetime.now(datetime.timezone.utc))


@pytest.mark.parametrize(("value", "expected"), [
    (1e308, "1e+308 mL"), (3.4028234663852886e38, "3.4028234663852886e+38 mL"), (0.5, "0.5 mL"),
    (Decimal("0.50"), "0.5 mL"),
])
def test_numbers_too_large_to_round_are_shown_as_stored(value, expected):
    from records import units

    assert units.number_display(value, "mL", decimals=2) == expected


def test_a_blood_pressure_of_forty_nines_is_shown_as_written():
    from records import units

    assert units.blood_pressure("9" * 40, "80") == f"{'9' * 40}/80 mmHg"


@pytest.mark.parametrize(("value", "number"), [
    ("105", 105.0), ("1e308", None), ("inf", None), ("nan", None), ("Negative", None), ("", None),
    ("-3.5", -3.5),
])
def test_only_finite_reasonable_results_are_plotted(value, number):
    from records import units

    assert units.plottable(value) == number
