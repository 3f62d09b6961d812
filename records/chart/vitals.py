"""Vitals (form_vitals through forms, §1.11): the latest reading, the history and the trend charts."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import F

from records import units
from records.chart.base import _page, PageInfo, _paginate, _vitals_forms
from records.display import clean
from records.models import FormVitals
from records.units import vitals_display


@dataclass
class VitalsReading:
    id: int
    date: object
    weight: str = ""
    height: str = ""
    temperature: str = ""
    blood_pressure: str = ""
    pulse: str = ""
    respiration: str = ""
    bmi: str = ""
    bmi_status: str = ""
    oxygen_saturation: str = ""
    weight_value: object = None
    bmi_value: object = None
    bps_value: object = None
    bpd_value: object = None

    @property
    def is_empty(self):
        return not any((self.weight, self.height, self.temperature, self.blood_pressure, self.pulse,
                        self.respiration, self.bmi, self.oxygen_saturation))


_VITALS_FIELDS = ("id", "date", "weight", "height", "temperature", "bps", "bpd", "pulse", "respiration", "bmi",
                  "bmi_status", "oxygen_saturation")


def _vitals(row):
    preferred = settings.PORTAL_VITALS_UNITS
    reading = VitalsReading(row["id"], row["date"])
    reading.weight = vitals_display(row["weight"], "weight", preferred) or ""
    reading.height = vitals_display(row["height"], "height", preferred) or ""
    reading.temperature = vitals_display(row["temperature"], "temperature", preferred) or ""
    reading.blood_pressure = units.blood_pressure(row["bps"], row["bpd"]) or ""
    reading.pulse = units.pulse_display(row["pulse"]) or ""
    reading.respiration = units.respiration_display(row["respiration"]) or ""
    reading.bmi = units.bmi_display(row["bmi"]) or ""
    reading.bmi_status = clean(row["bmi_status"])
    reading.oxygen_saturation = units.percent_display(row["oxygen_saturation"]) or ""
    # Unrounded numbers in the preferred system, for the trend charts.
    reading.weight_value = units.chart_value(row["weight"], "weight", preferred) if units.plottable(
        row["weight"]) is not None else None
    reading.bmi_value = units.to_number(units.plottable(row["bmi"]))
    if reading.blood_pressure:
        reading.bps_value = units.to_number(units.plottable(row["bps"]))
        reading.bpd_value = units.to_number(units.plottable(row["bpd"]))
    return reading


def _vitals_queryset(pid):
    forms = _vitals_forms(pid).values("form_id")
    return FormVitals.objects.filter(pid=pid, id__in=forms).order_by(F("date").desc(nulls_last=True), "-id")


@dataclass
class VitalsPage:
    readings: list
    page: PageInfo
    trend: list  # oldest first, for the charts


VITALS_TREND_READINGS = 60


@_page
def vitals(pid, page=1):
    """Vitals history (20 a page) and the latest VITALS_TREND_READINGS readings for the trend charts."""
    queryset = _vitals_queryset(pid).values(*_VITALS_FIELDS)
    rows, info = _paginate(queryset, page)
    trend = [_vitals(row) for row in queryset[:VITALS_TREND_READINGS]]
    trend.reverse()
    return VitalsPage([_vitals(row) for row in rows], info, trend)
