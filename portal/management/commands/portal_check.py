"""`manage.py portal_check`: the portal's database self-checks; exit status 1 if the portal must not serve.

Run by systemd before gunicorn starts (ExecStartPre). What is checked: portal/checks.py.
"""

from django.core import checks
from django.core.management.base import BaseCommand, CommandError

from portal.checks import run_portal_checks

LEVEL_NAMES = {checks.DEBUG: "DEBUG", checks.INFO: "INFO", checks.WARNING: "WARNING", checks.ERROR: "ERROR",
               checks.CRITICAL: "CRITICAL"}


class Command(BaseCommand):
    help = ("Check that the OpenEMR columns the portal maps exist, that the OpenEMR account cannot write, and "
            "that connections configured for TLS use it. Exit status 1 on any error.")
    requires_system_checks = []  # this command IS the check; do not fail before printing our own findings

    def handle(self, *args, **options):
        messages = run_portal_checks()
        errors = [m for m in messages if m.is_serious()]
        for message in messages:
            stream = self.stderr if message.is_serious() else self.stdout
            line = f"{LEVEL_NAMES.get(message.level, message.level)} {message.id}: {message.msg}"
            if message.hint:
                line += f"\n    hint: {message.hint}"
            stream.write(line)
        if errors:
            raise CommandError(f"portal_check failed with {len(errors)} error(s): the portal must not serve.")
        self.stdout.write(f"portal_check passed ({len(messages)} note(s)).")
