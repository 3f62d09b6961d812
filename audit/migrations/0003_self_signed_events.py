"""From the locked hash chain to self-signed events and sealed blocks (issue 12).

- The legacy chain is closed where its head row says it ends: a signed AuditLegacyBoundary records that last
  id/seq/MAC, so audit_verify keeps checking the old events under the old scheme (seq, prev_mac) up to there.
- The head row (the one lock every page view queued on, and the one UPDATE the runtime account needed) goes.
- New ids come from a MariaDB SEQUENCE, allocated before the INSERT so each event's MAC can cover its id; it
  starts after the highest legacy id. SQLite (the demo) allocates ids inside its single-writer lock instead.
- Blocks and prune checkpoints get tables of their own.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models

SEQUENCE = "audit_event_id"


def boundary_signature(last_id, last_seq, last_mac):
    # A frozen copy of audit.verify.legacy_boundary_signature, so this migration never changes meaning.
    text = json.dumps([last_id, last_seq, last_mac], separators=(",", ":"))
    return hmac.new(settings.PORTAL_AUDIT_KEY.encode(), b"portal-audit-legacy-boundary-v1\n" + text.encode(),
                    hashlib.sha256).hexdigest()


def close_legacy_chain(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditCheckpoint = apps.get_model("audit", "AuditCheckpoint")
    Boundary = apps.get_model("audit", "AuditLegacyBoundary")
    db = schema_editor.connection.alias
    head = AuditChainHead.objects.using(db).filter(pk=1).first()
    if head is None and not AuditEvent.objects.using(db).exists() and not AuditCheckpoint.objects.using(db).exists():
        return  # a fresh database: there never was a legacy chain
    seq, mac = (head.seq, head.mac) if head else (0, "")
    # The head is trusted as it stands: audit_verify checks the legacy events against it as before.
    Boundary.objects.using(db).create(last_id=seq, last_seq=seq, last_mac=mac,
                                      signature=boundary_signature(seq, seq, mac))


def create_sequence(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "mysql":
        return
    AuditEvent = apps.get_model("audit", "AuditEvent")
    last = AuditEvent.objects.using(conn.alias).aggregate(m=models.Max("id"))["m"] or 0
    with conn.cursor() as cursor:
        # CACHE: ids are handed out from memory (server-wide, still increasing); a restart skips the rest.
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START WITH {int(last) + 1} CACHE 1000")


def drop_sequence(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "mysql":
        with conn.cursor() as cursor:
            cursor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_hash_chain"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditLegacyBoundary",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_id", models.BigIntegerField()),
                ("last_seq", models.BigIntegerField()),
                ("last_mac", models.CharField(blank=True, max_length=64)),
                ("signature", models.CharField(max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="AuditBlock",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.BigIntegerField(unique=True)),
                ("first_id", models.BigIntegerField()),
                ("last_id", models.BigIntegerField(unique=True)),
                ("count", models.BigIntegerField()),
                ("digest", models.CharField(max_length=64)),
                ("sealed_at", models.DateTimeField()),
                ("prev_mac", models.CharField(blank=True, max_length=64)),
                ("mac", models.CharField(max_length=64)),
            ],
            options={"ordering": ["number"]},
        ),
        migrations.CreateModel(
            name="AuditPruneCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField()),
                ("through_block", models.BigIntegerField(unique=True)),
                ("through_id", models.BigIntegerField()),
                ("pruned_count", models.BigIntegerField()),
                ("prev_signature", models.CharField(blank=True, max_length=64)),
                ("signature", models.CharField(max_length=64)),
            ],
            options={"ordering": ["through_block"]},
        ),
        migrations.RunPython(close_legacy_chain, migrations.RunPython.noop),
        migrations.DeleteModel(name="AuditChainHead"),
        migrations.AlterField(model_name="auditevent", name="seq",
                              field=models.BigIntegerField(blank=True, null=True, unique=True)),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["id"]}),
        migrations.RunPython(create_sequence, drop_sequence),
    ]
