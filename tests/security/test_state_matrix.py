"""Every URL of the portal × every session state × GET and POST: exactly the allowed answer.

The URLs are read from the URLconf, so a new URL is in the matrix the day it is added; one that no rule below
classifies fails `test_every_url_is_classified` until somebody says who may reach it. The session states are
reached the way a person reaches them (the real password, letter and code steps), except the fully verified
sessions, which are made directly as the other tests do.
"""

import datetime
import time
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts import services, signin
from tests import factories as f
from tests.accounts.conftest import sign_in
from tests.conftest import PASSWORD, _verified_client
from tests.records.conftest import VISIT

pytestmark = pytest.mark.django_db

STATES = ["anonymous", "password_only", "password_only_after_reset", "reset_code_accepted", "activation",
          "verified_patient", "recent_auth", "verified_staff", "staff_password_only", "other_patient",
          "expired_sign_in", "idle_session"]


# --- The URLs ---------------------------------------------------------------------------------------------
def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), prefix + str(entry.pattern)


# Concrete values for URL parameters: alice's own objects (pid 1 for the staff pages).
def _concrete(route, ids):
    import re

    route = route.lstrip("^").rstrip("$")
    route = route.replace("<int:encounter>", str(VISIT)).replace("<int:report_id>", str(ids["report"]))
    route = route.replace("<int:pid>", "1")
    route = re.sub(r"\(\?P<code>[^)]*\)\)?[^/]*", "2345-7", route)
    route = re.sub(r"\(\?P<key>.*\)", ids["appointment_key"], route).replace("\\.", ".")
    assert "<" not in route and "(" not in route, f"no concrete value for a parameter in {route}"
    return "/" + route


# Who may reach each URL. Namespaces give the default; the names listed override it.
CLASS_BY_NAMESPACE = {"records": "patient", "audit": "patient", "staff": "staff", "staff_audit": "staff"}
CLASS_BY_NAME = {
    "healthz": "public_get", "favicon": "public_get",
    "accounts:login": "public_form", "accounts:activate": "public_form", "staff:login": "public_form",
    "accounts:logout": "logout", "accounts:keepalive": "keepalive",
    "accounts:login_otp": "step:totp", "accounts:login_backup": "step:backup",
    "accounts:reset_code": "step:reset_code", "accounts:enrol": "step:enrol",
    "accounts:activate_password": "step:activation_password",
    "accounts:activate_totp": "step:activation_authenticator", "staff:login_otp": "step:staff_totp",
    "accounts:security": "verified", "accounts:password_change": "verified_form",
    "accounts:confirm_password": "verified_form", "accounts:backup_codes_new": "signed_in",
    "accounts:backup_codes_regenerate": "recent_auth", "accounts:replace_authenticator": "recent_auth",
}
STAFF_ACTIONS = {"staff:issue", "staff:disable", "staff:enable", "staff:unlock", "staff:reset_second_factor",
                 "staff:sign_out_everywhere"}
PATIENT_OBJECT_PAGES = {"records:visit_detail", "records:visit_print", "records:result_detail", "records:analyte",
                        "records:visit_pdf", "records:appointment_ics"}


def url_class(name):
    if name in CLASS_BY_NAME:
        return CLASS_BY_NAME[name]
    if name in STAFF_ACTIONS:
        return "staff_action"
    return CLASS_BY_NAMESPACE.get(name.split(":")[0]) if ":" in name else None


def test_every_url_is_classified():
    unclassified = [name for name, _ in _patterns() if url_class(name) is None]
    assert not unclassified, f"say who may reach these URLs in the state matrix: {unclassified}"


# --- The oracle: (status, Location prefix or None) ------------------------------------------------------------
LOGIN, STAFF_LOGIN = "/accounts/login/", "/staff/login/"
# Where a half-signed-in session is sent by any page that needs a full sign-in: its own step.
RESUME = {"password_only": "/accounts/login/code/", "password_only_after_reset": "/accounts/login/reset-code/",
          "reset_code_accepted": "/accounts/login/new-authenticator/", "activation": "/accounts/activate/password/",
          "staff_password_only": "/staff/login/code/"}
STEP_OWNER = {"totp": "password_only", "backup": "password_only", "reset_code": "password_only_after_reset",
              "enrol": "reset_code_accepted", "activation_password": "activation", "staff_totp": "staff_password_only"}
AUTHENTICATED = {"verified_patient", "recent_auth", "verified_staff", "other_patient"}
PATIENTS = {"verified_patient", "recent_auth", "other_patient"}


def expected(name, cls, state, method, path):
    staff_path = path.startswith("/staff/")
    if state == "idle_session":  # the timeout middleware answers first, whatever the page
        return 302, (STAFF_LOGIN if staff_path else LOGIN) + "?expired=1"
    if cls == "public_get":
        return (200, None) if method == "GET" else (405, None)
    if cls == "public_form":
        return (200, None) if method == "GET" else (400, None)
    if cls == "logout":
        if method == "GET":
            return 405, None
        return 302, STAFF_LOGIN if state == "verified_staff" else LOGIN
    if cls == "keepalive":
        if method == "POST":
            return 405, None
        return (204, None) if state in AUTHENTICATED else (401, None)
    if cls.startswith("step:"):
        step = cls.split(":")[1]
        if state == STEP_OWNER.get(step):
            if step == "enrol":
                return 200, None  # the first request makes the new authenticator and shows it, whatever the method
            return (200, None) if method == "GET" else (400, None)
        if step == "activation_authenticator" and state == "activation":
            return 302, "/accounts/activate/password/"  # one step at a time
        if state in RESUME:
            return 302, RESUME[state]
        return 302, STAFF_LOGIN if step == "staff_totp" else "/accounts/activate/" if step.startswith(
            "activation") else LOGIN
    if cls == "patient":
        if method == "POST":
            return 405, None
        if state in RESUME:
            return 302, RESUME[state]
        if state in ("anonymous", "expired_sign_in"):
            return 302, LOGIN + "?next="
        if state == "verified_staff":
            return 403, None
        if state == "other_patient" and name in PATIENT_OBJECT_PAGES:
            return 404, None
        return 200, None
    if cls in ("verified", "verified_form", "signed_in", "recent_auth"):
        if state in RESUME:
            return 302, RESUME[state]
        if state not in AUTHENTICATED:
            return 302, LOGIN + "?next="
        if cls == "signed_in":
            return 302, "/accounts/security/"  # no new codes waiting to be shown
        if cls == "recent_auth":
            if state != "recent_auth":
                return 302, "/accounts/security/confirm-password/?next="
            if name == "accounts:backup_codes_regenerate" and method == "POST":
                return 302, "/accounts/backup-codes/new/"
            return 200, None
        return (400, None) if cls == "verified_form" and method == "POST" else (200, None)
    if cls in ("staff", "staff_action"):
        if cls == "staff_action" and method == "GET":
            return 405, None
        if cls == "staff" and method == "POST" and name != "staff:home":
            return 405, None
        if state in RESUME:
            return 302, RESUME[state]
        if state in ("anonymous", "expired_sign_in"):
            return 302, STAFF_LOGIN + "?next="
        if state != "verified_staff":
            return 403, None
        if cls == "staff_action":
            return (200, None) if name in ("staff:issue", "staff:reset_second_factor") else (302, "/staff/patients/1/")
        return (400, None) if name == "staff:home" and method == "POST" else (200, None)
    raise AssertionError(f"no rule for class {cls}")


# --- The session states ---------------------------------------------------------------------------------------
@dataclass
class World:
    alice: object
    bob: object
    carol: object  # second factor reset by staff: reset letter outstanding
    reset_code: str
    dave_username: str  # letter issued, not yet activated
    dave_code: str
    staff: object
    ids: dict


@pytest.fixture
def world(alice, rich, bob, staff, make_patient_account, openemr):
    f.PatientFactory(pid=3, fname="Carol", lname="Reset")
    carol = make_patient_account(3, "carol")
    issued = services.reset_second_factor(carol, actor=staff)
    f.PatientFactory(pid=4, fname="Dave", lname="Letter", DOB=datetime.date(1970, 1, 2))
    letter = services.issue_credentials(4, actor=staff)
    (eid,), = openemr.execute("SELECT pc_eid FROM openemr_postcalendar_events WHERE pc_pid = '1' "
                              "AND pc_eventDate = '2026-04-15'")
    rich = {**rich, "appointment_key": f"{eid}-2026-04-15"}
    return World(alice=alice, bob=bob, carol=carol, reset_code=issued.code,
                 dave_username=letter.username, dave_code=letter.code, staff=staff, ids=rich)


def _expire_state(client):
    session = client.session
    data = dict(session[signin.STATE_KEY])
    data["until"] = int(time.time()) - 1
    session[signin.STATE_KEY] = data
    session.save()


def make_state(state, w):
    client = Client()
    if state == "password_only":
        assert sign_in(client, "alice").status_code == 302
    elif state == "password_only_after_reset":
        assert sign_in(client, "carol")["Location"] == "/accounts/login/reset-code/"
    elif state == "reset_code_accepted":
        sign_in(client, "carol")
        assert client.post("/accounts/login/reset-code/", {"reset_code": w.reset_code}).status_code == 302
    elif state == "activation":
        response = client.post("/accounts/activate/", {"username": w.dave_username, "activation_code": w.dave_code,
                                                       "date_of_birth": "1970-01-02"})
        assert response["Location"] == "/accounts/activate/password/"
    elif state in ("verified_patient", "recent_auth", "idle_session"):
        _verified_client(client, w.alice, w.alice.totpdevice_set.get(confirmed=True))
        if state == "recent_auth":
            response = client.post("/accounts/security/confirm-password/", {"password": PASSWORD})
            assert response.status_code == 302
        if state == "idle_session":
            from accounts.signals import LAST_SEEN

            session = client.session
            session[LAST_SEEN] -= 16 * 60
            session.save()
    elif state == "verified_staff":
        _verified_client(client, w.staff, w.staff.totpdevice_set.get(confirmed=True))
    elif state == "staff_password_only":
        assert sign_in(client, "frontdesk", url="/staff/login/")["Location"] == "/staff/login/code/"
    elif state == "other_patient":
        _verified_client(client, w.bob, w.bob.totpdevice_set.get(confirmed=True))
    elif state == "expired_sign_in":
        sign_in(client, "alice")
        _expire_state(client)
    return client


@pytest.mark.parametrize("state", STATES)
def test_every_url_answers_each_session_state_exactly_as_allowed(state, clinic_today, world):
    mismatches = []
    for name, route in _patterns():
        path = _concrete(route, world.ids)
        cls = url_class(name)
        for method in ("GET", "POST"):
            client = make_state(state, world)
            response = client.get(path) if method == "GET" else client.post(path, {})
            want_status, want_location = expected(name, cls, state, method, path)
            location = response.get("Location", "")
            if response.status_code != want_status or (want_location and not location.startswith(want_location)):
                mismatches.append(f"{method} {path} [{name}]: got {response.status_code} {location!r}, "
                                  f"want {want_status} {want_location or ''}")
            if not response.streaming:
                assert b"Traceback" not in response.content
    assert not mismatches, "\n".join(mismatches)
