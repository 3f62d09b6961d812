"""One writer process for devtools/bench/audit_scaling.py: `python -m devtools.bench.audit_appender SECONDS START MODE` appends
audit events via record() from START (a time.time() value) for SECONDS, MODE "old" (head lock) or "new"
(self-signed INSERT); prints how many."""

import sys
import time

import django


def main(seconds, start, mode):
    django.setup()
    from audit.log import Event, record

    if mode == "old":
        from devtools.bench import legacy_chain

        legacy_chain.install()
    time.sleep(max(0.0, start - time.time()))
    deadline, count = start + seconds, 0
    while time.time() < deadline:
        record(Event.RECORD_VIEWED, pid=1, category="summary", object_ids=[count])
        count += 1
    print(count)


if __name__ == "__main__":
    main(float(sys.argv[1]), float(sys.argv[2]), sys.argv[3])
