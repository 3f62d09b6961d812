"""Remove a user's authenticator and backup codes.

For a patient a reset letter is printed: its one-time code, with the password, lets the patient set up a new
authenticator at the next sign-in (the password alone never does). For a staff member
(--staff-username) a new authenticator is made at once and its key printed, since staff never enrol online.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from accounts import services
from accounts.letter import letter_text
from accounts.management.commands._account_command import AccountCommand
from accounts.management.commands.create_staff import print_new_authenticator


class Command(AccountCommand):
    help = "Reset the second factor of a patient account (--pid/--username) or a staff user (--staff-username)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--pid", type=int, help="OpenEMR patient_data.pid of the patient.")
        target.add_argument("--username", help="The patient's portal username.")
        target.add_argument("--staff-username", help="A staff user: a new authenticator key is printed.")
        parser.add_argument("--issued-by", dest="actor", metavar="USERNAME",
                            help="The staff member doing this (recorded in the audit log).")

    def handle(self, *args, **options):
        actor = self.actor(options)
        if options.get("staff_username"):
            user = get_user_model().objects.filter(username=options["staff_username"], is_staff=True).first()
            if user is None:
                raise CommandError("There is no staff user with this username.")
            services.reset_second_factor(user, actor=actor)
            print_new_authenticator(self, user)
            return
        account = self.account(options)
        issued = services.reset_second_factor(account.user, actor=actor)
        self.stdout.write(letter_text(issued, kind="reset"))
