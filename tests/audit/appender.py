"""Run as a separate process (`python -m tests.audit.appender N NAME [START]`): append N audit events via
record(), every third one inside a transaction with a business write, like a gunicorn worker on another host.
START (a time.time() value) lets several processes begin at the same moment, after their slow django.setup()."""

import sys
import time

import django


def main(count, name, start=0.0):
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from audit.log import Event, record

    time.sleep(max(0.0, start - time.time()))

    for i in range(count):
        if i % 3 == 0:
            with transaction.atomic():
                get_user_model().objects.create_user(username=f"{name}-{i}")
                record(Event.CREDENTIALS_ISSUED, pid=1, object_ids=[i])
        else:
            record(Event.RECORD_VIEWED, pid=1, category="summary", object_ids=[i])


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.0)
