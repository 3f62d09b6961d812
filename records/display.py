"""Pure formatting helpers for the patient pages: dates, provider names, result flags.

No database access here; records.queries calls these while building its dataclasses, and the template
filters in records.templatetags.records_tags are thin wrappers over them.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import dateformat, timezone

UNKNOWN = "unknown"


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_date(value, empty=UNKNOWN):
    """A date or datetime in the clinic's format; None (NULL or OpenEMR's zero date) reads "unknown"."""
    if not value:
        return empty
    return dateformat.format(_local(value), settings.PORTAL_DATE_FORMAT)


def format_time(value, empty=""):
    if value is None:
        return empty
    return dateformat.time_format(_local(value), settings.PORTAL_TIME_FORMAT)


def format_datetime(value, empty=UNKNOWN):
    """Date and time; a datetime at exactly midnight is shown as a date (OpenEMR often stores dates so)."""
    if not value:
        return empty
    if isinstance(value, datetime.datetime):
        local = _local(value)
        if (local.hour, local.minute, local.second) == (0, 0, 0):
            return format_date(local)
        return f"{format_date(local)}, {format_time(local)}"
    return format_date(value)


def clean(text):
    """OpenEMR text columns: None and whitespace-only read as empty."""
    return (text or "").strip()


def provider_name(fname="", mname="", lname="", suffix="", valedictory=""):
    """OpenEMR's getProviderName: "fname [mname] lname", then ", suffix" and ", valedictory" if present."""
    name = " ".join(part for part in (clean(fname), clean(mname), clean(lname)) if part)
    for extra in (clean(suffix), clean(valedictory)):
        if extra and name:
            name = f"{name}, {extra}"
    return name


@dataclass(frozen=True)
class Flag:
    """An abnormal-result flag in words and a symbol (colour is never the only signal)."""

    words: str
    symbol: str
    css: str  # flag-high / flag-low / flag-critical / flag-abnormal

    @property
    def label(self):
        return f"{self.words} {self.symbol}".strip()


# procedure_result.abnormal holds list proc_res_abnormal option ids (no, yes, high, low, vhigh, vlow) or the
# raw HL7 codes lab interfaces write (N, A, H, L, HH, LL). Anything unrecognised but present is "Abnormal".
_FLAGS = {
    "h": Flag("High", "↑", "flag-high"),
    "high": Flag("High", "↑", "flag-high"),
    ">": Flag("High", "↑", "flag-high"),
    "l": Flag("Low", "↓", "flag-low"),
    "low": Flag("Low", "↓", "flag-low"),
    "<": Flag("Low", "↓", "flag-low"),
    "hh": Flag("Critically high", "⇈", "flag-critical"),
    "vhigh": Flag("Critically high", "⇈", "flag-critical"),
    "ll": Flag("Critically low", "⇊", "flag-critical"),
    "vlow": Flag("Critically low", "⇊", "flag-critical"),
    "a": Flag("Abnormal", "!", "flag-abnormal"),
    "aa": Flag("Critically abnormal", "!!", "flag-critical"),
    "yes": Flag("Abnormal", "!", "flag-abnormal"),
}
_NORMAL = {"", "n", "no", "normal"}


def result_flag(abnormal):
    """The Flag for a procedure_result.abnormal value, or None when the result is normal / not flagged."""
    code = clean(abnormal).lower()
    if code in _NORMAL:
        return None
    return _FLAGS.get(code, Flag("Abnormal", "!", "flag-abnormal"))
