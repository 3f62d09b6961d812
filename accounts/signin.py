"""Sign-in as an explicit state machine: who may be on which step, and until when.

The session holds at most one `SignInState` (under STATE_KEY). Each transition below is the only place that
writes it, and each step view is guarded by `@step_required(step)`, which refuses every state that was not
issued for that step (and every expired one). Nobody is signed in (Django's login()) until the last step.

    anonymous ─password ok, authenticator────────────────> SECOND_FACTOR  steps: totp, backup    (patient)
              ─password ok (staff, authenticator)────────> STAFF_SECOND   steps: staff_totp
              ─password ok, no authenticator, reset letter> RESET_CODE     steps: reset_code
              ─letter + date of birth ok─────────────────> ACTIVATION     steps: activation_password
    RESET_CODE ─code from the clinic's letter────────────> ENROL          steps: enrol
    ACTIVATION ─password chosen──────────────────────────> ACTIVATION     steps: activation_authenticator
    SECOND_FACTOR / ENROL / ACTIVATION ─code ok──────────> signed in, verified (state cleared)
    signed in, verified ─password typed again────────────> RECENT_AUTH    steps: recent_auth, 5 minutes

A second factor is (re)enrolled only after the clinic's one-time code plus the password (ENROL) or the letter
plus the date of birth plus a new password (ACTIVATION), or inside a verified session that has just typed the
password again (RECENT_AUTH): never with the password alone (the defect of issue 9).
"""

import dataclasses
import time
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

STATE_KEY = "_portal_sign_in"

SECOND_FACTOR_SECONDS = 5 * 60  # time to fetch the phone and type a code
ACTIVATION_SECONDS = 30 * 60  # time to choose a password and set up an app
RECENT_AUTH_SECONDS = 5 * 60  # "sudo" window for changing a second factor
MAX_CODE_FAILURES = 5  # wrong codes per state; then the password must be typed again

# Where each step sends a session that may not be on it.
RESTART = {
    "totp": "accounts:login", "backup": "accounts:login", "reset_code": "accounts:login", "enrol": "accounts:login",
    "staff_totp": "staff:login",
    "activation_password": "accounts:activate", "activation_authenticator": "accounts:activate",
    "recent_auth": "accounts:confirm_password",
}
# Where a live state that was issued for another step is sent: the first step it allows.
STEP_URL = {
    "totp": "accounts:login_otp", "backup": "accounts:login_backup", "reset_code": "accounts:reset_code",
    "enrol": "accounts:enrol", "staff_totp": "staff:login_otp", "activation_password": "accounts:activate_password",
    "activation_authenticator": "accounts:activate_totp",
}
LOST = {
    "accounts:activate": "Your activation was interrupted or took too long. Please start again with the details "
                         "on your letter.",
    "accounts:login": "Your sign-in took too long or was interrupted. Please sign in again.",
    "staff:login": "Your sign-in took too long or was interrupted. Please sign in again.",
}


@dataclasses.dataclass(frozen=True)
class SignInState:
    steps: tuple  # the step names this state may use
    user_id: int
    until: int  # epoch seconds
    backend: str = "django.contrib.auth.backends.ModelBackend"
    failures: int = 0  # wrong codes in this state
    next_url: str = ""
    device_id: int | None = None  # the unconfirmed authenticator being set up
    account_id: int | None = None  # activation: the PatientAccount, and the letter it was started with
    issued_at: str = ""

    def allows(self, step):
        return step in self.steps and self.until > time.time()


def current(request):
    """The state of this session, or None (a malformed or foreign value counts as none)."""
    data = request.session.get(STATE_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return SignInState(**{**data, "steps": tuple(data["steps"])})
    except (TypeError, KeyError):
        return None


def _store(request, state):
    request.session[STATE_KEY] = dataclasses.asdict(state)


def clear(request):
    request.session.pop(STATE_KEY, None)


def safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return url
    return ""


# --- Transitions (each writes the state in exactly one place) -----------------------------------------------
def _begin(request, user, steps, seconds, **fields):
    request.session.cycle_key()  # a new key for every new state: no fixation across steps
    _store(request, SignInState(steps=tuple(steps), user_id=user.pk, until=int(time.time()) + seconds,
                                backend=getattr(user, "backend", SignInState.backend), **fields))


def begin_second_factor(request, user, next_url=""):
    """Password right, the patient has an authenticator: the code (or a backup code) is next."""
    _begin(request, user, ("totp", "backup"), SECOND_FACTOR_SECONDS, next_url=safe_next(request, next_url))


def begin_staff_second_factor(request, user, next_url=""):
    _begin(request, user, ("staff_totp",), SECOND_FACTOR_SECONDS, next_url=safe_next(request, next_url))


def begin_reset_code(request, user, next_url=""):
    """Password right, but the clinic reset the second factor: the code from the clinic's letter is next."""
    _begin(request, user, ("reset_code",), ACTIVATION_SECONDS, next_url=safe_next(request, next_url))


def begin_enrol(request, state):
    """The clinic's reset code was right (after the password): setting up the new authenticator is next."""
    _store(request, dataclasses.replace(state, steps=("enrol",), failures=0))


def begin_activation(request, account):
    """The letter and the date of birth were right: choosing a password is next."""
    _begin(request, account.user, ("activation_password",), ACTIVATION_SECONDS, account_id=account.pk,
           issued_at=account.issued_at.isoformat())


def activation_password_set(request, state):
    _store(request, dataclasses.replace(state, steps=("activation_authenticator",)))


def remember_device(request, state, device_id):
    """The unconfirmed authenticator shown on the enrolment page (kept so a reload shows the same key)."""
    new = dataclasses.replace(state, device_id=device_id)
    _store(request, new)
    return new


def count_code_failure(request, state):
    """Count a wrong code; returns False (and ends the state) when the budget is spent."""
    if state.failures + 1 >= MAX_CODE_FAILURES:
        clear(request)
        return False
    _store(request, dataclasses.replace(state, failures=state.failures + 1))
    return True


def begin_recent_auth(request):
    """A verified user typed the password again: second-factor changes are allowed for a few minutes."""
    _store(request, SignInState(steps=("recent_auth",), user_id=request.user.pk,
                                until=int(time.time()) + RECENT_AUTH_SECONDS))


def finish_sign_in(request, user, device):
    """Every step passed: sign in for real (a new session key) and mark the second factor verified."""
    from accounts import services

    clear(request)
    login(request, user, backend=getattr(user, "backend", SignInState.backend))
    if device is not None:
        otp_login(request, device)
    services.record_sign_in(user, request=request)


def resume_or_login(request, login_url="accounts:login"):
    """For a page that needs a full sign-in: back to the step this session is on, or to the sign-in page."""
    from django.contrib.auth.views import redirect_to_login

    state = current(request)
    if state is not None and state.until > time.time() and state.steps[0] in STEP_URL:
        return redirect(STEP_URL[state.steps[0]])
    return redirect_to_login(request.get_full_path(), login_url=login_url)


# --- The guard ------------------------------------------------------------------------------------------------
def _state_user(state):
    user = get_user_model().objects.filter(pk=state.user_id, is_active=True).first()
    if user is not None:
        user.backend = state.backend
    return user


def step_required(step):
    """Let the view run only for a session whose state was issued for `step` and has not run out.

    The view gets request.sign_in (the state) and request.sign_in_user (a fresh, active user). For
    "recent_auth" the session must also be signed in and verified as that same user.
    """
    restart = RESTART[step]

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            state = current(request)
            user = _state_user(state) if state is not None and state.allows(step) else None
            if step == "recent_auth":
                verified = request.user.is_authenticated and request.user.is_verified()
                if not verified:
                    return redirect(f"{reverse('accounts:login')}?next={request.path}")
                if user is None or user.pk != request.user.pk:
                    return redirect(f"{reverse(restart)}?next={request.path}")
            elif user is None:
                live = state is not None and state.until > time.time() and state.steps[0] in STEP_URL
                if live:
                    return redirect(STEP_URL[state.steps[0]])  # one step at a time, in order
                if state is not None:
                    clear(request)
                    messages.error(request, LOST[restart])
                return redirect(restart)
            request.sign_in, request.sign_in_user = state, user
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
