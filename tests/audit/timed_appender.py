"""Run as a separate process (`python -m tests.audit.timed_appender SECONDS NAME START`): from START (a time.time()
value, so several processes begin together after their slow django.setup()) append events via record() for
SECONDS, each tagged object_ids="NAME,i"; print the number appended. Like one gunicorn worker, any host."""

import sys
import time

import django


def main(seconds, name, start):
    django.setup()
    from audit.log import Event, record

    time.sleep(max(0.0, start - time.time()))
    deadline, count = start + seconds, 0
    while time.time() < deadline:
        record(Event.RECORD_VIEWED, pid=1, category="summary", object_ids=[name, count])
        count += 1
    print(count)


if __name__ == "__main__":
    main(float(sys.argv[1]), sys.argv[2], float(sys.argv[3]))
