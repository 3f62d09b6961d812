"""`manage.py audit_export --since --until --format csv|jsonl [--output FILE]`."""

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.log import Event, record
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
CLINIC = ZoneInfo("America/New_York")


@pytest.fixture
def three_days(alice):
    for day in (1, 2, 3):
        with time_machine.travel(datetime(2026, 5, day, 8, tzinfo=CLINIC), tick=False):
            record(Event.RECORD_VIEWED, actor=alice, pid=1, category="visit", object_ids=[day])


def export(*args):
    out = io.StringIO()
    call_command("audit_export", *args, stdout=out)
    return out.getvalue()


def test_jsonl_export_of_a_date_range(three_days):
    lines = export("--since", "2026-05-02", "--until", "2026-05-03", "--format", "jsonl").splitlines()
    rows = [json.loads(line) for line in lines]
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    assert [(r["id"], r["object_ids"], r["actor_username"]) for r in rows] == [(ids[1], "2", "alice"),
                                                                                (ids[2], "3", "alice")]
    assert rows[0]["time_utc"] == "2026-05-02T12:00:00.000000+00:00"
    assert len(rows[0]["mac"]) == 64


def test_csv_export_to_a_file_and_the_export_is_audited(three_days, tmp_path):
    target = tmp_path / "audit.csv"
    assert export("--since", "2026-05-01", "--until", "2026-05-01", "--output", str(target)) == ""
    rows = list(csv.DictReader(target.open(newline="")))
    first = AuditEvent.objects.order_by("id").first().id
    assert [(r["id"], r["code"], r["category"]) for r in rows] == [(str(first), "record.viewed", "visit")]
    exported = AuditEvent.objects.latest("id")
    assert (exported.code, exported.actor_type, exported.object_ids) == (
        "staff.audit_exported", "system", "since=2026-05-01,until=2026-05-01,format=csv")


def test_export_without_dates_gives_everything(three_days):
    rows = list(csv.DictReader(io.StringIO(export())))
    ids = [str(i) for i in AuditEvent.objects.order_by("id").values_list("id", flat=True)]
    assert [r["id"] for r in rows] == ids[:4] and len(ids) == 4  # the export's own event last


def test_export_refuses_a_reversed_range(three_days):
    with pytest.raises(CommandError, match="--since is after --until"):
        export("--since", "2026-05-03", "--until", "2026-05-01")


def test_export_rejects_an_unknown_format():
    with pytest.raises(CommandError):
        export("--format", "xml")
