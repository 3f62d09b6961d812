"""records.charts: accessible, CSP-safe SVG line charts rendered on the server."""

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest
from django.utils.safestring import SafeString
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from records.charts import MAX_POINTS, NOT_ENOUGH, decimate, line_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
property_test = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def weights():
    return [(date(2024, 1, 15), 160.0), (date(2025, 6, 1), 157.5), (date(2026, 3, 10), 154.0)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def points_of(root: ET.Element, tag: str = "circle") -> list[ET.Element]:
    """The plotted markers (the legend's sample markers have another class)."""
    return [el for el in root.iter(f"{SVG}{tag}") if el.get("class") == "chart-point"]


def texts(root: ET.Element) -> list[str]:
    return [el.text for el in root.iter(f"{SVG}text")]


def test_chart_is_safe_svg_with_an_accessible_name_and_summary():
    svg = line_chart_svg([("Weight", weights())], title="Weight", unit="lb")
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Weight"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert root.find(f"{SVG}desc").text == "Weight from Jan 2024 to Mar 2026, latest 154 lb."


def test_every_point_has_a_tooltip_with_value_and_date():
    root = parse(line_chart_svg([("Weight", weights())], title="Weight", unit="lb"))
    tooltips = [el.find(f"{SVG}title").text for el in root.iter() if el.get("class") == "chart-point"]
    assert tooltips == [
        "Weight: 160 lb on 15 Jan 2024",
        "Weight: 157.5 lb on 1 Jun 2025",
        "Weight: 154 lb on 10 Mar 2026",
    ]


def test_no_inline_styles_or_scripts_for_the_strict_csp():
    svg = line_chart_svg([("Systolic", weights()), ("Diastolic", weights())], title="BP", unit="mmHg",
                         reference_band=(150, 158))
    assert "style" not in svg.lower()
    assert "<script" not in svg.lower()
    assert not re.search(r"\son\w+=", svg)


def test_every_text_is_escaped():
    evil = '<script>alert("x")</script>&'
    svg = line_chart_svg([(evil, weights())], title=evil, unit=evil, y_label=evil)
    root = parse(svg)  # still well-formed XML
    assert "<script>" not in svg
    assert root.find(f"{SVG}title").text == evil
    assert evil in texts(root)


def test_series_are_told_apart_by_dash_pattern_and_marker_not_colour_only():
    root = parse(line_chart_svg([("Systolic", weights()), ("Diastolic", weights()), ("Mean", weights())],
                                title="Blood pressure", unit="mmHg"))
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 3
    assert len({line.get("stroke-dasharray") for line in lines}) == 3
    markers = {el.tag for el in root.iter() if el.get("class") == "chart-point"}
    assert markers == {f"{SVG}circle", f"{SVG}rect", f"{SVG}polygon"}
    assert {"Systolic", "Diastolic", "Mean"} <= set(texts(root))


def test_summary_of_several_series_names_each_latest_value():
    systolic = [(date(2025, 1, 1), 130), (date(2025, 2, 1), 120)]
    diastolic = [(date(2025, 1, 1), 85), (date(2025, 2, 1), 80)]
    root = parse(line_chart_svg([("systolic", systolic), ("diastolic", diastolic)], title="Blood pressure",
                                unit="mmHg"))
    assert root.find(f"{SVG}desc").text == (
        "Blood pressure from Jan 2025 to Feb 2025, latest systolic 120 mmHg, diastolic 80 mmHg."
    )


def test_reference_band_is_shaded_and_described():
    points = [(date(2025, 1, 1), 90), (date(2025, 4, 1), 105)]
    root = parse(line_chart_svg([("Glucose", points)], title="Glucose", unit="mg/dL", reference_band=(99, 70)))
    bands = [el for el in root.iter(f"{SVG}rect") if el.get("class") == "chart-band"]
    assert len(bands) == 1
    assert float(bands[0].get("height")) > 0
    assert root.find(f"{SVG}desc").text.endswith("reference range 70 to 99 mg/dL.")


@pytest.mark.parametrize(
    "series",
    [
        [],
        [("Weight", [])],
        [("Weight", [(date(2025, 1, 1), 150)])],
        [("Weight", [(date(2025, 1, 1), 150), (date(2025, 1, 1), 151)])],  # one day is not a trend
        [("Weight", [(date(2025, 1, 1), 150), (date(2025, 2, 1), None), (None, 3), (date(2025, 3, 1), float("nan"))])],
    ],
)
def test_too_few_points_gives_a_short_note_instead(series):
    assert line_chart_svg(series, title="Weight", unit="lb") == f'<p class="chart-empty empty">{NOT_ENOUGH}</p>'


def test_equal_values_draw_a_flat_line_inside_a_sane_range():
    points = [(date(2025, 1, 1) + timedelta(days=n), 72.0) for n in range(5)]
    root = parse(line_chart_svg([("Pulse", points)], title="Pulse", unit="/min"))
    ys = {el.get("cy") for el in points_of(root)}
    assert len(ys) == 1
    y = float(ys.pop())
    assert 46 < y < 260 - 40  # strictly inside the plot area, not on an edge
    labels = [float(t) for t in texts(root.find(f"{SVG}g[@class='chart-axis chart-axis-y']")) if t != "/min"]
    assert min(labels) < 72 < max(labels)


def test_dates_spanning_years_get_a_handful_of_year_ticks():
    points = [(date(2010, 6, 1), 150), (date(2026, 3, 1), 160)]
    root = parse(line_chart_svg([("Weight", points)], title="Weight", unit="lb"))
    labels = texts(root.find(f"{SVG}g[@class='chart-axis chart-axis-x']"))
    assert 2 <= len(labels) <= 7
    assert all(re.fullmatch(r"\d{4}", label) for label in labels)


def test_dates_spanning_months_get_month_ticks_and_days_get_day_ticks():
    months = [(date(2025, 1, 10), 1), (date(2025, 9, 20), 2)]
    root = parse(line_chart_svg([("A1c", months)], title="A1c", unit="%"))
    labels = texts(root.find(f"{SVG}g[@class='chart-axis chart-axis-x']"))
    assert labels and all(re.fullmatch(r"[A-Z][a-z]{2} 2025", label) for label in labels)
    days = [(date(2025, 1, 1), 1), (date(2025, 1, 20), 2)]
    root = parse(line_chart_svg([("A1c", days)], title="A1c", unit="%"))
    labels = texts(root.find(f"{SVG}g[@class='chart-axis chart-axis-x']"))
    assert labels[0] == "1 Jan 2025"
    assert 2 <= len(labels) <= 7


def test_accepts_datetimes_and_decimal_like_strings():
    points = [(datetime(2025, 1, 1, 8, 0), "120.5"), (datetime(2025, 1, 1, 17, 0), "118")]
    root = parse(line_chart_svg([("Glucose", points)], title="Glucose", unit="mg/dL"))
    assert len(points_of(root)) == 2


def test_thousands_of_points_are_decimated_keeping_the_extremes():
    start = date(2000, 1, 1)
    points = [(start + timedelta(days=n), 100 + (n % 37)) for n in range(5000)]
    points[2500] = (points[2500][0], 400.0)  # a spike
    points[4100] = (points[4100][0], -5.0)  # a dip
    root = parse(line_chart_svg([("Weight", points)], title="Weight", unit="lb"))
    markers = points_of(root)
    assert len(markers) <= MAX_POINTS
    tooltips = {el.find(f"{SVG}title").text for el in markers}
    assert "Weight: 400 lb on 5 Nov 2006" in tooltips
    assert "Weight: -5 lb on 24 Mar 2011" in tooltips
    assert "Weight: 100 lb on 1 Jan 2000" in tooltips  # the first
    assert any(text.endswith("8 Sep 2013") for text in tooltips)  # the last


@property_test
@given(st.lists(st.tuples(st.dates(min_value=date(1950, 1, 1), max_value=date(2050, 1, 1)),
                          st.floats(-1e6, 1e6)), min_size=0, max_size=2000))
def test_decimate_keeps_order_ends_extremes_and_the_limit(raw):
    points = sorted(raw, key=lambda p: p[0])
    kept = decimate(points)
    assert len(kept) <= MAX_POINTS
    remaining = iter(points)
    assert all(any(p is q for q in remaining) for p in kept)  # a subsequence of the input, in order
    if points:
        assert kept[0] == points[0] and kept[-1] == points[-1]
        values = [v for _, v in kept]
        assert min(values) == min(v for _, v in points)
        assert max(values) == max(v for _, v in points)


@property_test
@given(st.lists(st.tuples(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)),
                          st.floats(-1e5, 1e5)), min_size=2, max_size=50))
def test_any_series_renders_well_formed_svg_or_the_note(points):
    svg = line_chart_svg([("Value", points)], title="Value", unit="u", reference_band=(-1, 1))
    if svg.startswith("<p"):
        assert len({d for d, _ in points}) < 2
    else:
        root = parse(svg)
        for el in root.iter():
            for name in ("x", "y", "cx", "cy", "width", "height"):
                if el.get(name) is not None:
                    assert re.fullmatch(r"-?\d+(\.\d+)?", el.get(name)), (name, el.get(name))


def test_more_than_three_series_is_a_programming_error():
    with pytest.raises(ValueError):
        line_chart_svg([(str(n), weights()) for n in range(4)], title="Too many", unit="u")
