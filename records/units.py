"""Vitals as OpenEMR stores them (always US customary units, schema doc §1.11), shown in either system.

OpenEMR's own rules, followed here:
- form_vitals keeps weight in lb, height and circumferences in in, temperature in °F, whatever the clinic's
  display setting; the metric screens convert before saving and ``VitalsService`` converts on read.
- Conversion constants from ``src/Common/Utils/MeasurementUtils.php``: lb -> kg x 0.45359237, in -> cm x 2.54,
  °F -> °C (x - 32) x 5/9.
- Numeric columns default to 0.00 and 0 means "not recorded" (``VitalsService`` returns null for 0).
- bps and bpd are varchar columns: "", "0" or a number as text.

Every function returns plain text (or None for "not recorded") for an autoescaping template.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "IN_TO_CM",
    "KINDS",
    "LB_TO_KG",
    "blood_pressure",
    "bmi_display",
    "chart_value",
    "f_to_c",
    "metric_value",
    "number_display",
    "oxygen_flow_display",
    "percent_display",
    "plottable",
    "pulse_display",
    "respiration_display",
    "to_number",
    "unit_label",
    "vitals_display",
]

LB_TO_KG = 0.45359237
IN_TO_CM = 2.54

# kind -> (US unit, metric unit). Only the kinds OpenEMR stores in US units need converting.
KINDS: dict[str, tuple[str, str]] = {
    "weight": ("lb", "kg"),
    "height": ("in", "cm"),
    "temperature": ("°F", "°C"),
    "head_circ": ("in", "cm"),
    "waist_circ": ("in", "cm"),
}

_PREFERENCES = ("us", "metric")


def f_to_c(fahrenheit: float) -> float:
    """°F -> °C, as OpenEMR converts."""
    return (fahrenheit - 32) * 5 / 9


def to_number(value) -> float | None:
    """A vitals column as a float, or None when not recorded (None, "", "0", 0, or not a finite number)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    try:
        number = float(value)
    except (TypeError, ValueError, InvalidOperation):
        return None
    if not math.isfinite(number) or number == 0:
        return None  # OpenEMR's 0.00 default means the field was left empty
    return number


PLOTTABLE_LIMIT = 1e12  # beyond this a lab value is a typing error or a sentinel (1e308), not a point to plot


def plottable(value) -> float | None:
    """A result value as a float for charts and trends, or None: text, infinities, NaN and numbers beyond
    PLOTTABLE_LIMIT are shown as written but never plotted (charts scale by their range)."""
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or abs(number) > PLOTTABLE_LIMIT:
        return None
    return number


def _check(kind: str, preferred: str = "us") -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown vitals kind: {kind!r}")
    if preferred not in _PREFERENCES:
        raise ValueError(f"preferred must be 'us' or 'metric', not {preferred!r}")


def metric_value(value_us, kind: str) -> float | None:
    """A stored (US) value in metric units: kg, cm or °C. None when not recorded."""
    _check(kind)
    number = to_number(value_us)
    if number is None:
        return None
    if kind == "weight":
        return number * LB_TO_KG
    if kind == "temperature":
        return f_to_c(number)
    return number * IN_TO_CM


def chart_value(value_us, kind: str, preferred: str = "us") -> float | None:
    """A stored value in the preferred system, unrounded, for plotting."""
    _check(kind, preferred)
    return metric_value(value_us, kind) if preferred == "metric" else to_number(value_us)


def unit_label(kind: str, preferred: str = "us") -> str:
    """The unit symbol for a kind in the preferred system: "lb", "kg", "°F", ..."""
    _check(kind, preferred)
    us, metric = KINDS[kind]
    return metric if preferred == "metric" else us


def _round(number: float, decimals: int) -> str:
    """Half-up rounding of the number as written (70.05 -> 70.1), never binary float surprises."""
    quantum = Decimal(1).scaleb(-decimals)
    return str(Decimal(repr(number)).quantize(quantum, rounding=ROUND_HALF_UP))


def _raw(value) -> str:
    """The value as OpenEMR stored it, for numbers too large to round (shown as written, never a 500)."""
    text = value if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
    return text.strip()[:40]


def number_display(value, unit: str = "", *, decimals: int = 1) -> str | None:
    """A measurement as "72 /min" or "97.5 %": up to ``decimals`` places, trailing zeros dropped. A number
    beyond what rounding can hold (1e308 in a FLOAT, 50 digits in varchar bps) is shown as stored."""
    number = to_number(value)
    if number is None:
        return None
    try:
        text = _round(number, decimals)
    except (InvalidOperation, OverflowError, ValueError):
        return f"{_raw(value)} {unit}".strip()
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return f"{text} {unit}".strip()


def vitals_display(value_us, kind: str, preferred: str = "us") -> str | None:
    """ "154.3 lb (70.0 kg)" or, for preferred="metric", "70.0 kg (154.3 lb)". None when not recorded."""
    _check(kind, preferred)
    us_number = to_number(value_us)
    if us_number is None:
        return None
    us_unit, metric_unit = KINDS[kind]
    try:
        us_text = f"{_round(us_number, 1)} {us_unit}"
        metric_text = f"{_round(metric_value(us_number, kind), 1)} {metric_unit}"
    except (InvalidOperation, OverflowError, ValueError):
        return f"{_raw(value_us)} {us_unit}"
    if preferred == "metric":
        return f"{metric_text} ({us_text})"
    return f"{us_text} ({metric_text})"


def blood_pressure(bps, bpd) -> str | None:
    """ "120/80 mmHg", or None unless both halves are recorded (the columns are text: "", "0", "120")."""
    systolic, diastolic = number_display(bps, decimals=0), number_display(bpd, decimals=0)
    if systolic is None or diastolic is None:
        return None
    return f"{systolic}/{diastolic} mmHg"


def bmi_display(bmi, status: str | None = None) -> str | None:
    """ "24.2 kg/m²", with OpenEMR's BMI_status text in brackets when there is one."""
    number = to_number(bmi)
    if number is None:
        return None
    try:
        text = f"{_round(number, 1)} kg/m²"
    except (InvalidOperation, OverflowError, ValueError):
        text = f"{_raw(bmi)} kg/m²"
    status = (status or "").strip()
    return f"{text} ({status})" if status else text


def pulse_display(pulse) -> str | None:
    """ "72 /min"."""
    return number_display(pulse, "/min", decimals=0)


def respiration_display(respiration) -> str | None:
    """ "16 /min"."""
    return number_display(respiration, "/min", decimals=0)


def percent_display(value) -> str | None:
    """Oxygen saturation or inhaled oxygen concentration: "98 %", "97.5 %"."""
    return number_display(value, "%", decimals=1)


def oxygen_flow_display(value) -> str | None:
    """ "2 L/min"."""
    return number_display(value, "L/min", decimals=1)
