"""Recurring OpenEMR appointments, expanded in Python (schema doc §1.14).

OpenEMR stores one row per appointment *series*: ``pc_recurrtype`` says how it repeats and ``pc_recurrspec``
holds a PHP ``serialize()``d array with the details. OpenEMR expands the series in PHP each time it reads them
(``library/appointments.inc.php::fetchEvents`` and the calendar's ``calculateEvents``), so the portal must
do the same or show only the first date. The facts this module follows, as OpenEMR's code reads them:

- ``pc_recurrtype`` 0: no repetition. 1: "every N <unit>". 2: "on the Nth (or last) weekday every N months".
  3: "on these days every week" (the newer "days every week" editor). OpenEMR expands types 1 and 3 with the
  same code, choosing the step by ``event_repeat_freq_type``, so this module does too.
- ``event_repeat_freq_type``: 0 day, 1 week, 2 month, 3 year, 4 work day, 6 days of the week. With 6, the
  chosen days are in ``event_repeat_freq`` itself as a comma-separated list, 1 = Sunday .. 7 = Saturday
  (there is no separate key), and the series advances to the next chosen day every week.
- Type 2 reads ``event_repeat_on_freq`` (months), ``event_repeat_on_num`` (1-4, 5 = last) and
  ``event_repeat_on_day`` (0 = Sunday .. 6 = Saturday); ``rt2_pf_flag`` = "1" on series saved since 2016.
- ``exdate``: comma-separated ``yyyymmdd`` dates removed from the series (one changed or deleted occurrence).
- Months and years step like PHP's ``mktime`` with an overflowing day: a monthly series on 31 January
  continues on 3 March (2 March in a leap year), then 3 April, ... This matches what the clinic's calendar
  shows, which is what the patient should see.
- Type 2 series saved before ``rt2_pf_flag`` existed keep their start day when stepping months, so a series
  starting on the 31st skips short months in OpenEMR; that is reproduced too.
- Work days skip OpenEMR's default weekend (Saturday and Sunday, global ``weekend_days`` = "6,0"), with the
  same arithmetic as ``__increment()``.

Where OpenEMR would show nothing at all (a spec it cannot read: ``checkEvent()`` fails, or an unknown step
type on which PHP would loop forever), this module shows the series' first date only: a patient should rather
see an appointment than miss it. Everything here is pure Python with bounded loops; nothing is ever evaluated.
"""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterator

from django.utils.html import strip_tags

__all__ = [
    "RecurrSpec",
    "expand_occurrences",
    "parse_recurrspec",
    "php_unserialize",
    "strip_hometext",
]

# ---------------------------------------------------------------------------------------------------------
# PHP unserialize (a safe subset)
# ---------------------------------------------------------------------------------------------------------

# Depth and size guards: pc_recurrspec is a flat array of six or seven strings; anything deeper is garbage,
# and a crafted row must not make the parser recurse or allocate without bound.
_MAX_DEPTH = 32
_MAX_INPUT_BYTES = 1_000_000

_INT_RE = re.compile(rb"[+-]?\d+")
_FLOAT_RE = re.compile(rb"[+-]?(?:INF|NAN|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")


class _Unserializer:
    """Reads one value of PHP's serialize() format from bytes: N; b: i: d: s: a: only (never objects)."""

    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def fail(self, what: str) -> ValueError:
        return ValueError(f"not a PHP-serialized value: {what} at byte {self.pos}")

    def expect(self, token: bytes) -> None:
        if self.data[self.pos : self.pos + len(token)] != token:
            raise self.fail(f"expected {token!r}")
        self.pos += len(token)

    def read_until(self, terminator: bytes) -> bytes:
        end = self.data.find(terminator, self.pos)
        if end < 0:
            raise self.fail(f"missing {terminator!r}")
        chunk = self.data[self.pos : end]
        self.pos = end + len(terminator)
        return chunk

    def read_int(self, terminator: bytes) -> int:
        chunk = self.read_until(terminator)
        if not _INT_RE.fullmatch(chunk) or len(chunk) > 20:
            raise self.fail("bad integer")
        return int(chunk)

    def value(self, depth: int = 0):
        if depth > _MAX_DEPTH:
            raise self.fail("nested too deeply")
        kind = self.data[self.pos : self.pos + 1]
        if kind == b"N":
            self.expect(b"N;")
            return None
        self.pos += 1
        self.expect(b":")
        if kind == b"b":
            flag = self.read_until(b";")
            if flag not in (b"0", b"1"):
                raise self.fail("bad boolean")
            return flag == b"1"
        if kind == b"i":
            return self.read_int(b";")
        if kind == b"d":
            chunk = self.read_until(b";")
            if not _FLOAT_RE.fullmatch(chunk):
                raise self.fail("bad float")
            return float(chunk)
        if kind == b"s":
            # The length counts bytes, not characters: "é" is s:2:"é";
            length = self.read_int(b":")
            if length < 0 or self.pos + length + 3 > len(self.data):
                raise self.fail("bad string length")
            self.expect(b'"')
            raw = self.data[self.pos : self.pos + length]
            self.pos += length
            self.expect(b'";')
            return raw.decode("utf-8", errors="replace")
        if kind == b"a":
            count = self.read_int(b":")
            # Every element needs at least 6 bytes ("i:0;N;"), so a larger count cannot be honest.
            if count < 0 or count > (len(self.data) - self.pos) // 6:
                raise self.fail("bad array size")
            self.expect(b"{")
            result: dict = {}
            for _ in range(count):
                key_kind = self.data[self.pos : self.pos + 1]
                if key_kind not in (b"i", b"s"):
                    raise self.fail("array key must be an integer or a string")
                key = self.value(depth + 1)
                result[key] = self.value(depth + 1)
            self.expect(b"}")
            return result
        raise self.fail(f"unsupported type {kind!r}")


def php_unserialize(text):
    """Parse PHP serialize() output (arrays, strings, ints, floats, booleans, null) without evaluating it.

    Arrays become dicts (keys int or str, in their serialized order). Strings are measured in UTF-8 bytes,
    as PHP writes them. Empty text or None gives {}. Objects, references and anything malformed raise
    ValueError.
    """
    if text is None:
        return {}
    if isinstance(text, str):
        data = text.encode("utf-8")
    elif isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
    else:
        raise ValueError(f"cannot unserialize a {type(text).__name__}")
    data = data.strip()
    if not data:
        return {}
    if len(data) > _MAX_INPUT_BYTES:
        raise ValueError("serialized value too large")
    parser = _Unserializer(data)
    try:
        result = parser.value()
    except RecursionError:  # pragma: no cover - the depth guard fires first
        raise ValueError("nested too deeply") from None
    if parser.pos != len(data):
        raise parser.fail("trailing data")
    return result


# ---------------------------------------------------------------------------------------------------------
# The recurrence spec
# ---------------------------------------------------------------------------------------------------------

NO_REPEAT, REPEAT, REPEAT_ON, REPEAT_DAYS = 0, 1, 2, 3

EVERY_DAY, EVERY_WEEK, EVERY_MONTH, EVERY_YEAR, EVERY_WORK_DAY = 0, 1, 2, 3, 4
DAYS_EVERY_WEEK = 6

# OpenEMR's default global weekend_days = "6,0" (PHP date('w'): 0 = Sunday .. 6 = Saturday), in that order:
# __increment() adds 2 days on landing on the first and 1 on landing on the second.
_WEEKEND = (6, 0)


@dataclass(frozen=True)
class RecurrSpec:
    """pc_recurrspec, read. Numbers OpenEMR would reject (missing or empty) are 0, or None for the day."""

    event_repeat_freq: int = 1
    event_repeat_freq_type: int | None = 0
    event_repeat_on_num: int = 1
    event_repeat_on_day: int | None = 0
    event_repeat_on_freq: int = 0
    # Days for freq_type 6, as PHP date('w') numbers (0 = Sunday .. 6 = Saturday), sorted and unique.
    # OpenEMR stores them in event_repeat_freq as 1 = Sunday .. 7 = Saturday.
    days_of_week: tuple[int, ...] = ()
    exdates: frozenset[date] = field(default_factory=frozenset)
    rt2_pf_flag: bool = False


def _php_int(value) -> int | None:
    """An integer the way a clean PHP value holds one: 3, "3", " 3 ", 3.0. Anything else is None."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,9}\s*", value):
        return int(value)
    return None


def _parse_exdates(value) -> frozenset[date]:
    if not isinstance(value, str):
        return frozenset()
    found = set()
    for part in value.split(","):
        part = part.strip()
        if re.fullmatch(r"\d{8}", part):
            try:
                found.add(date(int(part[:4]), int(part[4:6]), int(part[6:])))
            except ValueError:
                continue  # 20250231: OpenEMR's string compare can never match it either
    return frozenset(found)


def _parse_days(value) -> tuple[int, ...]:
    """'1,3,5' (1 = Sunday .. 7 = Saturday) -> (0, 2, 4); unknown numbers are dropped."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return ()
    days = set()
    for part in value.split(","):
        number = _php_int(part) if part.strip() else None
        if number is not None and 1 <= number <= 7:
            days.add(number - 1)
    return tuple(sorted(days))


def parse_recurrspec(text) -> RecurrSpec:
    """Read pc_recurrspec. Empty, NULL or malformed text gives a spec with nothing to repeat (freq 0)."""
    try:
        raw = php_unserialize(text)
    except ValueError:
        raw = {}
    if not isinstance(raw, dict) or not raw:
        return RecurrSpec(event_repeat_freq=0, event_repeat_freq_type=None, event_repeat_on_num=0,
                          event_repeat_on_day=None, event_repeat_on_freq=0)
    freq_type = _php_int(raw.get("event_repeat_freq_type"))
    if freq_type == DAYS_EVERY_WEEK:
        days = _parse_days(raw.get("event_repeat_freq"))
        freq = 1 if days else 0
    else:
        days = ()
        freq = _php_int(raw.get("event_repeat_freq")) or 0
    return RecurrSpec(
        event_repeat_freq=freq,
        event_repeat_freq_type=freq_type,
        event_repeat_on_num=_php_int(raw.get("event_repeat_on_num")) or 0,
        event_repeat_on_day=_php_int(raw.get("event_repeat_on_day")),
        event_repeat_on_freq=_php_int(raw.get("event_repeat_on_freq")) or 0,
        days_of_week=days,
        exdates=_parse_exdates(raw.get("exdate")),
        rt2_pf_flag=bool(_php_int(raw.get("rt2_pf_flag"))),
    )


# ---------------------------------------------------------------------------------------------------------
# Expansion
# ---------------------------------------------------------------------------------------------------------

# The most steps one series may take, whatever its data: a daily series from 1900 to 2100 is 73,000.
_MAX_STEPS = 100_000


def _php_w(day: date) -> int:
    """PHP date('w'): 0 = Sunday .. 6 = Saturday."""
    return (day.weekday() + 1) % 7


def _mktime(year: int, month: int, day: int) -> date:
    """PHP mktime(0, 0, 0, month, day, year) for a month and day that may overflow: Feb 31 -> Mar 3."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1) + timedelta(days=day - 1)


def _next_work_day(current: date, freq: int) -> date:
    """OpenEMR's __increment() for work days: skip the weekend days met, then step off a weekend."""
    weeks, rest = divmod(freq, 7)
    step = freq + weeks * len(_WEEKEND)
    step += sum(1 for k in range(1, rest + 1) if _php_w(current + timedelta(days=weeks * 7 + k)) in _WEEKEND)
    landing = _php_w(current + timedelta(days=step))
    if landing == _WEEKEND[0]:
        step += 2
    elif landing == _WEEKEND[1]:
        step += 1
    return current + timedelta(days=step)


def _repeat_every(start: date, spec: RecurrSpec, from_day: date) -> Iterator[date] | None:
    """Types 1 and 3: the series' dates in order, from the first one on or after from_day (roughly)."""
    freq, kind = spec.event_repeat_freq, spec.event_repeat_freq_type
    if kind == DAYS_EVERY_WEEK:
        if not spec.days_of_week:
            return None
        return _days_every_week(start, spec.days_of_week, from_day)
    if freq <= 0 or kind not in (EVERY_DAY, EVERY_WEEK, EVERY_MONTH, EVERY_YEAR, EVERY_WORK_DAY):
        return None
    if kind in (EVERY_DAY, EVERY_WEEK):
        return _fixed_step(start, freq * (7 if kind == EVERY_WEEK else 1), from_day)
    if kind == EVERY_WORK_DAY:
        return _work_days(start, freq, from_day)
    return _stepping(start, freq, kind)


def _fixed_step(start: date, days: int, from_day: date) -> Iterator[date]:
    # Days and weeks never overflow, so jump straight to the window instead of walking to it.
    skip = max(0, (from_day - start).days // days)
    current = start + timedelta(days=skip * days)
    step = timedelta(days=days)
    while True:
        yield current
        current += step


def _work_days(start: date, freq: int, from_day: date) -> Iterator[date]:
    # Each step depends only on the weekday, so the walk repeats as soon as a weekday comes round again:
    # jump whole cycles towards the window instead of walking years of work days one by one.
    current, seen = start, {}
    while current < from_day:
        weekday = current.weekday()
        if weekday in seen:
            cycle = (current - seen[weekday]).days
            current += timedelta(days=(from_day - current).days // cycle * cycle)
            break
        seen[weekday] = current
        current = _next_work_day(current, freq)
    while True:
        yield current
        current = _next_work_day(current, freq)


def _stepping(start: date, freq: int, kind: int) -> Iterator[date]:
    current = start
    year, month, day = start.year, start.month, start.day
    while True:
        yield current
        if kind == EVERY_MONTH:
            # From the day PHP carried over, so Jan 31 -> Mar 3 -> Apr 3, as OpenEMR's calendar shows.
            current = _mktime(year, month + freq, day)
        else:
            current = _mktime(year + freq, month, day)
        year, month, day = current.year, current.month, current.day


def _days_every_week(start: date, days: tuple[int, ...], from_day: date) -> Iterator[date]:
    # The series' first date always counts (OpenEMR starts from pc_eventDate); after it, every chosen weekday.
    yield start
    current = max(start + timedelta(days=1), from_day)
    while True:
        if _php_w(current) in days:
            yield current
        current += timedelta(days=1)


def _nth_weekday(year: int, month: int, nth: int, weekday: int) -> date:
    """The nth (1-4) weekday (0 = Sunday) of a month; 5 means the last (the 5th if there is one, else the 4th)."""
    first = date(year, month, 1)
    offset = (weekday - _php_w(first)) % 7
    day = 1 + offset + 7 * (nth - 1)
    last_day = calendar.monthrange(year, month)[1]
    while day > last_day:
        day -= 7
    return date(year, month, day)


def _repeat_on(start: date, spec: RecurrSpec, from_day: date) -> Iterator[date] | None:
    """Type 2: the Nth (or last) weekday every N months, from the series' first month."""
    freq, nth, weekday = spec.event_repeat_on_freq, spec.event_repeat_on_num, spec.event_repeat_on_day
    if freq <= 0 or not 1 <= nth <= 5 or weekday is None or not 0 <= weekday <= 6:
        return None
    return _months_on(start, freq, nth, weekday, 1 if spec.rt2_pf_flag else start.day, from_day)


def _months_on(start: date, freq: int, nth: int, weekday: int, day: int, from_day: date) -> Iterator[date]:
    year, month = start.year, start.month
    while (year, month) < (from_day.year, from_day.month):
        moved = _mktime(year, month + freq, day)
        year, month, day = moved.year, moved.month, moved.day
    while True:
        occurrence = _nth_weekday(year, month, nth, weekday)
        # OpenEMR would also show a first-month date before the series began; that is never an appointment.
        if occurrence >= start:
            yield occurrence
        moved = _mktime(year, month + freq, day)
        year, month, day = moved.year, moved.month, moved.day


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def expand_occurrences(event_date, end_date, recurrtype, recurrspec_text, window_start, window_end,
                       limit=500) -> list[date]:
    """The dates of one appointment series that fall in [window_start, window_end], sorted, at most ``limit``.

    ``end_date`` None means the series has no end (callers pass None for OpenEMR's zero date). A series that
    cannot be read, or whose end is before its start, counts as its first date only. A series never returns a
    date from its ``exdate`` list (a one-off event, type 0, ignores its spec as OpenEMR does). When more than
    ``limit`` dates match, the earliest are returned.
    """
    start, stop, first, last = (_as_date(v) for v in (event_date, end_date, window_start, window_end))
    if start is None or first is None or last is None or first > last or limit <= 0:
        return []
    recurrtype = _php_int(recurrtype)
    spec = parse_recurrspec(recurrspec_text) if recurrtype in (REPEAT, REPEAT_ON, REPEAT_DAYS) else None
    series = None
    if spec is not None and (stop is None or stop >= start):
        if recurrtype == REPEAT_ON:
            series = _repeat_on(start, spec, first)
        else:
            series = _repeat_every(start, spec, first)
    if series is None:
        excluded = spec.exdates if spec is not None else frozenset()
        return [start] if first <= start <= last and start not in excluded else []

    until = last if stop is None else min(stop, last)
    found: list[date] = []
    try:
        for steps, occurrence in enumerate(series):
            if occurrence > until or steps >= _MAX_STEPS:
                break
            if occurrence >= first and occurrence not in spec.exdates:
                if not found or occurrence > found[-1]:  # the walk is increasing; guard uniqueness anyway
                    found.append(occurrence)
                    if len(found) >= limit:
                        break
    except (OverflowError, ValueError):
        pass  # stepped past year 9999 (date() raises ValueError, timedelta arithmetic OverflowError)
    return found


# ---------------------------------------------------------------------------------------------------------
# Comments
# ---------------------------------------------------------------------------------------------------------

_BREAKS = re.compile(r"<\s*br\s*/?\s*>|<\s*/\s*(?:p|div|li|h[1-6])\s*>", re.IGNORECASE)


def strip_hometext(text) -> str:
    """pc_hometext as plain text: OpenEMR's ":text:" prefix removed; ":html:" comments reduced to their text.

    The result is plain text for an autoescaping template, never markup.
    """
    if text is None:
        return ""
    text = str(text).strip()
    if text[:6].lower() == ":text:":
        return text[6:].strip()
    if text[:6].lower() == ":html:":
        body = _BREAKS.sub("\n", text[6:])
        body = html.unescape(strip_tags(body))
        lines = [" ".join(line.split()) for line in body.splitlines()]
        return "\n".join(line for line in lines if line).strip()
    return text
