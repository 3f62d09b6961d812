"""Medications: prescriptions (§1.9) and medication-list entries (§1.6, §1.7) shown the same way."""

from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from records.chart.base import _Names, _page, _visible
from records.chart.issues import _issue_rows
from records.display import clean
from records.models import Prescriptions
from records.openemr import meaning


@dataclass
class Medication:
    """A prescription or a medication-list entry, shown the same way."""

    key: str
    name: str
    source: str  # "prescription" or "list"
    start_date: object
    end_date: object
    instructions: str = ""
    dosage: str = ""
    strength: str = ""
    form: str = ""
    route: str = ""
    interval: str = ""
    quantity: str = ""
    refills: object = None
    indication: str = ""
    prescriber: str = ""
    status: str = "Current"
    unit: str = ""

    @property
    def how_to_take(self):
        parts = [" ".join(p for p in (self.dosage, self.form) if p), self.route, self.interval]
        return ", ".join(p for p in parts if p)

    @property
    def strength_text(self):
        return " ".join(p for p in (self.strength, self.unit) if p)


def _list_medication(row, status):
    return Medication(f"list-{row['id']}", clean(row["title"]) or "Unnamed medication", "list", row["begdate"],
                      row["enddate"], instructions=clean(row["instructions"]), status=status)


def _prescription_rows(pid, *, current=True, encounter=None):
    today = timezone.localdate()
    queryset = Prescriptions.objects.filter(patient_id=pid)
    if encounter is not None:
        queryset = queryset.filter(encounter=encounter, active=1)
    elif current:
        queryset = queryset.filter(meaning.current_prescription(today))
    else:
        queryset = queryset.filter(meaning.past_prescription(today))
    queryset = _visible(queryset, pid, "encounter").order_by(
        F("start_date").desc(nulls_last=True), F("date_added").desc(nulls_last=True), "-id")
    return list(queryset.values(
        "id", "drug", "start_date", "end_date", "date_added", "active", "dosage", "size", "unit", "form", "route",
        "interval", "quantity", "refills", "drug_dosage_instructions", "indication", "provider_id"))


def _prescription(row, names, status):
    med = Medication(f"rx-{row['id']}", clean(row["drug"]) or "Unnamed medication", "prescription",
                     row["start_date"] or (row["date_added"].date() if row["date_added"] else None), row["end_date"],
                     instructions=clean(row["drug_dosage_instructions"]), dosage=clean(row["dosage"]),
                     strength=clean(row["size"]), quantity=clean(row["quantity"]), refills=row["refills"],
                     indication=clean(row["indication"]), status=status)
    names.option(med, "unit", "drug_units", "" if row["unit"] in (None, 0) else str(row["unit"]))
    names.option(med, "form", "drug_form", "" if row["form"] in (None, 0) else str(row["form"]))
    names.option(med, "route", "drug_route", "" if clean(row["route"]) in ("0",) else row["route"])
    names.option(med, "interval", "drug_interval", "" if row["interval"] in (None, 0) else str(row["interval"]))
    names.provider(med, "prescriber", row["provider_id"])
    return med


@dataclass
class MedicationsPage:
    medications: list
    past: bool


@_page
def medications(pid, past=False):
    """Current medications (prescriptions active = 1 and not ended, plus unlinked list entries), or past ones."""
    names = _Names()
    status = "Past" if past else "Current"
    items = [_prescription(row, names, status) for row in _prescription_rows(pid, current=not past)]
    items += [_list_medication(row, status) for row in _issue_rows(pid, ("medication",), active=not past)]
    names.resolve()
    items.sort(key=lambda m: m.name.lower())
    return MedicationsPage(items, past)
