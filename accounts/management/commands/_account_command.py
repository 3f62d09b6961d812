"""Shared by the account commands: find the account by --pid or --username, and the issuing user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.models import PatientAccount


class AccountCommand(BaseCommand):
    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--pid", type=int, help="OpenEMR patient_data.pid of the patient.")
        target.add_argument("--username", help="The portal username.")
        parser.add_argument("--issued-by", dest="actor", metavar="USERNAME",
                            help="The staff member doing this (recorded in the audit log).")

    def account(self, options):
        accounts = PatientAccount.objects.select_related("user")
        account = (accounts.filter(pid=options["pid"]) if options.get("pid") is not None
                   else accounts.filter(user__username=(options.get("username") or "").strip().lower())).first()
        if account is None:
            raise CommandError("There is no portal account for this patient or username.")
        return account

    def actor(self, options):
        if not options.get("actor"):
            return None
        actor = get_user_model().objects.filter(username=options["actor"], is_staff=True).first()
        if actor is None:
            raise CommandError(f"There is no staff user called {options['actor']!r}.")
        return actor
