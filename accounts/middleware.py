"""Session time limits enforced on the server, and the staff console's network restriction.

SessionTimeoutMiddleware: a signed-in session ends after PORTAL_IDLE_TIMEOUT seconds without a request (an
unattended screen, 15 minutes by default) and, whatever the activity, SESSION_COOKIE_AGE seconds after
sign-in (12 hours by default; Django's own expiry slides with activity, so the absolute limit is ours). The
timestamps live in the server-side session, so a client cannot extend them.

StaffNetworkMiddleware: with PORTAL_STAFF_NETWORKS set (CIDR list), /staff/ answers 403 to any other client
address, taken from portal.lib.client_ip (trusted proxies only, never a raw X-Forwarded-For).
"""

import ipaddress
import time

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.signals import AUTH_AT, LAST_SEEN
from audit.log import Event, record
from portal.lib.client_ip import client_ip

# Write the last-seen time at most this often: one session write per request is wasted work, and the
# idle limit is still enforced to within this many seconds.
LAST_SEEN_GRANULARITY = 10


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            auth_at = request.session.get(AUTH_AT)
            last_seen = request.session.get(LAST_SEEN)
            if auth_at is None or last_seen is None:
                reason = "missing"  # a session we did not start: fail closed
            elif now - auth_at >= settings.SESSION_COOKIE_AGE:
                reason = "lifetime"
            elif now - last_seen >= settings.PORTAL_IDLE_TIMEOUT:
                reason = "idle"
            else:
                reason = None
                if now - last_seen >= LAST_SEEN_GRANULARITY:
                    request.session[LAST_SEEN] = now
            if reason:
                return self._expire(request, user, reason)
        return self.get_response(request)

    def _expire(self, request, user, reason):
        account = getattr(user, "patient_account", None)
        record(Event.SESSION_EXPIRED, request=request, actor=user, pid=account.pid if account else None,
               category=reason)
        is_staff_path = request.path.startswith("/staff/")
        logout(request)
        login_url = reverse("staff:login" if is_staff_path else "accounts:login")
        return redirect(f"{login_url}?expired={'lifetime' if reason == 'lifetime' else '1'}")


def _staff_networks():
    try:
        return [ipaddress.ip_network(item, strict=False) for item in settings.PORTAL_STAFF_NETWORKS]
    except ValueError as exc:
        raise ImproperlyConfigured(f"PORTAL_STAFF_NETWORKS: {exc}") from None


class StaffNetworkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/staff/") and settings.PORTAL_STAFF_NETWORKS:
            networks = _staff_networks()
            try:
                address = ipaddress.ip_address(client_ip(request))
            except ValueError:
                address = None
            if address is None or not any(address in network for network in networks):
                return render(request, "staff/network_refused.html", status=403)
        return self.get_response(request)
