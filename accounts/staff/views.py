"""The staff console: sign-in (password, then TOTP, always), patient search, account actions, account list.

Every action is its own URL, POST only (CSRF), audited by its service. Search terms travel in a POST body,
never in a URL (they are PHI).
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from accounts import services, signin
from accounts.forms import SignInForm, TokenForm
from accounts.letter import letter_context
from accounts.models import PatientAccount, UserSession
from accounts.signin import step_required
from accounts.staff.forms import AccountFilterForm, PatientSearchForm
from accounts.views import EXPIRED_MESSAGES, _record_failure, otp_device, verify_code_step
from audit.log import Event, record
from portal.lib.access import staff_required
from records.identity import find_patients, patient_identities, patient_identity

NOT_STAFF = "This sign-in page is for clinic staff. Patients sign in on the portal's home page."
NO_DEVICE = ("Your staff account has no authenticator app set up. Ask the portal administrator to run "
             "`manage.py reset_second_factor` for your username.")


@never_cache
@sensitive_post_parameters("password")
def login(request):
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            user = form.user
            refusal = NOT_STAFF if not user.is_staff else (NO_DEVICE if otp_device(user, "totp") is None else None)
            if refusal is None:
                signin.begin_staff_second_factor(request, user, request.GET.get("next", ""))
                return redirect("staff:login_otp")
            record(Event.LOGIN_FAILED, request=request, actor=user, category="refused", outcome="failure")
            form.add_error(None, refusal)
        elif form.has_error("__all__", "invalid_login") and not getattr(request, "axes_locked_out", False):
            _record_failure(request, form.cleaned_data.get("username", "").strip().lower(), category="password")
    expired = EXPIRED_MESSAGES.get(request.GET.get("expired", ""))
    return render(request, "staff/login.html", {"form": form, "expired": expired},
                  status=400 if request.method == "POST" else 200)


@never_cache
@sensitive_post_parameters("otp_token")
@step_required("staff_totp")
def login_otp(request):
    return verify_code_step(request, device_kind="totp", form_class=TokenForm, template="staff/login_otp.html",
                            restart_url="staff:login", done_url=resolve_url("staff:home"))


@never_cache
@staff_required
def home(request):
    form = PatientSearchForm(request.POST if request.method == "POST" else None)
    results = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        results = find_patients(pubpid=data["pubpid"], name=data["name"], dob=data["dob"], limit=21)
        record(Event.PATIENT_SEARCHED, request=request, object_ids=[r.pid for r in results[:20]])
        accounts = {a.pid: a for a in PatientAccount.objects.filter(pid__in=[r.pid for r in results])}
        results = [(identity, accounts.get(identity.pid)) for identity in results]
    return render(request, "staff/home.html", {"form": form, "results": results},
                  status=400 if form.errors else 200)


def _patient(pid):
    identity = patient_identity(pid)
    account = PatientAccount.objects.select_related("user", "issued_by").filter(pid=pid).first()
    if identity is None and account is None:
        raise Http404
    return identity, account


@never_cache
@require_safe
@staff_required
def patient(request, pid):
    identity, account = _patient(pid)
    # The page shows the patient's name, MRN and date of birth: audited (and committed) before it is rendered.
    record(Event.PATIENT_VIEWED, request=request, pid=pid)
    sessions = UserSession.objects.filter(user=account.user).count() if account else 0
    locked = False
    if account is not None:
        from axes.models import AccessAttempt

        locked = AccessAttempt.objects.filter(
            username=account.user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME).exists()
    return render(request, "staff/patient.html", {
        "identity": identity, "account": account, "pid": pid, "sessions": sessions, "locked": locked,
        "has_authenticator": bool(account and otp_device(account.user, "totp")),
        "require_allow_portal": settings.PORTAL_REQUIRE_ALLOW_PORTAL,
    })


@never_cache
@require_POST
@staff_required
def issue(request, pid):
    try:
        issued = services.issue_credentials(pid, actor=request.user, request=request)
    except services.AccountError as exc:
        messages.error(request, str(exc))
        return redirect("staff:patient", pid=pid)
    # The code exists only in this response: print the letter now (re-issue makes a new one).
    return render(request, "staff/letter.html", letter_context(issued) | {"pid": pid, "issued": issued})


def _account_action(request, pid, action, done):
    account = get_object_or_404(PatientAccount.objects.select_related("user"), pid=pid)
    action(account)
    messages.success(request, done)
    return redirect("staff:patient", pid=pid)


@require_POST
@staff_required
def disable(request, pid):
    return _account_action(request, pid, lambda a: services.disable_account(a, actor=request.user, request=request),
                           "The account is disabled and all its sessions have ended.")


@require_POST
@staff_required
def enable(request, pid):
    return _account_action(request, pid, lambda a: services.enable_account(a, actor=request.user, request=request),
                           "The account is enabled again.")


@require_POST
@staff_required
def unlock(request, pid):
    return _account_action(request, pid, lambda a: services.unlock_account(a, actor=request.user, request=request),
                           "Failed sign-in attempts for this username are cleared; the patient can try again.")


@never_cache
@require_POST
@staff_required
def reset_second_factor(request, pid):
    account = get_object_or_404(PatientAccount.objects.select_related("user"), pid=pid)
    issued = services.reset_second_factor(account.user, actor=request.user, request=request)
    # The code exists only in this response: the patient needs it, with their password, to set up a new app.
    return render(request, "staff/letter.html", letter_context(issued, kind="reset") | {"pid": pid, "issued": issued})


@require_POST
@staff_required
def sign_out_everywhere(request, pid):
    return _account_action(
        request, pid, lambda a: services.sign_out_everywhere(a.user, actor=request.user, request=request),
        "All sessions of this account have ended.")


@never_cache
@require_safe
@staff_required
def account_list(request):
    form = AccountFilterForm(request.GET or None)
    accounts = PatientAccount.objects.select_related("user").order_by("-last_sign_in_at", "pid")
    if form.is_valid():
        if form.cleaned_data["state"]:
            accounts = accounts.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["q"]:
            accounts = accounts.filter(user__username__icontains=form.cleaned_data["q"].strip())
    page = Paginator(accounts, 25).get_page(request.GET.get("page"))
    names = patient_identities(a.pid for a in page.object_list)
    record(Event.ACCOUNTS_LISTED, request=request, object_ids=[a.pid for a in page.object_list])
    rows = [(account, names.get(account.pid)) for account in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "staff/account_list.html",
                  {"form": form, "page": page, "rows": rows, "query": query.urlencode()})
