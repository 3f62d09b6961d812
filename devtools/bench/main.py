"""bench/run: orchestration. See bench/README.md for what is measured and how to read the results."""

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from devtools.bench import floor, load, report, sqlcount
from devtools.bench.stack import OPENEMR_DB, READER_PASSWORD, READER_USER, REPO, Stack, log
from devtools.bench.web import SignInError, discover_ids, sign_in

# (name, path template). Templates with {encounter}/{report}/{analyte} need an id of that patient.
PAGES = [
    ("summary", "/"),
    ("visits", "/visits/"),
    ("visit", "/visits/{encounter}/"),
    ("medications", "/medications/"),
    ("problems", "/problems/"),
    ("allergies", "/allergies/"),
    ("immunizations", "/immunizations/"),
    ("results", "/results/"),
    ("result", "/results/{report}/"),
    ("analyte", "/results/analyte/{analyte}/"),
    ("vitals", "/vitals/"),
    ("appointments", "/appointments/"),
    ("profile", "/profile/"),
]
PROBE_IDS = {"encounter": "1", "report": "1", "analyte": "GLU"}
BENCH_PASSWORD = "bench-Correct-horse-battery-42"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--patients", type=int, default=20000, help="patients to generate (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="data generator and sampling seed (default 1)")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per page (default 30)")
    parser.add_argument("--heavy-duration", type=int, default=None,
                        help="seconds of load per page for the heavy patient alone (default duration/3, >= 5)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--sample", type=int, default=50, help="signed-in patients, incl. the heavy one (50)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--serial-repeats", type=int, default=2, help="unloaded requests per patient and page")
    parser.add_argument("--floor-repeats", type=int, default=5, help="raw-SQL runs per patient and page")
    parser.add_argument("--no-index-experiment", action="store_true",
                        help="skip the what-if run with an index on openemr_postcalendar_events.pc_pid")
    parser.add_argument("--output", default=str(REPO / "bench" / "RESULTS.md"), help="results file")
    parser.add_argument("--keep", action="store_true", help="leave MariaDB and gunicorn running at the end")
    args = parser.parse_args(argv)
    if args.heavy_duration is None:
        args.heavy_duration = max(5, args.duration // 3)
    for name in ("patients", "duration", "concurrency", "sample", "workers", "wrk_threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def setup_django(stack):
    os.environ.update(stack.env())
    import django

    django.setup()


def available_pages():
    """The pages that exist in this checkout (URL resolves to a view)."""
    from django.urls import Resolver404, resolve

    names = []
    for name, template in PAGES:
        try:
            resolve(template.format(**PROBE_IDS))
            names.append(name)
        except Resolver404:
            pass
    return names


def otp_step_exists():
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("accounts:login_otp")
        return True
    except NoReverseMatch:
        return False


def choose_sample(conn, size, seed):
    """A deterministic sample of portal-enabled patients, plus the heavy patient (most visits)."""
    with conn.cursor() as cur:
        cur.execute("SELECT pid, COUNT(*) FROM form_encounter GROUP BY pid ORDER BY COUNT(*) DESC, pid LIMIT 1")
        row = cur.fetchone()
        heavy = int(row[0]) if row else None
        cur.execute("SELECT pid FROM patient_data WHERE allow_patient_portal = 'YES' ORDER BY pid")
        eligible = [int(r[0]) for r in cur.fetchall() if int(r[0]) != heavy]
    sample = sorted(random.Random(seed).sample(eligible, min(size - 1, len(eligible))))
    if heavy is not None:
        sample.append(heavy)
    return sample, heavy


def heavy_profile(conn, pid):
    counts = {}
    queries = {
        "visits": "SELECT COUNT(*) FROM form_encounter WHERE pid = %s",
        "lab results": "SELECT COUNT(*) FROM procedure_order o JOIN procedure_report rep ON "
                       "rep.procedure_order_id = o.procedure_order_id JOIN procedure_result r ON "
                       "r.procedure_report_id = rep.procedure_report_id WHERE o.patient_id = %s",
        "issues": "SELECT COUNT(*) FROM lists WHERE pid = %s",
        "prescriptions": "SELECT COUNT(*) FROM prescriptions WHERE patient_id = %s",
        "vitals": "SELECT COUNT(*) FROM form_vitals WHERE pid = %s",
        "appointments": "SELECT COUNT(*) FROM openemr_postcalendar_events WHERE pc_pid = %s",
    }
    with conn.cursor() as cur:
        for label, sql in queries.items():
            cur.execute(sql, (str(pid) if "pc_pid" in sql else pid,))
            counts[label] = cur.fetchone()[0]
    return counts


def table_sizes(conn):
    with conn.cursor() as cur:
        sizes = {}
        for table in ("patient_data", "form_encounter", "forms", "lists", "prescriptions", "immunizations",
                      "form_vitals", "procedure_order", "procedure_result", "billing", "openemr_postcalendar_events"):
            cur.execute(f"SELECT COUNT(*) FROM `{table}`")
            sizes[table] = cur.fetchone()[0]
    return sizes


def create_accounts(pids):
    """Active patient accounts with a confirmed TOTP device each, written straight into the portal DB.

    One real Argon2 hash (the production hasher) shared by all benchmark accounts: sign-in happens once
    per session, before any timing, so its cost is outside the measured window.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import PatientAccount

    User = get_user_model()
    hashed = make_password(BENCH_PASSWORD)
    now = timezone.now()
    users = User.objects.bulk_create([User(username=f"bench-{pid}", password=hashed) for pid in pids])
    users = {u.username: u for u in User.objects.filter(username__in=[f"bench-{pid}" for pid in pids])}
    PatientAccount.objects.bulk_create([
        PatientAccount(user=users[f"bench-{pid}"], pid=pid, state=PatientAccount.State.ACTIVE, issued_at=now,
                       activated_at=now) for pid in pids])
    for pid in pids:
        TOTPDevice.objects.create(user=users[f"bench-{pid}"], name="Authenticator app", confirmed=True)
    return {pid: users[f"bench-{pid}"].pk for pid in pids}


def totp_code_fn(user_id):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def code():
        device = TOTPDevice.objects.get(user_id=user_id)
        return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"

    return code


def run_generator(stack, args):
    """fake_openemr into the throwaway server; returns seconds taken."""
    start = time.monotonic()
    stack.manage("fake_openemr", "--patients", str(args.patients), "--seed", str(args.seed), "--create-schema",
                 "--database-url", stack.server.url(OPENEMR_DB), stream=True, timeout=3 * 3600,
                 devtools=True)
    return time.monotonic() - start


def reader_connection(stack):
    import MySQLdb

    conn = MySQLdb.connect(host="127.0.0.1", port=stack.server.port, user=READER_USER, passwd=READER_PASSWORD,
                           db=OPENEMR_DB, charset="utf8mb4")
    conn.autocommit(True)
    with conn.cursor() as cur:
        cur.execute("SET SESSION TRANSACTION READ ONLY")
    return conn


def audit_section(path):
    """bench/audit_scaling.py's section of the results file, kept when this benchmark rewrites the rest."""
    try:
        old = Path(path).read_text()
    except OSError:
        return ""
    start = old.find(AUDIT_MARK)
    return "\n" + old[start:] if start >= 0 else ""


AUDIT_MARK = "<!-- bench/audit_scaling.py -->"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


APPOINTMENT_PAGES = ("summary", "visit", "appointments")  # the pages that read the calendar


def index_experiment(stack, port, pairs, ids, heavy, args, serial, floors):
    """With the index on pc_pid that the schema doc (§7) and portal_check (W020) tell the DBA to add.

    "Without" is the main 1-by-1 and floor pass above. Then the index is built (on the root connection: the
    portal's account cannot), gunicorn's workers are replaced (SIGHUP) so the portal sees the index at once
    (PORTAL_CALENDAR_PID_INDEX=auto otherwise re-checks every 10 minutes), and every page is measured again,
    1-by-1 and floor, for the typical patients. The index is dropped at the end.
    """
    names = list(pairs)
    if not names:
        return None
    log("with the indexes portal_check advises (pc_pid first): every page again, 1-by-1 and floor")
    conn = reader_connection(stack)

    def measure(name):
        typical = [(p, c) for p, c, pid in pairs[name] if pid != heavy]
        lat, bad = load.serial_latencies(port, typical, args.serial_repeats)
        fl = [floor.time_page(conn, name, floor.params_for(pid, ids[pid], indexed=True), args.floor_repeats)
              for _, _, pid in pairs[name] if pid != heavy]
        return lat, fl, bad

    from portal.checks import RECOMMENDED_INDEXES

    out = {"pages": {}, "indexes": [f"{table} ({columns})" for table, _c, _n, columns, _w in RECOMMENDED_INDEXES]}
    root = stack.root()
    try:
        with root.cursor() as cur:
            start = time.monotonic()
            # Every index portal_check (W020) advises, as deploy/mysql/replica-pc_pid-index.sql creates them:
            # pc_pid for the calendar, form_clinical_notes.form_id and form_care_plan.id for a visit's notes.
            for table, _column, name, columns, _why in RECOMMENDED_INDEXES:
                cur.execute(f"CREATE INDEX bench_{name} ON {table} ({columns})")
            out["index_seconds"] = time.monotonic() - start
        stack.gunicorn.send_signal(signal.SIGHUP)
        time.sleep(8)
        stack.check_alive()
        for name in names:
            load.warm(port, [(p, c) for p, c, pid in pairs[name] if pid != heavy], passes=1)
        for name in names:
            lat, fl, bad = measure(name)
            out["pages"][name] = {
                "serial_before": serial[name]["p50"], "serial_before_p95": serial[name].get("p95"),
                "floor_before": floors[name]["p50"], "floor_before_p95": floors[name].get("p95"),
                "serial_after": load.median(lat), "serial_after_p95": load.percentile(lat, 95),
                "floor_after": load.median(fl), "floor_after_p95": load.percentile(fl, 95), "bad": bad}
            p = out["pages"][name]
            log(f"  {name:14s} 1-by-1 p95 {p['serial_before_p95']:.1f} -> {p['serial_after_p95']:.1f} ms, "
                f"floor p95 {p['floor_before_p95']:.2f} -> {p['floor_after_p95']:.2f} ms")
        with root.cursor() as cur:
            for table, _column, name, _columns, _why in RECOMMENDED_INDEXES:
                cur.execute(f"DROP INDEX bench_{name} ON {table}")
    finally:
        root.close()
        conn.close()
    stack.check_alive()
    return out


def main(argv):
    args = parse_args(argv)
    if not Path(load.WRK).exists():
        print(f"{load.WRK} not found (Debian package wrk).", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    stack = Stack(workdir)
    signal.signal(signal.SIGTERM, _interrupt)  # a CI timeout cleans up like Ctrl-C
    result = {"args": vars(args), "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    try:
        log(f"work directory {workdir}")
        log("starting a throwaway MariaDB")
        stack.start_mariadb()
        result["mariadb"] = stack.version()
        result["loadavg_start"] = os.getloadavg()

        log(f"generating {args.patients} patients with fake_openemr (seed {args.seed})")
        result["generation_seconds"] = run_generator(stack, args)
        log(f"data generated in {result['generation_seconds']:.0f} s")
        root = stack.root()
        result["table_sizes"] = table_sizes(root)

        log("portal database: migrate; static files: collectstatic")
        stack.manage("migrate", "--noinput")
        stack.manage("collectstatic", "--noinput")

        setup_django(stack)
        pages = available_pages()
        result["pages_missing"] = [name for name, _ in PAGES if name not in pages]
        stack.otp_required = otp_step_exists()
        if not stack.otp_required:
            os.environ["PORTAL_PATIENT_OTP_REQUIRED"] = "0"
        result["otp"] = stack.otp_required
        log(f"pages present: {', '.join(pages)}; missing: {', '.join(result['pages_missing']) or 'none'}")

        sample, heavy = choose_sample(root, args.sample, args.seed)
        result["sample"], result["heavy_pid"] = sample, heavy
        result["heavy_profile"] = heavy_profile(root, heavy) if heavy else {}
        root.close()
        log(f"sampled {len(sample)} patients (heavy patient pid {heavy}: {result['heavy_profile']})")
        user_ids = create_accounts(sample)

        log(f"starting gunicorn (deploy/gunicorn.conf.py, {args.workers} workers)")
        port = stack.start_gunicorn(args.workers)
        result["versions"] = report.versions()

        log("signing in every sampled patient (password + TOTP) and reading their ids")
        sessions, ids = {}, {}
        for i, pid in enumerate(sample, 1):
            try:
                browser = sign_in(port, f"bench-{pid}", BENCH_PASSWORD, totp_code_fn(user_ids[pid]))
            except SignInError as exc:
                log(f"  pid {pid}: sign-in failed ({exc}); left out")
                continue
            sessions[pid] = browser.cookie_header()
            ids[pid] = discover_ids(browser, set(pages))
            if i % 10 == 0 or i == len(sample):
                log(f"  {i}/{len(sample)} signed in")
        if not sessions:
            raise RuntimeError("no sampled patient could sign in")
        result["signed_in"] = len(sessions)

        pairs, heavy_pairs = {}, {}
        for name, template in PAGES:
            if name not in pages:
                continue
            need = floor.NEEDS.get(name)
            pairs[name] = [(template.format(**ids[pid]), sessions[pid], pid) for pid in sessions
                           if need is None or need in ids[pid]]
            heavy_pairs[name] = [p for p in pairs[name] if p[2] == heavy]
            if not pairs[name]:
                log(f"  {name}: no sampled patient has one; page left out")
                del pairs[name], heavy_pairs[name]
        result["pages_no_data"] = [n for n in pages if n not in pairs]

        log("warming up (every page for every patient, twice)")
        for name in pairs:
            load.warm(port, [(p, c) for p, c, _ in pairs[name]], passes=2)

        stack.check_alive()
        log("counting SQL statements per request (MariaDB general log, one request at a time)")
        counts = {}
        for name in pairs:
            typical = [p for p in pairs[name] if p[2] != heavy][:5]
            per = [sqlcount.count_queries(stack.server, port, p, c) for p, c, _ in typical]
            hv = [sqlcount.count_queries(stack.server, port, p, c) for p, c, _ in heavy_pairs[name]]
            counts[name] = {"typical": per, "heavy": hv[0] if hv else None}
            for entry in per[1:] + hv if name == "summary" else per + hv:
                entry.pop("statements", None)  # the report lists one summary view's statements only

        stack.check_alive()
        log(f"unloaded latency: each page x each patient x {args.serial_repeats}, one request at a time")
        serial = {}
        for name in pairs:
            lat, bad = load.serial_latencies(port, [(p, c) for p, c, pid in pairs[name] if pid != heavy],
                                             args.serial_repeats)
            hlat, hbad = load.serial_latencies(port, [(p, c) for p, c, _ in heavy_pairs[name]], 10)
            serial[name] = {"p50": load.median(lat), "p95": load.percentile(lat, 95), "heavy_p50": load.median(hlat),
                            "heavy_p95": load.percentile(hlat, 95), "bad": bad + hbad}

        stack.check_alive()
        log(f"load: each page for {args.duration} s at concurrency {args.concurrency} "
            f"(about {len(pairs) * (args.duration + args.heavy_duration) // 60 + 1} min with the heavy pass)")
        loaded, heavy_loaded = {}, {}
        recycles_before = stack.worker_recycles()
        for name in pairs:
            loaded[name] = load.run_wrk(port, [(p, c) for p, c, _ in pairs[name]], duration=args.duration,
                                        concurrency=args.concurrency, threads=args.wrk_threads,
                                        workdir=workdir, name=name)
            stack.check_alive()
            r = loaded[name]
            log(f"  {name:14s} {r['rps']:7.1f} req/s  p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  "
                f"max {r['max']:7.1f} ms  non-200 {r['bad']}")
        for name in pairs:
            if heavy_pairs[name]:
                heavy_loaded[name] = load.run_wrk(port, [(p, c) for p, c, _ in heavy_pairs[name]],
                                                  duration=args.heavy_duration, concurrency=args.concurrency,
                                                  threads=args.wrk_threads, workdir=workdir, name=f"heavy-{name}")
                stack.check_alive()
                r = heavy_loaded[name]
                log(f"  heavy {name:8s} {r['rps']:7.1f} req/s  p50 {r['p50']:7.1f} ms  "
                    f"p95 {r['p95']:7.1f} ms  non-200 {r['bad']}")
        result["worker_recycles"] = stack.worker_recycles() - recycles_before
        result["loadavg_end"] = os.getloadavg()

        log(f"raw-SQL floor: each page's SELECTs over one connection, median of {args.floor_repeats} runs")
        conn = reader_connection(stack)
        floors = {}
        for name in pairs:
            per_patient, heavy_ms = [], None
            for _, _, pid in pairs[name]:
                # One heavy patient against many typical ones: give its median more runs.
                repeats = args.floor_repeats * (3 if pid == heavy else 1)
                ms = floor.time_page(conn, name, floor.params_for(pid, ids[pid]), repeats)
                if pid == heavy:
                    heavy_ms = ms
                else:
                    per_patient.append(ms)
            floors[name] = {"p50": load.median(per_patient), "p95": load.percentile(per_patient, 95),
                            "heavy": heavy_ms, "statements": len(floor.page_sql(name))}
        conn.close()
        stack.check_alive()

        if not args.no_index_experiment:
            result["index_experiment"] = index_experiment(stack, port, pairs, ids, heavy, args, serial, floors)

        result.update({"pages": [n for n, _ in PAGES], "paths": dict(PAGES), "counts": counts,
                       "serial": serial, "loaded": loaded, "heavy_loaded": heavy_loaded, "floors": floors,
                       "patients_per_page": {n: len([p for p in pairs[n] if p[2] != heavy]) for n in pairs},
                       "finished": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())})
        text = report.render(result)
        Path(args.output).write_text(text + audit_section(args.output))
        # The raw numbers beside it, to re-render or compare runs: .venv/bin/python -m devtools.bench.report FILE.json
        Path(args.output).with_suffix(".json").write_text(json.dumps(result, indent=1, default=str) + "\n")
        print(report.console_table(result))
        log(f"wrote {args.output}")
        return 0
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except RuntimeError as exc:
        log(f"FAILED: {exc}")
        return 1
    finally:
        if args.keep and stack.server:
            log(f"--keep: MariaDB on 127.0.0.1:{stack.server.port} (root, no password), "
                f"gunicorn on 127.0.0.1:{stack.gunicorn_port}; work directory {workdir}")
        else:
            log("cleaning up (gunicorn, MariaDB, work directory)")
            stack.destroy()
            shutil.rmtree(workdir, ignore_errors=True)
