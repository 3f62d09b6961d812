"""Writes OpenEMR-shaped rows for tests over a separate root connection (sql_mode='' as OpenEMR runs).

The portal's own "openemr" connection is read-only (router, read-only session, grants), so test data goes
in through this writer, autocommitted, and is deleted again after each test from every table it touched
(Django does not flush unmanaged tables).
"""


class OpenEMRWriter:
    def __init__(self, conn):
        self.conn = conn
        self.dirty = set()
        with conn.cursor() as cur:
            cur.execute("SET SESSION sql_mode = ''")
        conn.autocommit(True)

    def insert(self, table, row):
        """Insert one row (a dict of column -> value) and return its auto-increment id (or 0)."""
        columns = ", ".join(f"`{name}`" for name in row)
        placeholders = ", ".join(["%s"] * len(row))
        with self.conn.cursor() as cur:
            cur.execute(f"INSERT INTO `{table}` ({columns}) VALUES ({placeholders})", list(row.values()))
            self.dirty.add(table)
            return cur.lastrowid

    def insert_many(self, table, rows):
        rows = list(rows)
        if not rows:
            return
        names = list(rows[0])
        columns = ", ".join(f"`{name}`" for name in names)
        placeholders = ", ".join(["%s"] * len(names))
        with self.conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO `{table}` ({columns}) VALUES ({placeholders})", [[r[n] for n in names] for r in rows]
            )
        self.dirty.add(table)

    def execute(self, sql, params=()):
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def clean(self):
        with self.conn.cursor() as cur:
            for table in sorted(self.dirty):
                cur.execute(f"DELETE FROM `{table}`")
        self.dirty.clear()
