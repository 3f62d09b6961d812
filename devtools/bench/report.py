"""bench/RESULTS.md and the console table."""

import os
import platform
import re
import subprocess


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib():
    try:
        with open("/proc/meminfo") as f:
            kib = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
        return f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        return "unknown"


def versions():
    import django
    import gunicorn
    import MySQLdb

    try:
        wrk = subprocess.run(["/usr/bin/wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    except OSError:
        wrk = "unknown"
    return {
        "cpus": os.cpu_count(), "cpu_model": _cpu_model(), "memory": _memory_gib(),
        "kernel": platform.release(), "python": platform.python_version(), "django": django.get_version(),
        "gunicorn": gunicorn.__version__, "mysqlclient": ".".join(map(str, MySQLdb.version_info[:3])),
        "wrk": wrk.split(" Copyright")[0].strip(),
    }


def _ms(value):
    return "—" if value is None else (f"{value:.1f}" if value >= 10 else f"{value:.2f}")


def _ratio(page, base):
    if page is None or not base:
        return "—"
    return f"{page / base:.0f}×" if page / base >= 10 else f"{page / base:.1f}×"


def _counts(entry):
    if not entry:
        return "—"
    return f"{entry['openemr']} + {entry['portal']}"


def _typical_counts(entries):
    """'a + b' when the sampled patients agree, 'a..b + c..d' when they do not."""
    entries = [e for e in entries if e]
    if not entries:
        return "—"
    oe = sorted({e["openemr"] for e in entries})
    po = sorted({e["portal"] for e in entries})
    fmt = lambda v: str(v[0]) if len(v) == 1 else f"{v[0]}..{v[-1]}"  # noqa: E731
    return f"{fmt(oe)} + {fmt(po)}"


def rows(result):
    out = []
    for name in result["pages"]:
        path = result["paths"][name]
        if name not in result["loaded"]:
            why = ("no sampled patient had one to show" if name in result.get("pages_no_data", [])
                   else "not built at the time of this run")
            out.append({"page": name, "path": path, "missing": True, "why": why})
            continue
        lo, se, fl = result["loaded"][name], result["serial"][name], result["floors"][name]
        hv = result["heavy_loaded"].get(name)
        out.append({
            "page": name, "path": path, "missing": False, "patients": result["patients_per_page"][name],
            "requests": lo["requests"], "rps": lo["rps"], "p50": lo["p50"], "p95": lo["p95"], "max": lo["max"],
            "bad": lo["bad"] + lo["errors"], "serial": se["p50"], "serial_p95": se.get("p95"),
            "floor_p95": fl.get("p95"),
            "sql": _typical_counts(result["counts"][name]["typical"]),
            "floor": fl["p50"], "floor_statements": fl["statements"],
            "heavy": {
                "rps": hv["rps"] if hv else None, "p50": hv["p50"] if hv else None,
                "p95": hv["p95"] if hv else None, "max": hv["max"] if hv else None,
                "bad": (hv["bad"] + hv["errors"]) if hv else 0,
                "serial": se["heavy_p50"], "sql": _counts(result["counts"][name]["heavy"]), "floor": fl["heavy"],
            },
        })
    return out


def _max_count(entries, key="openemr"):
    values = [e[key] for e in entries if e]
    return max(values) if values else None


GOAL_FACTOR, GOAL_MS = 2, 15  # issue 10: every page's 1-by-1 p95 <= 2 x its floor + 15 ms, with the index


def goal(page_p95, floor_p95):
    """(limit, met) for the goal page p95 <= 2 x floor p95 + 15 ms; (None, None) without data."""
    if page_p95 is None or floor_p95 is None:
        return None, None
    limit = GOAL_FACTOR * floor_p95 + GOAL_MS
    return limit, page_p95 <= limit


def findings(result, built):
    """Headline facts, each derived from the measurements (no hand-written conclusions)."""
    out = []
    ix = result.get("index_experiment")
    if ix and ix.get("pages"):
        checks = {name: goal(p.get("serial_after_p95"), p.get("floor_after_p95")) for name, p in ix["pages"].items()}
        met = [n for n, (_limit, ok) in checks.items() if ok]
        missed = [n for n, (_limit, ok) in checks.items() if ok is False]
        out.append(f"With the indexes `portal_check` advises (`pc_pid` first), {len(met)} of {len(checks)} pages meet "
                   f"the goal 1-by-1 p95 ≤ "
                   f"{GOAL_FACTOR} × floor p95 + {GOAL_MS} ms" + (": all of them." if not missed else
                   "; not met: " + ", ".join(
                       f"{n} (p95 {_ms(ix['pages'][n]['serial_after_p95'])} ms, limit {_ms(checks[n][0])} ms)"
                       for n in missed) + "."))
    cheap = [r for r in built if r["floor"] is not None and r["serial"] and r["floor"] < 0.25 * r["serial"]]
    bound = [r for r in built if r["floor"] is not None and r["serial"] and r["floor"] >= 0.25 * r["serial"]]
    if cheap:
        serials = sorted(r["serial"] for r in cheap)
        out.append(f"{len(cheap)} of {len(built)} pages spend under a quarter of their time in OpenEMR SQL: their "
                   f"1-by-1 p50 is {_ms(serials[0])}–{_ms(serials[-1])} ms with a floor under "
                   f"{_ms(max(r['floor'] for r in cheap))} ms; the rest is the portal's fixed per-request cost "
                   "(session, OTP device, account, the audit write, template, HTTP).")
    if bound:
        out.append("SQL-bound pages (floor ≥ a quarter of the 1-by-1 time): " + ", ".join(
            f"{r['page']} (floor {_ms(r['floor'])} of {_ms(r['serial'])} ms)" for r in bound) + ".")
    if ix and ix.get("pages") and all(n in ix["pages"] for n in ("summary", "visit", "appointments")):
        out.append("All of the calendar pages' extra time is the unindexed appointment lookup: with an index on "
                   "`pc_pid` their floor drops " + ", ".join(
                       f"{name} {_ms(p['floor_before'])} → {_ms(p['floor_after'])} ms"
                       for name, p in ix["pages"].items() if name in ("summary", "visit", "appointments"))
                   + " (see the table with the index)."
                   if all(ix["pages"][n]["floor_after"] and ix["pages"][n]["floor_before"]
                          and ix["pages"][n]["floor_after"] < ix["pages"][n]["floor_before"] / 3
                          for n in ("summary", "visit", "appointments")) else
                   "With an index on `pc_pid` the calendar pages' floor changes: " + ", ".join(
                       f"{name} {_ms(ix['pages'][name]['floor_before'])} → {_ms(ix['pages'][name]['floor_after'])} ms"
                       for name in ("summary", "visit", "appointments")) + ".")
    grows = []
    for r in built:
        counts = result["counts"][r["page"]]
        typical, heavy = _max_count(counts["typical"]), counts["heavy"]["openemr"] if counts["heavy"] else None
        if typical is not None and heavy is not None and heavy > typical:
            grows.append(f"{r['page']} ({typical} → {heavy})")
    if grows:
        out.append("OpenEMR statements per request are higher for the heavy patient than for the typical patients "
                   "counted on: " + ", ".join(grows) + ". Such a page runs one query per *kind* of item present "
                   "(a visit's notes, vitals, orders...), so the heavy patient's item may simply have more kinds; "
                   "a count that grew with the *number* of items would be a bug (the query-count tests check it).")
    else:
        out.append("The heavy patient's pages issue no more OpenEMR statements than the typical patients' "
                   "(fixed query counts, whatever the size of the record).")
    heavy_slow = [r for r in built if r["heavy"]["serial"] and r["serial"] and r["heavy"]["serial"] > 2 * r["serial"]]
    if heavy_slow:
        out.append("Pages at least twice as slow (1-by-1) for the heavy patient: " + ", ".join(
            f"{r['page']} ({_ms(r['serial'])} → {_ms(r['heavy']['serial'])} ms)" for r in heavy_slow) + ".")
    bad = sum(r["bad"] + r["heavy"]["bad"] for r in built)
    out.append("Every timed request answered 200." if not bad else
               f"{bad} timed requests did not answer 200: see the non-200 columns.")
    return out


def console_table(result):
    lines = [f"{'page':14s} {'req/s':>7s} {'p50':>7s} {'p95':>7s} {'max':>7s} {'1-by-1':>7s} "
             f"{'SQL':>9s} {'floor':>7s} {'ratio':>6s}  (ms; SQL = OpenEMR + portal statements)"]
    for r in rows(result):
        if r["missing"]:
            lines.append(f"{r['page']:14s} {r['why']}")
            continue
        lines.append(f"{r['page']:14s} {r['rps']:7.1f} {_ms(r['p50']):>7s} {_ms(r['p95']):>7s} "
                     f"{_ms(r['max']):>7s} {_ms(r['serial']):>7s} {r['sql']:>9s} {_ms(r['floor']):>7s} "
                     f"{_ratio(r['serial'], r['floor']):>6s}")
    return "\n".join(lines)


def render(result):
    a, v = result["args"], result["versions"]
    sizes = result["table_sizes"]
    table = rows(result)
    built = [r for r in table if not r["missing"]]
    bad_total = sum(r["bad"] + r["heavy"]["bad"] for r in built)
    serial_ratios = sorted(r["serial"] / r["floor"] for r in built if r["serial"] and r["floor"])
    median_ratio = serial_ratios[len(serial_ratios) // 2] if serial_ratios else None
    hp = result.get("heavy_profile", {})
    out = []
    w = out.append
    w("# Benchmark results\n")
    w(f"Generated by `bench/run` (see `bench/README.md`). Run started {result['started']}, "
      f"finished {result['finished']}.\n")
    w("## Machine\n")
    w(f"- {v['cpus']} CPUs ({v['cpu_model']}), {v['memory']} RAM, Linux {v['kernel']}")
    w(f"- MariaDB {result['mariadb']} (throwaway server on loopback, 1 GiB buffer pool, binary log off, "
      "`innodb_flush_log_at_trx_commit=2`)")
    w(f"- Python {v['python']}, Django {v['django']}, gunicorn {v['gunicorn']}, mysqlclient {v['mysqlclient']}, "
      f"{v['wrk']}")
    la0, la1 = result["loadavg_start"], result["loadavg_end"]
    w(f"- Load average (1/5/15 min) at start {la0[0]:.2f}/{la0[1]:.2f}/{la0[2]:.2f}, after the load runs "
      f"{la1[0]:.2f}/{la1[1]:.2f}/{la1[2]:.2f}. **Shared machine:** the load generator (wrk), gunicorn, MariaDB "
      "and, during this run, other engineers' test suites all ran on these same cores, so absolute numbers are "
      "pessimistic and noisy; the ratios and query counts are the stable part.\n")
    w("## Parameters\n")
    w(f"- `bench/run --patients {a['patients']} --seed {a['seed']} --duration {a['duration']} "
      f"--concurrency {a['concurrency']} --sample {a['sample']} --workers {a['workers']}` "
      f"(heavy-patient runs {a['heavy_duration']} s per page, wrk threads {a['wrk_threads']}, "
      f"{a['serial_repeats']} unloaded requests per patient and page, floor median of {a['floor_repeats']} runs)")
    w(f"- Data generation (`manage.py fake_openemr --patients {a['patients']} --seed {a['seed']} "
      f"--create-schema`): **{result['generation_seconds']:.0f} s**. Rows: "
      + ", ".join(f"{t} {n:,}" for t, n in sizes.items()) + ".")
    how = ("through the real forms (password, then a TOTP code computed from each account's device)"
           if result["otp"] else
           "with password only (the OTP step did not exist yet: `PORTAL_PATIENT_OTP_REQUIRED=0`)")
    w(f"- {result['signed_in']} sampled patients signed in {how}. Their accounts were written straight into the "
      "portal database (active, one confirmed TOTP device each) with the production Argon2 hasher; sign-in "
      "happens before timing starts and is not measured.")
    w(f"- Heavy patient: pid {result['heavy_pid']} ("
      + ", ".join(f"{n:,} {label}" for label, n in hp.items()) + ").")
    w(f"- gunicorn: `deploy/gunicorn.conf.py` unchanged (sync workers, `max_requests` 1000 ± 100), "
      f"{a['workers']} workers, production settings (`PORTAL_DEBUG=0`, manifest static files after "
      "`collectstatic`, OpenEMR through a SELECT-only account with a READ ONLY session, audit row per page view), "
      "`PORTAL_SECURE_COOKIES=0` because it is plain HTTP on loopback (no nginx, no TLS in front). "
      f"Workers recycled by `max_requests` during the load runs: {result['worker_recycles']}.")
    w(f"- Non-200 answers or socket errors during the load runs: {bad_total}.\n")

    w("## Findings (computed from the tables below)\n")
    for line in findings(result, built):
        w(f"- {line}")
    w("")
    w("## Per page (sampled patients)\n")
    w("Latencies in ms. *Loaded* = wrk, closed loop, "
      f"{a['concurrency']} connections for {a['duration']} s per page, rotating through the signed-in patients. "
      "*1-by-1* = median of single requests, one at a time, with no benchmark load (other processes on the "
      "machine still ran). *SQL* = statements per request counted in MariaDB's general log: OpenEMR + portal "
      "database (session, user, device, account, audit). "
      "*Floor* = the page's hand-written SELECTs over one connection, median of the runs per patient, then p50 / "
      "p95 over the patients; *ratio* = 1-by-1 p50 / floor p50. Without an index on `pc_pid` (OpenEMR's "
      "default); the table after this one has every page with the index.\n")
    w("| page | path | patients | requests | non-200 | req/s | p50 | p95 | max | 1-by-1 p50 | 1-by-1 p95 | SQL "
      "| floor p50 | floor p95 | ratio |")
    w("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in table:
        if r["missing"]:
            w(f"| {r['page']} | `{r['path']}` | {r['why']} | | | | | | | | | | | | |")
            continue
        w(f"| {r['page']} | `{r['path']}` | {r['patients']} | {r['requests']:,} | {r['bad']} | {r['rps']:.1f} | "
          f"{_ms(r['p50'])} | {_ms(r['p95'])} | {_ms(r['max'])} | {_ms(r['serial'])} | {_ms(r['serial_p95'])} | "
          f"{r['sql']} | {_ms(r['floor'])} | {_ms(r['floor_p95'])} | {_ratio(r['serial'], r['floor'])} |")
    w("")
    w(f"## The heavy patient alone (pid {result['heavy_pid']})\n")
    w(f"Same measures, every request for the heavy patient ({a['heavy_duration']} s per page under load; "
      f"10 single requests for 1-by-1; floor median of {3 * a['floor_repeats']} runs).\n")
    w("| page | non-200 | req/s | p50 | p95 | max | 1-by-1 p50 | SQL | floor | ratio |")
    w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in built:
        h = r["heavy"]
        if h["rps"] is None:
            w(f"| {r['page']} | no such page for this patient | | | | | | | | |")
            continue
        w(f"| {r['page']} | {h['bad']} | {h['rps']:.1f} | {_ms(h['p50'])} | {_ms(h['p95'])} | {_ms(h['max'])} | "
          f"{_ms(h['serial'])} | {h['sql']} | {_ms(h['floor'])} | {_ratio(h['serial'], h['floor'])} |")
    w("")
    ix = result.get("index_experiment")
    if ix:
        w("## Without and with the recommended indexes (`pc_pid` first)\n")
        w("OpenEMR ships no index on `pc_pid`, so \"this patient's appointments\" is a range on the clinic's "
          "calendar by date (schema doc §7); `portal_check` (W020) gives the DBA the statement. *Without* is the "
          "per-page pass above; then the indexes `portal_check` advises (W020, "
          "`deploy/mysql/replica-pc_pid-index.sql`: "
          + ", ".join(f"`{i}`" for i in ix.get("indexes", ["openemr_postcalendar_events (pc_pid, pc_eventDate)"]))
          + f"; built in {ix['index_seconds']:.1f} s, {sizes.get('openemr_postcalendar_events', 0):,} calendar "
          "rows), gunicorn's workers replaced so the portal sees them, and every page measured again for the "
          "typical patients (1-by-1 and floor; dropped afterwards). *Goal*: 1-by-1 p95 ≤ "
          f"{GOAL_FACTOR} × floor p95 + {GOAL_MS} ms, with the index.\n")
        w("| page | 1-by-1 p50 without | p95 without | floor p50 without | floor p95 without | 1-by-1 p50 with "
          "| p95 with | floor p50 with | floor p95 with | ratio p95/floor p95 with | goal limit | goal met |")
        w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        for name, p in ix["pages"].items():
            limit, ok = goal(p.get("serial_after_p95"), p.get("floor_after_p95"))
            w(f"| {name} | {_ms(p['serial_before'])} | {_ms(p.get('serial_before_p95'))} | "
              f"{_ms(p['floor_before'])} | {_ms(p.get('floor_before_p95'))} | {_ms(p['serial_after'])} | "
              f"{_ms(p.get('serial_after_p95'))} | {_ms(p['floor_after'])} | {_ms(p.get('floor_after_p95'))} | "
              f"{_ratio(p.get('serial_after_p95'), p.get('floor_after_p95'))} | {_ms(limit)} | "
              f"{'yes' if ok else 'no' if ok is False else '—'} |")
        w("")
    w("## Notes\n")
    if median_ratio:
        w(f"- Median page/floor ratio (1-by-1): **{median_ratio:.1f}×**. The floor is only the OpenEMR "
          "SELECTs; the page also reads the session, user, OTP device and patient account, writes and commits "
          "an audit row before showing anything, renders a template, and goes through gunicorn and HTTP.")
    w("- Loaded p50 includes queueing: with more connections than workers and CPUs, a request waits for a "
      "worker; req/s is the capacity number, 1-by-1 is the latency number.")
    w("- SQL counts are the smallest of three requests per patient, for five typical patients and the heavy "
      "one (a fresh worker's connection set-up is not part of a page).")
    ranged = [r["page"] for r in built if ".." in r["sql"]]
    if ranged:
        w(f"- A range in *SQL* ({', '.join(ranged)}) means the sampled patients' pages differ in which kinds of "
          "item they have (a visit with or without notes, vitals, orders...): a query runs only for a kind that "
          "is present, so the count is bounded by the kinds of item, not by how many there are.")
    locking = sorted({table for c in (result["counts"].get("summary", {}).get("typical") or []) if c
                      for table in c.get("locks", [])})
    if locking:
        w(f"- Every page view appends an audit event in a transaction that first locks a row of "
          f"`{', '.join(locking)}` (`SELECT … FOR UPDATE`): concurrent page views of all patients queue on that "
          "row until they commit. That is the price of the tamper-evident hash chain, and it is inside the loaded "
          "numbers above.")
    recycles = result.get("worker_recycles", 0)
    if recycles:
        w(f"- gunicorn recycled a worker {recycles} times during the load runs (`max_requests` 1000 ± 100, the "
          "production setting): each recycle imports Django again in a fresh process, which on 2 cores costs "
          "the other workers CPU for a moment and shows in the max column.")
    if result["pages_missing"]:
        w(f"- Not built at the time of this run: {', '.join(result['pages_missing'])}.")
    w("- Not measured: TLS and nginx, the sign-in and activation flows themselves (Argon2 cost), the staff "
      "console, printing/PDF, static files, a cold buffer pool (the floor's first run is discarded), "
      "network latency to a remote clinic database (here MariaDB is on loopback), and more than one "
      "gunicorn host.")
    w("")
    summary_counts = [c for c in result["counts"].get("summary", {}).get("typical") or [] if c]
    if summary_counts:
        w("## Appendix: the statements of one health-summary view (a typical patient)\n")
        w("From MariaDB's general log; literals replaced by `?`, column lists elided, long statements cut.\n")
        w("| # | database | statement |")
        w("|--:|---|---|")
        for i, (db, text) in enumerate(summary_counts[0]["statements"], 1):
            text = text.replace("|", "\\|").replace("`", "")
            w(f"| {i} | {db} | `{text}` |")
        w("")
    return "\n".join(out)


if __name__ == "__main__":
    import json
    import sys

    data = json.loads(open(sys.argv[1]).read())
    print(render(data))
