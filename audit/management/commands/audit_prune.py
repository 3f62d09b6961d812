"""`manage.py audit_prune --before DATE`: delete events older than DATE, leaving a signed checkpoint.

The chain must verify first (pruning must never destroy evidence of tampering). Events before DATE (a clinic
day; the oldest events, up to the last one before DATE, as one contiguous run) are deleted in one transaction
with the chain head locked; an AuditCheckpoint records the last pruned seq, its MAC and the count, signed with PORTAL_AUDIT_KEY, so the remaining chain still verifies. The prune is
itself an audit event (system.audit_pruned, actor system). DATE must lie before the retention period
(PORTAL_AUDIT_RETENTION_DAYS, default six years: HIPAA's documentation retention) unless --force is given.
Needs DELETE on the audit table: run it with the administrative database account, not the portal's.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from audit import chain, export
from audit.log import Event, record
from audit.models import AuditEvent


class Command(BaseCommand):
    help = "Delete audit events before DATE (clinic day), keeping the remaining chain verifiable."

    def add_arguments(self, parser):
        parser.add_argument("--before", type=export.parse_day,
                            help="delete events before this day, YYYY-MM-DD (default: the retention limit)")
        parser.add_argument("--force", action="store_true", help="allow a date inside the retention period")

    def handle(self, *args, before, force, **options):
        limit = timezone.localdate() - timedelta(days=settings.PORTAL_AUDIT_RETENTION_DAYS)
        before = before or limit
        if before > limit and not force:
            raise CommandError(f"{before} is inside the retention period of {settings.PORTAL_AUDIT_RETENTION_DAYS} "
                               f"days (events before {limit} may be pruned); use --force to override.")
        cutoff = export.day_start(before)
        last = AuditEvent.objects.filter(created_at__lt=cutoff).order_by("-seq").first()
        if last is None:
            self.stdout.write(f"No audit events before {before}; nothing pruned.")
            return
        # Verified before taking the head lock, which would otherwise hold up every page view meanwhile.
        result = chain.verify(until=last.seq)
        if not result.ok:
            raise CommandError(f"Refusing to prune a broken chain: {result.problem}", returncode=1)
        with transaction.atomic(using=chain.DB):
            chain.lock_head()
            count = AuditEvent.objects.filter(seq__lte=last.seq)._prune()[0]
            checkpoint = chain.add_checkpoint(last.seq, last.mac, count)
            record(Event.AUDIT_PRUNED, category="audit", object_ids=[f"through_seq={checkpoint.seq}",
                                                                     f"count={count}"])
        self.stdout.write(f"Pruned {count} audit events before {before} (through seq {checkpoint.seq}); "
                          "checkpoint written.")
