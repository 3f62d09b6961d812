"""Enable a disabled patient portal account."""

from accounts import services
from accounts.management.commands._account_command import AccountCommand


class Command(AccountCommand):
    help = "Enable a disabled patient portal account."

    def handle(self, *args, **options):
        account = self.account(options)
        services.enable_account(account, actor=self.actor(options))
        self.stdout.write("The account is enabled.")
