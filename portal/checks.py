"""The portal's self-checks against its databases: `manage.py portal_check` and a Django system check.

(a) every OpenEMR column the records models map exists, with a type the field can read (else: which OpenEMR
    version added it, openemr-schema.md §5);
(b) neither the OpenEMR account nor the portal database's account can change anything in OpenEMR's schema or
    its server: their grants (and those of their roles) hold only SELECT/USAGE on the schema or its tables and
    columns, and only USAGE on *.* (an allow-list: SUPER, FILE, GRANT OPTION... are refused too). Refused
    unless PORTAL_ALLOW_WRITABLE_OPENEMR (development only; settings require DEBUG with it);
(c) a connection configured for TLS (OPENEMR_DB_SSL_*, PORTAL_DB_SSL_*) really uses TLS;
(d) advice only: the indexes OpenEMR lacks for per-patient reads (pc_pid, ...), with the statement to add them.

systemd runs `manage.py portal_check` before gunicorn starts (deploy/systemd/openemr-portal.service), so a
portal that could write to OpenEMR never serves. The same checks run under `manage.py check --database
openemr` (Django only runs database checks for the databases it is asked about, never at import time).
"""

import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connections

from portal.lib import openemr_schema
from portal.routers import OPENEMR_ALIAS

# An allow-list (issue 9): on OpenEMR's schema the portal's accounts may hold SELECT (on columns, tables or the
# schema) and USAGE, nothing else; on *.* only USAGE. A deny-list of "write" privileges let through SUPER, FILE,
# LOCK TABLES, SHUTDOWN, CREATE USER, PROXY, GRANT OPTION...: each one hands a breached DMZ host a way to change
# OpenEMR's data or the server (read any file, grant itself INSERT, stop the clinic's database).
ALLOWED_ON_OPENEMR = frozenset({"SELECT", "USAGE"})
ALLOWED_GLOBAL = frozenset({"USAGE"})
READ_PRIVILEGES = frozenset({"ALL", "ALL PRIVILEGES", "SELECT"})
_ROLE_REF = re.compile(r"^`[^`]+`(@`[^`]*`)?$")


# --- Parsing SHOW GRANTS ---------------------------------------------------------------------------------------
@dataclass
class Grant:
    """One line of SHOW GRANTS: privileges on an object, or roles granted to the account."""

    privileges: list = field(default_factory=list)  # [(NAME, [columns] or None)]
    database: str | None = None  # "*" for *.*; a pattern (% _ wildcards) for db.*; a name for db.table
    table: str | None = None  # "*" or a table name
    routine: bool = False  # GRANT EXECUTE ON PROCEDURE ...: not about tables
    roles: list = field(default_factory=list)  # role names
    role_refs: list = field(default_factory=list)  # as printed: `role` (MariaDB) or `role`@`%` (MySQL 8)
    grant_option: bool = False  # ... WITH GRANT OPTION: may pass its privileges on (or widen its own)
    proxy: bool = False  # GRANT PROXY ON 'other'@'host': may act as that account


def _scan(text, keyword, start=0):
    """Index of `keyword` (case-insensitive) in `text`, outside backticks, quotes and parentheses."""
    depth, quote, i, upper, key = 0, None, start, text.upper(), keyword.upper()
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                if i + 1 < len(text) and text[i + 1] == quote:
                    i += 2
                    continue
                quote = None
        elif ch in "`'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and upper.startswith(key, i):
            return i
        i += 1
    return -1


def _split_top(text, sep):
    parts, start = [], 0
    while True:
        index = _scan(text, sep, start)
        if index < 0:
            parts.append(text[start:])
            return [p.strip() for p in parts if p.strip()]
        parts.append(text[start:index])
        start = index + len(sep)


def _unquote(name):
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "`'\"":
        return name[1:-1].replace(name[0] * 2, name[0])
    return name


def parse_grant(line):
    """Parse one SHOW GRANTS line (MariaDB 10.x or MySQL 8); None for lines that are not GRANTs."""
    line = line.strip()
    if not line.upper().startswith("GRANT "):
        return None
    body = line[6:]
    on_at, to_at = _scan(body, " ON "), _scan(body, " TO ")
    if on_at < 0 or (0 <= to_at < on_at):
        # GRANT `role1`, `role2`@`%` TO `user`@`host`
        refs = _split_top(body[:to_at], ",")
        return Grant(roles=[_unquote(_split_top(ref, "@")[0]) for ref in refs], role_refs=refs)
    grant = Grant()
    for item in _split_top(body[:on_at], ","):
        paren = item.find("(")
        name = " ".join((item[:paren] if paren >= 0 else item).split()).upper()
        columns = None
        if paren >= 0:
            columns = [_unquote(c) for c in _split_top(item[paren + 1:item.rindex(")")], ",")]
        grant.privileges.append((name, columns))
    rest = body[on_at + 4:]
    end = _scan(rest, " TO ")
    obj = (rest[:end] if end >= 0 else rest).strip()
    grant.grant_option = end >= 0 and _scan(rest[end:], " WITH ") >= 0 and _scan(rest[end:], "GRANT OPTION") >= 0
    if [name for name, _columns in grant.privileges] == ["PROXY"]:
        grant.proxy, grant.database, grant.table = True, "*", obj
        return grant
    for prefix in ("FUNCTION ", "PROCEDURE ", "PACKAGE BODY ", "PACKAGE "):
        if obj.upper().startswith(prefix):
            grant.routine = True
            obj = obj[len(prefix):].strip()
    if obj.upper().startswith("TABLE "):
        obj = obj[6:].strip()
    dot = _scan(obj, ".")
    if dot < 0:  # GRANT ... ON tbl (the current database): SHOW GRANTS never prints this form
        grant.database, grant.table = "*", _unquote(obj)
    else:
        grant.database, grant.table = _unquote(obj[:dot]), _unquote(obj[dot + 1:])
    return grant


def _db_pattern_matches(pattern, name):
    """A database-level grant's name is a LIKE pattern: % and _ are wildcards unless backslash-escaped."""
    if pattern == "*":
        return True
    regex, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            regex.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        regex.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.fullmatch("".join(regex), name) is not None


def grant_covers(grant, database, table=None):
    """Whether `grant` applies to the schema `database` (and, if given, to its `table`)."""
    if grant.routine or grant.database is None:
        return False
    if grant.database == "*":
        return True
    if grant.table == "*":
        return _db_pattern_matches(grant.database, database)
    return grant.database == database and (table is None or grant.table == table)


def _grant_lines(cursor, target):
    cursor.execute(f"SHOW GRANTS FOR {target}")
    return [row[0] for row in cursor.fetchall()]


def _quote_role(name):
    return "`" + name.replace("`", "``") + "`"


def _role_grant_lines(cursor, role_ref):
    """Grants of a role granted to the account, including roles granted to that role."""
    cursor.execute("SELECT CURRENT_ROLE()")
    current = cursor.fetchone()[0]
    try:
        # MariaDB shows a role's grants to an account holding it once the role is active.
        cursor.execute(f"SET ROLE {role_ref}")
        try:
            return _grant_lines(cursor, "CURRENT_ROLE")
        finally:
            if not current or current == "NONE":
                cursor.execute("SET ROLE NONE")
            else:  # MariaDB returns the bare name, MySQL 8 `role`@`host`
                cursor.execute(f"SET ROLE {current if current.startswith('`') else _quote_role(current)}")
    except DatabaseError:
        # MySQL 8: the account's privileges as they are with the role active.
        return _grant_lines(cursor, f"CURRENT_USER() USING {role_ref}")


def effective_grants(cursor):
    """The account's grants plus those of every role it holds (it could SET ROLE itself) and of PUBLIC."""
    grants, roles = [], []
    for line in _grant_lines(cursor, "CURRENT_USER()"):
        grant = parse_grant(line)
        if grant is not None:
            grants.append(grant)
            roles.extend(grant.role_refs)
    for ref in dict.fromkeys(roles):
        if not _ROLE_REF.match(ref):
            raise DatabaseError(f"cannot inspect role {ref}")
        grants.extend(g for g in map(parse_grant, _role_grant_lines(cursor, ref)) if g is not None)
    try:  # MariaDB 10.11: grants to PUBLIC apply to every account.
        grants.extend(g for g in map(parse_grant, _grant_lines(cursor, "PUBLIC")) if g is not None)
    except DatabaseError:
        pass  # nothing granted to PUBLIC, or a server without PUBLIC
    return grants


def write_privileges_on(grants, database):
    """['INSERT on *.*', 'SUPER on *.*', 'DELETE on `openemr`.`lists`', ...]: every privilege beyond reading
    `database` (the allow-lists above); a routine of the schema may write as its definer, so it counts too."""
    found = []
    for grant in grants:
        if grant.database is None:
            continue  # roles granted: their own grants are in the list (effective_grants)
        if grant.proxy:
            found.append(f"PROXY on {grant.table}")
            continue
        if grant.routine:
            if not _db_pattern_matches(grant.database, database):
                continue
            allowed, where = frozenset({"USAGE"}), f"`{grant.database}`.`{grant.table}` (a stored routine)"
        elif grant.database == "*":
            allowed, where = ALLOWED_GLOBAL, "*.*"
        elif grant_covers(grant, database):
            allowed, where = ALLOWED_ON_OPENEMR, f"`{grant.database}`.{_obj(grant.table)}"
        else:
            continue
        found.extend(f"{name} on {where}" for name, _columns in grant.privileges if name not in allowed)
        if grant.grant_option:
            found.append(f"GRANT OPTION on {where}")
    return found


def _obj(table):
    return "*" if table == "*" else f"`{table}`"


def reads_beyond_mapping(grants, database, mapped):
    """Read access wider than the mapped columns (a warning: it is not a write, but it is more than needed)."""
    extra = []
    for grant in grants:
        if not grant_covers(grant, database):
            continue
        for name, columns in grant.privileges:
            if name not in READ_PRIVILEGES:
                continue
            if grant.database == "*" or grant.table == "*":
                extra.append(f"{name} on {'*.*' if grant.database == '*' else f'`{grant.database}`.*'}")
            elif columns is None:
                extra.append(f"{name} on every column of {grant.table}")
            else:
                allowed = {c.lower() for c in mapped.get(grant.table, [])}
                extra.extend(f"{name} on {grant.table}.{c}" for c in columns if c.lower() not in allowed)
    return extra


# --- (a) columns --------------------------------------------------------------------------------------------
def _existing_columns(alias):
    """{table: {lower column: data_type}} for the tables the portal maps, as this account can see them."""
    conn = connections[alias]
    wanted = set(openemr_schema.mapped_tables())
    with conn.cursor() as cursor:
        if conn.vendor == "mysql":
            cursor.execute(
                "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
                "WHERE TABLE_SCHEMA = DATABASE()"
            )
            found = {}
            for table, column, data_type in cursor.fetchall():
                if table in wanted:
                    found.setdefault(table, {})[column.lower()] = data_type
            return found
        tables = {info.name for info in conn.introspection.get_table_list(cursor)}
        describe = conn.introspection.get_table_description
        return {
            table: {info.name.lower(): info.type_code for info in describe(cursor, table)}
            for table in wanted & tables
        }


def check_columns(alias=OPENEMR_ALIAS):
    messages = []
    try:
        existing = _existing_columns(alias)
    except DatabaseError as exc:
        return [_unreachable(alias, exc)]
    vendor = connections[alias].vendor
    reported_tables = set()
    for col in openemr_schema.mapped_columns():
        table_columns = existing.get(col.table)
        if table_columns is None:
            if col.table not in reported_tables:
                reported_tables.add(col.table)
                messages.append(checks.Error(
                    f"OpenEMR table {col.table} is missing{_since(col.table)}.",
                    hint="Upgrade OpenEMR, or, if the table exists, apply `manage.py portal_grants` so that the "
                         "portal's account can read it.",
                    id="portal.E003",
                ))
            continue
        data_type = table_columns.get(col.column.lower())
        if data_type is None:
            messages.append(checks.Error(
                f"{col.table}.{col.column} is missing{_since(col.table, col.column)}.",
                hint="Upgrade OpenEMR, or, if the column exists, apply `manage.py portal_grants` so that the "
                     "portal's account can read it.",
                obj=col.field,
                id="portal.E001",
            ))
        elif not openemr_schema.type_is_compatible(col.internal_type, data_type, vendor):
            messages.append(checks.Error(
                f"{col.table}.{col.column} is {data_type}, which a {col.internal_type} cannot read.",
                hint="The OpenEMR schema differs from the versions this portal supports.",
                obj=col.field,
                id="portal.E002",
            ))
    return messages


def _since(table, column=None):
    version = openemr_schema.added_in(table, column)
    return f" (added in OpenEMR {version})" if version else " (expected in every OpenEMR version)"


# --- (b) grants --------------------------------------------------------------------------------------------
def _account(conn):
    d = conn.settings_dict
    return (d.get("HOST"), str(d.get("PORT")), d.get("USER"))


def check_grants(alias=OPENEMR_ALIAS, also=("default",)):
    """(b) for the OpenEMR account, and for the portal database's account if it is another one: a breached
    portal holds both passwords, so neither may write to OpenEMR's schema (in replica mode the portal
    database lives on the clinic's primary, next to OpenEMR itself)."""
    conn = connections[alias]
    if conn.vendor != "mysql":
        return [checks.Info(f"The {alias} database is {conn.vendor}: grants not checked (demo only).",
                            id="portal.I001")]
    database = conn.settings_dict["NAME"]
    messages, seen = [], set()
    for each in (alias, *also):
        other = connections[each]
        if other.vendor != "mysql" or _account(other) in seen:
            continue
        seen.add(_account(other))
        try:
            with other.cursor() as cursor:
                grants = effective_grants(cursor)
        except DatabaseError as exc:
            if is_connection_failure(exc):
                messages.append(_unreachable(each, exc))
                continue
            messages.append(checks.Error(
                f"Cannot read the grants of the {each} account ({exc}); refusing to assume it is read-only.",
                id="portal.E011",
            ))
            continue
        messages += _write_messages(each, grants, database)
        if each == alias:
            messages += _read_messages(each, grants, database)
    return messages


def _write_messages(alias, grants, database):
    writes = write_privileges_on(grants, database)
    if not writes:
        return []
    allowed = getattr(settings, "PORTAL_ALLOW_WRITABLE_OPENEMR", False) and settings.DEBUG
    level, code = (checks.Warning, "portal.W011") if allowed else (checks.Error, "portal.E010")
    return [level(
        f"The {alias} account can change OpenEMR's schema `{database}` or its server (only SELECT and USAGE are "
        "allowed there, and USAGE on *.*): " + "; ".join(sorted(set(writes))) + ".",
        hint="Revoke these privileges (REVOKE ALL PRIVILEGES, GRANT OPTION FROM the account) and apply "
             "`manage.py portal_grants`. The portal refuses to serve while its accounts can write to OpenEMR.",
        id=code,
    )]


def _read_messages(alias, grants, database):
    extra = reads_beyond_mapping(grants, database, openemr_schema.mapped_tables())
    if not extra:
        return []
    shown = sorted(set(extra))
    more = f" and {len(shown) - 10} more" if len(shown) > 10 else ""
    return [checks.Warning(
        f"The {alias} account can read more of OpenEMR than the portal needs: " + "; ".join(shown[:10]) + more + ".",
        hint="Apply `manage.py portal_grants` to an account without other privileges.",
        id="portal.W010",
    )]


# --- (c) TLS -------------------------------------------------------------------------------------------------
def _tls_configured(settings_dict):
    options = settings_dict.get("OPTIONS", {})
    mode = str(options.get("ssl_mode", "")).upper()
    return bool(options.get("ssl")) or mode in {"REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"}


def check_tls(aliases=(OPENEMR_ALIAS, "default")):
    messages = []
    for alias in aliases:
        conn = connections[alias]
        if conn.vendor != "mysql":
            messages.append(checks.Info(f"The {alias} database is {conn.vendor}: TLS not checked.", id="portal.I002"))
            continue
        if not _tls_configured(conn.settings_dict):
            continue
        try:
            with conn.cursor() as cursor:
                cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
                row = cursor.fetchone()
        except DatabaseError as exc:
            messages.append(_unreachable(alias, exc))
            continue
        if not row or not row[1]:
            messages.append(checks.Error(
                f"TLS is configured for the {alias} database but the connection is not encrypted.",
                hint="Check the *_DB_SSL_* paths and that the server has TLS enabled (deploy/mysql/server-tls.cnf).",
                id="portal.E020",
            ))
    return messages


# (d) Indexes OpenEMR does not have but the portal's per-patient reads want (openemr-schema.md §6, §7).
# The reads are bounded without them; with them they become index lookups. Advice, never a refusal.
RECOMMENDED_INDEXES = [
    ("openemr_postcalendar_events", "pc_pid", "portal_pc_pid", "pc_pid, pc_eventDate",
     "every page with appointments range-scans the clinic's calendar (about 270 ms at 100k patients)"),
    ("form_clinical_notes", "form_id", "portal_form_id", "form_id",
     "the summary of a visit with clinical notes scans the whole table"),
    ("form_care_plan", "id", "portal_care_plan_id", "id",
     "the summary of a visit with a care plan scans the whole table"),
]


def check_indexes(alias=OPENEMR_ALIAS):
    conn = connections[alias]
    if conn.vendor != "mysql":
        return []
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
                "WHERE TABLE_SCHEMA = %s AND SEQ_IN_INDEX = 1", [conn.settings_dict["NAME"]])
            leading = set(cursor.fetchall())
    except DatabaseError as exc:
        return [_unreachable(alias, exc)]
    database = conn.settings_dict["NAME"]
    return [
        checks.Warning(
            f"{table}.{column} has no index: {why}.",
            hint=f"On a replica you own (or with the clinic DBA's consent): CREATE INDEX {name} ON "
                 f"`{database}`.{table} ({columns}); (deploy/mysql/replica-pc_pid-index.sql)",
            id="portal.W020",
        )
        for table, column, name, columns, why in RECOMMENDED_INDEXES
        if (table, column) not in leading
    ]


def is_connection_failure(exc):
    """The server could not be reached or the connection broke (MySQL client errors 2000-2999: CR_*), as opposed
    to a server's refusal (1xxx: access denied, unknown table), which is a real verdict."""
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    return code is not None and 2000 <= code < 3000


# (e) The audit trail is append-only for the runtime account (audit/events.py): INSERT and SELECT only. A
# portal account that can UPDATE or DELETE audit rows could rewrite the trail it writes (sealing would still
# catch edits to sealed events, not to unsealed ones). Advice, not a refusal: a one-host demo may use one account.
AUDIT_REWRITE_PRIVILEGES = {"ALL", "ALL PRIVILEGES", "UPDATE", "DELETE", "DROP", "ALTER", "TRUNCATE"}


def check_audit_grants(alias="default"):
    from django.apps import apps

    conn = connections[alias]
    if conn.vendor != "mysql":
        return []
    database = conn.settings_dict["NAME"]
    tables = [m._meta.db_table for m in apps.get_app_config("audit").get_models()]
    try:
        with conn.cursor() as cursor:
            grants = effective_grants(cursor)
    except DatabaseError as exc:
        return [_unreachable(alias, exc)]
    found = sorted({
        f"{name} on `{grant.database}`.{_obj(grant.table)}"
        for grant in grants for table in tables if grant_covers(grant, database, table)
        for name, _columns in grant.privileges if name in AUDIT_REWRITE_PRIVILEGES
    })
    if not found:
        return []
    return [checks.Warning(
        f"The {alias} account can change or delete audit rows: " + "; ".join(found) + ".",
        hint="The portal needs only INSERT and SELECT on its audit tables: apply `manage.py portal_grants` to an "
             "account without other privileges; prune with the audit maintenance account.",
        id="portal.W030",
    )]


def _unreachable(alias, exc):
    return checks.Error(f"Cannot query the {alias} database: {exc}", id="portal.E030")


def run_portal_checks():
    """All of (a), (b), (c), the index advice (d) and the audit grant advice (e). Errors mean: do not serve."""
    return [*check_columns(), *check_grants(), *check_tls(), *check_indexes(), *check_audit_grants()]


_last_run = {"at": None, "errors": []}
# A failed verdict is re-checked after at most this many seconds, whatever max_age says: a failure caused by a
# database that was briefly away (or a grant fixed by the DBA) must not keep the portal at 503 for five minutes.
# Short enough for recovery within 5 s of the database returning; long enough that a portal refusing to serve
# does not run the checks' queries on every request.
FAILED_RECHECK_SECONDS = 2


def serving_errors(max_age=300):
    """Ids of the errors of run_portal_checks(), re-run at most every `max_age` seconds (for /healthz).

    A health check that re-read the grants on every probe would add several queries per probe; five minutes
    bounds how long widened grants go unnoticed by the load balancer. A failure is kept for
    FAILED_RECHECK_SECONDS only.
    """
    now = time.monotonic()
    ttl = min(max_age, FAILED_RECHECK_SECONDS) if _last_run["errors"] else max_age
    if _last_run["at"] is None or now - _last_run["at"] >= ttl:
        errors = [m.id for m in run_portal_checks() if m.is_serious()]
        # An unreachable database is the outage path (503 until it returns), not a verdict on the grants:
        # never cache it, so the portal recovers on the next request instead of five minutes later.
        unreachable = "portal.E030" in errors
        _last_run["errors"] = [] if unreachable else errors
        _last_run["at"] = None if unreachable else now
    return list(_last_run["errors"])


@checks.register(checks.Tags.database)
def portal_database_check(app_configs=None, databases=None, **kwargs):
    """`manage.py check --database openemr` (Django passes only the databases it was asked to check)."""
    if not databases or OPENEMR_ALIAS not in databases:
        return []
    return run_portal_checks()


# --- Security switches turned off (issue 9): a system-check warning outside DEBUG ---------------------------
# Each of these is a valid setting for a local test, and each one, left off in production, weakens the portal.
# (setting, value that weakens, environment variable, what is lost)
WEAKENING_SWITCHES = [
    ("AXES_ENABLED", False, "PORTAL_LOCKOUT_ENABLED", "failed sign-ins are never locked out (online guessing)"),
    ("PORTAL_PATIENT_OTP_REQUIRED", False, "PORTAL_PATIENT_OTP_REQUIRED",
     "patients sign in with a password alone"),
    ("SECURE_COOKIES", False, "PORTAL_SECURE_COOKIES", "session cookies are also sent over plain HTTP"),
    ("PORTAL_REQUIRE_ALLOW_PORTAL", False, "PORTAL_REQUIRE_ALLOW_PORTAL",
     "patients whom OpenEMR does not allow on the portal can sign in"),
    ("PORTAL_SHOW_SENSITIVE_ENCOUNTERS", True, "PORTAL_SHOW_SENSITIVE_ENCOUNTERS",
     "encounters OpenEMR marks sensitive are shown"),
    ("PORTAL_SELF_CHECK_SECONDS", 0, "PORTAL_SELF_CHECK_SECONDS",
     "the portal no longer re-checks its grants while serving"),
]


def _demo_databases():
    """The embedded demo (make demo): both databases are SQLite files. Not a deployment: no warnings there."""
    return all(db["ENGINE"] == "django.db.backends.sqlite3" for db in settings.DATABASES.values())


@checks.register(checks.Tags.security, deploy=False)
def weakened_security_switches(app_configs=None, **kwargs):
    """W031: a security switch turned off outside DEBUG (every `manage.py` command and the server start show it)."""
    if settings.DEBUG or _demo_databases():
        return []
    weakened = [(variable, consequence) for name, weak, variable, consequence in WEAKENING_SWITCHES
                if getattr(settings, name, None) == weak]
    openemr = settings.DATABASES.get(OPENEMR_ALIAS, {})
    if openemr.get("ENGINE") == "django.db.backends.mysql" and "READ ONLY" not in str(
            openemr.get("OPTIONS", {}).get("init_command", "")).upper():
        weakened.append(("OPENEMR_DB_READ_ONLY_SESSION", "OpenEMR's connection is no longer a read-only session"))
    return [
        checks.Warning(f"{variable} is off: {consequence}.",
                       hint=f"Remove {variable} from the environment (its default is the safe value) unless this "
                            "is a local test.",
                       id="portal.W031")
        for variable, consequence in weakened
    ]


@checks.register(checks.Tags.security, deploy=False)
def staff_networks_behind_a_local_proxy(app_configs=None, **kwargs):
    """W032: PORTAL_STAFF_NETWORKS admits loopback while no proxy is trusted. Behind nginx on the same host every
    client then arrives from 127.0.0.1, so the staff console is open to the internet despite the list."""
    if settings.DEBUG or _demo_databases() or settings.PORTAL_TRUSTED_PROXIES:
        return []
    import ipaddress

    networks = [ipaddress.ip_network(item, strict=False) for item in settings.PORTAL_STAFF_NETWORKS]
    if any(network.prefixlen == 0 for network in networks):
        return []  # PORTAL_STAFF_NETWORKS=any: open to everyone by the operator's explicit choice
    loopback = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    if not any(address in network for network in networks for address in loopback
               if address.version == network.version):
        return []
    return [checks.Warning(
        "PORTAL_STAFF_NETWORKS admits 127.0.0.1/::1 but PORTAL_TRUSTED_PROXIES is empty: behind nginx on this host "
        "every visitor arrives from 127.0.0.1, so /staff/ would be open to everyone.",
        hint="Set PORTAL_TRUSTED_PROXIES=127.0.0.1 (the local nginx) so that the client's own address is checked, "
             "or remove the loopback range from PORTAL_STAFF_NETWORKS.",
        id="portal.W032",
    )]
