"""`manage.py audit_export --since DATE --until DATE --format csv|jsonl [--output FILE]` (dates: clinic days)."""

from django.core.management.base import BaseCommand, CommandError

from audit import export
from audit.log import Event, record


class Command(BaseCommand):
    help = "Export audit events (inclusive clinic-local dates) as CSV or JSON lines, to stdout or a file."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=export.parse_day, help="first day, YYYY-MM-DD")
        parser.add_argument("--until", type=export.parse_day, help="last day (inclusive), YYYY-MM-DD")
        parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
        parser.add_argument("--output", help="write to this file instead of stdout")

    def handle(self, *args, since, until, format, output, **options):
        if since and until and since > until:
            raise CommandError("--since is after --until.")
        # The export is itself audited (actor: system), before any event leaves the database.
        record(Event.AUDIT_EXPORTED, category="audit", object_ids=[f"since={since or ''}", f"until={until or ''}",
                                                                   f"format={format}"])
        rows = export.iter_events(export.filtered(since=since, until=until))
        lines = export.csv_lines(rows) if format == "csv" else export.jsonl_lines(rows)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.writelines(lines)
        else:
            try:
                for line in lines:
                    self.stdout.write(line, ending="")
            except BrokenPipeError:  # e.g. piped into `head`: the reader has all it wanted
                pass
