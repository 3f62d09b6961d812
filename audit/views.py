"""The patient's "Account activity" page: their own sign-ins, record views, prints, downloads and staff actions."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from audit import display
from audit.log import record_view
from audit.models import AuditEvent
from portal.lib.access import patient_required
from portal.lib.client_ip import client_ip

PAGE_SIZE = 25


@never_cache
@require_safe
@patient_required
def activity(request):
    """Only this patient's events: about their pid, or done by their own account."""
    # No clinical values here, but recorded like every record page (and listed first on it).
    record_view(request, "activity")
    own = Q(pid=request.patient_pid) | Q(actor_type="patient", actor_id=str(request.user.pk))
    page = Paginator(AuditEvent.objects.filter(own).order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    here = client_ip(request)
    rows = [{"time": event.created_at, "what": display.describe(event, request.user.pk),
             "where": display.client(event, here), "failed": event.outcome != "success"} for event in page]
    return render(request, "audit/activity.html", {
        "nav": "activity", "page": page, "rows": rows,
        "date_format": settings.PORTAL_DATE_FORMAT, "time_format": settings.PORTAL_TIME_FORMAT,
    })
