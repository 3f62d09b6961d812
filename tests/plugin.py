"""Loaded with -p before pytest-django reads the settings: starts the session's MariaDB and points the
portal's environment at it. The suite never runs on SQLite (a test asserts the vendor)."""

import atexit
import os
import secrets

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    if os.environ.get("PORTAL_TEST_REUSE_ENV") == "1":
        return  # a developer pointing at their own server, with every variable set by hand
    from tests.mariadb import MariaDBServer

    server = MariaDBServer().start()
    atexit.register(server.destroy)
    early_config._portal_mariadb = server
    os.environ["PORTAL_TEST_MARIADB_PORT"] = str(server.port)
    os.environ["PORTAL_TEST_MARIADB_BASEDIR"] = str(server.basedir)
    os.environ.update(
        {
            "PORTAL_SECRET_KEY": secrets.token_urlsafe(50),
            "PORTAL_AUDIT_KEY": secrets.token_urlsafe(32),
            "PORTAL_DATABASE_URL": server.url("portal"),
            "OPENEMR_DATABASE_URL": server.url("test_openemr"),
            "PORTAL_SECURE_COOKIES": "0",
            "PORTAL_CLINIC_TIME_ZONE": "America/New_York",
            "PORTAL_CLINIC_NAME": "Riverside Family Clinic",
            "PORTAL_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "PORTAL_STATIC_USE_FINDERS": "1",
            "PORTAL_ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
            # The test client's address; required outside DEBUG (an empty list would open /staff/ to everyone).
            "PORTAL_STAFF_NETWORKS": "127.0.0.0/8,::1",
            # The throwaway server's root account can write: the self-check would (rightly) refuse to serve.
            # tests/deploy/test_self_check.py turns it on where it is the subject.
            "PORTAL_SELF_CHECK_SECONDS": "0",
            # Our DDL, like OpenEMR's, has no index on pc_pid; tests that create one say "yes" themselves.
            "PORTAL_CALENDAR_PID_INDEX": "no",
            # The suite exercises the dev tools (fake_openemr) too; production never installs them.
            "PORTAL_DEVTOOLS": "1",
        }
    )
