"""`migrate`, refusing OpenEMR's database outright.

The router already refuses every migration on the "openemr" alias, but Django's migration recorder would
still try to create its django_migrations table there. The portal must never create anything in OpenEMR.
"""

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as MigrateCommand

from portal.routers import OPENEMR_ALIAS


class Command(MigrateCommand):
    def handle(self, *args, **options):
        if options["database"] == OPENEMR_ALIAS:
            raise CommandError(
                "The portal never migrates OpenEMR's database; migrate only the portal database (default)."
            )
        return super().handle(*args, **options)
