"""The patient's chart: one view per page, each scoped to request.patient_pid (set by patient_required).

Every page: never cached, signed in with the second factor, an OpenEMR patient allowed to use the portal;
the data is built by records.queries, the view is audited (record_view) after the data is built and before
anything is rendered, so no PHI leaves without a committed audit event.
"""

import csv
import re

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from audit.log import Event, record_view
from portal.lib import csvsafe
from portal.lib.access import patient_required
from records import charts, plain, queries, results_list, units


def patient_page(view):
    """never_cache + GET/HEAD only + patient_required (which also applies OpenEMR's allow-portal gate)."""
    return never_cache(require_safe(patient_required(view)))


def _page_number(request):
    return request.GET.get("page") or 1


def _show(request, value):
    return request.GET.get("show") == value


def _local(moment):
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _points(readings, attr):
    return [(_local(r.date), getattr(r, attr)) for r in readings if r.date and getattr(r, attr) is not None]


@patient_page
def summary(request):
    data = queries.health_summary(request.patient_pid)
    record_view(request, "summary")
    return render(request, "records/summary.html", {"nav": "summary", "s": data})


@patient_page
def visits(request):
    year = request.GET.get("year", "")
    year = int(year) if re.fullmatch(r"(19|20)\d\d", year) else None
    data = queries.visit_list(request.patient_pid, year=year, page=_page_number(request))
    record_view(request, "visits", [v.encounter for v in data.visits])
    return render(request, "records/visits.html", {"nav": "visits", "data": data})


def _visit_page(request, encounter, code, print_mode):
    data = queries.visit_summary(request.patient_pid, encounter)
    if data is None:
        raise Http404("No such visit for this patient.")
    record_view(request, "visit", [encounter], code=code)
    return render(request, "records/visit_detail.html", {"nav": "visits", "v": data, "print_mode": print_mode})


@patient_page
def visit_detail(request, encounter):
    return _visit_page(request, encounter, Event.RECORD_VIEWED, print_mode=False)


@patient_page
def visit_print(request, encounter):
    """The same summary laid out for paper (empty sections left out). Audited as viewed: opening it prints
    nothing, so no print is claimed; the PDF download (download_views.visit_pdf) is audited as downloaded."""
    return _visit_page(request, encounter, Event.RECORD_VIEWED, print_mode=True)


@patient_page
def medications(request):
    data = queries.medications(request.patient_pid, past=_show(request, "past"))
    record_view(request, "medications")
    return render(request, "records/medications.html", {"nav": "medications", "data": data})


@patient_page
def problems(request):
    data = queries.problems(request.patient_pid, resolved=_show(request, "resolved"))
    record_view(request, "problems")
    return render(request, "records/problems.html", {"nav": "problems", "data": data})


@patient_page
def allergies(request):
    data = queries.allergies(request.patient_pid)
    record_view(request, "allergies")
    return render(request, "records/allergies.html", {"nav": "allergies", "allergies": data})


@patient_page
def immunizations(request):
    data = queries.immunizations(request.patient_pid)
    record_view(request, "immunizations")
    return render(request, "records/immunizations.html", {"nav": "immunizations", "immunizations": data})


@patient_page
def results(request):
    """Newest reports first, collapsed; filters by test name and dates; or the latest value of each test."""
    form = results_list.ResultsFilter(request.GET or None)
    if _show(request, "latest"):
        latest = results_list.latest_values(request.patient_pid)
        record_view(request, "results", sorted({item.report.id for item in latest})[:40])
        return render(request, "records/results_latest.html", {"nav": "results", "latest": latest,
                                                                "glossary": plain.GLOSSARY})
    if form.active:
        reports, page = results_list.filtered_reports(request.patient_pid, form, _page_number(request))
        data = queries.ReportsPage(reports, page)
    else:
        data = queries.lab_reports(request.patient_pid, page=_page_number(request))
    record_view(request, "results", [r.id for r in data.reports])
    status = 400 if request.GET and form.is_bound and not form.is_valid() else 200
    return render(request, "records/results.html", {"nav": "results", "data": data, "form": form,
                                                    "filtered": form.active, "glossary": plain.GLOSSARY},
                  status=status)


@patient_page
def result_detail(request, report_id):
    report = queries.lab_report(request.patient_pid, report_id)
    if report is None:
        raise Http404("No such report for this patient.")
    record_view(request, "result", [report_id])
    return render(request, "records/result_detail.html", {"nav": "results", "report": report})


_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(-?\d+(?:\.\d+)?)\s*$")


def _reference_band(text):
    match = _RANGE.match(text or "")
    return (float(match.group(1)), float(match.group(2))) if match else None


@patient_page
def analyte(request, code):
    history = queries.analyte_history(request.patient_pid, code)
    if history is None:
        raise Http404("No results for this test.")
    points = [(_local(when), value) for when, value in history.numeric_points]
    name = plain.lab_name(history.name, history.code)
    chart = charts.line_chart_svg([(name, points)], title=f"{name} over time", unit=plain.unit(history.units),
                                  reference_band=_reference_band(history.results[-1].range))
    record_view(request, "analyte", [history.code])
    return render(request, "records/analyte.html", {"nav": "results", "history": history, "chart": chart})


@patient_page
def vitals(request):
    data = queries.vitals(request.patient_pid, page=_page_number(request))
    preferred = settings.PORTAL_VITALS_UNITS
    weight_unit = units.unit_label("weight", preferred)
    vitals_charts = [
        ("Weight", charts.line_chart_svg([("Weight", _points(data.trend, "weight_value"))], title="Weight",
                                         unit=weight_unit)),
        ("Body mass index", charts.line_chart_svg([("BMI", _points(data.trend, "bmi_value"))],
                                                  title="Body mass index (BMI)", unit="kg/m²")),
        ("Blood pressure", charts.line_chart_svg(
            [("Systolic", _points(data.trend, "bps_value")), ("Diastolic", _points(data.trend, "bpd_value"))],
            title="Blood pressure", unit="mmHg")),
    ]
    record_view(request, "vitals")
    return render(request, "records/vitals.html", {"nav": "vitals", "data": data, "charts": vitals_charts})


@patient_page
def appointments(request):
    data = queries.appointments(request.patient_pid)
    record_view(request, "appointments")
    return render(request, "records/appointments.html", {"nav": "appointments", "data": data})


@patient_page
def profile(request):
    data = queries.profile(request.patient_pid)
    record_view(request, "profile")
    return render(request, "records/profile.html", {"nav": "profile", "p": data})


def _iso(moment):
    if not moment:
        return ""
    return _local(moment).isoformat(sep=" ", timespec="minutes") if hasattr(moment, "hour") else moment.isoformat()


@patient_page
def results_download(request):
    """All released lab results as CSV (a file the patient can keep or share), audited as record.downloaded."""
    reports = queries.lab_results_export(request.patient_pid)
    record_view(request, "results", [report.id for report in reports][:50], code=Event.RECORD_DOWNLOADED)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lab-results.csv"'
    # A UTF-8 byte-order mark: without it Excel reads the file as ANSI and garbles accents and the flag arrows.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["Test", "Collected", "Reported", "Result", "Code (LOINC)", "Value", "Units",
                     "Reference range", "Flag", "Status", "Comments"])
    for report in reports:
        for result in report.results:
            writer.writerow([csvsafe.cell(value) for value in (
                report.test, _iso(report.date_collected), _iso(report.date_reported), result.name, result.code,
                result.value, result.units, result.range_text, result.flag.label if result.flag else "",
                result.status, result.comments)])
    return response
