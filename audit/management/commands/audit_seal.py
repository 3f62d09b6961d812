"""`manage.py audit_seal`: chain committed audit events into signed blocks and write the anchor.

Run by deploy/systemd/openemr-portal-audit-seal.timer every few minutes, on the portal host (one host) or on a
sealing host holding PORTAL_AUDIT_SEAL_KEY (two hosts). Seals only up to a safe horizon (audit/seal.py): events
of still-open transactions are left for the next run. Prints one line per block, then the anchor, which also goes
to syslog/the journal and is appended to --anchor-file (default PORTAL_AUDIT_ANCHOR_FILE).
Exit status 0 when everything up to the horizon was sealed (or nothing was due), 3 if an open transaction
stopped the run early (the next run continues).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit import seal
from audit.models import AuditBlock


class Command(BaseCommand):
    help = "Seal committed audit events into signed blocks (id order) and record the newest block as the anchor."

    def add_arguments(self, parser):
        parser.add_argument("--grace", type=float, default=5.0,
                            help="seconds to wait for ids already handed out to reach the table (default 5)")
        parser.add_argument("--lock-wait", type=int, default=10,
                            help="seconds to wait for an open transaction holding an event (default 10)")
        parser.add_argument("--block-events", type=int, default=seal.DEFAULT_BLOCK_EVENTS,
                            help="events per block at most (default %(default)s)")
        parser.add_argument("--anchor-file", default=None,
                            help="append the anchor line to this file (default: PORTAL_AUDIT_ANCHOR_FILE)")

    def handle(self, *args, grace, lock_wait, block_events, anchor_file, **options):
        if grace < 0 or lock_wait < 1 or block_events < 1:
            raise CommandError("--grace must be >= 0, --lock-wait and --block-events >= 1.")
        anchor_file = anchor_file if anchor_file is not None else settings.PORTAL_AUDIT_ANCHOR_FILE

        def progress(block):
            self.stdout.write(f"Sealed block {block.number}: {block.count} events (ids {block.first_id}.."
                              f"{block.last_id}).")

        result = seal.seal(grace=grace, lock_wait=lock_wait, block_events=block_events, progress=progress)
        newest = AuditBlock.objects.order_by("-number").first()
        if newest is not None:
            try:
                line = seal.write_anchor(newest, anchor_file or None)
            except OSError as exc:
                raise CommandError(f"Sealed {len(result.blocks)} blocks but could not write the anchor file "
                                   f"{anchor_file}: {exc.strerror}") from None
            self.stdout.write(f"Anchor: {line}")
        if not result.blocks:
            self.stdout.write("Nothing to seal." if not result.stopped else "Nothing sealed.")
        if result.stopped:
            raise CommandError(f"Stopped early: {result.stopped}.", returncode=3)
