"""Request ids and the friendly 503 when a database is unreachable."""

import contextvars
import logging
import re
import uuid

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template import loader

from portal.lib.client_ip import client_ip

logger = logging.getLogger(__name__)
_request_id = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def current_request_id():
    return _request_id.get()


class RequestIDLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = _request_id.get()
        return True


class RequestIDMiddleware:
    """Tags each request with an id (nginx's X-Request-ID from a trusted proxy, else a new one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        from_proxy = client_ip(request) != request.META.get("REMOTE_ADDR", "")
        request.request_id = incoming if from_proxy and _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class DropTracebackFilter(logging.Filter):
    """One line per record: drops the traceback (exc_info) that Django attaches to django.security.* records."""

    def filter(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()} ({type(record.exc_info[1]).__name__})"
            record.args = ()
        record.exc_info = record.exc_text = record.stack_info = None
        return True


class DatabaseUnavailable(Exception):
    """Raised by code that knows a database cannot serve this request."""


def is_database_unavailable(exception):
    """A lost connection or an unreachable server (not a bad query: that stays a 500 and a traceback)."""
    return isinstance(exception, (OperationalError, InterfaceError, DatabaseUnavailable))


def render_unavailable(request):
    """The friendly 503, rendered without context processors: it must not touch the session, the user or the
    messages, which all live in the portal's database (that may be the database that is down)."""
    response = render_error_page("errors/503.html", 503)
    response["Retry-After"] = "30"
    return response


def render_error_page(template_name, status, context=None):
    """An error page from the template alone plus the clinic's name: no request context, so no database."""
    from django.conf import settings

    body = loader.render_to_string(template_name, {"clinic_name": settings.PORTAL_CLINIC_NAME, **(context or {})})
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _drop_broken_connections():
    for conn in connections.all(initialized_only=True):
        # Drop broken connections now so that the next request opens fresh ones (no restart needed).
        if conn.in_atomic_block:
            conn.needs_rollback = True
        else:
            conn.close()


def outage_response(request, exception, portal_db_down=None):
    """Log one line (no traceback: an outage is not a bug, and one failed request used to write thousands of
    lines) and answer with the friendly 503. Django's own "Service Unavailable: /path" line is skipped."""
    code = exception.args[0] if exception.args and isinstance(exception.args[0], int) else ""
    logger.warning("database unavailable: %s%s %s %s", type(exception).__name__, f" {code}" if code else "",
                   request.method, request.path)
    _drop_broken_connections()
    if portal_db_down is None:  # which database went away? If it is the portal's own, remember it
        portal_db_down = not _portal_database_answers()
    _outage["portal_db_down"] = portal_db_down
    response = render_unavailable(request)
    response._has_been_logged = True  # django.utils.log.log_response: already logged, once
    return response


# Set while this process finds the portal's database unreachable (for the "available again" log line).
_outage = {"portal_db_down": False}


def _portal_database_answers():
    """Whether the portal's database answers, checked at the start of the request so that every response during
    an outage is the 503 (also pages that would not touch the database, like the sign-in form, which cannot
    work without it). The check is Django's own connection health check (CONN_HEALTH_CHECKS: one ping per
    request on a reused connection), done before the view instead of at its first query, so it costs nothing
    extra on pages that query the database (almost all: the session lives there)."""
    conn = connections["default"]
    try:
        conn.close_if_health_check_failed()
        conn.ensure_connection()
    except (OperationalError, InterfaceError):
        conn.close()
        return False
    return True


class DatabaseUnavailableMiddleware:
    """A lost database gives the friendly 503 page, never a traceback; the next request reconnects.

    Exceptions raised by a view come to process_exception; those raised by a middleware further in (loading the
    session or the user) go to handler500, portal.views.server_error, which answers the same way. /healthz
    reports the databases itself (as JSON for the load balancer) and is not stopped here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz":
            was_down = _outage["portal_db_down"]
            if not _portal_database_answers():
                return outage_response(request, DatabaseUnavailable("portal database"), portal_db_down=True)
            if was_down:
                _outage["portal_db_down"] = False
                logger.warning("database available again")
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        return outage_response(request, exception)


class SelfCheckMiddleware:
    """Refuses to serve (503) while the self-checks fail: above all, an OpenEMR account that could write.

    The checks (portal.checks) re-run at most every PORTAL_SELF_CHECK_SECONDS per process; 0 disables this
    middleware (the test suite, whose throwaway server runs as root, enables it only where it tests it).
    /healthz reports the same verdict so that a load balancer takes the host out of rotation.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if settings.PORTAL_SELF_CHECK_SECONDS and request.path != "/healthz":
            from portal.checks import serving_errors

            errors = serving_errors(settings.PORTAL_SELF_CHECK_SECONDS)
            if errors:
                logger.error("refusing to serve: self-check failed: %s", ",".join(errors))
                response = render_unavailable(request)
                response._has_been_logged = True  # the line above is the one line for this request
                return response
        return self.get_response(request)
