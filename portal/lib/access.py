"""Access decorators shared by the records, audit and accounts views.

`patient_required`: signed in, second factor verified (when required for patients), an active patient
account; sets request.patient_pid, the ONLY pid any clinical query may use.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def _patient_account(user):
    return getattr(user, "patient_account", None) if user.is_authenticated else None


def patient_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if settings.PORTAL_PATIENT_OTP_REQUIRED and not request.user.is_verified():
            return redirect("accounts:login_otp")
        account = _patient_account(request.user)
        if account is None or not account.is_active:
            raise PermissionDenied
        request.patient_pid = account.pid
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    """Staff: staff status and a verified TOTP device, always."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="staff:login")
        if not request.user.is_staff:
            raise PermissionDenied
        if not request.user.is_verified():
            return redirect("staff:login_otp")
        return view(request, *args, **kwargs)

    return wrapper
