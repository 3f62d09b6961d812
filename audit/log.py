"""The one way to write an audit event.

    from audit.log import Event, record, record_view
    record(Event.LOGIN_SUCCEEDED, request=request, actor=user, pid=pid)
    record_view(request, "visit", [encounter_number])   # before rendering any PHI page

Both commit the event before returning and raise AuditWriteError (-> 503 page) if that fails: fail closed.
Called inside a caller's transaction.atomic block, the event joins that transaction and commits (or rolls back)
with the caller's change. Every event is one self-signed INSERT (audit/events.py), later sealed into signed
blocks by audit_seal (audit/seal.py). Never pass PHI: codes, ids and categories only.
"""

from django.db import DatabaseError, models

from portal.middleware import DatabaseUnavailable


class AuditWriteError(DatabaseUnavailable):
    """The audit event could not be committed: the caller must not send PHI."""


class Event(models.TextChoices):
    LOGIN_SUCCEEDED = "auth.login.succeeded"
    LOGIN_FAILED = "auth.login.failed"
    LOCKED_OUT = "auth.locked_out"
    LOGOUT = "auth.logout"
    SESSION_EXPIRED = "auth.session_expired"
    OTP_ENROLLED = "otp.enrolled"
    OTP_FAILED = "otp.failed"
    OTP_SUCCEEDED = "otp.succeeded"
    BACKUP_CODES_REGENERATED = "otp.backup_codes_regenerated"
    BACKUP_CODE_USED = "otp.backup_code_used"
    ACCOUNT_ACTIVATED = "account.activated"
    ACTIVATION_FAILED = "account.activation_failed"
    PASSWORD_CHANGED = "account.password_changed"
    CREDENTIALS_ISSUED = "staff.credentials_issued"
    ACCOUNT_DISABLED = "staff.account_disabled"
    ACCOUNT_ENABLED = "staff.account_enabled"
    UNLOCKED = "staff.unlocked"
    OTP_RESET = "staff.otp_reset"
    SIGNED_OUT_EVERYWHERE = "staff.signed_out_everywhere"
    PATIENT_SEARCHED = "staff.patient_searched"
    PATIENT_VIEWED = "staff.patient_viewed"
    ACCOUNTS_LISTED = "staff.accounts_listed"
    AUDIT_VIEWED = "staff.audit_viewed"
    AUDIT_EXPORTED = "staff.audit_exported"
    AUDIT_PRUNED = "system.audit_pruned"
    RECORD_VIEWED = "record.viewed"
    RECORD_PRINTED = "record.printed"
    RECORD_DOWNLOADED = "record.downloaded"


def _actor(actor, request):
    user = actor if actor is not None else getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous" if request is not None else "system", ""
    if hasattr(user, "patient_account"):
        return "patient", str(user.pk)
    return ("staff" if user.is_staff else "user"), str(user.pk)


def record(code, *, request=None, actor=None, pid=None, category="", object_ids=(), outcome="success"):
    """Commit one audit event now (its own transaction unless the caller's atomic block holds it)."""
    from audit import events
    from portal.lib.client_ip import client_ip

    actor_type, actor_id = _actor(actor, request)
    try:
        # Values are normalised to what the database gives back, so the signed content round-trips exactly.
        return events.append(
            code=str(code)[:64], actor_type=actor_type, actor_id=actor_id[:150],
            pid=None if pid is None else int(pid), category=str(category)[:40],
            object_ids=",".join(str(i) for i in object_ids)[:255], outcome=str(outcome)[:20],
            client_ip=client_ip(request)[:45] if request is not None else "",
            user_agent=(request.META.get("HTTP_USER_AGENT", "")[:120] if request is not None else ""),
            request_id=str(getattr(request, "request_id", ""))[:64],
        )
    except DatabaseError as exc:
        raise AuditWriteError("audit write failed") from exc


def record_view(request, category, object_ids=(), code=Event.RECORD_VIEWED):
    """Record that the signed-in patient is about to be shown PHI of `category`; call before rendering.
    Marks the request (phi_audited) so that the page furniture may name the patient: an error page drawn after
    a failed audit write, or a 404, never does."""
    event = record(code, request=request, pid=request.patient_pid, category=category, object_ids=object_ids)
    request.phi_audited = True
    return event
