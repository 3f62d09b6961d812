"""Patient sign-in (password, then a second factor), activation, second-factor changes, password, sign-out.

Who may be on each step is decided by accounts.signin (one state object, one decorator per step); each view
states its preconditions first and then does one thing.
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout, update_session_auth_hash
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe
from django_otp import user_has_device, verify_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import lockout, services, signin
from accounts.activation import format_base32_key
from accounts.forms import (
    ActivationForm, BackupCodeForm, ConfirmPasswordForm, NewPasswordForm, PasswordChangeForm, ResetCodeForm,
    SignInForm, TokenForm,
)
from accounts.signin import step_required
from audit.log import Event, record

NEW_CODES = "_portal_new_backup_codes"
WRONG_CODE = "That code is not right, or it has already been used. Please try again with a new code."
TOO_MANY_CODES = "Too many wrong codes. For your security, please sign in again."
NO_AUTHENTICATOR = ("Your authenticator app is no longer set up for this account. Please contact the clinic: "
                    "they will give you a letter with a code to set up a new one.")

EXPIRED_MESSAGES = {
    "1": "For your privacy you were signed out because there was no activity for a while. Please sign in again.",
    "lifetime": "For your privacy you were signed out because you have been signed in for a long time. "
                "Please sign in again.",
}


def _account(user):
    return getattr(user, "patient_account", None)


def _pid(user):
    account = _account(user)
    return account.pid if account else None


def _record_failure(request, username, code=Event.LOGIN_FAILED, category=""):
    """Audit a refused sign-in; a username that does not exist leaves no trace of itself."""
    user = get_user_model().objects.filter(username=username).select_related("patient_account").first()
    record(code, request=request, actor=user, pid=_pid(user) if user else None, category=category,
           outcome="failure")


def otp_device(user, kind):
    """The user's confirmed device of `kind` ("totp" or "static"), or None."""
    model = TOTPDevice if kind == "totp" else StaticDevice
    return model.objects.filter(user=user, confirmed=True).order_by("pk").first()


def _post(request):
    return request.POST if request.method == "POST" else None


# --- Sign in: the password -----------------------------------------------------------------------------------
@never_cache
@sensitive_post_parameters("password")
def login(request):
    form = SignInForm(request, data=_post(request))
    if request.method == "POST":
        if form.is_valid():
            user = form.user
            account = _account(user)
            refusal = "Clinic staff sign in on the staff page." if account is None else \
                services.patient_sign_in_refusal(account)
            if refusal is None:
                response = _after_password(request, user)
                if response is not None:
                    return response
                refusal = NO_AUTHENTICATOR
            record(Event.LOGIN_FAILED, request=request, actor=user, pid=_pid(user), category="refused",
                   outcome="failure")
            form.add_error(None, refusal)
        elif form.has_error("__all__", "invalid_login") and not getattr(request, "axes_locked_out", False):
            _record_failure(request, form.cleaned_data.get("username", "").strip().lower(), category="password")
    expired = EXPIRED_MESSAGES.get(request.GET.get("expired", ""))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "expired": expired}, status=status)


def _after_password(request, user):
    """The next state after a right password, or None when the account cannot go on (no second factor)."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if user_has_device(user, confirmed=True):
        signin.begin_second_factor(request, user, next_url)
        return redirect("accounts:login_otp" if otp_device(user, "totp") else "accounts:login_backup")
    if services.reset_code_outstanding(_account(user)):
        signin.begin_reset_code(request, user, next_url)
        return redirect("accounts:reset_code")
    if settings.PORTAL_PATIENT_OTP_REQUIRED:
        return None  # never a password-only way to a new second factor
    signin.finish_sign_in(request, user, None)
    return redirect(signin.safe_next(request, next_url) or resolve_url(settings.LOGIN_REDIRECT_URL))


# --- Sign in: the second factor ------------------------------------------------------------------------------
def verify_code_step(request, *, device_kind, form_class, template, restart_url, done_url):
    """Shared by the patient and staff code pages (already guarded by step_required): one code, one device."""
    user, state = request.sign_in_user, request.sign_in
    device = otp_device(user, device_kind)
    form = form_class(_post(request))
    if request.method == "POST" and not lockout.allows(request, user.username):
        return lockout.response(request, user.username)
    if request.method == "POST" and form.is_valid() and device is None:
        form.add_error("otp_token", "There are no backup codes for this account. Please use your authenticator "
                                    "app, or contact the clinic.")
    elif request.method == "POST" and form.is_valid():
        # verify_token locks the device row and applies django-otp's replay protection.
        verified = verify_token(user, device.persistent_id, form.cleaned_data["otp_token"])
        if verified is not None:
            record(Event.BACKUP_CODE_USED if device_kind == "static" else Event.OTP_SUCCEEDED, request=request,
                   actor=user, pid=_pid(user))
            signin.finish_sign_in(request, user, verified)
            return redirect(signin.safe_next(request, state.next_url) or done_url)
        record(Event.OTP_FAILED, request=request, actor=user, pid=_pid(user), category=device_kind,
               outcome="failure")
        services.count_failed_attempt(request, user.username)  # a wrong code counts like a wrong password
        if not signin.count_code_failure(request, state):
            messages.error(request, TOO_MANY_CODES)
            return redirect(restart_url)
        form.add_error("otp_token", WRONG_CODE)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, "has_authenticator": device_kind == "static" and
                                      otp_device(user, "totp") is not None}, status=status)


@never_cache
@sensitive_post_parameters("otp_token")
@step_required("totp")
def login_otp(request):
    if otp_device(request.sign_in_user, "totp") is None:
        return redirect("accounts:login_backup")
    return verify_code_step(request, device_kind="totp", form_class=TokenForm, template="accounts/login_otp.html",
                            restart_url="accounts:login", done_url=resolve_url(settings.LOGIN_REDIRECT_URL))


@never_cache
@sensitive_post_parameters("otp_token")
@step_required("backup")
def login_backup(request):
    return verify_code_step(request, device_kind="static", form_class=BackupCodeForm,
                            template="accounts/login_backup.html", restart_url="accounts:login",
                            done_url=resolve_url(settings.LOGIN_REDIRECT_URL))


# --- Sign in after a second-factor reset: the clinic's code, then a new authenticator --------------------------
@never_cache
@sensitive_post_parameters("reset_code")
@step_required("reset_code")
def reset_code(request):
    user, state = request.sign_in_user, request.sign_in
    form = ResetCodeForm(_post(request))
    if request.method == "POST" and not lockout.allows(request, user.username):
        return lockout.response(request, user.username)
    if request.method == "POST" and form.is_valid():
        if services.reset_code_matches(_account(user), form.cleaned_data["reset_code"]):
            signin.begin_enrol(request, state)
            return redirect("accounts:enrol")
        record(Event.OTP_FAILED, request=request, actor=user, pid=_pid(user), category="reset_code",
               outcome="failure")
        services.count_failed_attempt(request, user.username)
        if not signin.count_code_failure(request, state):
            messages.error(request, TOO_MANY_CODES)
            return redirect("accounts:login")
        form.add_error("reset_code", "That code is not right, or it has expired. Check the letter from the clinic.")
    return render(request, "accounts/reset_code.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@sensitive_post_parameters("otp_token")
@step_required("enrol")
def enrol(request):
    """The password and the clinic's reset code were right: set up the new authenticator, then sign in."""
    user = request.sign_in_user
    form, device, confirmed = _enrolment(request, user)
    if confirmed is not None:
        services.finish_reset_enrolment(user, request=request)
        signin.finish_sign_in(request, user, confirmed)
        request.session[NEW_CODES] = services.new_backup_codes(user, request=request)
        return redirect("accounts:backup_codes_new")
    return _render_enrolment(request, "accounts/enrol.html", form, device)


def _enrolment(request, user):
    """(form, pending device, confirmed device or None); makes the unconfirmed device on first sight."""
    state = request.sign_in
    device = TOTPDevice.objects.filter(pk=state.device_id, user=user, confirmed=False).first()
    if device is None:
        device = services.start_totp_enrolment(user)
        request.sign_in = signin.remember_device(request, state, device.pk)
        return TokenForm(), device, None
    form = TokenForm(_post(request))
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
        record(Event.LOGOUT, request=request, actor=request.user, pid=_pid(request.user))
        is_staff = request.user.is_staff and _account(request.user) is None
        logout(request)
        messages.success(request, "You are signed out.")
        return redirect("staff:login" if is_staff else "accounts:login")
    signin.clear(request)
    return redirect("accounts:login")


# --- Activation ------------------------------------------------------------------------------------------------
@never_cache
@sensitive_post_parameters("activation_code", "date_of_birth")
def activate(request):
    form = ActivationForm(_post(request))
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip().lower()
        if not lockout.allows(request, username):
            return lockout.response(request, username)
        try:
            account = services.verify_activation(username, form.cleaned_data["activation_code"],
                                                 form.cleaned_data["date_of_birth"], request=request)
        except services.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            signin.begin_activation(request, account)
            return redirect("accounts:activate_password")
    status = 400 if form.errors else 200
    return render(request, "accounts/activate.html", {"form": form}, status=status)


def _activation_account(request):
    """The account being activated in this session, if its letter still works (else None)."""
    from accounts.models import PatientAccount

    state = request.sign_in
    account = PatientAccount.objects.select_related("user").filter(pk=state.account_id).first()
    if account is None or not services.activation_still_valid(account, state.issued_at):
        signin.clear(request)
        messages.error(request, signin.LOST["accounts:activate"])
        return None
    return account


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@step_required("activation_password")
def activate_password(request):
    account = _activation_account(request)
    if account is None:
        return redirect("accounts:activate")
    form = NewPasswordForm(account.user, _post(request))
    if request.method == "POST" and form.is_valid():
        services.set_password(account.user, form.cleaned_data["new_password1"])
        signin.activation_password_set(request, request.sign_in)
        return redirect("accounts:activate_totp")
    return render(request, "accounts/activate_password.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@sensitive_post_parameters("otp_token")
@step_required("activation_authenticator")
def activate_totp(request):
    account = _activation_account(request)
    if account is None:
        return redirect("accounts:activate")
    user = account.user
    form, device, confirmed = _enrolment(request, user)
    if confirmed is None:
        return _render_enrolment(request, "accounts/activate_totp.html", form, device)
    try:
        codes = services.activate_account(account, request=request)
    except services.AccountError as exc:
        signin.clear(request)
        messages.error(request, str(exc))
        return redirect("accounts:login")
    user.backend = "django.contrib.auth.backends.ModelBackend"
    signin.finish_sign_in(request, user, confirmed)
    request.session[NEW_CODES] = codes
    return redirect("accounts:backup_codes_new")


# --- Signed in -------------------------------------------------------------------------------------------------
def second_factor_verified(view):
    """Signed in, and past the second factor wherever one is required (staff always)."""
    from functools import wraps

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        needs_otp = user.is_authenticated and (user.is_staff or settings.PORTAL_PATIENT_OTP_REQUIRED
                                               or user_has_device(user))
        if not user.is_authenticated or (needs_otp and not user.is_verified()):
            return signin.resume_or_login(request)
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
@second_factor_verified
def backup_codes_new(request):
    """The new backup codes, shown exactly once."""
    codes = request.session.pop(NEW_CODES, None)
    if not codes:
        return redirect("accounts:security")
    grouped = [f"{code[:4]} {code[4:]}" for code in codes]
    return render(request, "accounts/backup_codes.html", {"codes": grouped})


@never_cache
@second_factor_verified
def security(request):
    static = StaticDevice.objects.filter(user=request.user).first()
    remaining = static.token_set.count() if static else 0
    return render(request, "accounts/security.html", {
        "remaining_codes": remaining, "has_authenticator": otp_device(request.user, "totp") is not None})


@never_cache
@sensitive_post_parameters("password")
@second_factor_verified
def confirm_password(request):
    """Type the password again before changing a second factor (a borrowed, unlocked session is not enough)."""
    target = signin.safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if target not in (resolve_url("accounts:backup_codes_regenerate"), resolve_url("accounts:replace_authenticator")):
        target = resolve_url("accounts:security")
    form = ConfirmPasswordForm(request.user, _post(request))
    if request.method == "POST" and not lockout.allows(request, request.user.username):
        return lockout.response(request, request.user.username)
    if request.method == "POST" and form.is_valid():
        signin.begin_recent_auth(request)
        return redirect(target)
    if form.has_error("password"):
        services.count_failed_attempt(request, request.user.username)
    return render(request, "accounts/confirm_password.html", {"form": form, "next": target},
                  status=400 if form.errors else 200)


@never_cache
@second_factor_verified
@step_required("recent_auth")
def backup_codes_regenerate(request):
    if request.method != "POST":
        return render(request, "accounts/backup_codes_regenerate.html")
    request.session[NEW_CODES] = services.new_backup_codes(request.user, request=request, replaced=True)
    return redirect("accounts:backup_codes_new")


@never_cache
@sensitive_post_parameters("otp_token")
@second_factor_verified
@step_required("recent_auth")
def replace_authenticator(request):
    """A new phone: set up a new authenticator inside a verified session that just typed the password."""
    form, device, confirmed = _enrolment(request, request.user)
    if confirmed is None:
        return _render_enrolment(request, "accounts/replace_authenticator.html", form, device)
    signin.clear(request)
    messages.success(request, "Your new authenticator app is set up. The old one no longer works.")
    return redirect("accounts:security")


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@second_factor_verified
def password_change(request):
    form = PasswordChangeForm(request.user, _post(request))
    if request.method == "POST" and not lockout.allows(request, request.user.username):
        return lockout.response(request, request.user.username)  # guessing the password from a borrowed session
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
