"""Account use cases, one function each. Each runs in one transaction and writes its audit event inside it.

`actor` and `request` are keyword-only: the actor is the staff user (or None for the patient themself or a
management command), the request gives the audit row its client address and request id.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from importlib import import_module
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.activation import (
    code_matches, hash_code, new_activation_code, new_backup_code, new_username, normalize_username,
)
from accounts.models import PatientAccount, UserSession
from audit.log import Event, record
from records.identity import patient_identity

BACKUP_CODE_COUNT = 10


class AccountError(Exception):
    """A use case refused; the message is written for the person in front of the screen."""


# --- Sessions -------------------------------------------------------------------------------------------
def _session_store():
    # SESSION_ENGINE names a module ("django.contrib.sessions.backends.db"), not an attribute: import_string
    # only worked where something else had imported that module first (the web process, not a command).
    return import_module(settings.SESSION_ENGINE).SessionStore


def register_session(user, session_key):
    """Remember a signed-in session of `user` (called by the user_logged_in receiver)."""
    if session_key:
        now = timezone.now()
        # Rows older than the absolute lifetime belong to sessions that can no longer be used (a browser
        # closed without signing out): drop them here so the registry stays small without a cron job.
        oldest = now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        UserSession.objects.filter(created_at__lt=oldest).delete()
        UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user, "created_at": now})


def forget_session(session_key):
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def end_all_sessions(user, *, keep=None):
    """Delete every registered session of `user` from the session store (except `keep`); return how many."""
    store = _session_store()
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    rows.delete()
    return len(keys)


def _remove_devices(user):
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _reset_lockout(username):
    from axes.utils import reset

    return reset(username=username)


# --- Staff: issue, disable, enable, unlock, reset second factor, sign out everywhere -----------------------
@dataclass
class IssuedCredentials:
    account: PatientAccount
    username: str
    code: str  # shown once, on the letter; only its hash is stored
    expires_at: datetime.datetime
    reissued: bool


def issue_credentials(pid, *, actor=None, request=None):
    """Create or re-issue the portal account of patient `pid` with a new one-time activation code."""
    identity = patient_identity(pid)
    if identity is None:
        raise AccountError("There is no patient with this id in OpenEMR.")
    if settings.PORTAL_REQUIRE_ALLOW_PORTAL and not identity.allow_portal:
        raise AccountError(
            "This patient is not allowed to use the portal: in OpenEMR, \"Allow Patient Portal\" is not set to YES."
        )
    code = new_activation_code()
    now = timezone.now()
    expires_at = now + datetime.timedelta(days=settings.PORTAL_ACTIVATION_DAYS)
    issuer = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        account = PatientAccount.objects.select_for_update().select_related("user").filter(pid=pid).first()
        reissued = account is not None
        if account is None:
            user = get_user_model().objects.create_user(username=_unused_username(), password=None)
            account = PatientAccount(user=user, pid=pid)
        else:
            # Re-issue: a forgotten password or a lost letter. Everything the patient set up starts again.
            user = account.user
            user.set_unusable_password()
            user.save(update_fields=["password"])
            _remove_devices(user)
            end_all_sessions(user)
            _reset_lockout(user.username)
        account.state = PatientAccount.State.ISSUED
        account.activation_code_hash = hash_code(code)
        account.activation_expires_at = expires_at
        account.activation_failures = 0
        account.reset_code_hash, account.reset_expires_at = "", None
        account.issued_by = issuer
        account.issued_at = now
        account.activated_at = None
        account.save()
        record(Event.CREDENTIALS_ISSUED, request=request, actor=actor, pid=pid,
               category="reissue" if reissued else "issue")
    return IssuedCredentials(account=account, username=account.user.username, code=code,
                             expires_at=expires_at, reissued=reissued)


def _unused_username():
    User = get_user_model()
    while True:
        username = new_username()
        if not User.objects.filter(username=username).exists():
            return username


def disable_account(account, *, actor=None, request=None):
    """Stop an account from signing in and end its sessions."""
    with transaction.atomic():
        account.state = PatientAccount.State.DISABLED
        account.save(update_fields=["state"])
        end_all_sessions(account.user)
        record(Event.ACCOUNT_DISABLED, request=request, actor=actor, pid=account.pid)


def enable_account(account, *, actor=None, request=None):
    """Undo a disable: active again if it had been activated, otherwise back to issued."""
    with transaction.atomic():
        activated = account.activated_at is not None or account.user.has_usable_password()
        account.state = PatientAccount.State.ACTIVE if activated else PatientAccount.State.ISSUED
        account.save(update_fields=["state"])
        record(Event.ACCOUNT_ENABLED, request=request, actor=actor, pid=account.pid)


def unlock_account(account, *, actor=None, request=None):
    """Lift a lockout of this account's username before it runs out by itself; return attempts removed."""
    with transaction.atomic():
        removed = _reset_lockout(account.user.username)
        record(Event.UNLOCKED, request=request, actor=actor, pid=account.pid)
    return removed


def reset_second_factor(user, *, actor=None, request=None):
    """Remove the authenticator and backup codes and end every session.

    For a patient, returns the one-time code for the reset letter: with it and the password the patient sets
    up a new authenticator (the password alone never does). Staff get a new key from the command instead.
    """
    account = getattr(user, "patient_account", None)
    code = new_activation_code() if account is not None else None
    expires_at = timezone.now() + datetime.timedelta(days=settings.PORTAL_ACTIVATION_DAYS)
    with transaction.atomic():
        _remove_devices(user)
        end_all_sessions(user)
        if account is not None:
            PatientAccount.objects.filter(pk=account.pk).update(reset_code_hash=hash_code(code),
                                                                reset_expires_at=expires_at)
        record(Event.OTP_RESET, request=request, actor=actor, pid=account.pid if account else None,
               object_ids=[] if account else [user.pk])
    if account is None:
        return None
    return IssuedCredentials(account=account, username=user.username, code=code, expires_at=expires_at,
                             reissued=True)


def reset_code_outstanding(account):
    """True when the clinic reset this patient's second factor and the letter's code still works."""
    return (account is not None and bool(account.reset_code_hash) and account.reset_expires_at is not None
            and account.reset_expires_at > timezone.now())


def reset_code_matches(account, typed):
    """True when `typed` is the unexpired code of the reset letter (always runs the hasher)."""
    matches = code_matches(typed, account.reset_code_hash if account else "")
    return matches and reset_code_outstanding(account)


def finish_reset_enrolment(user, *, request=None):
    """The new authenticator is confirmed: the reset letter's code is used up."""
    account = getattr(user, "patient_account", None)
    if account is not None:
        PatientAccount.objects.filter(pk=account.pk).update(reset_code_hash="", reset_expires_at=None)


def sign_out_everywhere(user, *, actor=None, request=None):
    """End every session of `user`; return how many were ended."""
    account = getattr(user, "patient_account", None)
    with transaction.atomic():
        ended = end_all_sessions(user)
        record(Event.SIGNED_OUT_EVERYWHERE, request=request, actor=actor, pid=account.pid if account else None)
    return ended


# --- Patient: activation ----------------------------------------------------------------------------------
MISMATCH = ("We could not match these details to an activation letter. Check the username, the activation code "
            "and your date of birth, exactly as on your letter.")
CALL_CLINIC = "We cannot activate this account online. Please call the clinic; they will help you."


def count_failed_attempt(request, username):
    """Count a failure in django-axes like a failed sign-in (per username and per address)."""
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def axes_allows(request, username):
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_allowed(request, {"username": username})


def verify_activation(username, code, dob, *, request):
    """The issued account these letter details belong to, or AccountError (counted by the lockout)."""
    username = normalize_username(username)
    account = (PatientAccount.objects.select_related("user")
               .filter(user__username=username, state=PatientAccount.State.ISSUED).first())
    # Always run the hasher, so an unknown username costs the same as a wrong code.
    if not code_matches(code, account.activation_code_hash if account else ""):
        _fail_activation(request, username, account)
        raise AccountError(MISMATCH)
    # The expiry is checked before the date of birth: an expired letter must not answer DOB guesses.
    if account.activation_expires_at is None or account.activation_expires_at <= timezone.now():
        record(Event.ACTIVATION_FAILED, request=request, actor=account.user, pid=account.pid,
               category="expired", outcome="failure")
        raise AccountError("This activation code has expired. Please contact the clinic for a new letter.")
    if account.activation_failures >= PatientAccount.ACTIVATION_MAX_FAILURES:
        _fail_activation(request, username, account, category="too_many")
        raise AccountError("This activation code no longer works because of too many wrong attempts. "
                           "Please contact the clinic for a new letter.")
    identity = patient_identity(account.pid)
    if identity is None or (settings.PORTAL_REQUIRE_ALLOW_PORTAL and not identity.allow_portal):
        record(Event.ACTIVATION_FAILED, request=request, actor=account.user, pid=account.pid,
               category="not_allowed", outcome="failure")
        raise AccountError(CALL_CLINIC)
    if identity.dob is None:  # NULL or zero date in OpenEMR: nothing to compare against
        record(Event.ACTIVATION_FAILED, request=request, actor=account.user, pid=account.pid,
               category="no_dob", outcome="failure")
        raise AccountError(CALL_CLINIC)
    if identity.dob != dob:
        with transaction.atomic():
            PatientAccount.objects.filter(pk=account.pk).update(activation_failures=F("activation_failures") + 1)
        _fail_activation(request, username, account, category="dob")
        raise AccountError(MISMATCH)
    return account


def _fail_activation(request, username, account, category="code"):
    if account is None:
        record(Event.ACTIVATION_FAILED, request=request, category=category, outcome="failure")
    else:
        record(Event.ACTIVATION_FAILED, request=request, actor=account.user, pid=account.pid,
               category=category, outcome="failure")
    count_failed_attempt(request, username)


def activation_still_valid(account, issued_at_iso):
    """True when the account is still waiting for the activation that was started with this letter."""
    return (account.state == PatientAccount.State.ISSUED and account.issued_at is not None
            and account.issued_at.isoformat() == issued_at_iso
            and account.activation_expires_at is not None and account.activation_expires_at > timezone.now()
            and account.activation_failures < PatientAccount.ACTIVATION_MAX_FAILURES)


def set_password(user, password):
    """Store a new password (already validated by the form)."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])


# --- Second factor ------------------------------------------------------------------------------------------
def start_totp_enrolment(user):
    """A new, unconfirmed authenticator for `user` (earlier unconfirmed ones are dropped)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def confirm_totp_device(user, device_id, token, *, request=None):
    """Confirm the pending authenticator with a code from it; the confirmed device, or None."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
        if device is None or not device.verify_token(token):
            return None
        # Exactly one authenticator per person: a new one replaces the old one.
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        account = getattr(user, "patient_account", None)
        record(Event.OTP_ENROLLED, request=request, actor=user, pid=account.pid if account else None)
    return device


def new_backup_codes(user, *, request=None, replaced=False):
    """Replace the user's backup codes with BACKUP_CODE_COUNT fresh ones and return them (shown once)."""
    account = getattr(user, "patient_account", None)
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
        codes = [new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        if replaced:  # at activation and reset enrolment the enclosing event says it already
            record(Event.BACKUP_CODES_REGENERATED, request=request, actor=user,
                   pid=account.pid if account else None)
    return codes


def activate_account(account, *, request=None):
    """Finish activation: the account becomes active, the code is used up, backup codes are made."""
    with transaction.atomic():
        account = PatientAccount.objects.select_for_update().select_related("user").get(pk=account.pk)
        if account.state != PatientAccount.State.ISSUED:
            raise AccountError("This account has already been activated. Please sign in.")
        account.state = PatientAccount.State.ACTIVE
        account.activated_at = timezone.now()
        account.activation_code_hash = ""  # single use
        account.activation_expires_at = None
        account.activation_failures = 0
        account.save()
        codes = new_backup_codes(account.user)
        record(Event.ACCOUNT_ACTIVATED, request=request, actor=account.user, pid=account.pid)
    return codes


# --- Sign-in ---------------------------------------------------------------------------------------------------
def patient_sign_in_refusal(account):
    """Why this patient account may not sign in now (a message), or None."""
    if account.state == PatientAccount.State.ISSUED:
        return ("This account has not been activated yet. Please use the activation page and the code on your "
                "letter, or contact the clinic.")
    if account.state != PatientAccount.State.ACTIVE:
        return "This portal account cannot be used at the moment. Please contact the clinic."
    identity = patient_identity(account.pid)
    if identity is None or (settings.PORTAL_REQUIRE_ALLOW_PORTAL and not identity.allow_portal):
        return "This portal account cannot be used at the moment. Please contact the clinic."
    return None


def record_sign_in(user, *, request):
    """After both factors: remember the time and write the audit event."""
    account = getattr(user, "patient_account", None)
    with transaction.atomic():
        if account is not None:
            PatientAccount.objects.filter(pk=account.pk).update(last_sign_in_at=timezone.now())
        record(Event.LOGIN_SUCCEEDED, request=request, actor=user, pid=account.pid if account else None)


def change_password(user, new_password, *, request):
    """Set a new password and end every other session of the account."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        keep = request.session.session_key if request is not None else None
        end_all_sessions(user, keep=keep)
        account = getattr(user, "patient_account", None)
        record(Event.PASSWORD_CHANGED, request=request, actor=user, pid=account.pid if account else None)

