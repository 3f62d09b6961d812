from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal site"

    def ready(self):
        # Registers the database self-checks (run by `manage.py check --database openemr` and portal_check);
        # nothing is queried at import time.
        from portal import checks  # noqa: F401
