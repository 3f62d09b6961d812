"""Issue (or re-issue) a patient's portal credentials and print the activation letter to stdout."""

from django.core.management.base import CommandError

from accounts import services
from accounts.letter import letter_text
from accounts.management.commands._account_command import AccountCommand


class Command(AccountCommand):
    help = "Issue or re-issue portal credentials for a patient and print the activation letter."

    def add_arguments(self, parser):
        parser.add_argument("--pid", type=int, required=True, help="OpenEMR patient_data.pid of the patient.")
        parser.add_argument("--issued-by", dest="actor", metavar="USERNAME",
                            help="The staff member issuing the letter (recorded in the audit log).")

    def handle(self, *args, **options):
        try:
            issued = services.issue_credentials(options["pid"], actor=self.actor(options))
        except services.AccountError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(letter_text(issued))
