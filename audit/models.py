"""The append-only audit table (tamper evidence is added by the audit work)."""

from django.db import models


class AuditEvent(models.Model):
    created_at = models.DateTimeField(db_index=True)
    code = models.CharField(max_length=64, db_index=True)
    actor_type = models.CharField(max_length=10)  # patient / staff / system / anonymous
    actor_id = models.CharField(max_length=150, blank=True)
    pid = models.BigIntegerField(null=True, blank=True, db_index=True)
    category = models.CharField(max_length=40, blank=True)
    object_ids = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=20, default="success")
    client_ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=120, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
