"""SQL statements per request, counted on the server side (no instrumentation in the product).

For a short, separate pass with nothing else running: MariaDB's general log goes to a table, one request is
made, and the logged statements are counted per MySQL account (bench_reader = OpenEMR, bench_portal = the
portal's own database). Each request is repeated and the smallest count kept, so a connection opened by a
fresh worker (its init commands) is not counted as part of the page.
"""

import re

from devtools.bench.stack import PORTAL_USER, READER_USER
from devtools.bench.web import Browser

WRITE_PREFIXES = ("insert", "update", "delete", "replace")


def _shape(text, width=110):
    """A statement without its values, for the report: literals become ?, whitespace collapsed."""
    text = re.sub(r"'(?:[^'\\]|\\.)*'", "?", text)
    text = re.sub(r"\b\d+\b", "?", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(\?, )+\?", "?, …", text)
    if text[:7].upper() == "SELECT ":  # the column list says little; keep what the statement reads from
        depth = 0
        for i, char in enumerate(text):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and text[i:i + 6].upper() == " FROM ":
                text = "SELECT … FROM " + text[i + 6:]
                break
    return text if len(text) <= width else text[: width - 1] + "…"


def _classify(rows):
    counts = {"openemr": 0, "portal": 0, "portal_writes": 0, "statements": [], "locks": []}
    for user_host, command_type, argument in rows:
        if command_type != "Query":
            continue
        user = user_host.decode() if isinstance(user_host, bytes) else user_host
        text = argument.decode("utf-8", "replace") if isinstance(argument, bytes) else argument
        text = text.strip()
        if user.startswith(READER_USER):
            counts["openemr"] += 1
            counts["statements"].append(("openemr", _shape(text)))
        elif user.startswith(PORTAL_USER):
            counts["portal"] += 1
            counts["statements"].append(("portal", _shape(text)))
            if text.lower().startswith(WRITE_PREFIXES):
                counts["portal_writes"] += 1
            match = re.search(r"(?is)\bfrom\s+`?(\w+)`?.*\bfor update\b", text)
            if match:  # a row lock taken by every request of this page
                counts["locks"].append(match.group(1))
    return counts


def count_queries(server, port, path, cookie, repeats=3):
    """{'openemr': n, 'portal': n, 'portal_writes': n, 'status': s} for one GET, smallest of `repeats`."""
    conn = server.connect("mysql")
    conn.autocommit(True)
    browser = Browser(port)
    best = None
    try:
        with conn.cursor() as cur:
            cur.execute("SET GLOBAL log_output = 'TABLE'")
            for _ in range(repeats):
                cur.execute("SET GLOBAL general_log = 0")
                cur.execute("TRUNCATE TABLE mysql.general_log")
                cur.execute("SET GLOBAL general_log = 1")
                try:
                    browser.cookies = {}
                    status, _, _, _ = browser.request("GET", path, headers={"Cookie": cookie})
                finally:
                    cur.execute("SET GLOBAL general_log = 0")
                cur.execute("SELECT user_host, command_type, argument FROM mysql.general_log")
                counts = _classify(cur.fetchall())
                counts["status"] = status
                total = counts["openemr"] + counts["portal"]
                if best is None or total < best["openemr"] + best["portal"]:
                    best = counts
            cur.execute("TRUNCATE TABLE mysql.general_log")
    finally:
        conn.close()
    return best
