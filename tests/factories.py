"""Realistic OpenEMR rows for tests, including the ugly ones (zero dates, NULL uuids, empty strings,
accents and CJK, very long text).

Factories build plain dicts (factory-boy DictFactory) and insert them through the test session's
OpenEMRWriter (see conftest.openemr), because the portal's own connection cannot write to OpenEMR.
Each factory returns the inserted row as a dict, with its auto-increment id filled in.
"""

import datetime
import uuid

import factory

_writer = None


def bind(writer):
    global _writer
    _writer = writer


def writer():
    if _writer is None:
        raise RuntimeError("Use the `openemr` fixture before creating OpenEMR rows.")
    return _writer


def uuid_bytes():
    return uuid.uuid4().bytes


class OpenEMRFactory(factory.DictFactory):
    """Base: `_create` inserts into `_table`; `_id_column` receives the auto-increment id if any."""

    class Meta:
        abstract = True

    _table = None
    _id_column = "id"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = dict(kwargs)
        new_id = writer().insert(cls._table, row)
        if cls._id_column and new_id and row.get(cls._id_column) is None:
            row[cls._id_column] = new_id
        return row


class FacilityFactory(OpenEMRFactory):
    _table = "facility"
    id = factory.Sequence(lambda n: 100 + n)
    uuid = factory.LazyFunction(uuid_bytes)
    name = "Riverside Family Clinic"
    phone = "(555) 201-3300"
    street = "12 River Road"
    city = "Springfield"
    state = "IL"
    postal_code = "62701"
    service_location = 1
    billing_location = 1
    primary_business_entity = 1


class ProviderFactory(OpenEMRFactory):
    _table = "users"
    id = factory.Sequence(lambda n: 1000 + n)
    uuid = factory.LazyFunction(uuid_bytes)
    username = factory.Sequence(lambda n: f"provider{n}")
    fname = "Maria"
    mname = ""
    lname = factory.Sequence(lambda n: f"Okafor{n}")
    valedictory = "MD"
    specialty = "Family Medicine"
    authorized = 1
    active = 1
    facility_id = 0


class PatientFactory(OpenEMRFactory):
    _table = "patient_data"
    _id_column = None  # patient_data.id is not the key; pid is
    pid = factory.Sequence(lambda n: 1 + n)
    id = factory.LazyAttribute(lambda o: o.pid)
    pubpid = factory.LazyAttribute(lambda o: f"MRN{o.pid:06d}")
    uuid = factory.LazyFunction(uuid_bytes)
    title = "Ms."
    fname = "Alice"
    mname = ""
    lname = "Martín"
    DOB = datetime.date(1980, 4, 12)
    sex = "Female"
    street = "5 Elm Street"
    city = "Springfield"
    state = "IL"
    postal_code = "62704"
    phone_cell = "(555) 010-2222"
    email = "alice@example.org"
    allow_patient_portal = "YES"
    providerID = None
    date = factory.LazyFunction(datetime.datetime.now)


class EncounterFactory(OpenEMRFactory):
    """A form_encounter row plus its `newpatient` forms row, as OpenEMR writes them (§1.2)."""

    _table = "form_encounter"
    uuid = factory.LazyFunction(uuid_bytes)
    encounter = factory.Sequence(lambda n: 50000 + n)
    pid = 1
    date = datetime.datetime(2026, 3, 2, 9, 30)
    reason = "Annual check-up"
    facility = "Riverside Family Clinic"
    facility_id = 0
    provider_id = 0
    pc_catid = 5
    sensitivity = "normal"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        writer().insert("forms", {
            "date": row["date"], "encounter": row["encounter"], "form_name": "New Patient Encounter",
            "form_id": row["id"], "pid": row["pid"], "user": "admin", "groupname": "Default",
            "authorized": 1, "deleted": 0, "formdir": "newpatient",
        })
        return row
