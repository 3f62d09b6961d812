"""`manage.py audit_prune --before DATE`: delete old audit events in bounded batches of whole sealed blocks.

Each batch is its own short transaction: verify the batch's blocks (MACs, chain, events' digests), delete their
events by id range and write a signed prune checkpoint (so the rest still verifies, and a crash between batches
leaves a consistent trail). Page views never wait: appends take no lock the prune holds (new ids lie far above the
pruned range, and READ COMMITTED takes no gap locks). Events of the legacy chain (before migration 0003) go first,
in batches too, leaving legacy checkpoints. Events not yet sealed are never pruned. The prune is itself an
audit event (system.audit_pruned). DATE must lie before the retention period (PORTAL_AUDIT_RETENTION_DAYS,
default six years: HIPAA's documentation retention) unless --force is given. Needs DELETE on the audit events:
run it with the audit maintenance account (portal_grants), not the portal's.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from audit import export, legacy, seal, verify
from audit.log import Event, record
from audit.models import AuditBlock, AuditEvent, AuditLegacyBoundary, AuditPruneCheckpoint


class Command(BaseCommand):
    help = "Delete audit events before DATE (clinic day) in batches of whole sealed blocks, keeping the rest verifiable."

    def add_arguments(self, parser):
        parser.add_argument("--before", type=export.parse_day,
                            help="delete events before this day, YYYY-MM-DD (default: the retention limit)")
        parser.add_argument("--force", action="store_true", help="allow a date inside the retention period")
        parser.add_argument("--batch-events", type=int, default=5000,
                            help="events deleted per transaction, at least one whole block (default 5000)")
        parser.add_argument("--pause", type=float, default=0.0, help="seconds to rest between batches")

    def handle(self, *args, before, force, batch_events, pause, **options):
        limit = timezone.localdate() - timedelta(days=settings.PORTAL_AUDIT_RETENTION_DAYS)
        before = before or limit
        if before > limit and not force:
            raise CommandError(f"{before} is inside the retention period of {settings.PORTAL_AUDIT_RETENTION_DAYS} "
                               f"days (events before {limit} may be pruned); use --force to override.")
        if batch_events < 1 or pause < 0:
            raise CommandError("--batch-events must be at least 1 and --pause at least 0.")
        cutoff = export.day_start(before)
        self.batch_events, self.pause = batch_events, pause
        legacy_count, legacy_seq = self.prune_legacy(cutoff)
        count, through_block = self.prune_blocks(cutoff)
        unsealed = AuditEvent.objects.filter(id__gt=seal.sealed_through()[1], created_at__lt=cutoff).count()
        if unsealed:
            self.stdout.write(f"{unsealed} events before {before} are not sealed yet and were kept: run audit_seal.")
        if not legacy_count and not count:
            self.stdout.write(f"No sealed audit events before {before}; nothing pruned.")
            return
        record(Event.AUDIT_PRUNED, category="audit", object_ids=[
            f"legacy_through_seq={legacy_seq}", f"through_block={through_block}", f"count={legacy_count + count}"])
        self.stdout.write(f"Pruned {legacy_count + count} audit events before {before} ({legacy_count} of the "
                          f"legacy chain, {count} in sealed blocks through block {through_block}); "
                          "checkpoint written.")

    def batch_done(self, text):
        self.stdout.write(text)
        self.stdout.flush()
        if self.pause:
            time.sleep(self.pause)

    def prune_legacy(self, cutoff):
        """The legacy chain's old events, in batches of seq ranges, each leaving a legacy checkpoint."""
        boundary = AuditLegacyBoundary.objects.order_by("pk").first()
        last = AuditEvent.objects.filter(seq__isnull=False, created_at__lt=cutoff).order_by("-seq").first()
        if boundary is None or last is None:
            return 0, 0
        result = legacy.verify(boundary)
        if not result.ok:
            raise CommandError(f"Refusing to prune a broken chain: legacy chain: {result.problem}", returncode=1)
        total, seq = 0, result.checkpoint.seq if result.checkpoint else 0
        while seq < last.seq:
            upto = min(seq + self.batch_events, last.seq)
            with transaction.atomic():
                end = AuditEvent.objects.get(seq=upto)
                count = AuditEvent.objects.filter(seq__isnull=False, seq__gt=seq, seq__lte=upto)._prune()[0]
                legacy.add_checkpoint(upto, end.mac, count)
            total, seq = total + count, upto
            self.batch_done(f"Pruned legacy events through seq {seq} ({total} so far).")
        return total, seq

    def prune_blocks(self, cutoff):
        """Whole sealed blocks whose every event is older than cutoff, in batches of about batch_events."""
        legacy_last = seal.legacy_last_id()
        first_kept = AuditEvent.objects.filter(id__gt=legacy_last, created_at__gte=cutoff).order_by("id") \
            .values_list("id", flat=True).first()
        checkpoint = AuditPruneCheckpoint.objects.order_by("-through_block").first()
        done = checkpoint.through_block if checkpoint else 0
        total = 0
        while True:
            candidates = AuditBlock.objects.filter(number__gt=done).order_by("number")
            if first_kept is not None:
                candidates = candidates.filter(last_id__lt=first_kept)
            batch, size = [], 0
            for block in candidates[:1000]:
                if batch and size + block.count > self.batch_events:
                    break
                batch.append(block)
                size += block.count
            if not batch:
                return total, done
            previous = AuditBlock.objects.filter(number=batch[0].number - 1).first()
            prev_mac, prev_last = (previous.mac, previous.last_id) if previous else ("", legacy_last)
            start = prev_last
            # Checked before the transaction (reads only), so the transaction itself is just the delete and the
            # checkpoint: short, and holding row locks only on events nobody else touches.
            for block in batch:
                problem, _count = verify.check_block(block, block.number, prev_mac, prev_last, None, 2000)
                if problem:
                    raise CommandError(f"Refusing to prune a broken chain: {problem}", returncode=1)
                prev_mac, prev_last = block.mac, block.last_id
            with transaction.atomic():
                count = AuditEvent.objects.filter(id__gt=start, id__lte=batch[-1].last_id)._prune()[0]
                if count != size:  # changed since the check above: stop rather than delete unverified events
                    raise CommandError(f"Refusing to prune: blocks {batch[0].number}..{batch[-1].number} changed "
                                       "while pruning.", returncode=1)
                seal.add_prune_checkpoint(batch[-1].number, batch[-1].last_id, count)
            total, done = total + count, batch[-1].number
            self.batch_done(f"Pruned blocks through {done} ({total} events so far).")
