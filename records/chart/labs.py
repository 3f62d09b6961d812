"""Lab orders, reports and results (§1.12): released, not voided, with the catalogue's range where the lab
sent none."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from records import units
from records.chart.base import (
    _Names,
    _page,
    PageInfo,
    _paginate,
    _patient_orders,
    _patient_reports,
    _real_results,
    RECENT_ORDERS,
    _released_q,
)
from records.display import clean, result_flag
from records.models import ProcedureOrder, ProcedureOrderCode, ProcedureReport, ProcedureType
from records.openemr import meaning


@dataclass
class LabResult:
    id: int
    name: str
    code: str
    value: str
    units: str
    range: str
    flag: object
    status: str
    date: object
    comments: str
    numeric: object = None
    report_id: int = 0

    @property
    def range_text(self):
        return self.range or "no range given"


@dataclass
class LabReport:
    id: int
    test: str
    date_ordered: object
    date_collected: object
    date_reported: object
    status: str = ""
    review_status: str = ""
    ordered_by: str = ""
    results: list = field(default_factory=list)

    @property
    def flagged_count(self):
        return sum(1 for result in self.results if result.flag)


_RESULT_FIELDS = ("procedure_result_id", "procedure_report_id", "result_code", "result_text", "date", "units",
                  "result", "range", "abnormal", "comments", "result_status")


def _result(row, names):
    value = clean(row["result"])
    result = LabResult(row["procedure_result_id"], clean(row["result_text"]) or clean(row["result_code"]) or "Result",
                       clean(row["result_code"]), value, clean(row["units"]), clean(row["range"]),
                       result_flag(row["abnormal"]), "", row["date"], clean(row["comments"]),
                       report_id=row["procedure_report_id"])
    result.numeric = units.plottable(value)
    names.option(result, "status", "proc_res_status", row["result_status"])
    return result


def _reports_with_results(report_rows, names):
    """LabReport objects for these report rows: orders, test names and results in 3 bulk queries."""
    if not report_rows:
        return []
    order_ids = {row["procedure_order_id"] for row in report_rows}
    orders = {row["procedure_order_id"]: row for row in ProcedureOrder.objects.filter(
        procedure_order_id__in=sorted(order_ids)).values("procedure_order_id", "date_ordered", "provider_id",
                                                         "lab_id")}
    tests = {}
    for row in ProcedureOrderCode.objects.filter(procedure_order_id__in=sorted(order_ids)).values(
            "procedure_order_id", "procedure_order_seq", "procedure_name", "procedure_code"):
        tests[(row["procedure_order_id"], row["procedure_order_seq"])] = (
            clean(row["procedure_name"]) or clean(row["procedure_code"]))
    by_report = defaultdict(list)
    report_ids = [row["procedure_report_id"] for row in report_rows]
    for row in _real_results().filter(procedure_report_id__in=report_ids).order_by(
            "procedure_report_id", "procedure_result_id").values(*_RESULT_FIELDS):
        by_report[row["procedure_report_id"]].append(_result(row, names))
    lab_of_report = {row["procedure_report_id"]: orders.get(row["procedure_order_id"], {}).get("lab_id")
                     for row in report_rows}
    _catalogue_ranges(by_report, lab_of_report, names)
    reports = []
    for row in report_rows:
        order = orders.get(row["procedure_order_id"], {})
        report = LabReport(row["procedure_report_id"],
                           tests.get((row["procedure_order_id"], row["procedure_order_seq"])) or "Laboratory test",
                           order.get("date_ordered"), row["date_collected"], row["date_report"],
                           results=by_report.get(row["procedure_report_id"], []))
        names.option(report, "status", "proc_rep_status", row["report_status"])
        report.review_status = "Reviewed by your care team" if clean(row["review_status"]) == "reviewed" else ""
        names.provider(report, "ordered_by", order.get("provider_id"))
        reports.append(report)
    return reports


def _catalogue_ranges(by_report, lab_of_report, names):
    """Where the lab sent no range (or units), the catalogue's (procedure_type, type 'res', same lab and
    code) stand in, as OpenEMR's portal shows them (§1.12); one query, only when a result lacks one."""
    missing = [(result, lab_of_report.get(report_id)) for report_id, results in by_report.items()
               for result in results if result.code and (not result.range or not result.units)]
    if not missing:
        return
    catalogue = {}
    for row in ProcedureType.objects.filter(procedure_type="res", activity=1, procedure_code__in=sorted(
            {result.code for result, _lab in missing})).order_by("procedure_type_id").values(
            "lab_id", "procedure_code", "units", "range"):
        catalogue.setdefault((row["lab_id"], row["procedure_code"]), row)
    for result, lab_id in missing:
        entry = catalogue.get((lab_id, result.code))
        if entry is None:
            continue
        if not result.range and clean(entry["range"]):
            result.range = clean(entry["range"])
        if not result.units and clean(entry["units"]):
            names.option(result, "units", "proc_unit", entry["units"])


_REPORT_FIELDS = ("procedure_report_id", "procedure_order_id", "procedure_order_seq", "date_collected",
                  "date_report", "report_status", "review_status")


def _recent_results(pid, names, limit=10):
    """Latest results, bounded: the latest RECENT_ORDERS orders first, then their reports and results."""
    # Ordered by an expression, not the bare column: with ORDER BY date_ordered DESC LIMIT 20 MariaDB may walk the
    # clinic-wide `datepid (date_ordered, patient_id)` index backwards until it has found 20 of this patient's
    # orders, reading other patients' orders (tests/records/test_rows_read.py). NULL and zero dates sort last.
    newest_first = Coalesce(F("date_ordered"), Value(meaning.ZERO_DATETIME_BOUND)).desc()
    lab_of_order = dict(_patient_orders(pid).order_by(newest_first, "-procedure_order_id")
                        .values_list("procedure_order_id", "lab_id")[:RECENT_ORDERS])
    order_ids = list(lab_of_order)
    if not order_ids:
        return []
    reports = {row["procedure_report_id"]: row for row in ProcedureReport.objects.filter(
        procedure_order_id__in=order_ids).filter(_released_q()).values(*_REPORT_FIELDS)}
    if not reports:
        return []
    rows = list(_real_results().filter(procedure_report_id__in=sorted(reports)).values(*_RESULT_FIELDS))

    def when(row):
        report = reports[row["procedure_report_id"]]
        moment = row["date"] or report["date_collected"] or report["date_report"]
        return (moment is not None, moment or datetime.datetime.min.replace(tzinfo=datetime.timezone.utc),
                row["procedure_result_id"])

    rows.sort(key=when, reverse=True)
    results = []
    for row in rows[:limit]:
        result = _result(row, names)
        if result.date is None:
            report = reports[row["procedure_report_id"]]
            result.date = report["date_collected"] or report["date_report"]
        results.append(result)
    by_report = defaultdict(list)
    for result in results:
        by_report[result.report_id].append(result)
    _catalogue_ranges(by_report, {report_id: lab_of_order.get(report["procedure_order_id"])
                                  for report_id, report in reports.items()}, names)
    return results


@dataclass
class ReportsPage:
    reports: list
    page: PageInfo


@_page
def lab_reports(pid, page=1):
    """Released lab reports, newest first, 20 a page, each with its results."""
    names = _Names()
    queryset = _patient_reports(pid).order_by(F("date_report").desc(nulls_last=True),
                                              F("date_collected").desc(nulls_last=True), "-procedure_report_id")
    rows, info = _paginate(queryset.values(*_REPORT_FIELDS), page)
    reports = _reports_with_results(rows, names)
    names.resolve()
    return ReportsPage(reports, info)


@_page
def lab_results_export(pid):
    """Every released report with its results, newest first, for the CSV download: 5 queries at most."""
    names = _Names()
    rows = list(_patient_reports(pid).order_by(F("date_report").desc(nulls_last=True),
                                               F("date_collected").desc(nulls_last=True), "-procedure_report_id")
                .values(*_REPORT_FIELDS))
    reports = _reports_with_results(rows, names)
    names.resolve()
    return reports


@_page
def lab_report(pid, report_id):
    """One released report of this patient, or None (another patient's id reads as not found)."""
    row = _patient_reports(pid).filter(procedure_report_id=report_id).values(*_REPORT_FIELDS).first()
    if row is None:
        return None
    names = _Names()
    report = _reports_with_results([row], names)[0]
    names.resolve()
    return report


@dataclass
class AnalyteHistory:
    code: str
    name: str
    units: str
    results: list  # oldest first

    @property
    def numeric_points(self):
        return [(r.date, r.numeric) for r in self.results if r.numeric is not None and r.date]


ANALYTE_HISTORY_LIMIT = 100


@_page
def analyte_history(pid, code):
    """The latest ANALYTE_HISTORY_LIMIT released results of one analyte (LOINC code), oldest first, or None."""
    reports = _patient_reports(pid)
    report = ProcedureReport.objects.filter(procedure_report_id=OuterRef("procedure_report_id"))
    rows = list(
        _real_results().filter(result_code=code, procedure_report_id__in=reports.values("procedure_report_id"))
        .annotate(collected=Subquery(report.values("date_collected")[:1]),
                  reported=Subquery(report.values("date_report")[:1]))
        .order_by(F("collected").desc(nulls_last=True), "-procedure_result_id")
        .values(*_RESULT_FIELDS, "collected", "reported")[:ANALYTE_HISTORY_LIMIT]
    )
    if not rows:
        return None
    names = _Names()
    results = []
    for row in reversed(rows):
        result = _result(row, names)
        result.date = row["collected"] or row["date"] or row["reported"]
        results.append(result)
    names.resolve()
    latest = results[-1]
    return AnalyteHistory(clean(code), latest.name, latest.units, results)
