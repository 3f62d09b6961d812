"""Database router: OpenEMR is read-only and never migrated.

Every model of the records app lives in OpenEMR's database ("openemr" alias). A write through one of them
raises ReadOnlyOpenEMRError before any SQL is sent; the database grants and the read-only session are the
second and third locks (deploy/README.md).
"""

OPENEMR_ALIAS = "openemr"
OPENEMR_APPS = {"records"}


class ReadOnlyOpenEMRError(RuntimeError):
    """Raised for any attempt to write to OpenEMR's database through the ORM."""


class OpenEMRRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in OPENEMR_APPS:
            return OPENEMR_ALIAS
        return None

    def db_for_write(self, model, **hints):
        if model._meta.app_label in OPENEMR_APPS:
            raise ReadOnlyOpenEMRError(
                f"Refusing to write {model._meta.label}: the portal never writes to OpenEMR's database."
            )
        return None

    def allow_relation(self, obj1, obj2, **hints):
        in_openemr = {obj._meta.app_label in OPENEMR_APPS for obj in (obj1, obj2)}
        return len(in_openemr) == 1  # never relate an OpenEMR row to a portal row through the ORM

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == OPENEMR_ALIAS or app_label in OPENEMR_APPS:
            return False
        return None
