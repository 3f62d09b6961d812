"""Immunizations (§1.10): not entered in error, vaccine names from CVX codes or the legacy list."""

from dataclasses import dataclass

from django.db.models import F

from records import units
from records.chart.base import _Names, _page, _visible
from records.display import clean
from records.models import Codes, CodeTypes, Immunizations
from records.openemr import meaning


@dataclass
class Immunization:
    id: int
    name: str
    date: object
    lot_number: str
    amount: str
    manufacturer: str = ""
    route: str = ""
    site: str = ""
    completion_status: str = ""
    unit: str = ""
    cvx_code: str = ""  # immunizations.cvx_code as recorded (the FHIR download codes the vaccine with it)

    @property
    def amount_text(self):
        return " ".join(p for p in (self.amount, self.unit) if p)


def _cvx_names(codes):
    """CVX code -> vaccine name from codes joined to code_types (ct_key CVX), one query."""
    if not codes:
        return {}
    lookups = set(codes) | {code.lstrip("0") for code in codes if code.lstrip("0")}
    cvx_type = CodeTypes.objects.filter(ct_key="CVX").values("ct_id")
    names = {}
    for row in Codes.objects.filter(code__in=sorted(lookups), code_type__in=cvx_type).values(
            "code", "code_text_short", "code_text"):
        names.setdefault(row["code"], clean(row["code_text_short"]) or clean(row["code_text"]))
    return {code: names.get(code) or names.get(code.lstrip("0")) or "" for code in codes}


_IMMUNIZATION_FIELDS = ("id", "administered_date", "immunization_id", "cvx_code", "manufacturer", "lot_number",
                        "amount_administered", "amount_administered_unit", "route", "administration_site",
                        "completion_status", "encounter_id")


def _immunization_rows(pid, encounter=None):
    queryset = Immunizations.objects.filter(patient_id=pid).filter(meaning.shown_immunization())
    if encounter is not None:
        queryset = queryset.filter(encounter_id=encounter)
    queryset = _visible(queryset, pid, "encounter_id")
    return list(queryset.order_by(F("administered_date").desc(nulls_last=True), "-id").values(*_IMMUNIZATION_FIELDS))


def _immunizations(rows, names):
    cvx = _cvx_names({clean(row["cvx_code"]) for row in rows if clean(row["cvx_code"])})
    items = []
    for row in rows:
        code = clean(row["cvx_code"])
        amount = units.number_display(row["amount_administered"], decimals=2) or ""
        item = Immunization(row["id"], "", row["administered_date"], clean(row["lot_number"]), amount, cvx_code=code)
        fallback = f"Vaccine (CVX code {code})" if code else "Vaccine (name not recorded)"
        if cvx.get(code):
            item.name = cvx[code]
        elif row["immunization_id"]:
            names.option(item, "name", "immunizations", str(row["immunization_id"]), fallback=fallback)
        else:
            item.name = fallback
        names.option(item, "manufacturer", "Immunization_Manufacturer", row["manufacturer"])
        names.option(item, "route", "drug_route", row["route"])
        names.option(item, "site", "immunization_administered_site", row["administration_site"])
        names.option(item, "completion_status", "Immunization_Completion_Status", row["completion_status"])
        names.option(item, "unit", "drug_units", row["amount_administered_unit"])
        items.append(item)
    return items


@_page
def immunizations(pid):
    names = _Names()
    items = _immunizations(_immunization_rows(pid), names)
    names.resolve()
    return items
