"""`manage.py portal_grants`: the SQL that gives the portal's MySQL/MariaDB account least privilege.

Generated from the models, never hand-written:
- OpenEMR: column-level GRANT SELECT on exactly the columns the records models map (portal/lib/openemr_schema).
  Nothing else: no patient_data.ss, no users.password, no billing amounts, no write of any kind.
- Portal database: SELECT, INSERT, UPDATE, DELETE on each of its tables, except the audit app's tables, which
  get what their model declares in `audit_grants` (default SELECT + INSERT: the log is append-only; the blocks,
  checkpoints and legacy boundary SELECT only), plus NEXTVAL (INSERT) on the audit event id sequence. No UPDATE or
  DELETE on any audit table: appending takes no lock and moves no row (audit/events.py).
- Comments for the migration account (ALL on the portal schema, used by `manage.py migrate` only), the audit
  sealing account (audit_seal/audit_verify: reads the audit tables, INSERT on the blocks only; may live on another
  host) and the audit maintenance account (audit_prune: DELETE on the events, INSERT on the prune checkpoints).
No password is ever printed: the DBA creates the accounts with their own.
"""

import re

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import router

from portal.lib import openemr_schema
from portal.routers import OPENEMR_ALIAS

PORTAL_DML = ("SELECT", "INSERT", "UPDATE", "DELETE")
AUDIT_APP = "audit"
AUDIT_DEFAULT_GRANTS = ("SELECT", "INSERT")
# Ids of audit events come from this SEQUENCE (migration audit 0003); NEXTVAL needs INSERT on it.
AUDIT_SEQUENCE = "audit_event_id"
# The sealing account reads every audit table and adds blocks (audit/seal.py); nothing else.
SEALED_TABLES = {"audit.auditblock"}
# The maintenance account (audit_prune) additionally deletes events and adds checkpoints (legacy and new).
PRUNED_TABLES = {"audit.auditevent"}
CHECKPOINT_TABLES = {"audit.auditcheckpoint", "audit.auditprunecheckpoint"}
_ALLOWED_AUDIT_PRIVILEGES = {"SELECT", "INSERT", "UPDATE", "DELETE"}
_ACCOUNT_PART = re.compile(r"^[A-Za-z0-9_.%:/-]{1,80}$")  # also 10.0.0.0/255.255.255.0 and IPv6
_DATABASE = re.compile(r"^[A-Za-z0-9_$]{1,64}$")


def quote_name(name):
    return "`" + name.replace("`", "``") + "`"


def account(user, host):
    return f"'{user}'@'{host}'"


def openemr_grant_statements(database, user, host):
    """One column-level GRANT SELECT per mapped OpenEMR table."""
    to = account(user, host)
    return [
        f"GRANT SELECT ({', '.join(quote_name(c) for c in columns)}) ON {quote_name(database)}.{quote_name(table)} "
        f"TO {to};"
        for table, columns in openemr_schema.mapped_tables().items()
    ]


def portal_models():
    """Models whose tables live in the portal database (migrated there), including auto-created M2M tables."""
    models = [
        model for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and router.allow_migrate_model("default", model)
    ]
    return sorted(models, key=lambda m: m._meta.db_table)


def audit_privileges(model):
    """The privileges the portal's runtime account gets on an audit table."""
    declared = getattr(model, "audit_grants", None)
    if declared is None:
        declared = AUDIT_DEFAULT_GRANTS
    privileges = tuple(p.upper() for p in declared)
    unknown = set(privileges) - _ALLOWED_AUDIT_PRIVILEGES
    if unknown:
        raise CommandError(f"{model._meta.label}.audit_grants names unknown privileges: {sorted(unknown)}")
    return tuple(p for p in PORTAL_DML if p in privileges)


def portal_table_privileges(audit_only=False):
    """[(table, privileges)] for the portal's runtime account (audit_only: just the audit app's tables)."""
    result = []
    for model in portal_models():
        if model._meta.app_label == AUDIT_APP:
            result.append((model._meta.db_table, audit_privileges(model)))
        elif not audit_only:
            result.append((model._meta.db_table, PORTAL_DML))
    return result


def portal_grant_statements(database, user, host, audit_only=False):
    to = account(user, host)
    return [
        f"GRANT {', '.join(privileges)} ON {quote_name(database)}.{quote_name(table)} TO {to};"
        for table, privileges in portal_table_privileges(audit_only)
    ] + [f"GRANT SELECT, INSERT ON {quote_name(database)}.{quote_name(AUDIT_SEQUENCE)} TO {to};"]


def _audit_models():
    return [m for m in portal_models() if m._meta.app_label == AUDIT_APP]


def sealing_grant_statements(database, user, host):
    """audit_seal and audit_verify: read the audit tables, add blocks."""
    to = account(user, host)
    return [
        f"GRANT {'SELECT, INSERT' if m._meta.label_lower in SEALED_TABLES else 'SELECT'} ON "
        f"{quote_name(database)}.{quote_name(m._meta.db_table)} TO {to};"
        for m in _audit_models()
    ]


def maintenance_grant_statements(database, user, host):
    """audit_prune: the runtime account's audit rights (it audits itself), DELETE on events, INSERT on checkpoints."""
    to = account(user, host)
    extra = [
        f"GRANT {'DELETE' if m._meta.label_lower in PRUNED_TABLES else 'INSERT'} ON "
        f"{quote_name(database)}.{quote_name(m._meta.db_table)} TO {to};"
        for m in _audit_models() if m._meta.label_lower in PRUNED_TABLES | CHECKPOINT_TABLES
    ]
    return portal_grant_statements(database, user, host, True) + extra


def _configured_name(alias):
    return settings.DATABASES[alias].get("NAME") or ""


class Command(BaseCommand):
    help = "Print the SQL (grants) for the portal's least-privileged MySQL/MariaDB account."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--user", default="portal", help="account name (default: portal)")
        parser.add_argument("--host", default="%", help="account host (default: %%); e.g. the DMZ host's address")
        parser.add_argument("--openemr-db", default=None,
                            help="OpenEMR schema (default: the database of OPENEMR_DATABASE_URL)")
        parser.add_argument("--portal-db", default=None,
                            help="portal schema (default: the database of PORTAL_DATABASE_URL)")

    def handle(self, *args, user, host, openemr_db, portal_db, **options):
        openemr_db = openemr_db or _configured_name(OPENEMR_ALIAS)
        portal_db = portal_db or _configured_name("default")
        for label, value, pattern in (("--user", user, _ACCOUNT_PART), ("--host", host, _ACCOUNT_PART),
                                      ("--openemr-db", openemr_db, _DATABASE), ("--portal-db", portal_db, _DATABASE)):
            if not pattern.match(value or ""):
                raise CommandError(f"{label} {value!r} is not a plain name.")
        if openemr_db == portal_db:
            raise CommandError("The portal database must be a schema of its own, not OpenEMR's.")
        self.stdout.write("\n".join(self.lines(user, host, openemr_db, portal_db)) + "\n")

    def lines(self, user, host, openemr_db, portal_db):
        to = account(user, host)
        out = [
            "-- Least-privilege grants for the OpenEMR patient portal, generated by `manage.py portal_grants`",
            "-- from the portal's models. Re-run and re-apply after every portal upgrade.",
            "--",
            "-- 1. Create the runtime account yourself, with a password of your own (none is printed here):",
            f"--      CREATE USER IF NOT EXISTS {to} IDENTIFIED BY '<password>';",
            "--    Add REQUIRE SSL unless it connects through an SSH tunnel or a local socket.",
            "--    To start from a clean slate (removes every privilege this account has now):",
            f"--      REVOKE ALL PRIVILEGES, GRANT OPTION FROM {to};",
            "-- 2. Migrate the portal database (with the migration account below) before running these, since",
            "--    table grants need the tables to exist. A GRANT naming a column your OpenEMR version lacks",
            "--    fails: `manage.py portal_check` lists such columns and the OpenEMR version that added them.",
            "",
            f"-- OpenEMR ({openemr_db}): SELECT on exactly the columns the portal shows or joins on. Nothing else.",
            *openemr_grant_statements(openemr_db, user, host),
            "",
            f"-- Portal database ({portal_db}): data rights on its own tables. The audit tables are append-only:",
            "-- no UPDATE or DELETE on the audit events, so a breached portal cannot rewrite its own audit trail.",
            *portal_grant_statements(portal_db, user, host),
            "",
            "-- Migration account: used ONLY to run `manage.py migrate` (e.g. during an upgrade, with",
            "-- PORTAL_DATABASE_URL pointing at it for that one command), never by the running portal.",
            "-- It has no rights on OpenEMR's schema at all.",
            f"--   CREATE USER IF NOT EXISTS '{user}_migrate'@'localhost' IDENTIFIED BY '<another password>';",
            f"--   GRANT ALL PRIVILEGES ON {quote_name(portal_db)}.* TO '{user}_migrate'@'localhost';",
            "",
            "-- Audit sealing account: used ONLY by `manage.py audit_seal` and `audit_verify` (the systemd timer),",
            "-- on the portal host or on a sealing host that holds PORTAL_AUDIT_SEAL_KEY (deploy/README.md). It reads",
            "-- the audit tables and adds sealed blocks; it cannot add, change or delete an event:",
            f"--   CREATE USER IF NOT EXISTS '{user}_seal'@'localhost' IDENTIFIED BY '<a fourth password>';",
            *[f"--   {stmt}" for stmt in sealing_grant_statements(portal_db, f"{user}_seal", "localhost")],
            "",
            "-- Audit maintenance account: used ONLY by `manage.py audit_prune` (retention), from a trusted host.",
            "-- It needs the runtime account's rights on the audit tables, DELETE on the events it prunes and",
            "-- INSERT on the prune checkpoints it leaves:",
            f"--   CREATE USER IF NOT EXISTS '{user}_audit'@'localhost' IDENTIFIED BY '<a third password>';",
            *[f"--   {stmt}" for stmt in maintenance_grant_statements(portal_db, f"{user}_audit", "localhost")],
        ]
        return out
