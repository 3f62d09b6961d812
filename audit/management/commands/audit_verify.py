"""`manage.py audit_verify [--anchor FILE]`: verify the audit trail; exit 0 with counts if intact, 1 naming the
first bad event or block. With --anchor (a file audit_seal appended to, kept where the database cannot rewrite
it), a chain that ends before the anchor's block, or is empty, fails too."""

from django.core.management.base import BaseCommand, CommandError

from audit import seal, verify


class Command(BaseCommand):
    help = "Verify the audit trail: every event's MAC, the sealed blocks, prune checkpoints and the legacy chain."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000, help="events read per query (memory bound)")
        parser.add_argument("--anchor", help="anchor file written by audit_seal: the chain must reach its block")

    def handle(self, *args, chunk_size, anchor, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        wanted = None
        if anchor:
            try:
                wanted = seal.read_anchor(anchor)
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read the anchor {anchor}: {exc}", returncode=2) from None
        result = verify.verify(chunk_size=chunk_size, anchor=wanted)
        if not result.ok:
            raise CommandError(f"Audit trail BROKEN: {result.problem}", returncode=1)
        against = f"; reaches the anchor's block {wanted['block']}" if wanted else ""
        self.stdout.write(f"Audit trail intact: {result.summary()}{against}.")
