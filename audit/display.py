"""Plain-language descriptions of audit events for the patient's "Account activity" page."""

import ipaddress
import re

from audit.log import Event

# What a record.* event's category means to a patient ("You viewed your ...").
CATEGORY_LABELS = {
    "summary": "health summary", "health_summary": "health summary",
    "visit": "visit summary", "visits": "list of visits", "encounter": "visit summary",
    "results": "lab results", "result": "lab results", "labs": "lab results", "lab_results": "lab results",
    "result_trend": "lab result trends", "trend": "lab result trends", "analyte": "lab result history",
    "profile": "personal details",
    "medications": "medications", "problems": "health problems", "allergies": "allergies",
    "immunizations": "immunizations", "vitals": "vital signs", "appointments": "appointments",
    "documents": "documents", "record": "health record", "activity": "account activity",
    # Downloads (records/download_views.py).
    "downloads": "downloads page",
    "pdf.record": "health record (PDF)", "pdf.immunizations": "immunization record (PDF)",
    "pdf.medications": "medication list (PDF)", "pdf.visit": "visit summary (PDF)",
    "fhir.bundle": "health record for health apps (FHIR)", "appointment.ics": "appointment calendar file",
}
RECORD_VERBS = {Event.RECORD_VIEWED: "viewed", Event.RECORD_PRINTED: "printed", Event.RECORD_DOWNLOADED: "downloaded"}

# (as done by the patient, as done by clinic staff); None: that actor never causes this event.
LABELS = {
    Event.LOGIN_SUCCEEDED: ("You signed in", None),
    Event.LOGIN_FAILED: ("A sign-in attempt with a wrong password failed", None),
    Event.LOCKED_OUT: ("Sign-in was paused after too many failed attempts", None),
    Event.LOGOUT: ("You signed out", None),
    Event.SESSION_EXPIRED: ("You were signed out after a period without activity", None),
    Event.OTP_ENROLLED: ("You set up your authenticator app", None),
    Event.OTP_FAILED: ("A wrong verification code was entered", None),
    Event.OTP_SUCCEEDED: ("You entered your verification code", None),
    Event.BACKUP_CODE_USED: ("You used a backup code to sign in", None),
    Event.BACKUP_CODES_REGENERATED: ("You made new backup codes", None),
    Event.ACCOUNT_ACTIVATED: ("You activated your account", None),
    Event.ACTIVATION_FAILED: ("An attempt to activate your account failed", None),
    Event.PASSWORD_CHANGED: ("You changed your password", "Clinic staff changed your password"),
    Event.CREDENTIALS_ISSUED: (None, "Clinic staff issued new sign-in details"),
    Event.ACCOUNT_DISABLED: (None, "Clinic staff disabled your account"),
    Event.ACCOUNT_ENABLED: (None, "Clinic staff re-enabled your account"),
    Event.UNLOCKED: (None, "Clinic staff unlocked your account"),
    Event.OTP_RESET: (None, "Clinic staff reset your authenticator app"),
    Event.SIGNED_OUT_EVERYWHERE: (None, "Clinic staff signed you out on all devices"),
    Event.PATIENT_SEARCHED: (None, "Clinic staff looked up your account"),
    Event.PATIENT_VIEWED: (None, "Clinic staff opened your portal account"),
    Event.ACCOUNTS_LISTED: (None, "Clinic staff listed portal accounts, yours among them"),
    Event.AUDIT_VIEWED: (None, "Clinic staff reviewed the activity on your account"),
    Event.AUDIT_EXPORTED: (None, "Clinic staff exported the activity on your account"),
}


def describe(event, user_id):
    """One sentence for an event on the patient's own page (no clinical values: there are none to show)."""
    by_patient = event.actor_type == "patient" and event.actor_id == str(user_id)
    by_staff = event.actor_type in ("staff", "user") and not by_patient
    if event.code in RECORD_VERBS:
        what = CATEGORY_LABELS.get(event.category, "health record")
        who = "You" if not by_staff else "Clinic staff"
        return f"{who} {RECORD_VERBS[event.code]} your {what}"
    as_patient, as_staff = LABELS.get(event.code, (None, None))
    if by_staff and as_staff:
        return as_staff
    if as_patient:
        return as_patient
    return as_staff or "Account event"


def network(ip):
    """The client's address rounded to its network (/24 for IPv4, /48 for IPv6), or None."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False)


_BROWSERS = [  # order matters: Edge and Opera also say "Chrome", Chrome also says "Safari"
    (re.compile(r"Edg(e|A|iOS)?/"), "Edge"), (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"SamsungBrowser/"), "Samsung Internet"), (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrome/|CriOS/|Chromium/"), "Chrome"), (re.compile(r"Safari/|Version/\d"), "Safari"),
]
_SYSTEMS = [
    (re.compile(r"iPhone|iPad|iPod"), "iPhone or iPad"), (re.compile(r"Android"), "Android"),
    (re.compile(r"Windows"), "Windows"), (re.compile(r"Mac OS X|Macintosh"), "Mac"),
    (re.compile(r"CrOS"), "Chromebook"), (re.compile(r"Linux"), "Linux"),
]


def browser(user_agent):
    """'Firefox on Windows'-style family of a user agent, or '' if unknown."""
    name = next((label for pattern, label in _BROWSERS if pattern.search(user_agent)), "")
    system = next((label for pattern, label in _SYSTEMS if pattern.search(user_agent)), "")
    if name and system:
        return f"{name} on {system}"
    return name or system


def client(event, current_ip):
    """Approximate place of an event: network and browser, with a hint when it is this device's network."""
    if event.actor_type in ("staff", "user"):
        return "At the clinic"
    net = network(event.client_ip)
    parts = []
    if net is not None:
        here = network(current_ip)
        shown = ".".join(str(net.network_address).split(".")[:3]) + ".x" if net.version == 4 else str(net)
        parts.append(f"internet address {shown}" + (" (the network you are using now)" if net == here else ""))
    if event.user_agent:
        parts.append(browser(event.user_agent) or "unknown browser")
    return ", ".join(parts) or "Unknown"


# What each event code means to clinic staff reading the audit report (the raw code stays one click away).
STAFF_LABELS = {
    Event.LOGIN_SUCCEEDED: "Signed in", Event.LOGIN_FAILED: "Sign-in failed (wrong password)",
    Event.LOCKED_OUT: "Locked out after failed sign-ins", Event.LOGOUT: "Signed out",
    Event.SESSION_EXPIRED: "Signed out for inactivity", Event.OTP_ENROLLED: "Authenticator app set up",
    Event.OTP_FAILED: "Wrong verification code", Event.OTP_SUCCEEDED: "Verification code accepted",
    Event.BACKUP_CODE_USED: "Backup code used", Event.ACCOUNT_ACTIVATED: "Account activated",
    Event.ACTIVATION_FAILED: "Activation failed", Event.PASSWORD_CHANGED: "Password changed",
    Event.CREDENTIALS_ISSUED: "Credentials issued (letter)", Event.ACCOUNT_DISABLED: "Account disabled",
    Event.ACCOUNT_ENABLED: "Account re-enabled", Event.UNLOCKED: "Account unlocked",
    Event.OTP_RESET: "Authenticator reset", Event.SIGNED_OUT_EVERYWHERE: "Signed out on all devices",
    Event.PATIENT_SEARCHED: "Patient search", Event.AUDIT_VIEWED: "Audit report viewed",
    Event.AUDIT_EXPORTED: "Audit report exported", Event.AUDIT_PRUNED: "Old audit events pruned",
    Event.RECORD_VIEWED: "Record viewed", Event.RECORD_PRINTED: "Record printed",
    Event.RECORD_DOWNLOADED: "Record downloaded",
}


def staff_label(code):
    return STAFF_LABELS.get(code, code)


def browser_summary(user_agent):
    """ "Firefox on Windows" from a user-agent string, for a readable table; the raw string is kept beside it."""
    ua = user_agent or ""
    browser = next((name for token, name in (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
                                             ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"))
                    if token in ua), "")
    system = next((name for token, name in (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
                                            ("Windows", "Windows"), ("Mac OS X", "Mac"), ("Linux", "Linux"))
                   if token in ua), "")
    return " on ".join(p for p in (browser, system) if p) or ("Unknown browser" if ua else "")
