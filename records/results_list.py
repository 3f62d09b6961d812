"""The lab results list as a patient reads it: filters (test name, date range), paging and "latest value of each
test", on top of records.queries (presentation only, no SQL of its own).

Unfiltered pages use queries.lab_reports (paged in SQL, 20 reports a page). A filter or the latest-values view
reads queries.lab_results_export (every released report of this patient, 5 queries whatever its size) and
filters in Python: rows read are bounded by the patient's own record, the query count stays fixed.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.utils import timezone

from records import plain, queries


class ResultsFilter(forms.Form):
    test = forms.CharField(required=False, max_length=80, label="Test name",
                           help_text="For example: glucose, cholesterol.")
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start date must be on or before the end date.")
        return data

    @property
    def active(self):
        return self.is_valid() and any(self.cleaned_data.get(k) for k in ("test", "start", "end"))


@dataclass
class LatestValue:
    result: object  # queries.LabResult
    report: object  # queries.LabReport it came from
    count: int  # how many results of this test are on record


def _day(moment):
    if isinstance(moment, datetime.datetime):
        return (timezone.localtime(moment) if timezone.is_aware(moment) else moment).date()
    return moment


def _report_day(report):
    return _day(report.date_collected or report.date_reported)


def _matches(report, text, start, end):
    day = _report_day(report)
    if (start or end) and day is None:
        return False
    if (start and day < start) or (end and day > end):
        return False
    if not text:
        return True
    needle = text.casefold()
    names = [report.test] + [r.name for r in report.results] + [plain.lab_name(r.name, r.code) for r in
                                                                 report.results]
    return any(needle in (name or "").casefold() for name in names)


def filtered_reports(pid, form, page_number):
    """(reports on this page, PageInfo) for the filter in `form` (a valid ResultsFilter)."""
    data = form.cleaned_data
    reports = [report for report in queries.lab_results_export(pid)
               if _matches(report, data.get("test", "").strip(), data.get("start"), data.get("end"))]
    page = Paginator(reports, queries.PAGE_SIZE).get_page(page_number)
    return list(page.object_list), queries.PageInfo(page.number, page.paginator.num_pages, page.paginator.count)


def latest_values(pid):
    """The newest result of each test (by LOINC code, else name), flagged ones first, then by name."""
    latest, counts = {}, {}
    for report in queries.lab_results_export(pid):  # newest report first
        for result in report.results:
            key = result.code or result.name.casefold()
            counts[key] = counts.get(key, 0) + 1
            if key not in latest:
                latest[key] = LatestValue(result, report, 0)
    for key, item in latest.items():
        item.count = counts[key]
    return sorted(latest.values(), key=lambda item: (item.result.flag is None,
                                                     plain.lab_name(item.result.name, item.result.code).casefold()))
