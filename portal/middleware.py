"""Request ids and the friendly 503 when a database is unreachable."""

import contextvars
import logging
import re
import uuid

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.shortcuts import render

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


class DatabaseUnavailable(Exception):
    """Raised by code that knows a database cannot serve this request."""


def render_unavailable(request):
    response = render(request, "errors/503.html", status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A lost database gives the friendly 503 page, never a traceback; the next request reconnects."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError, DatabaseUnavailable)):
            return None
        if isinstance(exception, DatabaseError) and not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("database unavailable: %s", type(exception).__name__)
        for conn in connections.all(initialized_only=True):
            # Drop broken connections now so that the next request opens fresh ones (no restart needed).
            if conn.in_atomic_block:
                conn.needs_rollback = True
            else:
                conn.close()
        return render_unavailable(request)


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
                return render_unavailable(request)
        return self.get_response(request)
