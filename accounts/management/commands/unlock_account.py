"""Clear failed sign-ins (lockout) for a patient's portal username."""

from accounts import services
from accounts.management.commands._account_command import AccountCommand


class Command(AccountCommand):
    help = "Clear failed sign-ins (lockout) for a patient's portal username."

    def handle(self, *args, **options):
        account = self.account(options)
        services.unlock_account(account, actor=self.actor(options))
        self.stdout.write("Failed sign-ins are cleared.")
