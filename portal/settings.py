"""Settings for the OpenEMR patient portal, read only from the environment.

Fail closed: every secret and database is required (ImproperlyConfigured names the missing variable),
DEBUG is off unless asked for, cookies are Secure unless explicitly turned off for the local demo.
Every variable is listed in deploy/portal.env.example.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()


def env_secret(name, required=True):
    """A secret from NAME or from the file named by NAME_FILE (systemd credentials, Docker secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        try:
            value = Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc.strerror}") from None
    else:
        value = env.str(name, default="")
    if not value and (required or path):  # a named file that is empty is a mistake, never "unset"
        raise ImproperlyConfigured(f"Set the environment variable {name} (or {name}_FILE).")
    return value


def env_required(name):
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def _require_whole_numbers():
    """Issue 9: a typo in a number (PORTAL_IDLE_TIMEOUT=15m) stops start-up naming the variable, not with a bare
    "invalid literal for int()". Checked before any of them is read."""
    for name, value in os.environ.items():
        if name in _WHOLE_NUMBERS and value.strip() and not value.strip().isdigit():
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number of {_WHOLE_NUMBERS[name]}.")


_WHOLE_NUMBERS = {
    "PORTAL_ACTIVATION_DAYS": "days", "PORTAL_APPOINTMENT_MONTHS": "months", "PORTAL_AUDIT_RETENTION_DAYS": "days",
    "PORTAL_DB_CONN_MAX_AGE": "seconds", "PORTAL_HSTS_SECONDS": "seconds", "PORTAL_IDLE_TIMEOUT": "seconds",
    "PORTAL_IDLE_WARNING": "seconds", "PORTAL_LAB_RELEASE_DELAY_HOURS": "hours", "PORTAL_LOCKOUT_FAILURES": "failures",
    "PORTAL_LOCKOUT_MINUTES": "minutes", "PORTAL_RECURRING_LOOKBACK_DAYS": "days",
    "PORTAL_SELF_CHECK_SECONDS": "seconds", "PORTAL_SESSION_MAX_AGE": "seconds",
}
_require_whole_numbers()

SECRET_KEY = env_secret("PORTAL_SECRET_KEY")
DEBUG = env.bool("PORTAL_DEBUG", default=False)
ALLOWED_HOSTS = env.list("PORTAL_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "portal",
    "audit",
    "records",
    "accounts",
]
# Development tools (synthetic OpenEMR data: `manage.py fake_openemr`) are never installed in production: only
# when PORTAL_DEVTOOLS=1 (the demo's data build, the benchmark's, the test suite).
PORTAL_DEVTOOLS = env.bool("PORTAL_DEVTOOLS", default=False)
if PORTAL_DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "portal.middleware.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
    "portal.middleware.SelfCheckMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.StaffNetworkMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees a lockout raised by the authentication backend.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Databases -----------------------------------------------------------------------------------------
# "default": the portal's own small database (credentials, OTP devices, sessions, lockouts, audit log).
# "openemr": OpenEMR's database, reached through a SELECT-only account; every records model routes here and
# portal.routers refuses writes and migrations on it.
CLINIC_TIME_ZONE = env.str("PORTAL_CLINIC_TIME_ZONE", default="UTC")


def _database(url_var, ssl_prefix):
    config = env.db_url_config(env_required(url_var))
    ssl = {key: env.str(f"{ssl_prefix}_SSL_{key.upper()}", default="") for key in ("ca", "cert", "key")}
    ssl = {key: value for key, value in ssl.items() if value}
    if config["ENGINE"] == "django.db.backends.mysql":
        config.setdefault("OPTIONS", {})["charset"] = "utf8mb4"
        if ssl:
            config["OPTIONS"]["ssl"] = ssl
            if "ca" in ssl:
                # Without this, Connector/C checks the CA but not the server's host name (a stolen
                # certificate for another host would be accepted).
                config["OPTIONS"]["ssl_mode"] = "VERIFY_IDENTITY"
    elif ssl:
        raise ImproperlyConfigured(f"{ssl_prefix}_SSL_* is set but {url_var} is not a MySQL/MariaDB URL.")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # The demo's SQLite: writers from several processes (runserver's threads, commands) queue for the write
        # lock instead of failing. IMMEDIATE takes it at BEGIN, so a reader never has to upgrade its lock mid-way
        # (the upgrade fails at once with "database is locked", whatever the timeout).
        config.setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
    # Reuse connections, but check them before use so the portal recovers by itself after an outage.
    config["CONN_MAX_AGE"] = env.int("PORTAL_DB_CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {
    "default": _database("PORTAL_DATABASE_URL", "PORTAL_DB"),
    "openemr": _database("OPENEMR_DATABASE_URL", "OPENEMR_DB"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    # Strict mode for our own writes (Django's recommendation); OpenEMR's connection is read-only anyway.
    DATABASES["default"]["OPTIONS"]["init_command"] = "SET sql_mode='STRICT_TRANS_TABLES'"
# OpenEMR stores naive local wall-clock times of the clinic (schema doc §0.2, §2.4).
DATABASES["openemr"]["TIME_ZONE"] = CLINIC_TIME_ZONE
if DATABASES["openemr"]["ENGINE"] == "django.db.backends.mysql" and env.bool(
    "OPENEMR_DB_READ_ONLY_SESSION", default=True
):
    # Third lock after the router and the grants: the server itself refuses writes in this session.
    DATABASES["openemr"]["OPTIONS"]["init_command"] = "SET SESSION TRANSACTION READ ONLY"
DATABASES["openemr"]["TEST"] = {"NAME": env.str("OPENEMR_TEST_DATABASE_NAME", default="test_openemr")}

DATABASE_ROUTERS = ["portal.routers.OpenEMRRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication --------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Counts failures and refuses locked-out usernames and addresses before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id first: memory-hard, the OWASP recommendation for password storage.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.PersonalInformationValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "records:summary"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-axes: 5 failures (wrong passwords, activation details or codes) in 15 minutes (online guessing).
AXES_ENABLED = env.bool("PORTAL_LOCKOUT_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("PORTAL_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("PORTAL_LOCKOUT_MINUTES", default=15))
# The (username, address) pair at AXES_FAILURE_LIMIT, the username alone at a higher count; never the address
# alone (a clinic's NAT would lock every patient behind it). accounts/lockout.py explains.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
PORTAL_LOCKOUT_USERNAME_FAILURES = env.int("PORTAL_LOCKOUT_USERNAME_FAILURES", default=20)
AXES_RESET_ON_SUCCESS = True
# A pause is a fixed countdown that the lockout page can state ("wait 11 minutes"); attempts during it do not
# restart it (they are refused before any password is checked).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "accounts.lockout.PortalLockoutHandler"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_callable"
AXES_CLIENT_IP_CALLABLE = "portal.lib.client_ip.axes_client_ip"
AXES_VERBOSE = False
# axes keeps the POST body of failed attempts: mask every secret and identifying field our forms send.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "activation_code", "date_of_birth",
                             "otp_token", "reset_code", "new_password1", "new_password2", "old_password", "csrfmiddlewaretoken"]
# Addresses of reverse proxies whose X-Forwarded-For we believe; never a raw, client-supplied header.
PORTAL_TRUSTED_PROXIES = env.list("PORTAL_TRUSTED_PROXIES", default=[])

OTP_TOTP_ISSUER = env.str("PORTAL_CLINIC_NAME", default="Clinic patient portal")
# django-otp's per-device back-off is off: wrong codes count in the lockout instead (accounts/lockout.py), so one
# wrong code, or an attacker who knows the password, cannot hold back the patient's next right code.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# --- Sessions and cookies --------------------------------------------------------------------------------
SECURE_COOKIES = env.bool("PORTAL_SECURE_COOKIES", default=True)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("PORTAL_SESSION_MAX_AGE", default=12 * 3600)  # absolute lifetime
PORTAL_IDLE_TIMEOUT = env.int("PORTAL_IDLE_TIMEOUT", default=15 * 60)  # enforced server-side
PORTAL_IDLE_WARNING = env.int("PORTAL_IDLE_WARNING", default=2 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# __Host- cookies are only accepted by browsers over HTTPS, for the whole host, without Domain.
SESSION_COOKIE_NAME = "__Host-portal_session" if SECURE_COOKIES else "portal_session"
CSRF_COOKIE_NAME = "__Host-portal_csrf" if SECURE_COOKIES else "portal_csrf"
CSRF_TRUSTED_ORIGINS = env.list("PORTAL_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# --- Transport and headers -------------------------------------------------------------------------------
if PORTAL_TRUSTED_PROXIES:
    # Only behind our nginx, which overwrites X-Forwarded-Proto (deploy/nginx/portal.conf).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("PORTAL_SSL_REDIRECT", default=False)
# HSTS lives in exactly one place; by default that is nginx, so Django sends none.
SECURE_HSTS_SECONDS = env.int("PORTAL_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # the portal accepts small forms only
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100

# --- Internationalisation and display --------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = CLINIC_TIME_ZONE
USE_I18N = True
USE_TZ = True
PORTAL_DATE_FORMAT = env.str("PORTAL_DATE_FORMAT", default="M j, Y")  # Django date format, e.g. "m/d/Y"
PORTAL_TIME_FORMAT = env.str("PORTAL_TIME_FORMAT", default="g:i A")

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "PORTAL_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = env.bool("PORTAL_STATIC_USE_FINDERS", default=DEBUG)

# --- The clinic and the portal's policies ---------------------------------------------------------------
PORTAL_CLINIC_NAME = env.str("PORTAL_CLINIC_NAME", default="Clinic patient portal")
# Shown wherever a page says "contact the clinic", on letters, printouts and in the appointment calendar files.
PORTAL_CLINIC_PHONE = env.str("PORTAL_CLINIC_PHONE", default="")
PORTAL_CLINIC_ADDRESS = env.str("PORTAL_CLINIC_ADDRESS", default="")  # one line, e.g. "1 Main St, Springfield"
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# The portal's own origin is always a trusted CSRF origin. Behind nginx on an HTTPS port other than 443 the
# browser's Origin header carries the port while the proxied Host does not, and Django would refuse every POST.
_base_url = urlsplit(PORTAL_BASE_URL)
if _base_url.scheme in ("http", "https") and _base_url.netloc:
    CSRF_TRUSTED_ORIGINS = [*CSRF_TRUSTED_ORIGINS, f"{_base_url.scheme}://{_base_url.netloc.lower()}"]
# Only patients whose patient_data.allow_patient_portal is YES may use the portal (OpenEMR's own rule).
PORTAL_REQUIRE_ALLOW_PORTAL = env.bool("PORTAL_REQUIRE_ALLOW_PORTAL", default=True)
# Encounters whose sensitivity is not normal/empty (and everything linked to them) are hidden by default.
PORTAL_SHOW_SENSITIVE_ENCOUNTERS = env.bool("PORTAL_SHOW_SENSITIVE_ENCOUNTERS", default=False)
# Lab results: "immediate" (information-blocking rules expect it), "reviewed", or "delay" (N hours).
PORTAL_LAB_RELEASE = env.str("PORTAL_LAB_RELEASE", default="immediate")
PORTAL_LAB_RELEASE_DELAY_HOURS = env.int("PORTAL_LAB_RELEASE_DELAY_HOURS", default=72)
PORTAL_VITALS_UNITS = env.str("PORTAL_VITALS_UNITS", default="us")  # "us" or "metric"
PORTAL_APPOINTMENT_MONTHS = env.int("PORTAL_APPOINTMENT_MONTHS", default=6)
# Recurring series are found by their start date; this bounds how far back (pc_pid has no index, §7).
PORTAL_RECURRING_LOOKBACK_DAYS = env.int("PORTAL_RECURRING_LOOKBACK_DAYS", default=3 * 365)
# Whether OpenEMR's calendar has an index on pc_pid (it ships none; portal_check advises one): "auto" looks in
# information_schema every 10 minutes; with the index, recurring series are found whenever they started.
PORTAL_CALENDAR_PID_INDEX = env.str("PORTAL_CALENDAR_PID_INDEX", default="auto")
if PORTAL_CALENDAR_PID_INDEX not in ("auto", "yes", "no"):
    raise ImproperlyConfigured("PORTAL_CALENDAR_PID_INDEX must be auto, yes or no.")
PORTAL_ACTIVATION_DAYS = env.int("PORTAL_ACTIVATION_DAYS", default=14)
PORTAL_PATIENT_OTP_REQUIRED = env.bool("PORTAL_PATIENT_OTP_REQUIRED", default=True)
PORTAL_STAFF_NETWORKS = env.list("PORTAL_STAFF_NETWORKS", default=[])
# Tamper evidence for the audit trail. PORTAL_AUDIT_KEY signs each event (every portal host needs it);
# PORTAL_AUDIT_SEAL_KEY signs the sealed blocks and prune checkpoints (audit_seal, audit_verify, audit_prune). Unset:
# derived from PORTAL_AUDIT_KEY (one host). Set it only on a sealing host the DMZ host cannot reach into, so a
# breached DMZ host cannot re-seal history (deploy/README.md, "Sealing the audit trail").
PORTAL_AUDIT_KEY = env_secret("PORTAL_AUDIT_KEY")
PORTAL_AUDIT_SEAL_KEY = env_secret("PORTAL_AUDIT_SEAL_KEY", required=False)
# Where audit_seal appends the newest block's anchor line (also sent to syslog/the journal); '' = log line only.
PORTAL_AUDIT_ANCHOR_FILE = env.str("PORTAL_AUDIT_ANCHOR_FILE", default="")
PORTAL_AUDIT_RETENTION_DAYS = env.int("PORTAL_AUDIT_RETENTION_DAYS", default=6 * 365)
# Development only: serve even when the OpenEMR account could write (portal_check refuses otherwise).
PORTAL_ALLOW_WRITABLE_OPENEMR = env.bool("PORTAL_ALLOW_WRITABLE_OPENEMR", default=False)
# Self-checks (grants, columns, TLS; portal.checks) re-run at most this often per process; 0 turns them off.
PORTAL_SELF_CHECK_SECONDS = env.int("PORTAL_SELF_CHECK_SECONDS", default=300)
if PORTAL_ALLOW_WRITABLE_OPENEMR and not DEBUG:
    raise ImproperlyConfigured("PORTAL_ALLOW_WRITABLE_OPENEMR is for development only and needs PORTAL_DEBUG=1.")

# --- Logging: event names and internal ids only, never PHI, form data or secrets ------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portal.middleware.RequestIDLogFilter"},
        "drop_traceback": {"()": "portal.middleware.DropTracebackFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
        "console_one_line": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["request_id", "drop_traceback"]},
    },
    "root": {"handlers": ["console"], "level": env.str("PORTAL_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's request logger would print request paths and, on errors, local variables in DEBUG.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # A forged Host header is a scanner's routine probe: one line (the exception's message), never the
        # traceback that Django attaches (django.security.* logs with exc_info). See DropTracebackFilter.
        "django.security.DisallowedHost": {"handlers": ["console_one_line"], "level": "WARNING",
                                           "propagate": False},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO and may quote document text in its warnings: keep it quiet.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}


# --- Start-up validation (issue 9): a wrong value stops the portal here, naming the variable ---------------
# Each of these used to fail on every request (a 500 per page) or, worse, to fail open. They are checked once,
# when the settings load, so that `manage.py portal_check` / systemd refuse to start a misconfigured portal.
# Security switches that are valid but weaken the portal are system-check warnings (portal.checks, W03x).
import ipaddress  # noqa: E402  (kept with the validation it serves)

_BOOLEAN_WORDS = {"1", "0", "true", "false", "yes", "no", "on", "off", "y", "n", "t", "f", ""}


def _require_boolean_words(names):
    """django-environ reads any unknown word as False: `PORTAL_SECURE_COOKIES=ture` would turn cookies insecure."""
    for name in names:
        value = env.str(name, default="")
        if value.strip().lower() not in _BOOLEAN_WORDS:
            raise ImproperlyConfigured(f"{name}={value!r} is not a yes/no value (use 1/0, true/false, yes/no, on/off).")


def _networks_or_error(name, items):
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or CIDR network (e.g. 192.168.10.0/24).") from None
    return items


def _one_of(name, value, allowed):
    if value not in allowed:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(allowed)}.")
    return value


# Networks that contain every address: what `PORTAL_STAFF_NETWORKS=any` stands for.
STAFF_NETWORKS_ANY = ["0.0.0.0/0", "::/0"]


def _staff_networks(items, debug):
    """The staff console (/staff/) is for the clinic LAN: an empty list is refused outside DEBUG (threat: the
    front desk's console, which issues credentials and shows any patient's identity, open to the internet by
    omission). Opening it to every address must be written out: PORTAL_STAFF_NETWORKS=any."""
    if [item.lower() for item in items] == ["any"]:
        return list(STAFF_NETWORKS_ANY)
    if any(item.lower() == "any" for item in items):
        raise ImproperlyConfigured("PORTAL_STAFF_NETWORKS: 'any' cannot be combined with networks.")
    if not items and not debug:
        raise ImproperlyConfigured(
            "Set PORTAL_STAFF_NETWORKS to the networks (CIDR, comma-separated) the staff console may be used "
            "from, e.g. 192.168.10.0/24; or to 'any' to open /staff/ to every address (not recommended).")
    return _networks_or_error("PORTAL_STAFF_NETWORKS", items)


_require_boolean_words([
    "PORTAL_DEBUG", "PORTAL_SECURE_COOKIES", "PORTAL_LOCKOUT_ENABLED", "PORTAL_PATIENT_OTP_REQUIRED",
    "PORTAL_REQUIRE_ALLOW_PORTAL", "PORTAL_SHOW_SENSITIVE_ENCOUNTERS", "PORTAL_SSL_REDIRECT",
    "PORTAL_ALLOW_WRITABLE_OPENEMR", "OPENEMR_DB_READ_ONLY_SESSION", "PORTAL_STATIC_USE_FINDERS",
])
PORTAL_TRUSTED_PROXIES = _networks_or_error("PORTAL_TRUSTED_PROXIES", PORTAL_TRUSTED_PROXIES)
PORTAL_STAFF_NETWORKS = _staff_networks(PORTAL_STAFF_NETWORKS, DEBUG)
PORTAL_LAB_RELEASE = _one_of("PORTAL_LAB_RELEASE", PORTAL_LAB_RELEASE, ("immediate", "reviewed", "delay"))
PORTAL_VITALS_UNITS = _one_of("PORTAL_VITALS_UNITS", PORTAL_VITALS_UNITS, ("us", "metric"))


# --- Database transport (issue 9): a remote database without verified TLS is refused -----------------------
# Threat: passwords and PHI read in clear (or from an impostor server) on the path between the DMZ and the
# clinic's database. A local host (loopback, unix socket) never leaves the machine; anything else needs TLS with
# a CA and host-name verification, unless the operator declares another encrypted path
# (PORTAL_DB_TRANSPORT=tunnel: an SSH tunnel or VPN ending at a non-local address; deploy/README.md).
PORTAL_DB_TRANSPORT = _one_of("PORTAL_DB_TRANSPORT", env.str("PORTAL_DB_TRANSPORT", default="tls"),
                              ("tls", "tunnel"))
_SSL_PREFIX = {"default": "PORTAL_DB", "openemr": "OPENEMR_DB"}
_URL_VAR = {"default": "PORTAL_DATABASE_URL", "openemr": "OPENEMR_DATABASE_URL"}


def database_host_is_local(host):
    """Loopback or a unix socket (MySQL's client reads an empty host or "localhost" as the socket)."""
    host = (host or "").strip()
    if not host or host.lower() == "localhost" or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it resolves to wherever DNS says


def _require_verified_db_transport(databases, debug, transport):
    for alias, config in databases.items():
        if config["ENGINE"] != "django.db.backends.mysql":
            continue
        options = config.get("OPTIONS", {})
        ssl = options.get("ssl") or {}
        prefix = _SSL_PREFIX.get(alias, alias)
        if ssl and not ssl.get("ca"):
            # TLS without a CA encrypts but accepts any certificate: an impostor in the path reads everything.
            raise ImproperlyConfigured(
                f"{prefix}_SSL_CERT/KEY is set without {prefix}_SSL_CA: set the CA that signed the database "
                "server's certificate, so that the server is verified.")
        verified = bool(ssl.get("ca")) and str(options.get("ssl_mode", "")).upper() == "VERIFY_IDENTITY"
        if debug or verified or transport == "tunnel" or database_host_is_local(config.get("HOST")):
            continue
        raise ImproperlyConfigured(
            f"{_URL_VAR.get(alias, alias)} points at {config.get('HOST')}, which is not this host, without verified "
            f"TLS: set {prefix}_SSL_CA (deploy/README.md, TLS to the databases), or, if the connection runs "
            "through an SSH tunnel or VPN, declare it with PORTAL_DB_TRANSPORT=tunnel.")


_require_verified_db_transport(DATABASES, DEBUG, PORTAL_DB_TRANSPORT)
