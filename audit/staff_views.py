"""The staff audit report (/staff/audit/): filter, page through, download as CSV. Reading it is audited too."""

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from audit import export
from audit.forms import AuditFilterForm
from audit.log import Event, record
from portal.lib.access import staff_required

PAGE_SIZE = 50


@never_cache
@require_safe
@staff_required
def report(request):
    form = AuditFilterForm(request.GET or None)
    valid = form.is_bound and form.is_valid()
    if form.is_bound and not valid:
        return render(request, "audit/staff_report.html", {"form": form, "page": None}, status=400)
    filters = form.filters() if valid else {}
    page_number = request.GET.get("page") or "1"
    record(Event.AUDIT_VIEWED, request=request, pid=filters.get("pid"), category="audit",
           object_ids=[*(form.summary() if valid else []), f"page={page_number[:10]}"])
    page = Paginator(export.filtered(**filters).order_by("-id"), PAGE_SIZE).get_page(page_number)
    names = export.usernames(page.object_list)
    rows = [(event, names.get(event.actor_id, "") if event.actor_type in export.USER_ACTORS else "")
            for event in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/staff_report.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
    })


@never_cache
@require_safe
@staff_required
def export_csv(request):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "audit/staff_report.html", {"form": form, "page": None}, status=400)
    filters = form.filters() if form.is_bound else {}
    # Recorded (and committed) before the first row is streamed: fail closed like every PHI page.
    record(Event.AUDIT_EXPORTED, request=request, pid=filters.get("pid"), category="audit",
           object_ids=form.summary() if form.is_bound else [])
    response = StreamingHttpResponse(export.csv_lines(export.iter_events(export.filtered(**filters))),
                                     content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
