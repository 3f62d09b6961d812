"""Read-tolerant column types: what OpenEMR writes, read without raising, in one place.

Each field here is a property of the mapping (records/models.py), so no page has to know that
- TIME columns hold 24:00:00 and later (openemr-schema.md §2.5): ClockTimeField;
- numbers may not fit Python's Decimal context or a fixed number of places (§2.12, §1.10 FLOAT columns,
  §1.11 varchar bps/bpd): LenientDecimalField here, and units.number_display shows the raw text;
- TIMESTAMP columns are converted by the server in the *session* time zone, which OpenEMR sets to the
  clinic's and Django leaves at SYSTEM (§0.2, §2.4): InstantField reads the instant itself.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import models

_CLOCK = re.compile(r"^\s*(-)?(\d{1,3}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?\s*$")


@dataclass(frozen=True)
class ClockTime:
    """A TIME value as OpenEMR writes it: a wall-clock time plus whole days past midnight (24:30 = 00:30 +1)."""

    time: datetime.time
    days: int = 0

    @property
    def next_day(self):
        return self.days > 0


def parse_clock(value):
    """'09:30:00' -> ClockTime(09:30); '24:00:00' -> ClockTime(00:00, days=1); None/garbage/negative -> None."""
    if value is None:
        return None
    if isinstance(value, datetime.time):
        return ClockTime(value.replace(microsecond=0))
    if isinstance(value, datetime.timedelta):
        total = int(value.total_seconds())
        if total < 0:
            return None
        value = f"{total // 3600}:{total % 3600 // 60}:{total % 60}"
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    match = _CLOCK.match(str(value))
    if not match or match.group(1):
        return None
    hours, minutes, seconds = int(match.group(2)), int(match.group(3)), int(match.group(4) or 0)
    if minutes > 59 or seconds > 59:
        return None
    return ClockTime(datetime.time(hours % 24, minutes, seconds), hours // 24)


class ClockTimeField(models.Field):
    """MySQL TIME (up to 838:59:59), selected as text so the driver's time converter never sees hour 24
    (Django's typecast_time raises ValueError inside the cursor, §2.5). Values are ClockTime or None."""

    def db_type(self, connection):
        return "time"

    def get_internal_type(self):
        return "ClockTimeField"

    def select_format(self, compiler, sql, params):
        return f"CAST({sql} AS CHAR)", params

    def from_db_value(self, value, expression, connection):
        return parse_clock(value)

    def to_python(self, value):
        return parse_clock(value)


class LenientDecimalField(models.DecimalField):
    """DECIMAL read as the driver gives it (MySQL) or as text turned into a Decimal without quantizing
    (SQLite, where Django's converter raises InvalidOperation on values beyond its context). Never raises:
    a value that is not a number at all reads as None."""

    def get_internal_type(self):
        return "LenientDecimalField"

    def db_type(self, connection):
        return connection.data_types["DecimalField"] % self.db_type_parameters(connection)

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value))
        except (InvalidOperation, ValueError):
            return None


class InstantField(models.DateTimeField):
    """A TIMESTAMP column read as the instant it records (aware, UTC), whatever the session's time_zone:
    MySQL converts TIMESTAMP values to the session zone on read, OpenEMR's sessions use the clinic's zone and
    Django's use SYSTEM (§0.2, §2.4). UNIX_TIMESTAMP() is zone-free; the zero timestamp reads as None."""

    def get_internal_type(self):
        return "InstantField"

    def db_type(self, connection):
        return "timestamp" if connection.vendor == "mysql" else connection.data_types["DateTimeField"]

    def select_format(self, compiler, sql, params):
        if compiler.connection.vendor == "mysql":
            return f"UNIX_TIMESTAMP({sql})", params
        return sql, params

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if isinstance(value, datetime.datetime):  # SQLite demo: stored as naive UTC text by the generator
            return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
        if isinstance(value, str):
            try:
                parsed = datetime.datetime.fromisoformat(value)
            except ValueError:
                return None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)
        seconds = float(value)
        if seconds <= 0:  # '0000-00-00 00:00:00' gives 0
            return None
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
