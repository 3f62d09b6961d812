"""The HMAC chain: seq, prev_mac and mac on every event (id == seq), the chain head and prune checkpoints.

Events written before this migration (a development database) are numbered in id order and signed here with
the current PORTAL_AUDIT_KEY, so the chain verifies from the start.
"""

import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.db import migrations, models

FIELDS = ("id", "seq", "created_at", "code", "actor_type", "actor_id", "pid", "category", "object_ids",
          "outcome", "client_ip", "user_agent", "request_id", "prev_mac")


def _mac(values):
    # A frozen copy of audit.chain.canonical/event_mac (v1), so this migration never changes meaning.
    content = {name: values[name] for name in FIELDS}
    content["created_at"] = content["created_at"].astimezone(UTC).isoformat(timespec="microseconds")
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    data = b"portal-audit-event-v1\n" + text.encode()
    return hmac.new(settings.PORTAL_AUDIT_KEY.encode(), data, hashlib.sha256).hexdigest()


def sign_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    db = schema_editor.connection.alias
    prev_mac, seq = "", 0
    for old_id in list(AuditEvent.objects.using(db).order_by("id").values_list("id", flat=True)):
        seq += 1
        # Renumbering in ascending order never collides: the new id is never above the old one.
        AuditEvent.objects.using(db).filter(id=old_id).update(id=seq, seq=seq)
        event = AuditEvent.objects.using(db).get(id=seq)
        values = {name: getattr(event, name) for name in FIELDS if name != "prev_mac"}
        values["prev_mac"] = prev_mac
        prev_mac = _mac(values)
        AuditEvent.objects.using(db).filter(id=seq).update(prev_mac=values["prev_mac"], mac=prev_mac)
    AuditChainHead.objects.using(db).create(pk=1, seq=seq, mac=prev_mac)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="auditevent", name="seq", field=models.BigIntegerField(null=True)),
        migrations.AddField(model_name="auditevent", name="prev_mac",
                            field=models.CharField(blank=True, default="", max_length=64), preserve_default=False),
        migrations.AddField(model_name="auditevent", name="mac",
                            field=models.CharField(default="", max_length=64), preserve_default=False),
        migrations.AlterField(model_name="auditevent", name="actor_id",
                              field=models.CharField(blank=True, db_index=True, max_length=150)),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(default=0)),
                ("mac", models.CharField(blank=True, max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField()),
                ("seq", models.BigIntegerField(unique=True)),
                ("mac", models.CharField(max_length=64)),
                ("pruned_count", models.BigIntegerField()),
                ("prev_signature", models.CharField(blank=True, max_length=64)),
                ("signature", models.CharField(max_length=64)),
            ],
            options={"ordering": ["seq"]},
        ),
        migrations.RunPython(sign_existing_events, migrations.RunPython.noop),
        migrations.AlterField(model_name="auditevent", name="seq", field=models.BigIntegerField(unique=True)),
        migrations.AlterField(model_name="auditevent", name="id", field=models.BigIntegerField(primary_key=True,
                                                                                                serialize=False)),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["seq"]}),
    ]
