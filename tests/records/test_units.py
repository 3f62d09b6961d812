"""records.units: OpenEMR vitals (stored in US units, 0 = not recorded) shown in US or metric units."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from records import units

property_test = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_conversion_constants_are_openemrs():
    assert units.LB_TO_KG == 0.45359237
    assert units.IN_TO_CM == 2.54
    assert units.f_to_c(212) == 100
    assert units.f_to_c(32) == 0


@pytest.mark.parametrize(
    "raw, number",
    [
        (Decimal("154.300000"), 154.3),
        ("98.6", 98.6),
        (" 72 ", 72.0),
        (120, 120.0),
        (None, None),
        ("", None),
        ("   ", None),
        (Decimal("0.000000"), None),  # OpenEMR's default: not recorded
        ("0", None),
        (0, None),
        ("n/a", None),
        (float("nan"), None),
        (float("inf"), None),
        (True, None),
    ],
)
def test_to_number(raw, number):
    assert units.to_number(raw) == number


@pytest.mark.parametrize(
    "value, kind, preferred, shown",
    [
        (Decimal("154.300000"), "weight", "us", "154.3 lb (70.0 kg)"),
        (Decimal("154.300000"), "weight", "metric", "70.0 kg (154.3 lb)"),
        (Decimal("65.000000"), "height", "us", "65.0 in (165.1 cm)"),
        (Decimal("65.000000"), "height", "metric", "165.1 cm (65.0 in)"),
        (Decimal("98.600000"), "temperature", "us", "98.6 °F (37.0 °C)"),
        (Decimal("98.600000"), "temperature", "metric", "37.0 °C (98.6 °F)"),
        ("14.5", "head_circ", "us", "14.5 in (36.8 cm)"),
        ("34", "waist_circ", "metric", "86.4 cm (34.0 in)"),
    ],
)
def test_vitals_display_in_both_systems(value, kind, preferred, shown):
    assert units.vitals_display(value, kind, preferred) == shown


def test_vitals_display_rounds_half_up_on_the_written_value():
    # 70.05 is 70.04999... as a binary float, so f"{x:.1f}" would show 70.0
    assert units.vitals_display("70.05", "weight") == "70.1 lb (31.8 kg)"


@pytest.mark.parametrize("empty", [None, "", Decimal("0.00"), "0"])
def test_vitals_display_of_an_unrecorded_value_is_none(empty):
    assert units.vitals_display(empty, "weight", "metric") is None


def test_vitals_display_rejects_unknown_kinds_and_preferences():
    with pytest.raises(ValueError):
        units.vitals_display("10", "pulse")
    with pytest.raises(ValueError):
        units.vitals_display("10", "weight", "imperial")


def test_metric_value_for_charts():
    assert units.metric_value(Decimal("100"), "weight") == pytest.approx(45.359237)
    assert units.metric_value("10", "height") == pytest.approx(25.4)
    assert units.metric_value("212", "temperature") == pytest.approx(100)
    assert units.metric_value("0", "weight") is None


def test_chart_value_and_unit_label_follow_the_preference():
    assert units.chart_value("100", "weight", "us") == 100
    assert units.chart_value("100", "weight", "metric") == pytest.approx(45.359237)
    assert units.unit_label("temperature", "us") == "°F"
    assert units.unit_label("temperature", "metric") == "°C"
    assert units.unit_label("head_circ", "metric") == "cm"


@pytest.mark.parametrize(
    "bps, bpd, shown",
    [
        ("120", "80", "120/80 mmHg"),
        ("120.00", "80.0", "120/80 mmHg"),
        (" 118 ", "76", "118/76 mmHg"),
        ("", "", None),
        ("0", "0", None),
        ("120", "", None),  # half a blood pressure is not shown as one
        ("", "80", None),
        (None, None, None),
        ("abc", "80", None),
    ],
)
def test_blood_pressure(bps, bpd, shown):
    assert units.blood_pressure(bps, bpd) == shown


def test_bmi_display_with_and_without_status():
    assert units.bmi_display(Decimal("24.216000")) == "24.2 kg/m²"
    assert units.bmi_display(Decimal("31.05"), "Obesity I") == "31.1 kg/m² (Obesity I)"
    assert units.bmi_display(Decimal("31.05"), "  ") == "31.1 kg/m²"
    assert units.bmi_display(Decimal("0")) is None


def test_small_displays():
    assert units.pulse_display(Decimal("72.000000")) == "72 /min"
    assert units.respiration_display("16") == "16 /min"
    assert units.percent_display(Decimal("98.00")) == "98 %"
    assert units.percent_display(Decimal("97.50")) == "97.5 %"
    assert units.oxygen_flow_display(Decimal("2.000000")) == "2 L/min"
    assert units.pulse_display(Decimal("0.000000")) is None
    assert units.number_display("0.04", "x", decimals=1) == "0 x"


@property_test
@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999"), places=6))
def test_weight_round_trips_within_display_precision(pounds):
    shown = units.vitals_display(pounds, "weight", "metric")
    kilograms = float(shown.split(" ")[0])
    assert kilograms == pytest.approx(float(pounds) * units.LB_TO_KG, abs=0.05 + 1e-9)
