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


def _portal_allowed(pid):
    from records import queries  # records' one rule for OpenEMR's "Allow Patient Portal"

    return queries.portal_allowed(pid)


def patient_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or (settings.PORTAL_PATIENT_OTP_REQUIRED
                                                 and not request.user.is_verified()):
            return _resume_or_login(request)
        account = _patient_account(request.user)
        if account is None or not account.is_active:
            raise PermissionDenied
        if settings.PORTAL_REQUIRE_ALLOW_PORTAL and not _portal_allowed(account.pid):
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
