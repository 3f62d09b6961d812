"""`manage.py audit_verify`: walk the audit chain; exit 0 with the count if intact, 1 naming the first bad event."""

from django.core.management.base import BaseCommand, CommandError

from audit import chain


class Command(BaseCommand):
    help = "Verify the audit log's HMAC chain (and its prune checkpoints)."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000, help="events read per query (memory bound)")

    def handle(self, *args, chunk_size, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        result = chain.verify(chunk_size=chunk_size)
        if not result.ok:
            raise CommandError(f"Audit chain BROKEN: {result.problem}", returncode=1)
        anchor = f" after checkpoint at seq {result.checkpoint.seq}" if result.checkpoint else ""
        span = f" (seq {result.first_seq}..{result.last_seq})" if result.count else ""
        self.stdout.write(f"Audit chain intact: {result.count} events{span}{anchor}.")
