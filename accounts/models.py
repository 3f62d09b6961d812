"""The portal's credentials table.

Design: Django's own auth.User underneath (so django-otp, django-axes, sessions and password hashing work
unchanged), plus one PatientAccount row per OpenEMR pid that holds the portal-specific lifecycle. Staff are
plain Users with is_staff. A linked table rather than a custom user model keeps staff and patients on one
well-trodden user model, and keeps the pid binding in one small, auditable table.
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

    class Meta:
        ordering = ["pid"]

    def __str__(self):
        return f"patient account {self.pk} (pid {self.pid})"

    @property
    def is_active(self):
        return self.state == self.State.ACTIVE
