"""The half-signed-in state between the password and the second factor, and the activation in progress.

Until the second factor passes, nobody is signed in: the session holds only the user's id under a private key,
for PENDING_SECONDS, with a small budget of wrong codes (django-otp also slows each device down after every
wrong code). Django's login() then rotates the session key and django_otp.login() marks it verified.
"""

import time

from django.contrib.auth import get_user_model, login
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from accounts import services

PENDING = "_portal_pending_sign_in"
ACTIVATION = "_portal_activation"
PENDING_SECONDS = 5 * 60  # time to fetch the phone and type a code
ACTIVATION_SECONDS = 30 * 60  # time to choose a password and set up an app
MAX_CODE_FAILURES = 5  # then the password must be typed again (online guessing of 6 digits)


def safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return url
    return ""


def start_pending(request, user, kind, next_url=""):
    request.session.cycle_key()
    request.session[PENDING] = {
        "uid": user.pk, "backend": user.backend, "kind": kind, "until": int(time.time()) + PENDING_SECONDS,
        "failures": 0, "next": safe_next(request, next_url),
    }


def _pending(request, kind):
    data = request.session.get(PENDING)
    if not data or data.get("kind") != kind or data.get("until", 0) < time.time():
        return None
    return data


def pending_user(request, kind):
    """The user who passed the password step of `kind` ("patient" or "staff") and not yet the second."""
    data = _pending(request, kind)
    if data is None:
        return None
    user = get_user_model().objects.filter(pk=data["uid"], is_active=True).first()
    if user is not None:
        user.backend = data["backend"]
    return user


def pending_next(request):
    return (request.session.get(PENDING) or {}).get("next", "")


def count_code_failure(request):
    """Count a wrong code; returns False (and ends the pending state) when the budget is spent."""
    data = request.session.get(PENDING)
    if not data:
        return False
    data["failures"] = data.get("failures", 0) + 1
    if data["failures"] >= MAX_CODE_FAILURES:
        clear_pending(request)
        return False
    request.session[PENDING] = data
    return True


def clear_pending(request):
    request.session.pop(PENDING, None)


def finish_sign_in(request, user, device):
    """Both factors passed (or only the password, where that is allowed): sign in for real."""
    clear_pending(request)
    login(request, user, backend=user.backend)  # rotates the session key
    if device is not None:
        otp_login(request, device)
    services.record_sign_in(user, request=request)


def start_activation(request, account):
    request.session.cycle_key()
    request.session[ACTIVATION] = {
        "account": account.pk, "issued_at": account.issued_at.isoformat(),
        "until": int(time.time()) + ACTIVATION_SECONDS, "password_set": False, "device": None,
    }


def activation_state(request):
    """(account, state) of the activation in progress in this session, or (None, None)."""
    from accounts.models import PatientAccount

    data = request.session.get(ACTIVATION)
    if not data or data.get("until", 0) < time.time():
        return None, None
    account = PatientAccount.objects.select_related("user").filter(pk=data["account"]).first()
    if account is None or not services.activation_still_valid(account, data["issued_at"]):
        request.session.pop(ACTIVATION, None)
        return None, None
    return account, data


def update_activation(request, **changes):
    data = dict(request.session[ACTIVATION])
    data.update(changes)
    request.session[ACTIVATION] = data


def clear_activation(request):
    request.session.pop(ACTIVATION, None)
