"""Formatting helpers: OpenEMR's provider names, abnormal flags and the clinic's date format."""

import datetime
from zoneinfo import ZoneInfo

from records import display


def test_provider_name_follows_openemr_format():
    assert display.provider_name("Maria", "L.", "Okafor", "Jr.", "MD") == "Maria L. Okafor, Jr., MD"
    assert display.provider_name("Sam", "", "Lee", None, "RN") == "Sam Lee, RN"
    assert display.provider_name(" ", None, "", "Jr.", "MD") == ""


def test_result_flags_in_words_and_symbols():
    assert display.result_flag("H").label == "High ↑"
    assert display.result_flag("low").label == "Low ↓"
    assert display.result_flag("HH").words == "Critically high"
    assert display.result_flag("vlow").words == "Critically low"
    assert display.result_flag("A").words == "Abnormal"
    assert display.result_flag("something odd").words == "Abnormal"
    for normal in (None, "", "N", "no", " normal "):
        assert display.result_flag(normal) is None


def test_missing_dates_read_unknown(settings):
    settings.PORTAL_DATE_FORMAT = "Y-m-d"
    assert display.format_date(None) == "unknown"
    assert display.format_date(datetime.date(2026, 3, 2)) == "2026-03-02"


def test_aware_datetimes_are_shown_in_clinic_time(settings):
    settings.PORTAL_DATE_FORMAT = "M j, Y"
    moment = datetime.datetime(2026, 3, 2, 3, 0, tzinfo=ZoneInfo("UTC"))  # 10 PM on Mar 1 in New York
    assert display.format_date(moment) == "Mar 1, 2026"
    assert display.format_datetime(moment) == "Mar 1, 2026, 10:00 PM"


def test_midnight_datetimes_read_as_dates():
    moment = datetime.datetime(2026, 3, 2, 0, 0, tzinfo=ZoneInfo("America/New_York"))
    assert display.format_datetime(moment) == "Mar 2, 2026"
