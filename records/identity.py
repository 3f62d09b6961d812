"""Who a patient is, for the accounts app: the few patient_data columns that sign-in, activation, password
rules and the staff search need. Nothing clinical.

`accounts` reads OpenEMR only through `records` (STYLE.md); these two reads are kept apart from
records.queries because they serve identity checks, not clinical pages. Both use `.values()` with explicit
columns, so nothing outside that list is ever fetched.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from records.models import PatientData
from records.openemr.meaning import allows_portal

_COLUMNS = ("pid", "pubpid", "fname", "lname", "dob", "allow_patient_portal")


@dataclass(frozen=True)
class PatientIdentity:
    pid: int
    pubpid: str
    fname: str
    lname: str
    dob: datetime.date | None  # None for NULL and for OpenEMR's zero date
    allow_portal: bool  # patient_data.allow_patient_portal says YES (records.openemr.meaning.allows_portal, §4)


def _identity(row):
    return PatientIdentity(
        pid=row["pid"],
        pubpid=row["pubpid"] or "",
        fname=row["fname"] or "",
        lname=row["lname"] or "",
        dob=row["dob"],
        allow_portal=allows_portal(row["allow_patient_portal"]),
    )


def patient_identity(pid):
    """The identity of patient `pid`, or None when OpenEMR has no such patient."""
    row = PatientData.objects.filter(pid=pid).values(*_COLUMNS).first()
    return _identity(row) if row else None


def find_patients(pubpid=None, name=None, dob=None, limit=20):
    """Patients matching every given criterion (public id exact, name prefix of first or last name, DOB exact)."""
    queryset = PatientData.objects.all()
    criteria = False
    if pubpid:
        queryset = queryset.filter(pubpid=pubpid.strip())
        criteria = True
    if name:
        for part in name.split()[:3]:
            queryset = queryset.filter(Q(fname__istartswith=part) | Q(lname__istartswith=part))
        criteria = True
    if dob:
        queryset = queryset.filter(dob=dob)
        criteria = True
    if not criteria:
        return []
    rows = queryset.order_by("lname", "fname", "pid").values(*_COLUMNS)[:limit]
    return [_identity(row) for row in rows]



def patient_identities(pids):
    """{pid: PatientIdentity} for the given pids, in one query (staff account list)."""
    rows = PatientData.objects.filter(pid__in=list(pids)).values(*_COLUMNS)
    return {row["pid"]: _identity(row) for row in rows}
