"""Gunicorn settings for the OpenEMR patient portal.

Used by deploy/systemd/openemr-portal.service:

    gunicorn --config deploy/gunicorn.conf.py portal.wsgi:application

Gunicorn sits behind nginx on the same host. nginx terminates TLS, buffers
slow clients, rate-limits sign-in and sets the X-Forwarded-* headers; Gunicorn
only ever talks to nginx. A few values can be changed through environment
variables (set them in /etc/openemr-portal/portal.env):

    PORTAL_GUNICORN_BIND                 default 127.0.0.1:8001
    PORTAL_GUNICORN_WORKERS              default 2 * CPUs + 1, at most 8
    PORTAL_GUNICORN_THREADS              default 1 (sync workers); > 1 uses gthread
    PORTAL_GUNICORN_TIMEOUT              default 30 (seconds)
    PORTAL_GUNICORN_FORWARDED_ALLOW_IPS  default 127.0.0.1
    PORTAL_GUNICORN_LOGLEVEL             default info

A malformed value stops Gunicorn at start-up instead of being replaced by a
default: a typo in a deployment file should be seen, not guessed around.
"""

import os


def _env_str(name, default):
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name, default, minimum, maximum):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not an integer") from None
    if not minimum <= value <= maximum:
        raise SystemExit(f"{name}={value} is outside {minimum}..{maximum}")
    return value


def _cpu_count():
    # The CPUs this process may run on (systemd's CPUAffinity=, a container's
    # cpuset), not every CPU of the machine.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# --- Socket ------------------------------------------------------------------

# Loopback only: the only client is nginx on this host. Gunicorn must never be
# reachable from the network, because it trusts X-Forwarded-* from its peer and
# has no TLS, no request buffering and no rate limit of its own. On a scaled-out
# app host behind a separate proxy, bind the LAN address and firewall it to the
# proxy (and set PORTAL_GUNICORN_FORWARDED_ALLOW_IPS to match).
bind = [_env_str("PORTAL_GUNICORN_BIND", "127.0.0.1:8001")]

# Small accept queue: nginx retries another upstream or answers 502 rather than
# letting requests pile up behind a stuck worker pool.
backlog = 256

# --- Workers -----------------------------------------------------------------

# The usual 2 * CPUs + 1, capped at 8. Each worker holds up to two MariaDB
# connections (the portal database and the OpenEMR reader), and the clinic's
# server also serves OpenEMR itself: the cap keeps a big DMZ host from taking
# a large share of the clinic database's max_connections.
workers = _env_int("PORTAL_GUNICORN_WORKERS", min(2 * _cpu_count() + 1, 8), 1, 64)

# Sync workers by default: every request is a short database read, and nginx
# buffers request and response bodies, so slow clients never hold a worker.
# Threads (gthread) are available for hosts with little memory; Django and
# mysqlclient are thread-safe per connection.
threads = _env_int("PORTAL_GUNICORN_THREADS", 1, 1, 16)
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this is stuck (a hung database, a runaway
# query): the worker is killed and replaced rather than left holding a
# connection. nginx's proxy_read_timeout is set a little longer (35 s) so that
# nginx reports Gunicorn's failure instead of racing it.
timeout = _env_int("PORTAL_GUNICORN_TIMEOUT", 30, 5, 300)
graceful_timeout = 30

# nginx talks HTTP/1.0 to the upstream without keep-alive; this only matters
# for gthread workers.
keepalive = 2

# Recycle workers now and then so that a slow leak (memory, a C extension's
# state) cannot grow without bound; the jitter keeps all workers from
# restarting at the same moment.
max_requests = 1000
max_requests_jitter = 100

# Off: each worker imports the application itself after the fork, so no
# database connection, random state or file descriptor opened during import is
# shared between workers, and `systemctl reload` (HUP) loads new code.
preload_app = False

# The worker heartbeat file goes to memory, not to a disk that can stall.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Files Gunicorn creates (heartbeat files) are private to the service user.
umask = 0o077

proc_name = "openemr-portal"

# --- Request limits ------------------------------------------------------------

# Portal URLs are short and carry no PHI or tokens; a long request line is an
# attack or a mistake. (nginx applies its own limits before this.)
limit_request_line = 2048
# Browsers send about 15-25 header fields; 64 leaves room without inviting
# header-flooding.
limit_request_fields = 64
# Gunicorn's default. A single Cookie header can hold cookies set by other
# sites of the parent domain, which we cannot control; refusing them would
# lock patients out.
limit_request_field_size = 8190

# --- Proxy trust -------------------------------------------------------------

# Only nginx on this host may tell Gunicorn that the original request was
# HTTPS. Anyone else who could reach the socket would otherwise make
# Django believe a plain-HTTP request was secure. Setting it here also ignores
# a FORWARDED_ALLOW_IPS variable inherited from the environment. Django's own
# list of proxies (PORTAL_TRUSTED_PROXIES, used for X-Forwarded-For) must name
# the same address.
forwarded_allow_ips = _env_str("PORTAL_GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Only the one header nginx overwrites on every request. Gunicorn's default
# also honours X-Forwarded-Ssl and X-Forwarded-Protocol, which a client could
# send and nginx would pass through untouched.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# --- Logging -----------------------------------------------------------------

# Both logs go to stdout/stderr, i.e. to the systemd journal.
accesslog = "-"
errorlog = "-"
loglevel = _env_str("PORTAL_GUNICORN_LOGLEVEL", "info")

# Method, path without the query string (%(U)s, never %(r)s or %(q)s), status,
# bytes, milliseconds and nginx's request id. URLs must carry no PHI anyway;
# leaving the query string out means a mistake there still does not reach the
# logs. No Referer (it is a full URL) and no client address: nginx's own access
# log has the address, and the request id joins the two.
access_log_format = (
    'request_id=%({x-request-id}i)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
)
