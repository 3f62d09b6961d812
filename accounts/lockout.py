"""Lockout that an attacker cannot turn against a whole clinic: per (username, address), and per username.

django-axes locks a (username, client address) pair after AXES_FAILURE_LIMIT failures (5 per 15 minutes:
online guessing from one place). A clinic's NAT or a hospital proxy puts many patients behind one address, so
the address alone is never locked (the nginx sign-in rate limit bounds spraying many usernames from one
address). Distributed guessing of one username is bounded by a second, higher limit on the username alone
(PORTAL_LOCKOUT_USERNAME_FAILURES, 20 per 15 minutes by default). Wrong second-factor codes count like wrong
passwords, so django-otp's own per-device back-off is off: it let one wrong code (or an attacker who knows the
password) hold back the patient's next right one.
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


def _username_attempts(username):
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(username=username, attempt_time__gte=since)


def username_locked(username):
    total = _username_attempts(username).aggregate(n=Sum("failures_since_start"))["n"] or 0
    return total >= settings.PORTAL_LOCKOUT_USERNAME_FAILURES


class PortalLockoutHandler(AxesDatabaseHandler):
    """axes' database handler (the pair limit), plus the higher limit on the username alone."""

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        return bool(username) and username_locked(username)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        username = get_client_username(request, credentials) if request is not None else None
        if username and settings.AXES_ENABLED and username_locked(username):
            request.axes_locked_out = True  # this failure reached the username's limit: say so now


def allows(request, username):
    """True when this client may try `username` now (checked before any password or code is looked at)."""
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_allowed(request, {"username": username})


def minutes_to_wait(username):
    """Whole minutes until the newest counted failure of `username` stops counting (at least 1)."""
    newest = _username_attempts(username).aggregate(t=Max("attempt_time"))["t"]
    if newest is None:
        return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    left = (newest + settings.AXES_COOLOFF_TIME - timezone.now()).total_seconds()
    return max(1, math.ceil(left / 60))


def response(request, username=None, credentials=None):
    """The lockout page, saying how long to wait (also axes' AXES_LOCKOUT_CALLABLE)."""
    if username is None:
        username = get_client_username(request, credentials) or ""
    request.axes_locked_out = True
    return render(request, "accounts/locked_out.html", {
        "minutes": minutes_to_wait(username) if username else None,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "staff": request.path.startswith("/staff/"),
    }, status=429)


def lockout_callable(request, original_response=None, credentials=None):
    return response(request, credentials=credentials)
