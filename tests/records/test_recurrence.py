"""records.recurrence: PHP-serialized recurrence specs and the expansion of OpenEMR appointment series.

Pure functions, no database. The expected dates follow OpenEMR's fetchEvents()/__increment() (schema doc §1.14).
"""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from records.recurrence import (
    RecurrSpec,
    expand_occurrences,
    parse_recurrspec,
    php_unserialize,
    strip_hometext,
)

# The autouse settings fixture in conftest is function-scoped but harmless to share between examples.
property_test = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def php_serialize(value) -> str:
    """A tiny PHP serialize() for the tests: the subset OpenEMR writes into pc_recurrspec, plus floats."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{value!r};"
    if isinstance(value, str):
        return f's:{len(value.encode("utf-8"))}:"{value}";'
    if isinstance(value, dict):
        body = "".join(php_serialize(k) + php_serialize(v) for k, v in value.items())
        return f"a:{len(value)}:{{{body}}}"
    raise TypeError(type(value))


def spec(**overrides) -> str:
    """pc_recurrspec as OpenEMR's add_edit_event.php saves it: every value a string."""
    values = {
        "event_repeat_freq": "1",
        "event_repeat_freq_type": "0",
        "event_repeat_on_num": "1",
        "event_repeat_on_day": "0",
        "event_repeat_on_freq": "0",
        "exdate": "",
    }
    values.update({key: str(value) for key, value in overrides.items()})
    return php_serialize(values)


# A real row written by OpenEMR 7 for "every 2 weeks", with one occurrence removed.
OPENEMR_ROW = (
    'a:6:{s:17:"event_repeat_freq";s:1:"2";s:22:"event_repeat_freq_type";s:1:"1";'
    's:19:"event_repeat_on_num";s:1:"1";s:19:"event_repeat_on_day";s:1:"0";'
    's:20:"event_repeat_on_freq";s:1:"0";s:6:"exdate";s:8:"20250217";}'
)
YEAR_2025 = (date(2025, 1, 1), date(2025, 12, 31))


# --- php_unserialize -------------------------------------------------------------------------------------


def test_unserializes_an_openemr_recurrspec_row():
    assert php_unserialize(OPENEMR_ROW) == {
        "event_repeat_freq": "2",
        "event_repeat_freq_type": "1",
        "event_repeat_on_num": "1",
        "event_repeat_on_day": "0",
        "event_repeat_on_freq": "0",
        "exdate": "20250217",
    }


def test_unserializes_scalars_and_nested_arrays():
    text = 'a:5:{i:0;i:-7;i:1;d:2.5;s:1:"b";b:1;s:1:"n";N;s:1:"x";a:1:{i:0;s:0:"";}}'
    assert php_unserialize(text) == {0: -7, 1: 2.5, "b": True, "n": None, "x": {0: ""}}


def test_string_lengths_count_utf8_bytes_not_characters():
    assert php_unserialize('s:9:"Café ☕";') == "Café ☕"
    assert php_unserialize(b's:5:"Caf\xc3\xa9";') == "Café"


def test_a_string_whose_length_counts_characters_is_rejected():
    with pytest.raises(ValueError):
        php_unserialize('s:4:"Café";')


@pytest.mark.parametrize("empty", [None, "", "   ", b""])
def test_empty_or_null_text_is_an_empty_array(empty):
    assert php_unserialize(empty) == {}


@pytest.mark.parametrize(
    "garbage",
    [
        "hello",
        "a:1:{",
        "a:2:{i:0;i:1;}",
        's:10:"short";',
        "i:12x;",
        "b:2;",
        'O:8:"stdClass":0:{}',  # objects are never instantiated
        'a:1:{i:0;r:1;}',  # nor references followed
        "a:1:{d:1.5;i:1;}",  # a float is not a valid key
        "i:1;i:2;",  # trailing data
        "a:99999999:{}",
        "a:1:{i:0;" * 40 + "N;" + "}" * 40,  # deeper than any recurrspec
        "__import__('os').system('true')",
    ],
)
def test_garbage_raises_value_error(garbage):
    with pytest.raises(ValueError):
        php_unserialize(garbage)


php_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**62), max_value=2**62)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.dictionaries(st.integers(-1000, 1000) | st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)


@property_test
@given(php_values)
def test_round_trips_what_php_serialize_writes(value):
    assert php_unserialize(php_serialize(value)) == value


@property_test
@given(st.binary(max_size=200))
def test_arbitrary_bytes_either_parse_or_raise_value_error(data):
    try:
        php_unserialize(data)
    except ValueError:
        pass


# --- parse_recurrspec ------------------------------------------------------------------------------------


def test_parses_the_fields_openemr_reads():
    parsed = parse_recurrspec(OPENEMR_ROW)
    assert parsed.event_repeat_freq == 2
    assert parsed.event_repeat_freq_type == 1
    assert parsed.event_repeat_on_num == 1
    assert parsed.event_repeat_on_day == 0
    assert parsed.event_repeat_on_freq == 0
    assert parsed.exdates == {date(2025, 2, 17)}
    assert parsed.days_of_week == ()
    assert parsed.rt2_pf_flag is False


def test_days_every_week_come_from_event_repeat_freq_with_sunday_as_one():
    parsed = parse_recurrspec(spec(event_repeat_freq="2,4,6", event_repeat_freq_type=6))
    assert parsed.event_repeat_freq_type == 6
    assert parsed.days_of_week == (1, 3, 5)  # Monday, Wednesday, Friday as PHP date('w')


def test_exdates_ignore_blanks_and_impossible_dates():
    parsed = parse_recurrspec(spec(exdate="20250301, ,20250231,2025-03-02,20250303"))
    assert parsed.exdates == {date(2025, 3, 1), date(2025, 3, 3)}


def test_malformed_spec_parses_to_nothing_to_repeat():
    parsed = parse_recurrspec("a:1:{garbage")
    assert parsed.event_repeat_freq == 0
    assert parsed.exdates == frozenset()


def test_rt2_flag_is_read():
    assert parse_recurrspec(spec(rt2_pf_flag="1")).rt2_pf_flag is True


def test_a_spec_built_in_code_defaults_to_every_day():
    assert RecurrSpec().event_repeat_freq == 1
    assert RecurrSpec().event_repeat_freq_type == 0


# --- expand_occurrences: OpenEMR's semantics ---------------------------------------------------------------


def test_non_recurring_event_is_its_date_when_in_the_window():
    assert expand_occurrences(date(2025, 3, 4), None, 0, "", *YEAR_2025) == [date(2025, 3, 4)]


def test_non_recurring_event_outside_the_window_is_nothing():
    assert expand_occurrences(date(2024, 3, 4), None, 0, "", *YEAR_2025) == []


def test_non_recurring_event_ignores_a_leftover_exdate_as_openemr_does():
    # add_edit_event.php keeps the posted exdate list when a series is turned into a one-off event.
    leftover = spec(exdate="20250304")
    assert expand_occurrences(date(2025, 3, 4), None, 0, leftover, *YEAR_2025) == [date(2025, 3, 4)]


def test_non_recurring_event_ignores_a_legacy_end_date():
    # Before 8.1.0 pc_endDate was '0000-00-00' or any leftover value for one-off events.
    assert expand_occurrences(date(2025, 3, 4), date(2020, 1, 1), 0, "", *YEAR_2025) == [date(2025, 3, 4)]


def test_every_two_weeks_skips_the_excluded_date():
    got = expand_occurrences(date(2025, 2, 3), date(2025, 3, 31), 1, OPENEMR_ROW, *YEAR_2025)
    assert got == [date(2025, 2, 3), date(2025, 3, 3), date(2025, 3, 17), date(2025, 3, 31)]


def test_every_third_day_starts_counting_at_the_series_start_not_the_window():
    got = expand_occurrences(date(2025, 1, 1), None, 1, spec(event_repeat_freq=3), date(2025, 1, 5), date(2025, 1, 14))
    assert got == [date(2025, 1, 7), date(2025, 1, 10), date(2025, 1, 13)]


def test_monthly_series_overflows_short_months_like_php_mktime():
    # OpenEMR's calendar shows Jan 31, Mar 3, Apr 3, ... for "every month" from 31 January 2025.
    got = expand_occurrences(date(2025, 1, 31), None, 1, spec(event_repeat_freq_type=2), date(2025, 1, 1),
                             date(2025, 5, 31))
    assert got == [date(2025, 1, 31), date(2025, 3, 3), date(2025, 4, 3), date(2025, 5, 3)]


def test_yearly_series_from_29_february_continues_on_1_march():
    got = expand_occurrences(date(2024, 2, 29), None, 1, spec(event_repeat_freq_type=3), date(2024, 1, 1),
                             date(2027, 12, 31))
    assert got == [date(2024, 2, 29), date(2025, 3, 1), date(2026, 3, 1), date(2027, 3, 1)]


def test_every_work_day_skips_the_weekend():
    got = expand_occurrences(date(2025, 1, 2), None, 1, spec(event_repeat_freq_type=4), date(2025, 1, 1),
                             date(2025, 1, 8))
    assert got == [date(2025, 1, 2), date(2025, 1, 3), date(2025, 1, 6), date(2025, 1, 7), date(2025, 1, 8)]


def test_every_second_work_day_from_a_thursday_lands_on_monday():
    got = expand_occurrences(date(2025, 1, 2), None, 1, spec(event_repeat_freq=2, event_repeat_freq_type=4),
                             date(2025, 1, 1), date(2025, 1, 10))
    assert got == [date(2025, 1, 2), date(2025, 1, 6), date(2025, 1, 8), date(2025, 1, 10)]


def test_days_every_week_repeats_on_the_chosen_days_until_the_end_date():
    monday_wednesday = spec(event_repeat_freq="2,4", event_repeat_freq_type=6)
    got = expand_occurrences(date(2025, 1, 6), date(2025, 1, 20), 3, monday_wednesday, *YEAR_2025)
    assert got == [date(2025, 1, 6), date(2025, 1, 8), date(2025, 1, 13), date(2025, 1, 15), date(2025, 1, 20)]


def test_days_every_week_jumps_to_a_late_window():
    saturdays = spec(event_repeat_freq="7", event_repeat_freq_type=6)
    got = expand_occurrences(date(2001, 1, 6), None, 3, saturdays, date(2025, 1, 1), date(2025, 1, 31))
    assert got == [date(2025, 1, 4), date(2025, 1, 11), date(2025, 1, 18), date(2025, 1, 25)]


def test_second_tuesday_every_month():
    second_tuesday = spec(event_repeat_freq=0, event_repeat_on_num=2, event_repeat_on_day=2, event_repeat_on_freq=1,
                          rt2_pf_flag=1)
    got = expand_occurrences(date(2025, 1, 14), date(2025, 4, 30), 2, second_tuesday, *YEAR_2025)
    assert got == [date(2025, 1, 14), date(2025, 2, 11), date(2025, 3, 11), date(2025, 4, 8)]


def test_last_monday_every_two_months_uses_the_fifth_when_there_is_one():
    last_monday = spec(event_repeat_on_num=5, event_repeat_on_day=1, event_repeat_on_freq=2, rt2_pf_flag=1)
    got = expand_occurrences(date(2025, 3, 31), None, 2, last_monday, *YEAR_2025)
    assert got == [date(2025, 3, 31), date(2025, 5, 26), date(2025, 7, 28), date(2025, 9, 29), date(2025, 11, 24)]


def test_nth_weekday_never_shows_a_date_before_the_series_began():
    first_monday = spec(event_repeat_on_num=1, event_repeat_on_day=1, event_repeat_on_freq=1, rt2_pf_flag=1)
    got = expand_occurrences(date(2025, 1, 20), None, 2, first_monday, date(2025, 1, 1), date(2025, 2, 28))
    assert got == [date(2025, 2, 3)]


def test_old_nth_weekday_series_without_the_flag_skips_months_as_openemr_does():
    # Saved before 2016: the day of the month (31) is carried, so mktime overflows February into March.
    last_friday = spec(event_repeat_on_num=5, event_repeat_on_day=5, event_repeat_on_freq=1)
    got = expand_occurrences(date(2025, 1, 31), None, 2, last_friday, date(2025, 1, 1), date(2025, 4, 30))
    assert got == [date(2025, 1, 31), date(2025, 3, 28), date(2025, 4, 25)]


def test_window_bounds_are_inclusive():
    got = expand_occurrences(date(2025, 1, 1), None, 1, spec(event_repeat_freq=7), date(2025, 1, 8), date(2025, 1, 15))
    assert got == [date(2025, 1, 8), date(2025, 1, 15)]


def test_end_date_is_inclusive_and_stops_the_series():
    got = expand_occurrences(date(2025, 1, 1), date(2025, 1, 3), 1, spec(), *YEAR_2025)
    assert got == [date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 3)]


def test_series_without_end_is_bounded_by_the_window_and_limit():
    got = expand_occurrences(date(2025, 1, 1), None, 1, spec(), date(2025, 1, 1), date(2099, 12, 31), limit=10)
    assert got == [date(2025, 1, 1) + timedelta(days=n) for n in range(10)]


def test_accepts_datetimes_for_dates():
    got = expand_occurrences(datetime(2025, 1, 1, 9, 30), None, 1, spec(), datetime(2025, 1, 2), date(2025, 1, 3))
    assert got == [date(2025, 1, 2), date(2025, 1, 3)]


@pytest.mark.parametrize(
    "recurrtype, recurrspec",
    [
        (1, spec(event_repeat_freq=0)),  # freq 0 would never advance
        (1, spec(event_repeat_freq="")),
        (1, spec(event_repeat_freq_type=5)),  # unknown step: PHP's __increment would return the same day forever
        (1, spec(event_repeat_freq_type="")),
        (1, spec(event_repeat_freq=-3)),
        (3, spec(event_repeat_freq="0,8,x", event_repeat_freq_type=6)),  # no real weekday
        (2, spec(event_repeat_on_freq=0, event_repeat_on_num=1, event_repeat_on_day=1)),
        (2, spec(event_repeat_on_freq=1, event_repeat_on_num=0, event_repeat_on_day=1)),
        (2, spec(event_repeat_on_freq=1, event_repeat_on_num=2, event_repeat_on_day=9)),
        (1, "garbage"),
        (1, None),
        (1, ""),
        (7, spec()),  # an unknown recurrence type
    ],
)
def test_unreadable_series_shows_only_its_first_date(recurrtype, recurrspec):
    assert expand_occurrences(date(2025, 3, 4), None, recurrtype, recurrspec, *YEAR_2025) == [date(2025, 3, 4)]


def test_series_ending_before_it_starts_shows_only_its_first_date():
    assert expand_occurrences(date(2025, 3, 4), date(2025, 3, 1), 1, spec(), *YEAR_2025) == [date(2025, 3, 4)]


def test_huge_frequency_stops_at_the_end_of_the_calendar():
    got = expand_occurrences(date(2025, 3, 4), None, 1, spec(event_repeat_freq=999_999_999, event_repeat_freq_type=3),
                             date(2025, 1, 1), date(9999, 12, 31))
    assert got == [date(2025, 3, 4)]


def test_daily_series_from_long_ago_is_quick_to_reach_today():
    got = expand_occurrences(date(1900, 1, 1), None, 1, spec(), date(2025, 6, 1), date(2025, 6, 2))
    assert got == [date(2025, 6, 1), date(2025, 6, 2)]


def test_empty_or_inverted_window_is_nothing():
    assert expand_occurrences(date(2025, 3, 4), None, 1, spec(), date(2025, 4, 1), date(2025, 3, 1)) == []
    assert expand_occurrences(date(2025, 3, 4), None, 1, spec(), *YEAR_2025, limit=0) == []


# --- expand_occurrences: properties -------------------------------------------------------------------------

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@st.composite
def series(draw):
    recurrtype = draw(st.sampled_from([0, 1, 2, 3]))
    values = {
        "event_repeat_freq": draw(st.sampled_from(["0", "1", "2", "3", "6", "", "x", "1,3,5", "2,4"])),
        "event_repeat_freq_type": draw(st.sampled_from(["0", "1", "2", "3", "4", "6", "", "9"])),
        "event_repeat_on_num": draw(st.sampled_from(["1", "2", "3", "4", "5", "0"])),
        "event_repeat_on_day": draw(st.sampled_from(["0", "1", "3", "6", "7"])),
        "event_repeat_on_freq": draw(st.sampled_from(["0", "1", "2", "3", "12"])),
        "exdate": ",".join(d.strftime("%Y%m%d") for d in draw(st.lists(days, max_size=6))),
    }
    if draw(st.booleans()):
        values["rt2_pf_flag"] = "1"
    start = draw(days)
    end = draw(st.none() | days)
    first = draw(days)
    last = draw(st.dates(min_value=first, max_value=min(first + timedelta(days=800), date(2041, 12, 31))))
    limit = draw(st.integers(min_value=1, max_value=60))
    return start, end, recurrtype, php_serialize(values), first, last, limit


@property_test
@given(series())
def test_occurrences_are_sorted_unique_in_the_window_never_excluded_and_within_limit(case):
    start, end, recurrtype, recurrspec, first, last, limit = case
    got = expand_occurrences(start, end, recurrtype, recurrspec, first, last, limit=limit)
    assert got == sorted(set(got))
    assert all(first <= day <= last for day in got)
    assert len(got) <= limit
    if recurrtype != 0:  # OpenEMR never reads the spec of a one-off event (see the test below)
        assert not set(got) & parse_recurrspec(recurrspec).exdates
    if recurrtype != 0 and end is not None and end >= start:
        assert all(day <= end for day in got)
    assert all(day >= start for day in got)


@property_test
@given(days, st.integers(1, 6), st.sampled_from([0, 1]), days, st.integers(0, 400))
def test_day_and_week_steps_match_plain_arithmetic(start, freq, freq_type, first, length):
    last = first + timedelta(days=length)
    step = freq * (7 if freq_type == 1 else 1)
    lowest = max(0, -(-(first - start).days // step))  # the first n with start + n * step >= first
    expected = [start + timedelta(days=n * step) for n in range(lowest, lowest + 500)
                if start + timedelta(days=n * step) <= last]
    got = expand_occurrences(start, None, 1, spec(event_repeat_freq=freq, event_repeat_freq_type=freq_type),
                             first, last, limit=10_000)
    assert got == expected


@settings(property_test, max_examples=60)  # each example walks up to twelve years of work days to compare
@given(st.dates(min_value=date(1995, 1, 1), max_value=date(2000, 12, 31)), st.integers(1, 12),
       st.dates(min_value=date(2001, 1, 1), max_value=date(2006, 12, 31)), st.integers(0, 60))
def test_work_days_jumping_to_a_late_window_agrees_with_walking_there(start, freq, first, length):
    last = first + timedelta(days=length)
    recurrspec = spec(event_repeat_freq=freq, event_repeat_freq_type=4)
    walked = expand_occurrences(start, None, 1, recurrspec, start, last, limit=100_000)
    assert expand_occurrences(start, None, 1, recurrspec, first, last) == [day for day in walked if day >= first]
    assert all(day.isoweekday() < 6 for day in walked[1:])  # never on Saturday or Sunday after the start


@property_test
@given(days, st.sets(st.integers(1, 7), min_size=1), days, st.integers(0, 120))
def test_days_every_week_matches_a_day_by_day_scan(start, chosen, first, length):
    last = first + timedelta(days=length)
    recurrspec = spec(event_repeat_freq=",".join(map(str, sorted(chosen))), event_repeat_freq_type=6)
    expected = [day for day in (first + timedelta(days=n) for n in range(length + 1))
                if day == start or (day > start and day.isoweekday() % 7 + 1 in chosen)]
    assert expand_occurrences(start, None, 3, recurrspec, first, last, limit=10_000) == expected


@property_test
@given(days, st.integers(1, 5), st.integers(0, 6), st.integers(1, 4), days, st.integers(0, 800))
def test_nth_weekday_matches_a_day_by_day_scan(start, nth, weekday, every, first, length):
    last = first + timedelta(days=length)
    recurrspec = spec(event_repeat_on_num=nth, event_repeat_on_day=weekday, event_repeat_on_freq=every, rt2_pf_flag=1)

    def matches(day):
        months_since = (day.year - start.year) * 12 + day.month - start.month
        same_weekday = day.isoweekday() % 7 == weekday
        week = (day.day - 1) // 7 + 1
        is_last = (day + timedelta(days=7)).month != day.month
        return months_since % every == 0 and same_weekday and (week == nth or (nth == 5 and is_last))

    expected = [day for day in (first + timedelta(days=n) for n in range(length + 1)) if day >= start and matches(day)]
    assert expand_occurrences(start, None, 2, recurrspec, first, last, limit=10_000) == expected


# --- strip_hometext ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, shown",
    [
        (None, ""),
        ("", ""),
        (":text:Bring your insurance card ", "Bring your insurance card"),
        (":TEXT:  fasting  ", "fasting"),
        ("No prefix here", "No prefix here"),
        ("  :text:", ""),
        (":html:<p>Fasting &amp; <b>no</b> coffee</p><p>Arrive<br>early</p>", "Fasting & no coffee\nArrive\nearly"),
        (":html:<script>alert(1)</script>ok", "alert(1)ok"),
        ("Mid :text: stays", "Mid :text: stays"),
    ],
)
def test_strip_hometext(raw, shown):
    assert strip_hometext(raw) == shown


def test_stripped_html_stays_plain_text_for_autoescaping():
    # Entities are decoded to characters; the template escapes them again, so nothing becomes markup.
    assert strip_hometext(":html:&lt;img src=x&gt;") == "<img src=x>"
