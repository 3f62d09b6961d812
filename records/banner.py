"""Whose chart this is: the name (and date of birth, for printouts) shown in every patient page's header.

Read in the same single query as OpenEMR's portal gate (allow_patient_portal, decided by the one rule in
records.openemr.meaning.allows_portal), so the header costs no extra SQL on any page. No clinical data.
"""

from dataclasses import dataclass

from records.display import clean
from records.models import PatientData
from records.openemr.meaning import allows_portal


@dataclass(frozen=True)
class Banner:
    name: str
    date_of_birth: object
    portal_allowed: bool


def patient_banner(pid):
    """The patient's display name, DOB and portal permission in one query, or None for an unknown pid."""
    row = PatientData.objects.filter(pid=pid).values(
        "fname", "lname", "preferred_name", "dob", "allow_patient_portal").first()
    if row is None:
        return None
    first = clean(row["preferred_name"]) or clean(row["fname"])
    name = " ".join(p for p in (first, clean(row["lname"])) if p) or "Your record"
    return Banner(name, row["dob"], allows_portal(row["allow_patient_portal"]))
