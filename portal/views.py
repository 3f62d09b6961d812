"""Site-wide views: health check and error pages."""

import logging
import sys

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import FileResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.checks import serving_errors
from portal.middleware import is_database_unavailable, outage_response, render_error_page

logger = logging.getLogger(__name__)


def _database_answers(alias):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except DatabaseError:
        connections[alias].close()  # reconnect on the next check
        return False


@never_cache
@require_safe
def healthz(request):
    """200 when both databases answer, 503 otherwise. No PHI, no versions, no details beyond up/down."""
    checks = {alias: "ok" if _database_answers(alias) else "unavailable" for alias in ("default", "openemr")}
    if settings.PORTAL_SELF_CHECK_SECONDS and all(state == "ok" for state in checks.values()):
        # Grants, columns and TLS (portal.checks), re-read at most every PORTAL_SELF_CHECK_SECONDS.
        checks["self_check"] = "failed" if serving_errors(settings.PORTAL_SELF_CHECK_SECONDS) else "ok"
    healthy = all(state == "ok" for state in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
    if not healthy:
        logger.warning("healthz failing: %s", ",".join(a for a, s in checks.items() if s != "ok"))
        response._has_been_logged = True  # one line per failed probe: not Django's "Service Unavailable" too
    return response


# Error pages are rendered from their template alone (portal.middleware.render_error_page): no context processors,
# so no session, user or messages lookup, which would need the portal database and fail again while it is down.
def csrf_failure(request, reason=""):
    """403 for a failed CSRF check; says so plainly when the cause is an untrusted Origin, not an old form."""
    origin_refused = reason.startswith("Origin checking failed")
    if origin_refused:
        # For whoever installs the portal: the usual cause is PORTAL_BASE_URL not matching the address in use.
        logger.warning("csrf origin refused: origin=%s trusted=%s", request.headers.get("Origin", "")[:200],
                       ",".join(settings.CSRF_TRUSTED_ORIGINS))
    return render_error_page("errors/403_csrf.html", 403, {"origin_refused": origin_refused,
                                                           "base_url": settings.PORTAL_BASE_URL})


@require_safe
def favicon(request):
    """The icon browsers fetch from /favicon.ico on the first page view (a 404 otherwise, in every log)."""
    response = FileResponse((settings.BASE_DIR / "static" / "img" / "favicon.ico").open("rb"),
                            content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


def bad_request(request, exception=None):
    return render_error_page("errors/400.html", 400)


def permission_denied(request, exception=None):
    return render_error_page("errors/403.html", 403)


def page_not_found(request, exception=None):
    return render_error_page("errors/404.html", 404)


def server_error(request):
    """handler500. A database that went away while a middleware loaded the session or the user lands here (not in
    DatabaseUnavailableMiddleware.process_exception, which only sees the view's exceptions): the friendly 503."""
    exception = sys.exc_info()[1]
    if is_database_unavailable(exception):
        return outage_response(request, exception)
    return render_error_page("errors/500.html", 500)
