"""Disable a patient's portal account and end its sessions."""

from accounts import services
from accounts.management.commands._account_command import AccountCommand


class Command(AccountCommand):
    help = "Disable a patient's portal account and end its sessions."

    def handle(self, *args, **options):
        account = self.account(options)
        services.disable_account(account, actor=self.actor(options))
        self.stdout.write("The account is disabled.")
