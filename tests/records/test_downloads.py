"""The record to take away: PDFs (text read back with pypdf), the FHIR R4 bundle (parsed by fhirclient's 4.0.1
models), calendar files; each scoped to the patient, never cached, audited with what it held, fixed queries."""

import datetime
import io
import os
import json

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from audit.models import AuditEvent
from records import queries
from records.downloads import fhir
from tests import factories as f
from tests.e2e.test_demo_patient_walk import demo_data  # noqa: F401 (fixture: fake_openemr's clinic)
from tests.records.conftest import SENSITIVE_VISIT, VISIT, make_heavy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_today")]


def _pdf(response, filename):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'  # no PHI in the name
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    # pypdf reads a CID font that WeasyPrint subsets with a custom encoding as two-byte codes ("\x00A\x00l..."),
    # where poppler reads "Al...": drop the NULs so that the text compares the same whichever encoding was chosen.
    pages = [page.extract_text().replace("\x00", "") for page in reader.pages]
    return reader, pages, "\n".join(pages)


def _event():
    return AuditEvent.objects.filter(code="record.downloaded").get()


# --- PDF -------------------------------------------------------------------------------------------------

def test_record_pdf_shows_name_dob_range_and_every_section(alice_client, rich):
    reader, pages, text = _pdf(alice_client.get("/downloads/health-record.pdf?start=2026-01-01&end=2026-03-31"),
                               "health-record.pdf")
    for section in ("Health problems", "Medications", "Allergies", "Immunizations", "Vital signs", "Lab results",
                    "Visits"):
        assert section in text
    assert "Dates covered" in text and "Jan 1, 2026 to Mar 31, 2026" in text
    for page_text in pages:  # whose record, and when, on every page
        assert "Alice Martín" in page_text and "Printed" in page_text
    assert "Essential hypertension" in text and "Lisinopril" in text and "Penicillin" in text
    assert "Glucose (blood sugar)" in text and "Blood pressure follow-up" in text
    assert "Sprained ankle" not in text  # the 2025 visit is outside the range
    for hidden in ("Confidential counselling", "Sertraline", "HIV", "Deleted analyte"):  # what the pages hide
        assert hidden not in text
    assert reader.metadata.title == "Your health record"
    catalog = reader.trailer["/Root"]  # tagged PDF (PDF/UA-1 variant): structure tree, marked, language
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"] and catalog["/Lang"] == "en"


def test_record_pdf_download_is_audited_with_its_range_and_counts(alice_client, rich):
    alice_client.get("/downloads/health-record.pdf?start=2026-01-01&end=2026-03-31")
    event = _event()
    assert (event.category, event.pid) == ("pdf.record", 1)
    ids = event.object_ids.split(",")
    assert ids[:2] == ["pdf.record", "2026-01-01..2026-03-31"]
    assert "visits=1" in ids and "immunizations=4" in ids and "reports=1" in ids


def test_record_pdf_with_a_backwards_range_is_a_clear_400(alice_client, rich):
    response = alice_client.get("/downloads/health-record.pdf?start=2026-03-01&end=2026-01-01")
    assert response.status_code == 400
    assert b"The start date must be on or before the end date." in response.content
    assert not AuditEvent.objects.filter(code="record.downloaded").exists()
    assert alice_client.get("/downloads/health-record.pdf?start=yesterday").status_code == 400


def test_immunization_record_is_one_page_with_every_vaccine(alice_client, rich):
    reader, _pages, text = _pdf(alice_client.get("/downloads/immunization-record.pdf"), "immunization-record.pdf")
    assert len(reader.pages) == 1
    assert "Immunization record" in text and "Alice Martín" in text
    assert "Flu vaccine, quadrivalent" in text and "measles, mumps and rubella" in text
    assert _event().object_ids == "pdf.immunizations,start..now,immunizations=4"


def test_medication_list_has_plain_directions_and_allergies(alice_client, rich):
    _reader, _pages, text = _pdf(alice_client.get("/downloads/medication-list.pdf"), "medication-list.pdf")
    assert "Lisinopril" in text and "Vitamin D3" in text
    assert "Take 1 tablet by mouth twice a day" in text
    assert "Latex" in text and "Penicillin" in text
    assert "Amoxicillin" not in text  # ended: not for the pharmacy


def test_one_visit_summary_pdf_fits_on_two_letter_pages(alice_client, rich):
    reader, _pages, text = _pdf(alice_client.get(f"/visits/{VISIT}/summary.pdf"), "visit-summary.pdf")
    assert len(reader.pages) <= 2
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (612, 792)  # US Letter in points
    assert "Blood pressure follow-up" in text and "Alice Martín" in text
    event = _event()
    assert (event.category, event.object_ids) == ("pdf.visit", str(VISIT))


def test_another_patients_or_a_sensitive_visit_pdf_is_404(alice_client, rich, bob_record):
    from tests.records.conftest import BOB_VISIT

    assert alice_client.get(f"/visits/{BOB_VISIT}/summary.pdf").status_code == 404
    assert alice_client.get(f"/visits/{SENSITIVE_VISIT}/summary.pdf").status_code == 404


def test_anonymous_downloads_are_sent_to_sign_in(client):
    for url in ("/downloads/", "/downloads/health-record.pdf", "/downloads/health-record.fhir.json",
                "/downloads/immunization-record.pdf", "/appointments/1-2026-05-01.ics"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_record_downloads_read_a_fixed_number_of_queries(alice_client, rich, openemr):
    urls = ("/downloads/health-record.pdf", "/downloads/health-record.fhir.json", "/downloads/immunization-record.pdf",
            "/downloads/medication-list.pdf", f"/visits/{VISIT}/summary.pdf")
    small = {}
    for url in urls:
        with CaptureQueriesContext(connections["openemr"]) as queries_run:
            assert alice_client.get(url).status_code == 200
        small[url] = len(queries_run)
    make_heavy(openemr, pid=1, visits=150)
    for url in urls:
        with CaptureQueriesContext(connections["openemr"]) as queries_run:
            assert alice_client.get(url).status_code == 200
        print(f"{url}: {small[url]} queries (small record), {len(queries_run)} (150 more visits)")
        assert len(queries_run) == small[url], url


# --- FHIR ------------------------------------------------------------------------------------------------

def _bundle(client):
    response = client.get("/downloads/health-record.fhir.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def _resources(bundle, kind):
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


def test_bundle_parses_with_the_fhir_4_0_1_models_and_every_reference_resolves(alice_client, rich):
    from fhirclient.models.bundle import Bundle

    data = _bundle(alice_client)
    parsed = Bundle(data, strict=True)
    assert parsed.type == "collection"
    full_urls = {entry["fullUrl"] for entry in data["entry"]}
    references = list(fhir.references(data))
    assert references and set(references) <= full_urls
    patient = _resources(data, "Patient")
    assert len(patient) == 1 and patient[0]["id"] and patient[0]["name"][0]["family"] == "Martín"
    kinds = {entry["resource"]["resourceType"] for entry in data["entry"]}
    assert kinds >= {"Patient", "AllergyIntolerance", "Condition", "MedicationRequest", "Immunization", "Observation",
                     "DiagnosticReport", "Encounter", "Practitioner", "Organization"}


def test_bundle_holds_exactly_what_the_pages_list(alice_client, rich):
    """Conditions, medications, immunizations and lab observations against the pages' own lists."""
    data = _bundle(alice_client)
    problems = queries.problems(1).problems + queries.problems(1, resolved=True).problems
    assert sorted(c["code"]["text"] for c in _resources(data, "Condition")) == sorted(p.title for p in problems)
    medications = queries.medications(1).medications + queries.medications(1, past=True).medications
    assert sorted(m["medicationCodeableConcept"]["text"] for m in _resources(data, "MedicationRequest")) \
        == sorted(f"{m.name} {m.strength_text}".strip() for m in medications)
    statuses = {m["medicationCodeableConcept"]["text"]: m["status"] for m in _resources(data, "MedicationRequest")}
    assert statuses["Lisinopril 10 mg"] == "active" and statuses["Amoxicillin 10 mg"] == "completed"
    assert sorted(i["vaccineCode"]["text"] for i in _resources(data, "Immunization")) == sorted(
        i.name for i in queries.immunizations(1))
    # US Core's CVX binding: every vaccine recorded with a CVX code carries it as a coding.
    coded = sorted(c["code"] for i in _resources(data, "Immunization") for c in i["vaccineCode"].get("coding", [])
                   if c["system"] == "http://hl7.org/fhir/sid/cvx")
    assert coded and coded == sorted(i.cvx_code for i in queries.immunizations(1) if i.cvx_code)
    page_results = [r for report in queries.lab_reports(1).reports for r in report.results]
    labs = [o for o in _resources(data, "Observation") if o["category"][0]["coding"][0]["code"] == "laboratory"]
    assert sorted((o["code"]["text"], o.get("valueQuantity", {}).get("value", o.get("valueString"))) for o in labs) \
        == sorted((r.name, r.numeric if r.numeric is not None else r.value) for r in page_results)
    text = json.dumps(data)
    for hidden in ("Sertraline", "HIV", "Confidential counselling", "Deleted analyte", "Depression"):
        assert hidden not in text  # sensitive visit's rows, deleted orders
    weights = [o["valueQuantity"]["value"] for o in _resources(data, "Observation")
               if o["code"].get("coding", [{}])[0].get("code") == "29463-7"]
    assert 999.0 not in weights and 170.0 not in weights  # deleted vitals form, sensitive visit's vitals


def test_bundle_ids_are_deterministic_and_differ_between_patients(alice_client, rich):
    first = {e["fullUrl"] for e in _bundle(alice_client)["entry"]}
    second = {e["fullUrl"] for e in _bundle(alice_client)["entry"]}
    assert first == second
    assert fhir.resource_id("Condition", 1, 5) != fhir.resource_id("Condition", 2, 5)


def test_vitals_carry_ucum_units_and_labs_keep_the_labs_units(alice_client, rich):
    data = _bundle(alice_client)
    vitals = [o for o in _resources(data, "Observation") if o["category"][0]["coding"][0]["code"] == "vital-signs"]
    weights = [o for o in vitals if o["code"]["coding"][0]["code"] == "29463-7"]
    assert weights and all(o["valueQuantity"]["system"] == "http://unitsofmeasure.org" for o in weights)
    assert {o["valueQuantity"]["code"] for o in weights} == {"[lb_av]"}
    bp = [o for o in vitals if o["code"]["coding"][0]["code"] == "85354-9"]
    assert bp and {c["valueQuantity"]["code"] for o in bp for c in o["component"]} == {"mm[Hg]"}
    potassium = next(o for o in _resources(data, "Observation") if o["code"]["text"] == "Potassium")
    assert potassium["valueQuantity"] == {"value": 4.1, "unit": "mmol/L"}
    assert potassium["referenceRange"] == [{"text": "3.5-5.1"}]


# US Core must-support elements this bundle emits, per resource type (a path may list alternatives with "|").
MUST_SUPPORT = {
    "Patient": ["identifier", "name", "gender", "birthDate"],
    "AllergyIntolerance": ["clinicalStatus", "verificationStatus", "code", "patient"],
    "Condition": ["clinicalStatus", "category", "code", "subject"],
    "MedicationRequest": ["status", "intent", "medicationCodeableConcept", "subject", "authoredOn"],
    "Immunization": ["status", "vaccineCode", "patient", "occurrenceDateTime|occurrenceString", "primarySource"],
    "Observation": ["status", "category", "code", "subject", "effectiveDateTime",
                    "valueQuantity|valueString|component|dataAbsentReason"],
    "DiagnosticReport": ["status", "category", "code", "subject", "effectiveDateTime", "result"],
    "Encounter": ["status", "class", "type", "subject", "period"],
    "Practitioner": ["name"],
    "Organization": ["active", "name"],
}


@pytest.mark.parametrize("kind,paths", sorted(MUST_SUPPORT.items()))
def test_us_core_must_support_elements_are_present(alice_client, rich, kind, paths):
    resources = _resources(_bundle(alice_client), kind)
    assert resources, kind
    for resource in resources:
        if kind != "Practitioner":  # no NPI from the query layer: the US Core profile is not claimed
            assert resource["meta"]["profile"][0].startswith("http://hl7.org/fhir/us/core/StructureDefinition/")
        for path in paths:
            assert any(option in resource for option in path.split("|")), (kind, path, resource)
        if "subject" in resource:
            assert resource["subject"]["reference"] == f"urn:uuid:{_resources(_bundle(alice_client), 'Patient')[0]['id']}"


def test_fhir_download_is_audited_with_counts(alice_client, rich):
    _bundle(alice_client)
    event = _event()
    assert event.category == "fhir.bundle"
    assert event.object_ids.startswith("fhir,start..now,problems=") and "results=" in event.object_ids


def test_check_rejects_a_dangling_reference():
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Condition", "id": "1",
                                               "subject": {"reference": "urn:uuid:2"}}}]}
    with pytest.raises(fhir.FHIRStructureError):
        fhir.check(bundle)


def test_check_rejects_an_element_r4_does_not_have():
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "id": "1", "colour": "blue"}}]}
    with pytest.raises(fhir.FHIRStructureError):
        fhir.check(bundle)


# --- Calendar --------------------------------------------------------------------------------------------

def test_upcoming_appointment_downloads_as_ics_and_others_404(alice_client, rich, bob_record):
    upcoming = queries.appointments(1).upcoming
    assert upcoming
    key = upcoming[0].key
    response = alice_client.get(f"/appointments/{key}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "BEGIN:VEVENT" in body and "DTSTART" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert alice_client.get("/appointments/999999-2026-05-01.ics").status_code == 404



@pytest.mark.slow
def test_demo_patients_newest_visit_summary_pdf_is_at_most_two_letter_pages(client, make_patient_account,
                                                                            demo_data):
    """Acceptance (issue 11): the demo patient's (fake_openemr pid 1) newest visit fits on one or two pages."""
    from tests.conftest import _verified_client

    user = make_patient_account(1, "demo")
    demo = _verified_client(client, user, user.totpdevice_set.get())
    newest = queries.visit_list(1).visits[0].encounter
    reader, pages, text = _pdf(demo.get(f"/visits/{newest}/summary.pdf"), "visit-summary.pdf")
    print(f"demo patient's newest visit ({newest}): {len(reader.pages)} page(s)")
    if os.environ.get("PORTAL_SCREENSHOTS"):
        open(os.path.join(os.environ["PORTAL_SCREENSHOTS"], "demo-visit.pdf"), "wb").write(demo.get(f"/visits/{newest}/summary.pdf").content)
    assert 1 <= len(reader.pages) <= 2
    assert "Visit summary" in text and "Printed" in pages[-1]


@pytest.mark.slow
def test_demo_clinics_records_make_valid_bundles_and_pdfs(client, make_patient_account, demo_data):
    """fake_openemr's synthetic clinic has OpenEMR's odd shapes (zero dates, NULL uuids, Latin directions, UCUM
    codes as units): every demo patient's bundle parses and resolves, and the record PDF renders."""
    from fhirclient.models.bundle import Bundle

    from records.downloads.record import gather
    from tests.conftest import _verified_client

    from records.models import PatientData

    pids = list(PatientData.objects.values_list("pid", flat=True).order_by("pid")[:6])
    assert pids
    for pid in pids:
        bundle = fhir.build_bundle(gather(pid))  # check() runs inside: strict parse + references
        Bundle(bundle, strict=True)
        assert len({entry["fullUrl"] for entry in bundle["entry"]}) == len(bundle["entry"])  # ids unique
    user = make_patient_account(pids[0], "demo")
    demo = _verified_client(client, user, user.totpdevice_set.get())
    reader, _pages, text = _pdf(demo.get("/downloads/health-record.pdf"), "health-record.pdf")
    assert "Lab results" in text and "Immunizations" in text
    immunizations, _pages, _text = _pdf(demo.get("/downloads/immunization-record.pdf"), "immunization-record.pdf")
    print(f"demo patient {pids[0]}: record PDF {len(reader.pages)} pages, immunization record "
          f"{len(immunizations.pages)} page(s) for {len(queries.immunizations(pids[0]))} vaccines")
    assert len(immunizations.pages) == 1


def test_a_long_record_pdf_keeps_the_newest_reports_and_says_how_many_were_left_out(alice_client, rich, openemr):
    from records.downloads.record import MAX_PDF_REPORTS

    make_heavy(openemr, pid=1, visits=MAX_PDF_REPORTS + 10)
    _reader, _pages, text = _pdf(alice_client.get("/downloads/health-record.pdf"), "health-record.pdf")
    assert f"The {MAX_PDF_REPORTS} newest lab reports in this range are below; 12 older reports did not fit" in \
        " ".join(text.split())
    assert "reports_omitted=12" in _event().object_ids
