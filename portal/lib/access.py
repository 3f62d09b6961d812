"""Access decorators shared by the records, audit and accounts views.

`patient_required`: signed in, second factor verified (when required for patients), an active patient
account, and OpenEMR still allows this patient on the portal (allow_patient_portal, when
PORTAL_REQUIRE_ALLOW_PORTAL); sets request.patient_pid, the ONLY pid any clinical query may use. Every patient
page (chart, downloads, activity) goes through it, so revoking portal access in OpenEMR closes all of them.
"""

from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def _patient_account(user):
    return getattr(user, "patient_account", None) if user.is_authenticated else None


def _resume_or_login(request, login_url="accounts:login"):
    from accounts.signin import resume_or_login  # a half-signed-in session goes back to its step

    return resume_or_login(request, login_url)


def _portal_allowed(request, pid):
    """OpenEMR's gate, read in the same query as the name for the page header (records/banner.py)."""
    from records.banner import patient_banner

    request.patient_banner = patient_banner(pid)
    return request.patient_banner is not None and request.patient_banner.portal_allowed


def patient_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or (settings.PORTAL_PATIENT_OTP_REQUIRED
                                                 and not request.user.is_verified()):
            return _resume_or_login(request)
        account = _patient_account(request.user)
        if account is None or not account.is_active:
            raise PermissionDenied
        if not _portal_allowed(request, account.pid) and settings.PORTAL_REQUIRE_ALLOW_PORTAL:
            return render(request, "records/not_allowed.html", status=403)
        request.patient_pid = account.pid
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    """Staff: staff status and a verified TOTP device, always."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or (request.user.is_staff and not request.user.is_verified()):
            return _resume_or_login(request, "staff:login")
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
