"""Plain language for clinicians' shorthand (records/plain.py): one behaviour per test, OpenEMR's own titles."""

from types import SimpleNamespace

import pytest

from records import plain


def _med(dosage="", form="", route="", interval=""):
    return SimpleNamespace(dosage=dosage, form=form, route=route, interval=interval)


@pytest.mark.parametrize("med,expected", [
    (_med("1", "tablet", "Per Oris", "h.s."), "Take 1 tablet by mouth at bedtime"),
    (_med("2", "tablet", "Per Oris", "b.i.d."), "Take 2 tablets by mouth twice a day"),
    (_med("1", "cream", "To Affected Area", "t.i.d."), "Apply 1 cream on the affected area three times a day"),
    (_med("2", "puff", "Inhale", "q.4h"), "Use 2 puffs by inhaling it every 4 hours"),
    (_med("1", "gtts(drops)", "OU", "q.i.d."), "Use 1 drop in both eyes four times a day"),
    (_med("", "", "IM", ""), "Given as an injection into a muscle"),
    (_med("1", "tablet", "Per Oris", "p.r.n."), "Take 1 tablet by mouth when needed"),
    (_med("", "", "", ""), ""),
    (_med("1", "tablet", "Through the nose tube", "every full moon"),
     "Take 1 tablet Through the nose tube every full moon"),  # unknown words kept as written
])
def test_directions_lead_with_plain_words(med, expected):
    assert plain.directions(med) == expected


@pytest.mark.parametrize("raw,expected", [
    ("10*3/uL", "×10³/µL"), ("10*6/uL", "×10⁶/µL"), ("ug/dL", "µg/dL"), ("mL/min/{1.73_m2}", "mL/min/1.73 m²"),
    ("mmol/L", "mmol/L"), ("", ""), ("g/dL", "g/dL"), ("{copies}/mL", "{copies}/mL"),
])
def test_units_in_human_form(raw, expected):
    assert plain.unit(raw) == expected


@pytest.mark.parametrize("name,code,expected", [
    ("MCV [Entitic volume]", "787-2", "Red blood cell size (MCV)"),
    ("Erythrocytes [#/volume] in Blood", "", "Erythrocytes"),
    ("Glucose [Mass/volume] in Serum or Plasma", "99999-9", "Glucose"),
    ("Glucose", "2345-7", "Glucose (blood sugar)"),
    ("", "", "Lab test"),
])
def test_lab_names_are_plain_with_the_labs_text_as_fallback(name, code, expected):
    assert plain.lab_name(name, code) == expected


def test_lab_info_link_is_medlineplus_connect_for_a_loinc_code_only():
    url = plain.lab_info_url("2345-7")
    assert url.startswith("https://connect.medlineplus.gov/application?")
    assert "mainSearchCriteria.v.c=2345-7" in url and "2.16.840.1.113883.6.1" in url
    assert plain.lab_info_url("LOCAL_GLU") == "" and plain.lab_info_url("") == ""


@pytest.mark.parametrize("title,past,expected", [
    ("AVM Confirmed", False, "Confirmed"), ("- None", False, "Booked"), ("", False, "Booked"),
    ("- None", True, "Past appointment"), ("@ Arrived", True, "Completed"), ("> Checked out", True, "Completed"),
    ("? No show", True, "Missed"), ("x Canceled", True, "Cancelled"), ("% Canceled < 24h", True, "Cancelled"),
    ("CALL Callback requested", False, "Callback requested"), ("x Canceled", False, "Cancelled"),
])
def test_appointment_status_in_a_patients_words(title, past, expected):
    assert plain.appointment_status(title, past=past) == expected
