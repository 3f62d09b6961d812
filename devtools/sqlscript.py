"""Our SQL files (tests/sql/openemr.sql): one statement per `;` at the end of a line, `--` comment lines
between statements, no DELIMITER. Used by the test harness, the benchmark and `fake_openemr --create-schema`."""

from pathlib import Path

OPENEMR_DDL = Path(__file__).resolve().parents[1] / "tests" / "sql" / "openemr.sql"


def split_sql(text):
    statements, current = [], []
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("--")):
            continue
        current.append(line)
        if stripped.endswith(";"):
            statements.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    if "".join(current).strip():
        statements.append("\n".join(current))
    return statements
