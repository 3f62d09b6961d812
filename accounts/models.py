"""The portal's credentials table.

Design: Django's own auth.User underneath (so django-otp, django-axes, sessions and password hashing work
unchanged), plus one PatientAccount row per OpenEMR pid that holds the portal-specific lifecycle. Staff are
plain Users with is_staff. A linked table rather than a custom user model keeps staff and patients on one
well-trodden user model, and keeps the pid binding in one small, auditable table.

Ending every session of an account (password change, re-issue, disable, staff "sign out everywhere") uses a
small registry, UserSession: one row per signed-in session, written by a user_logged_in receiver
(accounts.signals) and removed at sign-out. Ending all sessions deletes those sessions from the session store
and the rows. We chose a registry over a "session generation" counter because it removes the sessions
themselves (nothing to compare on every request), works for staff and patients alike, and lets the staff
console show how many sessions an account has.
"""

from django.conf import settings
from django.db import models


class PatientAccount(models.Model):
    class State(models.TextChoices):
        ISSUED = "issued", "Issued, not yet activated"
        ACTIVE = "active", "Active"
        DISABLED = "disabled", "Disabled"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_account")
    pid = models.BigIntegerField(unique=True, help_text="OpenEMR patient_data.pid this account may read.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ISSUED)
    activation_code_hash = models.CharField(max_length=255, blank=True)
    activation_expires_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    # Wrong date-of-birth attempts against the current code: after ACTIVATION_MAX_FAILURES the code stops
    # working (a stolen letter must not allow guessing the birth date, ~36,500 candidates).
    activation_failures = models.PositiveSmallIntegerField(default=0)
    # After staff reset the second factor: a one-time code on a letter; with the password it lets the patient
    # set up a new authenticator (the password alone never does).
    reset_code_hash = models.CharField(max_length=255, blank=True)
    reset_expires_at = models.DateTimeField(null=True, blank=True)

    ACTIVATION_MAX_FAILURES = 5

    class Meta:
        ordering = ["pid"]

    def __str__(self):
        return f"patient account {self.pk} (pid {self.pid})"

    @property
    def is_active(self):
        return self.state == self.State.ACTIVE


class UserSession(models.Model):
    """A signed-in session of a user, so that all of them can be ended at once (see the module docstring)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField()

    def __str__(self):
        return f"session of user {self.user_id}"
