"""Reading the audit log out: filtered, streamed in bounded chunks, as CSV or JSON lines.

Used by the staff report's CSV download and by `manage.py audit_export`.
"""

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from audit.models import AuditEvent
from portal.lib import csvsafe

COLUMNS = ("id", "time_utc", "code", "actor_type", "actor_id", "actor_username", "pid", "category", "object_ids",
           "outcome", "client_ip", "user_agent", "request_id", "mac")
USER_ACTORS = ("patient", "staff", "user")


def day_start(day):
    """The first instant of a calendar day in the clinic's time zone (dates in filters are clinic dates)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def parse_day(value):
    return value if isinstance(value, date) else date.fromisoformat(value)


def filtered(since=None, until=None, pid=None, actor_ids=None, code=None):
    """Events filtered by clinic dates (inclusive), pid, actor user ids and event code."""
    events = AuditEvent.objects.all()
    if since:
        events = events.filter(created_at__gte=day_start(since))
    if until:
        events = events.filter(created_at__lt=day_start(until + timedelta(days=1)))
    if pid is not None:
        events = events.filter(pid=pid)
    if actor_ids is not None:
        events = events.filter(actor_type__in=USER_ACTORS, actor_id__in=[str(i) for i in actor_ids])
    if code:
        events = events.filter(code=code)
    return events


def usernames(events):
    ids = {int(e.actor_id) for e in events if e.actor_type in USER_ACTORS and e.actor_id.isdigit()}
    return {str(pk): name for pk, name in get_user_model().objects.filter(pk__in=ids).values_list("pk", "username")}


def iter_events(events, chunk_size=1000):
    """Yield (event, username) in id order, one keyset query per chunk (bounded memory for any size)."""
    last = 0
    while True:
        chunk = list(events.filter(id__gt=last).order_by("id")[:chunk_size])
        if not chunk:
            return
        names = usernames(chunk)
        for event in chunk:
            yield event, names.get(event.actor_id, "") if event.actor_type in USER_ACTORS else ""
        last = chunk[-1].id


def as_dict(event, username):
    return {
        "id": event.id, "time_utc": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "code": event.code, "actor_type": event.actor_type, "actor_id": event.actor_id,
        "actor_username": username, "pid": event.pid, "category": event.category, "object_ids": event.object_ids,
        "outcome": event.outcome, "client_ip": event.client_ip, "user_agent": event.user_agent,
        "request_id": event.request_id, "mac": event.mac,
    }


# Spreadsheet formula injection: the user agent is client-controlled, so never let a cell start a formula.
_cell = csvsafe.cell


def csv_lines(rows):
    """CSV text, one line at a time: a header, then one line per (event, username)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values):
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(COLUMNS)
    for event, username in rows:
        yield line([_cell(v) for v in as_dict(event, username).values()])


def jsonl_lines(rows):
    for event, username in rows:
        yield json.dumps(as_dict(event, username), ensure_ascii=False, separators=(",", ":")) + "\n"
