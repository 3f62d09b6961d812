"""The append-only audit table, its sealed blocks, prune checkpoints and the legacy chain's boundary.

Tamper evidence (audit/events.py, audit/seal.py, audit/verify.py): every event carries its own
`mac` = HMAC-SHA256(PORTAL_AUDIT_KEY, canonical content including its id); no lock, no UPDATE. audit_seal later
chains committed events in id order into AuditBlocks signed with PORTAL_AUDIT_SEAL_KEY, and writes the newest
block's number and MAC outside the database (the anchor), so gaps, truncation and erasure are detected too.

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
    # Assigned from the audit_event_id sequence before the INSERT (audit/events.py), so the MAC can cover it.
    # Ids increase with allocation time but rows may commit out of order, and rolled-back ids leave gaps.
    id = models.BigIntegerField(primary_key=True)
    # Only events of the legacy chain (before migration 0003) have seq and prev_mac; new events leave them
    # NULL/empty and sign themselves alone.
    seq = models.BigIntegerField(unique=True, null=True, blank=True)
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
        ordering = ["id"]

    def __str__(self):
        return f"audit event {self.id} {self.code}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only.")
        kwargs["force_insert"] = True
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only; use the audit_prune command.")


class AuditLegacyBoundary(models.Model):
    """Written once by migration 0003: where the old hash chain (seq/prev_mac, one locked head row) ends.

    Events with id <= last_id verify under the old scheme up to (last_seq, last_mac); later ones are
    self-signed and sealed into AuditBlocks. `signature` (PORTAL_AUDIT_KEY) stops the boundary being moved.
    """

    last_id = models.BigIntegerField()
    last_seq = models.BigIntegerField()
    last_mac = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=64)

    audit_grants = ("SELECT",)

    def __str__(self):
        return f"legacy audit chain through id {self.last_id}"


class AuditBlock(models.Model):
    """A sealed run of committed events (audit_seal): every event with first_id <= id <= last_id.

    `digest` is SHA-256 over each event's id, signed content and MAC in id order, so a deleted, inserted or
    edited event changes it; `mac` = HMAC(PORTAL_AUDIT_SEAL_KEY, number, ids, count, digest, prev_mac), and
    prev_mac is the previous block's mac: blocks form a chain that a holder of the event key alone cannot forge.
    Blocks are never deleted, not even by audit_prune (they are small and prove what was pruned).
    """

    number = models.BigIntegerField(unique=True)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField(unique=True)
    count = models.BigIntegerField()
    digest = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()
    prev_mac = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64)

    # Read by the runtime account (the report); written only by audit_seal's account.
    audit_grants = ("SELECT",)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"audit block {self.number} (ids {self.first_id}..{self.last_id})"


class AuditPruneCheckpoint(models.Model):
    """Left by each batch of audit_prune: the events of blocks 1..through_block (and the legacy chain) are gone.

    Signed with the sealing key over its fields and the previous checkpoint's signature (a chain of its own).
    """

    created_at = models.DateTimeField()
    through_block = models.BigIntegerField(unique=True)
    through_id = models.BigIntegerField()
    pruned_count = models.BigIntegerField()
    prev_signature = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=64)

    audit_grants = ("SELECT",)

    class Meta:
        ordering = ["through_block"]

    def __str__(self):
        return f"audit prune checkpoint through block {self.through_block}"


class AuditCheckpoint(models.Model):
    """Legacy chain only (before migration 0003). Left by the old audit_prune: the chain continues from `mac` of the last pruned event `seq`.

    `signature` is an HMAC over these fields and the previous checkpoint's signature, so checkpoints form a
    chain of their own and cannot be edited, forged or removed without audit_verify noticing.
    """

    created_at = models.DateTimeField()
    seq = models.BigIntegerField(unique=True)
    mac = models.CharField(max_length=64)
    pruned_count = models.BigIntegerField()
    prev_signature = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=64)

    audit_grants = ("SELECT",)  # no longer written: the legacy chain is closed

    class Meta:
        ordering = ["seq"]

    def __str__(self):
        return f"audit checkpoint at {self.seq}"
