"""Fill an OpenEMR-shaped database with synthetic patients (the demo's SQLite, or MariaDB for benchmarks).

    manage.py fake_openemr --patients 200 --seed 2026 --create-schema
    manage.py fake_openemr --patients 20000 --database-url mysql://root@127.0.0.1:3307/bench --create-schema

Deterministic: the same --seed and --today give the same rows. The portal's own "openemr" connection is
read-only (router, READ ONLY session, grants), so this command opens a separate writable connection with the
same settings (or --database-url) and writes raw SQL in batches. It refuses a database that already holds
patients unless --force, which first empties the tables it fills: never run it against a real OpenEMR.
"""

import datetime
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from devtools.sqlscript import OPENEMR_DDL, split_sql
from devtools.fakedata import Generator, GeneratorOptions, TableWriter
from devtools.fakedata.generator import TABLES

WRITER_ALIAS = "fake_openemr_writer"
# Tables made from the records models that, like OpenEMR's, have no primary key although the model needs one.
NO_PRIMARY_KEY = {"form_care_plan": "id"}


class Command(BaseCommand):
    help = "Generate synthetic OpenEMR data (deterministic for a seed). Never run it against a real OpenEMR."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, required=True, help="number of patients (pids 1..N)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="anchor date YYYY-MM-DD for all relative dates (default: today)")
        parser.add_argument("--heavy-pid", type=int, default=2, help="the patient with thousands of visits (0: none)")
        parser.add_argument("--heavy-encounters", type=int, default=2000)
        parser.add_argument("--create-schema", action="store_true",
                            help="create the tables first (MySQL: tests/sql/openemr.sql; SQLite: from the models)")
        parser.add_argument("--database", default="openemr", help="connection alias whose settings to use")
        parser.add_argument("--database-url", default="",
                            help="write here instead of the alias (mysql://... or sqlite:////abs/path)")
        parser.add_argument("--force", action="store_true",
                            help="DELETE every row of the tables this command fills, even if patients exist")
        parser.add_argument("--batch-size", type=int, default=1000, help="rows per INSERT batch")
        parser.add_argument("--commit-every", type=int, default=250, help="patients per transaction")

    def handle(self, *args, **options):
        if options["patients"] < 1:
            raise CommandError("--patients must be at least 1.")
        verbosity = options["verbosity"]
        started = time.monotonic()
        connection = self._writable_connection(options["database"], options["database_url"])
        try:
            target = self._describe(connection)
            if connection.vendor == "mysql":
                self.stderr.write(self.style.WARNING(
                    f"*** fake_openemr writes SYNTHETIC patients into {target}. It is for demos and benchmarks: "
                    "never point it at a real OpenEMR database. ***"))
            # Look before touching anything: --create-schema drops and recreates the tables it fills.
            self._check_target(connection, options["force"], options["create_schema"], target)
            if options["create_schema"]:
                self._create_schema(connection)
            counts = self._generate(connection, options, verbosity)
        finally:
            self._forget_connection()
        if verbosity:
            total = sum(counts.values())
            self.stdout.write(f"fake_openemr: {total:,} rows in {time.monotonic() - started:.1f}s into {target}")
            if verbosity > 1:
                for table in TABLES:
                    self.stdout.write(f"  {table:34} {counts.get(table, 0):>10,}")

    # --- connection ---------------------------------------------------------------------------------------
    def _writable_connection(self, alias, url):
        if url:
            import environ

            config = environ.Env.db_url_config(url)
            config["TIME_ZONE"] = connections.settings.get(alias, {}).get("TIME_ZONE")
        else:
            if alias not in connections.settings:
                raise CommandError(f"Unknown database alias {alias!r}.")
            config = {key: value for key, value in connections.settings[alias].items() if key != "TEST"}
        options = dict(config.get("OPTIONS") or {})
        if config["ENGINE"] == "django.db.backends.mysql":
            options["charset"] = "utf8mb4"
            # Not the portal's READ ONLY session: OpenEMR's own session settings, plus bulk-load switches.
            options["init_command"] = "SET SESSION sql_mode='', unique_checks=0, foreign_key_checks=0"
        elif config["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("fake_openemr writes to MySQL/MariaDB or SQLite only.")
        config.update(OPTIONS=options, CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False, AUTOCOMMIT=True)
        connections.settings[WRITER_ALIAS] = connections.configure_settings({"default": config})["default"]
        connection = connections[WRITER_ALIAS]
        try:
            connection.ensure_connection()
        except Exception as exc:
            self._forget_connection()
            raise CommandError(f"Cannot connect to the target database: {exc}") from None
        return connection

    def _forget_connection(self):
        if WRITER_ALIAS in connections.settings:
            connections[WRITER_ALIAS].close()
            del connections[WRITER_ALIAS]
            del connections.settings[WRITER_ALIAS]

    def _describe(self, connection):
        params = connection.settings_dict
        if connection.vendor == "sqlite":
            return f"SQLite {params['NAME']}"
        return f"database {params['NAME']!r} on {params.get('HOST') or 'localhost'}:{params.get('PORT') or 3306}"

    # --- schema -------------------------------------------------------------------------------------------
    def _create_schema(self, connection):
        if connection.vendor == "mysql":
            with connection.cursor() as cursor:
                for statement in split_sql(OPENEMR_DDL.read_text()):
                    cursor.execute(statement)
            return
        from django.apps import apps

        models = list(apps.get_app_config("records").get_models())
        existing = set(connection.introspection.table_names())
        with connection.schema_editor() as editor:
            for model in models:
                table = model._meta.db_table
                if table in existing:
                    editor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
                if table in NO_PRIMARY_KEY:
                    sql, params = editor.table_sql(model)
                    column = connection.ops.quote_name(NO_PRIMARY_KEY[table])
                    sql = sql.replace(f"{column} bigint NOT NULL PRIMARY KEY", f"{column} bigint NOT NULL")
                    editor.execute(sql, params or None)
                else:
                    editor.create_model(model)

    def _check_target(self, connection, force, create_schema, target):
        """Refuse a database that already holds patients (unless --force); empty it when forced."""
        existing = set(connection.introspection.table_names())
        patients = 0
        with connection.cursor() as cursor:
            if "patient_data" in existing:
                cursor.execute("SELECT COUNT(*) FROM patient_data")
                patients = cursor.fetchone()[0]
            if patients and not force:
                raise CommandError(
                    f"{target} already holds {patients} patients; refusing to add synthetic ones. "
                    "Use an empty database, or --force to empty the generated tables first.")
            if create_schema:
                return
            if "patient_data" not in existing:
                raise CommandError(f"{target} has no patient_data table: run with --create-schema.")
            if force:
                for table in TABLES:
                    if table in existing:
                        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")

    # --- generation ---------------------------------------------------------------------------------------
    def _generate(self, connection, options, verbosity):
        from tqdm import tqdm

        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA journal_mode = MEMORY")
        patients = options["patients"]
        heavy_pid = options["heavy_pid"] if 0 < options["heavy_pid"] <= patients else None
        generator_options = GeneratorOptions(
            patients=patients, seed=options["seed"], today=options["today"] or datetime.date.today(),
            heavy_pid=heavy_pid, heavy_encounters=options["heavy_encounters"])
        connection.set_autocommit(False)
        try:
            writer = TableWriter(connection, batch_size=options["batch_size"])
            generator = Generator(writer, generator_options)
            generator.reference()
            progress = tqdm(total=patients, unit="patient", file=sys.stderr, disable=verbosity == 0,
                            desc="fake_openemr", smoothing=0.05)
            with progress:
                for first in range(1, patients + 1, options["commit_every"]):
                    last = min(patients, first + options["commit_every"] - 1)
                    for pid in range(first, last + 1):
                        generator.patient(pid)
                    writer.flush()
                    connection.commit()
                    progress.update(last - first + 1)
            return writer.counts
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.set_autocommit(True)
