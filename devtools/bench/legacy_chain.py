"""The audit append as it was before issue 12 (audit/chain.py at commit ad925fe), for devtools/bench/audit_scaling.py only.

Lock the one head row (SELECT ... FOR UPDATE), insert event seq+1 signed over the previous MAC, move the head,
commit: every writer of every host queues on that row. Its events go to the same table with ids far above the
sequence's (LEGACY_OFFSET) so both schemes can be measured on one database in one run. Never imported by the
portal.
"""

from django.db import connections, transaction
from django.utils import timezone

from audit import legacy
from audit.models import AuditEvent

HEAD_TABLE = "bench_legacy_head"
LEGACY_OFFSET = 10**15


def create_head(cursor):
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {HEAD_TABLE} (id INT PRIMARY KEY, seq BIGINT NOT NULL, "
                   "mac VARCHAR(64) NOT NULL) ENGINE=InnoDB")
    cursor.execute(f"INSERT IGNORE INTO {HEAD_TABLE} VALUES (1, {LEGACY_OFFSET}, '')")


def append(**fields):
    with transaction.atomic(using="default"):
        with connections["default"].cursor() as cursor:
            cursor.execute(f"SELECT seq, mac FROM {HEAD_TABLE} WHERE id = 1 FOR UPDATE")
            seq, mac = cursor.fetchone()
            seq += 1
            values = dict(fields, id=seq, seq=seq, created_at=timezone.now(), prev_mac=mac)
            values["mac"] = legacy.event_mac(values)
            event = AuditEvent(**values)
            event.save(using="default")
            cursor.execute(f"UPDATE {HEAD_TABLE} SET seq = %s, mac = %s WHERE id = 1", [seq, values["mac"]])
        return event


def install():
    """Make audit.log.record() append the old way in this process."""
    from audit import events

    events.append = append
