"""Server-rendered, accessible SVG line charts for vitals and lab trends.

No JavaScript and no style attributes (the strict CSP forbids inline styles): colours and dashes are SVG
presentation attributes, everything else is a class styled in static/css/portal.css (``.chart``). Series are
told apart by dash pattern and marker shape as well as colour. Every piece of text is XML-escaped here, so the
result can be marked safe; the page shows a text table of the same numbers beside the chart (STYLE.md).
"""

from __future__ import annotations

import hashlib
import math
from datetime import date, datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["MAX_POINTS", "NOT_ENOUGH", "decimate", "line_chart_svg"]

MAX_POINTS = 400  # per series: more is invisible at 640 px and makes the page heavy
NOT_ENOUGH = "Not enough measurements for a chart yet."

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# One style per series: (colour, dash pattern, marker). Colours keep 4.5:1 contrast on white.
_STYLES = (
    ("#0b57a4", None, "circle"),
    ("#9b1c1c", "6 4", "square"),
    ("#1d6b35", "2 3", "triangle"),
)

_MARGIN_LEFT, _MARGIN_RIGHT, _MARGIN_TOP, _MARGIN_BOTTOM = 60, 16, 46, 40


def _x_value(when) -> float:
    """A date or datetime as a day number (ordinal, with the time of day as a fraction)."""
    if isinstance(when, datetime):
        return when.toordinal() + (when.hour * 3600 + when.minute * 60 + when.second) / 86400
    return float(when.toordinal())


def _as_date(when) -> date:
    return when.date() if isinstance(when, datetime) else when


def _fmt(value: float) -> str:
    """A value for people: at most two decimals (one from 100 up), trailing zeros dropped."""
    decimals = 1 if abs(value) >= 100 else 2
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _fmt_tick(value: float) -> str:
    """An axis value: ticks are round numbers, so up to four decimals show them exactly (0.025, 2.5, 120)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _with_unit(value: float, unit: str) -> str:
    return f"{_fmt(value)} {unit}".strip()


def _day(when) -> str:
    when = _as_date(when)
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}"


def _month(when) -> str:
    when = _as_date(when)
    return f"{_MONTHS[when.month - 1]} {when.year}"


def _clean(points) -> list[tuple]:
    """Points with a date and a finite number, sorted by date."""
    cleaned = []
    for when, value in points:
        if not isinstance(when, date) or value is None or isinstance(value, bool):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            cleaned.append((when, number))
    cleaned.sort(key=lambda point: _x_value(point[0]))
    return cleaned


def decimate(points: list[tuple], limit: int = MAX_POINTS) -> list[tuple]:
    """At most ``limit`` points in date order, keeping the first, the last, and each bucket's low and high.

    The series' overall lowest and highest values are always kept, so no spike disappears from the chart.
    """
    if len(points) <= limit:
        return list(points)
    if limit < 4:
        raise ValueError("limit must be at least 4")
    inner = points[1:-1]
    buckets = (limit - 2) // 2
    kept = {0, len(points) - 1}
    for b in range(buckets):
        chunk_start = b * len(inner) // buckets
        chunk_end = (b + 1) * len(inner) // buckets
        if chunk_start >= chunk_end:
            continue
        indexes = range(chunk_start, chunk_end)
        kept.add(1 + min(indexes, key=lambda i: inner[i][1]))
        kept.add(1 + max(indexes, key=lambda i: inner[i][1]))
    return [points[i] for i in sorted(kept)]


def _nice_step(span: float, target: int) -> float:
    raw = span / max(target, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover


def _y_range(values: list[float]) -> tuple[float, float, list[float]]:
    low, high = min(values), max(values)
    if high - low < 1e-9:
        pad = max(abs(low) * 0.05, 1.0)  # a flat series sits mid-chart, not on an axis
        low, high = low - pad, high + pad
    step = _nice_step(high - low, 4)
    low_tick = math.floor(low / step) * step
    high_tick = math.ceil(high / step) * step
    ticks = []
    tick = low_tick
    while tick <= high_tick + step / 1000 and len(ticks) < 12:
        ticks.append(round(tick, 10))
        tick += step
    return low_tick, high_tick, ticks


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _date_ticks(first: date, last: date) -> list[tuple[date, str]]:
    """A handful (at most 7) of round dates between first and last, labelled for their scale."""
    days = (last - first).days
    if days <= 60:
        step = next(s for s in (1, 2, 7, 14, 28) if days / s <= 6)
        ticks, current = [], first
        while current <= last:
            # The first label carries the year; the others stay short.
            label = _day(current) if not ticks else f"{current.day} {_MONTHS[current.month - 1]}"
            ticks.append((current, label))
            current = date.fromordinal(current.toordinal() + step)
        return ticks
    months = days / 30.44
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60, 120, 300, 600, 1200) if months / s <= 6), 2400)
    if step >= 12:
        years = step // 12
        year = first.year + (-first.year % years)
        if date(year, 1, 1) < first:
            year += years
        ticks = []
        while year <= last.year:
            ticks.append((date(year, 1, 1), str(year)))
            year += years
        return ticks
    year, month = first.year, first.month
    if first.day != 1:
        year, month = _add_months(year, month, 1)
    while (month - 1) % step:  # start on a month that divides the year evenly (Jan, Apr, Jul, Oct for 3)
        year, month = _add_months(year, month, 1)
    ticks = []
    while date(year, month, 1) <= last:
        ticks.append((date(year, month, 1), _month(date(year, month, 1))))
        year, month = _add_months(year, month, step)
    return ticks


def _marker(shape: str, x: float, y: float, colour: str, tooltip: str) -> str:
    title = f"<title>{escape(tooltip)}</title>"
    if shape == "square":
        return (f'<rect class="chart-point" x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
                f'fill="{colour}">{title}</rect>')
    if shape == "triangle":
        return (f'<polygon class="chart-point" points="{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y + 3.5:.1f} '
                f'{x - 4.5:.1f},{y + 3.5:.1f}" fill="{colour}">{title}</polygon>')
    return f'<circle class="chart-point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">{title}</circle>'


def _summary(title: str, unit: str, series: list[tuple[str, list]], reference_band) -> str:
    dates = [when for _, points in series for when, _ in points]
    first, last = min(dates, key=_x_value), max(dates, key=_x_value)
    span = _month(first) if _month(first) == _month(last) else f"{_month(first)} to {_month(last)}"
    if len(series) == 1:
        latest = _with_unit(series[0][1][-1][1], unit)
    else:
        latest = ", ".join(f"{label} {_with_unit(points[-1][1], unit)}" for label, points in series if points)
    text = f"{title} from {span}, latest {latest}"
    if reference_band is not None:
        text += f"; reference range {_fmt(reference_band[0])} to {_with_unit(reference_band[1], unit)}"
    return text + "."


def line_chart_svg(series, *, title: str, unit: str, y_label: str | None = None, reference_band=None,
                   width: int = 640, height: int = 260) -> SafeString:
    """An accessible SVG line chart of 1-3 series of (date, value) points, or a short note when too few.

    ``series`` is a list of ``(label, [(date, number), ...])``; ``reference_band`` an optional
    ``(low, high)`` shaded behind the lines. Points without a date or a finite number are ignored.
    """
    if len(series) > len(_STYLES):
        raise ValueError(f"at most {len(_STYLES)} series per chart")
    cleaned = [(str(label), decimate(_clean(points))) for label, points in series]
    cleaned = [(label, points) for label, points in cleaned if points]
    if len({_x_value(when) for _, points in cleaned for when, _ in points}) < 2:
        return mark_safe(f'<p class="chart-empty empty">{escape(NOT_ENOUGH)}</p>')
    if reference_band is not None:
        low, high = (float(v) for v in reference_band)
        reference_band = (min(low, high), max(low, high)) if math.isfinite(low) and math.isfinite(high) else None

    width, height = max(int(width), 240), max(int(height), 160)
    left, right = _MARGIN_LEFT, width - _MARGIN_RIGHT
    top, bottom = _MARGIN_TOP, height - _MARGIN_BOTTOM

    xs = [_x_value(when) for _, points in cleaned for when, _ in points]
    x_low, x_high = min(xs), max(xs)
    values = [value for _, points in cleaned for _, value in points]
    if reference_band is not None:
        values += list(reference_band)
    y_low, y_high, y_ticks = _y_range(values)

    def px(x: float) -> float:
        # 8 px inside the plot area, so the first and last markers do not sit on the axes
        return left + 8 + (x - x_low) / (x_high - x_low) * (right - left - 16)

    def py(y: float) -> float:
        return bottom - (y - y_low) / (y_high - y_low) * (bottom - top)

    digest = hashlib.sha256(repr((title, cleaned, width, height)).encode()).hexdigest()[:10]
    chart_id = f"chart-{digest}"
    summary = _summary(title, unit, cleaned, reference_band)
    axis_label = y_label or unit
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    if reference_band is not None:
        band_top, band_bottom = py(reference_band[1]), py(reference_band[0])
        parts.append(
            f'<rect class="chart-band" x="{left}" y="{band_top:.1f}" width="{right - left}" '
            f'height="{max(band_bottom - band_top, 1):.1f}" fill="#e8f5ec"/>'
        )
    # Value axis: grid lines and labels.
    parts.append('<g class="chart-axis chart-axis-y" aria-hidden="true">')
    for tick in y_ticks:
        y = py(tick)
        parts.append(f'<line class="chart-grid" x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                     f'stroke="#d9e0e7" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_fmt_tick(tick))}</text>')
    parts.append(f'<text class="chart-axis-label" x="4" y="{top - 16}">{escape(axis_label)}</text>')
    parts.append("</g>")
    # Date axis.
    first_day = date.fromordinal(math.floor(x_low))
    last_day = date.fromordinal(math.floor(x_high))
    parts.append('<g class="chart-axis chart-axis-x" aria-hidden="true">')
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#4a5560" stroke-width="1"/>')
    for when, label in _date_ticks(first_day, last_day):
        x = _x_value(when)
        if not x_low <= x <= x_high:
            continue
        parts.append(f'<line x1="{px(x):.1f}" y1="{bottom}" x2="{px(x):.1f}" y2="{bottom + 5}" '
                     f'stroke="#4a5560" stroke-width="1"/>')
        parts.append(f'<text x="{px(x):.1f}" y="{bottom + 18}" text-anchor="middle">{escape(label)}</text>')
    parts.append("</g>")
    # Series: the line, then one marker per point with its value as a tooltip.
    for index, (label, points) in enumerate(cleaned):
        colour, dash, shape = _STYLES[index]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        coords = " ".join(f"{px(_x_value(when)):.1f},{py(value):.1f}" for when, value in points)
        parts.append(f'<g class="chart-series chart-series-{index + 1}">')
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        prefix = f"{label}: " if label else ""
        for when, value in points:
            tooltip = f"{prefix}{_with_unit(value, unit)} on {_day(when)}"
            parts.append(_marker(shape, px(_x_value(when)), py(value), colour, tooltip))
        parts.append("</g>")
    # Legend: a sample of each line's dash and marker, with its label (also says which is which without colour).
    if any(label for label, _ in cleaned):
        parts.append('<g class="chart-legend" aria-hidden="true">')
        x = left
        for index, (label, _) in enumerate(cleaned):
            colour, dash, shape = _STYLES[index]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<line x1="{x}" y1="12" x2="{x + 28}" y2="12" stroke="{colour}" '
                         f'stroke-width="2"{dash_attr}/>')
            parts.append(_marker(shape, x + 14, 12, colour, label).replace('class="chart-point"', 'class="chart-key"'))
            parts.append(f'<text x="{x + 34}" y="16">{escape(label)}</text>')
            x += 44 + 7 * len(label)
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))
