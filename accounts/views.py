"""Patient sign-in (password, then a second factor), activation, password change and sign-out."""

from base64 import b32encode
from functools import wraps

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe
from django_otp import user_has_device, verify_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import pending, services
from accounts.activation import format_base32_key
from accounts.forms import (
    ActivationForm, BackupCodeForm, NewPasswordForm, PasswordChangeForm, SignInForm, TokenForm,
)
from audit.log import Event, record

NEW_CODES = "_portal_new_backup_codes"
WRONG_CODE = "That code is not right, or it has already been used. Please try again with a new code."
TOO_MANY_CODES = "Too many wrong codes. For your security, please sign in again."

EXPIRED_MESSAGES = {
    "1": "For your privacy you were signed out because there was no activity for a while. Please sign in again.",
    "lifetime": "For your privacy you were signed out because you have been signed in for a long time. "
                "Please sign in again.",
}


def _account(user):
    return getattr(user, "patient_account", None)


def _record_failure(request, username, code=Event.LOGIN_FAILED, category=""):
    """Audit a refused sign-in; a username that does not exist leaves no trace of itself."""
    user = get_user_model().objects.filter(username=username).select_related("patient_account").first()
    account = _account(user) if user else None
    record(code, request=request, actor=user, pid=account.pid if account else None, category=category,
           outcome="failure")


def otp_device(user, kind):
    """The user's confirmed device of `kind` ("totp" or "static"), or None."""
    model = TOTPDevice if kind == "totp" else StaticDevice
    return model.objects.filter(user=user, confirmed=True).order_by("pk").first()


# --- Sign in -------------------------------------------------------------------------------------------------
@never_cache
@sensitive_post_parameters("password")
def login(request):
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            user = form.user
            account = _account(user)
            refusal = "Clinic staff sign in on the staff page." if account is None else \
                services.patient_sign_in_refusal(account)
            if refusal is None:
                return _after_password(request, user)
            record(Event.LOGIN_FAILED, request=request, actor=user, pid=account.pid if account else None,
                   category="refused", outcome="failure")
            form.add_error(None, refusal)
        elif form.has_error("__all__", "invalid_login") and not getattr(request, "axes_locked_out", False):
            _record_failure(request, form.cleaned_data.get("username", "").strip().lower(), category="password")
    expired = EXPIRED_MESSAGES.get(request.GET.get("expired", ""))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "expired": expired}, status=status)


def _after_password(request, user):
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if otp_device(user, "totp") is not None:
        pending.start_pending(request, user, "patient", next_url)
        return redirect("accounts:login_otp")
    if settings.PORTAL_PATIENT_OTP_REQUIRED:
        # A second factor was reset by staff: set up a new authenticator before going further.
        pending.start_pending(request, user, "patient", next_url)
        return redirect("accounts:enrol")
    pending.finish_sign_in(request, user, None)
    return redirect(pending.safe_next(request, next_url) or resolve_url(settings.LOGIN_REDIRECT_URL))


def second_factor_step(request, *, kind, device_kind, form_class, template, restart_url, done_url=None):
    """Shared by the patient and staff second-factor pages: verify a code against the chosen device."""
    user = pending.pending_user(request, kind)
    if user is None:
        return redirect(restart_url)
    device = otp_device(user, device_kind)
    if device is None:
        return redirect(restart_url)
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and not device.verify_is_allowed()[0]:
        # django-otp's back-off after a wrong code (1, 2, 4 ... seconds): say so rather than "wrong code".
        form.add_error("otp_token", "Please wait a few seconds before you try another code.")
    elif request.method == "POST" and form.is_valid():
        # verify_token locks the device row and applies django-otp's throttle and replay protection.
        verified = verify_token(user, device.persistent_id, form.cleaned_data["otp_token"])
        account = _account(user)
        if verified is not None:
            next_url = pending.pending_next(request)
            record(Event.BACKUP_CODE_USED if device_kind == "static" else Event.OTP_SUCCEEDED, request=request,
                   actor=user, pid=account.pid if account else None)
            pending.finish_sign_in(request, user, verified)
            return redirect(pending.safe_next(request, next_url) or done_url)
        record(Event.OTP_FAILED, request=request, actor=user, pid=account.pid if account else None,
               category=device_kind, outcome="failure")
        if not pending.count_code_failure(request):
            messages.error(request, TOO_MANY_CODES)
            return redirect(restart_url)
        form.add_error("otp_token", WRONG_CODE)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form}, status=status)


@never_cache
@sensitive_post_parameters("otp_token")
def login_otp(request):
    return second_factor_step(request, kind="patient", device_kind="totp", form_class=TokenForm,
                              template="accounts/login_otp.html", restart_url="accounts:login",
                              done_url=resolve_url(settings.LOGIN_REDIRECT_URL))


@never_cache
@sensitive_post_parameters("otp_token")
def login_backup(request):
    return second_factor_step(request, kind="patient", device_kind="static", form_class=BackupCodeForm,
                              template="accounts/login_backup.html", restart_url="accounts:login",
                              done_url=resolve_url(settings.LOGIN_REDIRECT_URL))


@never_cache
@sensitive_post_parameters("otp_token")
def enrol(request):
    """After a second-factor reset: the patient who passed the password step sets up a new authenticator."""
    user = pending.pending_user(request, "patient")
    if user is None:
        return redirect("accounts:login")
    form, device, confirmed = _enrolment(request, user, lambda: request.session[pending.PENDING].get("device"),
                                         lambda pk: _store_pending_device(request, pk))
    if confirmed is not None:
        pending.finish_sign_in(request, user, confirmed)
        request.session[NEW_CODES] = services.new_backup_codes(user)
        return redirect("accounts:backup_codes_new")
    return _render_enrolment(request, "accounts/enrol.html", form, device)


def _store_pending_device(request, pk):
    data = dict(request.session[pending.PENDING])
    data["device"] = pk
    request.session[pending.PENDING] = data


def _enrolment(request, user, get_device_id, set_device_id):
    """(form, pending device, confirmed device or None); makes the unconfirmed device on first sight."""
    device = TOTPDevice.objects.filter(pk=get_device_id(), user=user, confirmed=False).first()
    if device is None:
        device = services.start_totp_enrolment(user)
        set_device_id(device.pk)
        return TokenForm(), device, None
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        confirmed = services.confirm_totp_device(user, device.pk, form.cleaned_data["otp_token"], request=request)
        if confirmed is not None:
            return form, device, confirmed
        form.add_error("otp_token", "That code is not right. Check that the app shows this portal and try "
                                    "the newest code.")
    return form, device, None


def _render_enrolment(request, template, form, device):
    qr = segno.make(device.config_url, error="m")
    # Our own SVG (no OpenEMR text in it), with a viewBox so that CSS can size it.
    svg = qr.svg_inline(scale=4, omitsize=True, light="#fff", title="QR code for your authenticator app")
    context = {"form": form, "qr_svg": svg, "otpauth_url": device.config_url,  # the QR's content, as a link
               "key": format_base32_key(b32encode(device.bin_key).decode())}
    return render(request, template, context, status=400 if form.errors else 200)


@never_cache
@require_safe
def keepalive(request):
    """For the idle warning's "Stay signed in": counts as activity (SessionTimeoutMiddleware), shows nothing."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        account = _account(request.user)
        record(Event.LOGOUT, request=request, actor=request.user, pid=account.pid if account else None)
        is_staff = request.user.is_staff and account is None
        logout(request)
        messages.success(request, "You are signed out.")
        return redirect("staff:login" if is_staff else "accounts:login")
    return redirect("accounts:login")


# --- Activation ------------------------------------------------------------------------------------------------
@never_cache
@sensitive_post_parameters("activation_code", "date_of_birth")
def activate(request):
    form = ActivationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip().lower()
        if services.axes_allows(request, username):
            try:
                account = services.verify_activation(username, form.cleaned_data["activation_code"],
                                                     form.cleaned_data["date_of_birth"], request=request)
            except services.AccountError as exc:
                form.add_error(None, str(exc))
            else:
                pending.start_activation(request, account)
                return redirect("accounts:activate_password")
        else:
            request.axes_locked_out = True  # AxesMiddleware answers with the lockout page
    status = 400 if form.errors else 200
    return render(request, "accounts/activate.html", {"form": form}, status=status)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def activate_password(request):
    account, state = pending.activation_state(request)
    if account is None:
        return _activation_lost(request)
    form = NewPasswordForm(account.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.set_password(account.user, form.cleaned_data["new_password1"])
        pending.update_activation(request, password_set=True)
        return redirect("accounts:activate_totp")
    return render(request, "accounts/activate_password.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@sensitive_post_parameters("otp_token")
def activate_totp(request):
    account, state = pending.activation_state(request)
    if account is None:
        return _activation_lost(request)
    if not state["password_set"]:
        return redirect("accounts:activate_password")
    user = account.user
    form, device, confirmed = _enrolment(request, user, lambda: state.get("device"),
                                         lambda pk: pending.update_activation(request, device=pk))
    if confirmed is not None:
        try:
            codes = services.activate_account(account, request=request)
        except services.AccountError as exc:
            messages.error(request, str(exc))
            return redirect("accounts:login")
        pending.clear_activation(request)
        user.backend = "django.contrib.auth.backends.ModelBackend"
        pending.finish_sign_in(request, user, confirmed)
        request.session[NEW_CODES] = codes
        return redirect("accounts:backup_codes_new")
    return _render_enrolment(request, "accounts/activate_totp.html", form, device)


def _activation_lost(request):
    messages.error(request, "Your activation was interrupted or took too long. Please start again with the "
                            "details on your letter.")
    return redirect("accounts:activate")


# --- Signed in -------------------------------------------------------------------------------------------------
def _signed_in_with_second_factor(view):
    """Signed in, and past the second factor wherever one is required (staff always)."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        needs_otp = user.is_staff or settings.PORTAL_PATIENT_OTP_REQUIRED or user_has_device(user)
        if needs_otp and not user.is_verified():
            return redirect("staff:login_otp" if user.is_staff else "accounts:login_otp")
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
@login_required
def backup_codes_new(request):
    """The new backup codes, shown exactly once."""
    codes = request.session.pop(NEW_CODES, None)
    if not codes:
        return redirect("accounts:security")
    grouped = [f"{code[:4]} {code[4:]}" for code in codes]
    return render(request, "accounts/backup_codes.html", {"codes": grouped})


@never_cache
@_signed_in_with_second_factor
def security(request):
    static = StaticDevice.objects.filter(user=request.user).first()
    remaining = static.token_set.count() if static else 0
    return render(request, "accounts/security.html", {
        "remaining_codes": remaining, "has_authenticator": otp_device(request.user, "totp") is not None})


@never_cache
@require_POST
@_signed_in_with_second_factor
def backup_codes_regenerate(request):
    request.session[NEW_CODES] = services.new_backup_codes(request.user)
    return redirect("accounts:backup_codes_new")


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@_signed_in_with_second_factor
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and not services.axes_allows(request, request.user.username):
        request.axes_locked_out = True  # guessing the current password from a borrowed session
        return render(request, "accounts/password_change.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        old_key = request.session.session_key
        services.change_password(request.user, form.cleaned_data["new_password1"], request=request)
        update_session_auth_hash(request, request.user)  # keeps this session, under a new key
        services.forget_session(old_key)
        services.register_session(request.user, request.session.session_key)
        messages.success(request, "Your password is changed. You were signed out everywhere else.")
        return redirect("accounts:security")
    if form.has_error("old_password"):
        services.count_failed_attempt(request, request.user.username)
    return render(request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200)

