"""Downloads of the record: PDF printouts, the FHIR R4 bundle and calendar files.

Same gate as every chart page (records.views.patient_page: never cached, GET only, signed in with the second
factor, allowed to use the portal). Each view gathers its data through records.downloads (records.queries
underneath), writes its audit event with what the file holds (record.downloaded: kind, date range, counts),
and only then renders and sends the file. File names carry no PHI.
"""

import datetime
import json

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render

from audit.log import Event, record_view
from records import queries
from records.downloads import calendar, fhir, pdf
from records.downloads.record import MAX_PDF_REPORTS, audit_summary, gather
from records.views import patient_page


class RangeForm(forms.Form):
    """The date range of the record PDF; both ends optional (empty = the whole record)."""

    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="Leave empty to start from the earliest visit.")
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}),
                          help_text="Leave empty to include everything up to today.")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for value in (start, end):
            if value and not datetime.date(1900, 1, 1) <= value <= datetime.date(2100, 12, 31):
                raise forms.ValidationError("Choose dates between 1900 and 2100.")
        if start and end and start > end:
            raise forms.ValidationError("The start date must be on or before the end date.")
        return data


def _file(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf(request, export, template, title, kind, filename, **extra):
    record_view(request, kind, audit_summary(export, kind), code=Event.RECORD_DOWNLOADED)
    content = pdf.render_pdf(template, {"export": export, "document_title": title, **extra}, request=request)
    return _file(content, "application/pdf", filename)


def _downloads_page(request, form, status):
    record_view(request, "downloads")  # the page names the patient (header)
    return render(request, "records/downloads.html",
                  {"nav": "downloads", "form": form, "max_reports": MAX_PDF_REPORTS}, status=status)


@patient_page
def downloads(request):
    """The page that offers every download; the range form is checked here and by record_pdf."""
    form = RangeForm(request.GET or None)
    status = 400 if request.GET and not form.is_valid() else 200
    return _downloads_page(request, form, status)


@patient_page
def record_pdf(request):
    form = RangeForm(request.GET)
    if not form.is_valid():
        return _downloads_page(request, form, 400)
    export = gather(request.patient_pid, start=form.cleaned_data["start"], end=form.cleaned_data["end"],
                    max_reports=MAX_PDF_REPORTS)
    return _pdf(request, export, "records/pdf/record.html", "Your health record", "pdf.record", "health-record.pdf")


@patient_page
def immunization_record_pdf(request):
    export = gather(request.patient_pid, sections={"immunizations"})
    return _pdf(request, export, "records/pdf/immunizations.html", "Immunization record", "pdf.immunizations",
                "immunization-record.pdf")


@patient_page
def medication_list_pdf(request):
    export = gather(request.patient_pid, sections={"medications", "allergies"})
    export.past_medications = []  # a pharmacy needs what is taken now
    return _pdf(request, export, "records/pdf/medications.html", "Medication list", "pdf.medications",
                "medication-list.pdf")


@patient_page
def visit_pdf(request, encounter):
    visit = queries.visit_summary(request.patient_pid, encounter)
    if visit is None:
        raise Http404("No such visit for this patient.")
    export = gather(request.patient_pid, sections=set())
    record_view(request, "pdf.visit", [encounter], code=Event.RECORD_DOWNLOADED)
    content = pdf.render_pdf("records/pdf/visit.html", {"export": export, "v": visit,
                                                        "document_title": "Visit summary"}, request=request)
    return _file(content, "application/pdf", "visit-summary.pdf")


@patient_page
def fhir_bundle(request):
    """The whole record as a FHIR R4 Bundle (US Core shaped), for a personal health record app."""
    export = gather(request.patient_pid)
    bundle = fhir.build_bundle(export)
    record_view(request, "fhir.bundle", audit_summary(export, "fhir"), code=Event.RECORD_DOWNLOADED)
    return _file(json.dumps(bundle, indent=1, ensure_ascii=False), "application/fhir+json; charset=utf-8",
                 "health-record.fhir.json")


@patient_page
def appointment_ics(request, key):
    """One upcoming appointment as an iCalendar file ("add to calendar"); key as on the appointments page."""
    data = queries.appointments(request.patient_pid)
    appointment = next((a for a in data.upcoming if a.key == key and a.kept_open), None)
    if appointment is None:  # unknown, another patient's, past, cancelled or a no-show
        raise Http404("No such upcoming appointment.")
    record_view(request, "appointment.ics", [key], code=Event.RECORD_DOWNLOADED)
    return _file(calendar.ics(appointment), "text/calendar; charset=utf-8", "appointment.ics")
