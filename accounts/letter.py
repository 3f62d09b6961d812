"""The clinic's letters: the same words on the printable page and from the management commands.

kind "activation": a new account (or a re-issue); kind "reset": the authenticator was reset, and the code lets
the patient set up a new one after their password.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from records.identity import patient_identity


def letter_context(issued, kind="activation"):
    """Everything the letter shows; the code is only ever in memory, never stored."""
    identity = patient_identity(issued.account.pid)
    return {
        "kind": kind,
        "login_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("accounts:login"),
        "clinic_name": settings.PORTAL_CLINIC_NAME,
        "clinic_phone": settings.PORTAL_CLINIC_PHONE,
        "clinic_address": settings.PORTAL_CLINIC_ADDRESS,
        "portal_url": settings.PORTAL_BASE_URL.rstrip("/") + "/",
        "activate_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("accounts:activate"),
        "patient_name": f"{identity.fname} {identity.lname}".strip() if identity else "",
        "username": issued.username,
        "code": issued.code,
        "expires_at": issued.expires_at,
        "expires_on": dateformat.format(timezone.localtime(issued.expires_at), settings.PORTAL_DATE_FORMAT),
        "expires_time": dateformat.format(timezone.localtime(issued.expires_at), settings.PORTAL_TIME_FORMAT),
        "activation_days": settings.PORTAL_ACTIVATION_DAYS,
    }


def letter_text(issued, kind="activation"):
    return render_to_string("accounts/letter.txt", letter_context(issued, kind))
