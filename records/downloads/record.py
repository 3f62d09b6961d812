"""One patient's record for a download, gathered from records.queries in a bounded number of SQL queries."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from records import queries

# A download lists at most this many visits (newest first, in one query: a fixed query count whatever the size
# of the record); older ones in the range are mentioned as "more on the portal".
MAX_VISITS = 100
# The record PDF holds at most this many lab reports (newest in the range first): WeasyPrint lays out ~1.5 pages a
# second on a busy 2-core host, and the whole record of a patient with 300 reports took 62 s (91 pages), past
# gunicorn's 30 s timeout. The page says how many were left out and points to the CSV and FHIR downloads.
MAX_PDF_REPORTS = 30
SECTIONS = ("problems", "medications", "allergies", "immunizations", "vitals", "results", "visits")


@dataclass
class RecordExport:
    """What a download holds. Lists are the pages' own dataclasses (records.queries)."""

    pid: int
    start: datetime.date | None
    end: datetime.date | None
    generated: datetime.datetime
    profile: object
    problems: list = field(default_factory=list)
    resolved_problems: list = field(default_factory=list)
    medications: list = field(default_factory=list)
    past_medications: list = field(default_factory=list)
    allergies: list = field(default_factory=list)
    immunizations: list = field(default_factory=list)
    vitals: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    visits_truncated: bool = False
    reports_omitted: int = 0

    def counts(self):
        """Category -> number of items: what the audit event records about the download."""
        return {
            "problems": len(self.problems) + len(self.resolved_problems),
            "medications": len(self.medications) + len(self.past_medications),
            "allergies": len(self.allergies), "immunizations": len(self.immunizations),
            "vitals": len(self.vitals), "reports": len(self.reports),
            "results": sum(len(report.results) for report in self.reports), "visits": len(self.visits),
        }


def _day(moment):
    if moment is None:
        return None
    if isinstance(moment, datetime.datetime):
        return (timezone.localtime(moment) if timezone.is_aware(moment) else moment).date()
    return moment


def _in_range(moment, start, end):
    day = _day(moment)
    if start is None and end is None:
        return True
    if day is None:
        return False
    return (start is None or day >= start) and (end is None or day <= end)


def _visits(pid, start, end):
    return queries.visits_between(pid, start, end, limit=MAX_VISITS)


def gather(pid, *, start=None, end=None, sections=None, max_reports=None):
    """The record of `pid`. Current problems and medications, allergies and immunizations are the whole lists (as
    on their pages); resolved problems and past medications those that ended within [start, end]; visits, lab
    reports and vitals those dated within it (both ends optional: no range, everything).
    `sections` limits what is read (e.g. {"immunizations"}); None reads everything. `max_reports` keeps the
    newest reports only and counts the rest in reports_omitted."""
    wanted = set(SECTIONS if sections is None else sections)
    export = RecordExport(pid, start, end, timezone.localtime(), queries.profile(pid))
    if "problems" in wanted:
        export.problems = queries.problems(pid).problems
        # Past items belong to the range when they ended in it (or have no end date on record).
        export.resolved_problems = [p for p in queries.problems(pid, resolved=True).problems
                                    if p.enddate is None or _in_range(p.enddate, start, end)]
    if "medications" in wanted:
        export.medications = queries.medications(pid).medications
        export.past_medications = [m for m in queries.medications(pid, past=True).medications
                                   if m.end_date is None or _in_range(m.end_date, start, end)]
    if "allergies" in wanted:
        export.allergies = queries.allergies(pid)
    if "immunizations" in wanted:
        export.immunizations = queries.immunizations(pid)
    if "vitals" in wanted:
        # The latest readings the trend charts use (queries.VITALS_TREND_READINGS), newest first.
        export.vitals = [r for r in reversed(queries.vitals(pid).trend) if _in_range(r.date, start, end)]
    if "results" in wanted:
        export.reports = [report for report in queries.lab_results_export(pid)
                          if _in_range(report.date_collected or report.date_reported, start, end)]
        if max_reports is not None and len(export.reports) > max_reports:
            export.reports_omitted = len(export.reports) - max_reports
            export.reports = export.reports[:max_reports]
    if "visits" in wanted:
        export.visits, export.visits_truncated = _visits(pid, start, end)
    return export


def audit_summary(export, kind):
    """The object_ids of the download's audit event: kind, date range and counts (no PHI, ids only)."""
    span = f"{export.start.isoformat() if export.start else 'start'}..{export.end.isoformat() if export.end else 'now'}"
    counts = [f"{name}={count}" for name, count in export.counts().items() if count]
    if export.reports_omitted:
        counts.append(f"reports_omitted={export.reports_omitted}")
    return [kind, span, *counts]
