"""The append-only audit table, its chain head and its pruning checkpoints.

Tamper evidence (audit/chain.py): every event carries `mac` = HMAC-SHA256(PORTAL_AUDIT_KEY, canonical event
content + `prev_mac`), where `prev_mac` is the MAC of the event before it, so the events form one chain in
`seq` order. `id` is always equal to `seq` (both are signed), so a row moved to another place in the chain is
recognisable. Appends are serialised by locking the single AuditChainHead row (audit/chain.py).

Append-only in the ORM too: an existing event cannot be saved again, and AuditEvent querysets refuse update()
and delete(); the only deletion is audit_prune, which leaves a signed AuditCheckpoint behind. The database
grants (INSERT, SELECT only for the portal account) are the real lock; this catches mistakes in our code.
"""

from django.db import models


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only; use the audit_prune command.")

    def _prune(self):
        """Delete for audit_prune only (which writes the signed checkpoint in the same transaction)."""
        return models.QuerySet.delete(self)


class AuditEvent(models.Model):
    # id == seq, assigned under the chain-head lock (never by auto-increment).
    id = models.BigIntegerField(primary_key=True)
    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    code = models.CharField(max_length=64, db_index=True)
    actor_type = models.CharField(max_length=10)  # patient / staff / user / system / anonymous
    actor_id = models.CharField(max_length=150, blank=True, db_index=True)
    pid = models.BigIntegerField(null=True, blank=True, db_index=True)
    category = models.CharField(max_length=40, blank=True)
    object_ids = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=20, default="success")
    client_ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=120, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_mac = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()
    # What the portal's runtime account may do to this table (portal_grants): append and read, nothing else.
    audit_grants = ("SELECT", "INSERT")

    class Meta:
        ordering = ["seq"]

    def __str__(self):
        return f"audit event {self.seq} {self.code}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only.")
        kwargs["force_insert"] = True
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only; use the audit_prune command.")


class AuditChainHead(models.Model):
    """Exactly one row (pk 1): the last appended event's seq and MAC. Locked FOR UPDATE by every append."""

    seq = models.BigIntegerField(default=0)
    mac = models.CharField(max_length=64, blank=True)

    # Every append moves this one row; INSERT recreates it on a fresh (or test-flushed) database.
    audit_grants = ("SELECT", "INSERT", "UPDATE")

    def __str__(self):
        return f"audit chain head at {self.seq}"


class AuditCheckpoint(models.Model):
    """Left by audit_prune: the chain continues from `mac` of the last pruned event `seq`.

    `signature` is an HMAC over these fields and the previous checkpoint's signature, so checkpoints form a
    chain of their own and cannot be edited, forged or removed without audit_verify noticing.
    """

    created_at = models.DateTimeField()
    seq = models.BigIntegerField(unique=True)
    mac = models.CharField(max_length=64)
    pruned_count = models.BigIntegerField()
    prev_signature = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=64)

    audit_grants = ("SELECT", "INSERT")  # written by audit_prune, whose maintenance account also has DELETE

    class Meta:
        ordering = ["seq"]

    def __str__(self):
        return f"audit checkpoint at {self.seq}"
