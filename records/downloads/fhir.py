"""The record as a FHIR R4 (4.0.1) Bundle shaped by US Core, for personal health record apps (e.g. Fasten).

Built only from records.downloads.record.gather (records.queries underneath), so a sensitive visit, an
immunization entered in error or an unreleased result is left out exactly as on the pages.

Library: fhirclient 4.4's models are generated from FHIR 4.0.1, the R4 that US Core 3.1-7 profile and that PHR
apps import; fhir.resources 7+/8 model R5 (R4B in a side package), so its "R4" would not be the R4 we emit.
Every resource is parsed by fhirclient (strict: unknown elements, wrong types and missing required elements
raise) before the bundle leaves the server.

Ids: the query layer's dataclasses expose OpenEMR's row ids, not its binary uuids (which are NULL on many rows
written before OpenEMR 6), so every id is a name-based UUID (uuid5) of the resource type, the patient and the
row id, under a namespace per portal installation: stable across downloads, different between patients, never
an OpenEMR pid.
"""

import datetime
import re
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from records import plain

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CVX = "http://hl7.org/fhir/sid/cvx"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"

_CODE_SYSTEMS = {"ICD10": ICD10, "ICD10-CM": ICD10, "SNOMED": SNOMED, "SNOMED-CT": SNOMED, "ICD9": None}
_INTERPRETATIONS = {"High": "H", "Low": "L", "Critically high": "HH", "Critically low": "LL", "Abnormal": "A",
                    "Critically abnormal": "AA"}
_REPORT_STATUS = {"final": "final", "preliminary": "preliminary", "corrected": "corrected", "amended": "amended",
                  "cancelled": "cancelled", "canceled": "cancelled", "error": "entered-in-error",
                  "complete": "final", "received": "registered", "prelim": "preliminary"}
# (LOINC, display, US Core profile) for the vitals the portal shows.
VITALS = {
    "weight": ("29463-7", "Body weight", "us-core-body-weight"),
    "height": ("8302-2", "Body height", "us-core-body-height"),
    "temperature": ("8310-5", "Body temperature", "us-core-body-temperature"),
    "pulse": ("8867-4", "Heart rate", "us-core-heart-rate"),
    "respiration": ("9279-1", "Respiratory rate", "us-core-respiratory-rate"),
    "oxygen_saturation": ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry",
                          "us-core-pulse-oximetry"),
    "bmi": ("39156-5", "Body mass index (BMI) [Ratio]", "us-core-bmi"),
}
_UCUM = {"lb": "[lb_av]", "kg": "kg", "in": "[in_i]", "cm": "cm", "°F": "[degF]", "°C": "Cel", "/min": "/min",
         "%": "%", "kg/m²": "kg/m2", "mmHg": "mm[Hg]"}
_NUMBER_UNIT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(°F|°C|lb|kg|in|cm|/min|%)?")


class FHIRStructureError(ValueError):
    """The bundle did not parse with the FHIR 4.0.1 models: a bug here, never sent to the patient."""


def _namespace():
    return uuid.uuid5(uuid.NAMESPACE_URL, settings.PORTAL_BASE_URL.rstrip("/") + "/fhir")


def resource_id(resource_type, pid, key):
    """Deterministic id: the same row gives the same id in every download (and differs between patients)."""
    return str(uuid.uuid5(_namespace(), f"{resource_type}/{pid}/{key}"))


def _instant(moment):
    """A FHIR dateTime: a date alone, or a date-time with the clinic's offset (naive = clinic local time)."""
    if moment is None:
        return None
    if isinstance(moment, datetime.datetime):
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=ZoneInfo(settings.CLINIC_TIME_ZONE))
        return moment.astimezone(ZoneInfo(settings.CLINIC_TIME_ZONE)).isoformat(timespec="seconds")
    if isinstance(moment, datetime.date):
        return moment.isoformat()
    return None


def _cvx_concept(code, name):
    if not code:
        return _text_concept(name)
    return {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": code, "display": name}], "text": name}


def _text_concept(text):
    return {"text": text}


def _absent(reason="unknown"):
    return {"extension": [{"url": DATA_ABSENT, "valueCode": reason}]}


def _prune(value):
    """Drop None, "" and empty lists/objects at every depth: FHIR JSON never carries nulls or empty arrays."""
    if isinstance(value, dict):
        pruned = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [item for item in (_prune(v) for v in value) if item not in (None, "", [], {})]
    return value


def _diagnosis_codings(diagnosis):
    """OpenEMR's lists.diagnosis ("ICD10:I10;SNOMED-CT:38341003") as codings; unknown systems are skipped."""
    codings = []
    for part in (diagnosis or "").split(";"):
        system, _, code = part.strip().partition(":")
        uri = _CODE_SYSTEMS.get(system.strip().upper())
        if uri and code.strip():
            codings.append({"system": uri, "code": code.strip()})
    return codings


class _Builder:
    def __init__(self, export):
        self.export = export
        self.pid = export.pid
        self.entries = []
        self.practitioners = {}
        self.organizations = {}

    # --- plumbing --------------------------------------------------------------------------------------

    def add(self, resource_type, key, body, profile=None):
        rid = resource_id(resource_type, self.pid, key)
        resource = {"resourceType": resource_type, "id": rid}
        if profile:
            resource["meta"] = {"profile": [US_CORE + profile]}
        resource.update(_prune(body))
        self.entries.append({"fullUrl": f"urn:uuid:{rid}", "resource": resource})
        return f"urn:uuid:{rid}"

    @property
    def patient(self):
        return {"reference": f"urn:uuid:{resource_id('Patient', self.pid, self.pid)}"}

    def practitioner(self, name):
        """A Practitioner for a display name (the query layer gives names, not user ids), one per name."""
        if not name:
            return None
        if name not in self.practitioners:
            # No US Core profile claimed: it requires an identifier (NPI), which the query layer does not give.
            self.practitioners[name] = self.add("Practitioner", f"name:{name}", {"name": [{"text": name}]})
        return {"reference": self.practitioners[name], "display": name}

    def organization(self, name, phone="", address=""):
        if not name:
            return None
        if name not in self.organizations:
            body = {"active": True, "name": name}
            if phone:
                body["telecom"] = [{"system": "phone", "value": phone}]
            if address:
                body["address"] = [{"text": address}]
            self.organizations[name] = self.add("Organization", f"name:{name}", body, "us-core-organization")
        return {"reference": self.organizations[name], "display": name}

    # --- resources -------------------------------------------------------------------------------------

    def patient_resource(self):
        profile = self.export.profile
        body = {
            "identifier": [{"use": "usual", "type": {"text": "Medical record number"},
                            "system": settings.PORTAL_BASE_URL.rstrip("/") + "/mrn",
                            "value": profile.record_number or str(self.pid)}],
            "active": True,
            "name": [{"use": "official", "text": profile.name, **self._name_parts(profile.name)}],
            "gender": {"female": "female", "male": "male"}.get((profile.sex or "").lower(), "unknown"),
            "birthDate": _instant(profile.date_of_birth),
            "telecom": [{"system": "phone", "value": number, "use": {"Mobile": "mobile", "Home": "home",
                                                                      "Work": "work"}.get(label)}
                        for label, number in profile.phones]
            + ([{"system": "email", "value": profile.email}] if profile.email else []),
            "address": [{"text": ", ".join(profile.address_lines)}] if profile.address_lines else [],
            "communication": [{"language": {"text": profile.language}}] if profile.language else [],
            "generalPractitioner": [self.practitioner(profile.primary_provider)] if profile.primary_provider else [],
        }
        if profile.deceased:
            body["deceasedBoolean"] = True
        self.add("Patient", self.pid, body, "us-core-patient")

    @staticmethod
    def _name_parts(name):
        words = [w for w in name.split(",")[0].split() if w]
        if len(words) < 2:
            return {}
        return {"family": words[-1], "given": words[:-1]}

    def conditions(self):
        for problem, status in [(p, "active") for p in self.export.problems] + \
                               [(p, "resolved") for p in self.export.resolved_problems]:
            codings = _diagnosis_codings(problem.diagnosis)
            self.add("Condition", problem.id, {
                "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": status}]},
                "verificationStatus": {"coding": [{"system": CONDITION_VERIFICATION, "code": "confirmed"}]}
                if (problem.verification or "").lower() == "confirmed" else None,
                "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item",
                                          "display": "Problem List Item"}]}],
                "code": {"coding": codings, "text": problem.title} if codings else _text_concept(problem.title),
                "subject": self.patient,
                "onsetDateTime": _instant(problem.begdate),
                "abatementDateTime": _instant(problem.enddate) if status == "resolved" else None,
            }, "us-core-condition-problems-health-concerns")

    def allergies(self):
        for allergy in self.export.allergies:
            body = {
                "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
                "verificationStatus": {"coding": [{"system": ALLERGY_VERIFICATION, "code": "confirmed"}]}
                if (allergy.verification or "").lower() == "confirmed" else
                {"coding": [{"system": ALLERGY_VERIFICATION, "code": "unconfirmed"}]},
                "code": _text_concept(allergy.title),
                "patient": self.patient,
                "criticality": "high" if allergy.critical else None,
                "onsetDateTime": _instant(allergy.begdate),
            }
            if allergy.reaction:
                reaction = {"manifestation": [_text_concept(allergy.reaction)]}
                severity = {"mild": "mild", "moderate": "moderate", "severe": "severe"}.get(
                    (allergy.severity_code or "").split("_")[0])
                if severity:
                    reaction["severity"] = severity
                body["reaction"] = [reaction]
            self.add("AllergyIntolerance", allergy.id, body, "us-core-allergyintolerance")

    def medications(self):
        for medication, status in [(m, "active") for m in self.export.medications] + \
                                  [(m, "completed") for m in self.export.past_medications]:
            directions = plain.directions(medication)
            dosage = {"text": "; ".join(p for p in (directions or medication.how_to_take, medication.instructions)
                                        if p)}
            if medication.route:
                dosage["route"] = _text_concept(medication.route)
            name = " ".join(p for p in (medication.name, medication.strength_text) if p)
            self.add("MedicationRequest", medication.key, {
                "status": status,
                "intent": "order" if medication.source == "prescription" else "plan",
                "reportedBoolean": medication.source == "list",
                "medicationCodeableConcept": _text_concept(name),
                "subject": self.patient,
                "authoredOn": _instant(medication.start_date),
                "requester": self.practitioner(medication.prescriber),
                "dosageInstruction": [dosage] if dosage.get("text") or dosage.get("route") else [],
                "reasonCode": [_text_concept(medication.indication)] if medication.indication else [],
                "dispenseRequest": {"validityPeriod": {"start": _instant(medication.start_date),
                                                       "end": _instant(medication.end_date)}}
                if medication.start_date and medication.end_date else None,
            }, "us-core-medicationrequest")

    def immunizations(self):
        for item in self.export.immunizations:
            refused = (item.completion_status or "").lower() in ("refused", "not administered", "not-done")
            body = {
                "status": "not-done" if refused else "completed",
                # US Core binds vaccineCode to CVX: the recorded code with its name, or the name alone.
                "vaccineCode": _cvx_concept(item.cvx_code, item.name),
                "patient": self.patient,
                "primarySource": True,
                "lotNumber": item.lot_number,
                "site": _text_concept(item.site) if item.site else None,
                "route": _text_concept(item.route) if item.route else None,
            }
            when = _instant(item.date)
            if when:
                body["occurrenceDateTime"] = when
            else:
                body["occurrenceString"] = "Date not recorded"
            if item.manufacturer:
                body["manufacturer"] = {"display": item.manufacturer}
            self.add("Immunization", item.id, body, "us-core-immunization")

    def lab_results(self):
        for report in self.export.reports:
            result_refs = []
            when = _instant(report.date_collected or report.date_reported)
            for result in report.results:
                result_refs.append({"reference": self._lab_observation(result, when)})
            status = _REPORT_STATUS.get((report.status or "").lower(), "final" if report.results else "registered")
            self.add("DiagnosticReport", report.id, {
                "status": status,
                "category": [{"coding": [{"system": V2_0074, "code": "LAB", "display": "Laboratory"}]}],
                "code": _text_concept(report.test),
                "subject": self.patient,
                "effectiveDateTime": when,
                "issued": _instant(report.date_reported) if isinstance(report.date_reported, datetime.datetime)
                else None,
                "performer": [self.practitioner(report.ordered_by)] if report.ordered_by else [],
                "result": result_refs,
            }, "us-core-diagnosticreport-lab")

    def _lab_observation(self, result, when):
        code = {"text": result.name}
        if result.code and re.fullmatch(r"\d{1,7}-\d", result.code):
            code["coding"] = [{"system": LOINC, "code": result.code, "display": result.name}]
        body = {
            "status": {"preliminary": "preliminary", "corrected": "corrected", "amended": "amended",
                       "cancelled": "cancelled"}.get((result.status or "").lower(), "final"),
            "category": [{"coding": [{"system": OBS_CATEGORY, "code": "laboratory", "display": "Laboratory"}]}],
            "code": code,
            "subject": self.patient,
            "effectiveDateTime": _instant(result.date) or when,
            "interpretation": [{"coding": [{"system": INTERPRETATION,
                                            "code": _INTERPRETATIONS.get(result.flag.words, "A")}],
                                "text": result.flag.words}] if result.flag else [],
            "referenceRange": [{"text": result.range}] if result.range else [],
            "note": [{"text": result.comments}] if result.comments else [],
        }
        if result.numeric is not None:
            # The lab's own units, as written (not necessarily UCUM, so no system is claimed).
            body["valueQuantity"] = {"value": result.numeric, **({"unit": result.units} if result.units else {})}
        elif result.value:
            body["valueString"] = result.value
        else:
            body["dataAbsentReason"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                                              "data-absent-reason", "code": "unknown"}]}
        return self.add("Observation", f"lab:{result.id}", body, "us-core-observation-lab")

    def vitals(self):
        vital_signs = [{"coding": [{"system": OBS_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]}]
        for reading in self.export.vitals:
            when = _instant(reading.date)
            if not when:
                continue
            for kind, (loinc, display, profile) in VITALS.items():
                quantity = self._vital_quantity(reading, kind)
                if quantity is None:
                    continue
                codings = [{"system": LOINC, "code": loinc, "display": display}]
                if kind == "oxygen_saturation":  # US Core pulse oximetry carries both codes
                    codings.append({"system": LOINC, "code": "2708-6", "display": "Oxygen saturation in Arterial blood"})
                self.add("Observation", f"vitals:{reading.id}:{kind}", {
                    "status": "final", "category": vital_signs,
                    "code": {"coding": codings, "text": display},
                    "subject": self.patient, "effectiveDateTime": when, "valueQuantity": quantity,
                }, profile)
            if reading.bps_value is not None and reading.bpd_value is not None:
                self.add("Observation", f"vitals:{reading.id}:bp", {
                    "status": "final", "category": vital_signs,
                    "code": {"coding": [{"system": LOINC, "code": "85354-9", "display": "Blood pressure panel"}],
                             "text": "Blood pressure"},
                    "subject": self.patient, "effectiveDateTime": when,
                    "component": [
                        {"code": {"coding": [{"system": LOINC, "code": "8480-6", "display": "Systolic blood "
                                                                                           "pressure"}]},
                         "valueQuantity": self._ucum(reading.bps_value, "mmHg")},
                        {"code": {"coding": [{"system": LOINC, "code": "8462-4", "display": "Diastolic blood "
                                                                                           "pressure"}]},
                         "valueQuantity": self._ucum(reading.bpd_value, "mmHg")}],
                }, "us-core-blood-pressure")

    @staticmethod
    def _ucum(value, unit):
        return {"value": round(float(value), 2), "unit": unit, "system": UCUM, "code": _UCUM[unit]}

    def _vital_quantity(self, reading, kind):
        if kind == "bmi":
            return self._ucum(reading.bmi_value, "kg/m²") if reading.bmi_value is not None else None
        match = _NUMBER_UNIT.match(getattr(reading, kind) or "")
        if not match or not match.group(2):
            return None
        return self._ucum(match.group(1), match.group(2))

    def encounters(self):
        for visit in self.export.visits:
            self.add("Encounter", visit.encounter, {
                "status": "finished",
                "class": {"system": V3_ACT_CODE, "code": "AMB", "display": "ambulatory"},
                "type": [_text_concept("Office visit")],
                "subject": self.patient,
                "participant": [{"individual": self.practitioner(visit.provider)}] if visit.provider else [],
                "period": {"start": _instant(visit.date)} if _instant(visit.date) else None,
                "reasonCode": [_text_concept(visit.reason)] if visit.reason else [],
                "serviceProvider": self.organization(visit.facility),
            }, "us-core-encounter")


def build_bundle(export):
    """A collection Bundle: the Patient first, every other resource referencing it by its fullUrl."""
    builder = _Builder(export)
    builder.patient_resource()
    builder.organization(settings.PORTAL_CLINIC_NAME, settings.PORTAL_CLINIC_PHONE, settings.PORTAL_CLINIC_ADDRESS)
    builder.conditions()
    builder.allergies()
    builder.medications()
    builder.immunizations()
    builder.lab_results()
    builder.vitals()
    builder.encounters()
    bundle = {
        "resourceType": "Bundle",
        "id": resource_id("Bundle", export.pid, export.generated.isoformat()),
        "meta": {"lastUpdated": _instant(export.generated)},
        "type": "collection",
        "timestamp": _instant(export.generated),
        "entry": builder.entries,
    }
    check(bundle)
    return bundle


def check(bundle):
    """Parse with fhirclient's FHIR 4.0.1 models (strict) and check every reference resolves in the bundle."""
    from fhirclient.models.bundle import Bundle
    from fhirclient.models.fhirabstractbase import FHIRValidationError

    try:
        Bundle(bundle, strict=True)
    except FHIRValidationError as exc:
        raise FHIRStructureError(str(exc)) from exc
    full_urls = {entry["fullUrl"] for entry in bundle["entry"]}
    missing = {ref for ref in references(bundle) if ref not in full_urls}
    if missing:
        raise FHIRStructureError(f"unresolved references: {sorted(missing)[:3]}")


def references(value):
    """Every Reference.reference string anywhere inside a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)
