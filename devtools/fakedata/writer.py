"""Batched raw-SQL inserts into an OpenEMR-shaped database, through a writable Django connection.

The same generator feeds OpenEMR's full MariaDB shape (tests/sql/openemr.sql) and the demo's SQLite tables
created from the records models (mapped columns only): each table is introspected once, and every row is
projected onto the columns that exist there.
"""

import logging
from collections import Counter
from operator import itemgetter

logger = logging.getLogger(__name__)


class TableWriter:
    """Buffers rows per table and writes them with executemany in batches; the caller commits."""

    def __init__(self, connection, batch_size=1000):
        self.connection = connection
        self.vendor = connection.vendor
        self.batch_size = batch_size
        self.counts = Counter()
        self._specs = {}
        self._buffers = {}
        self._existing_tables = set(connection.introspection.table_names())
        # MariaDB/MySQL keep zero dates as written (sql_mode=''); mysqlclient reads them back as None. SQLite has
        # no zero date and Django cannot parse one there, so the demo stores NULL, which reads the same.
        self.zero_date = "0000-00-00" if self.vendor == "mysql" else None
        self.zero_datetime = "0000-00-00 00:00:00" if self.vendor == "mysql" else None

    def declare(self, table, columns):
        """Declare the generator's full column order for `table` (once, before add())."""
        if table not in self._existing_tables:
            logger.warning("fake_openemr: table %s does not exist, its rows are skipped", table)
            self._specs[table] = None
            return
        with self.connection.cursor() as cursor:
            description = self.connection.introspection.get_table_description(cursor, table)
        present = {info.name.lower(): info for info in description}
        keep = [i for i, name in enumerate(columns) if name.lower() in present]
        names = [columns[i] for i in keep]
        fill = []
        if self.vendor == "sqlite":
            # Tables made from models may have NOT NULL columns the generator does not know (a column someone
            # mapped later); give them a neutral value instead of failing the whole demo.
            generated = {name.lower() for name in names}
            for info in description:
                if info.name.lower() not in generated and not info.null_ok and info.default is None:
                    names.append(info.name)
                    fill.append("")
        not_null = [i for i, name in enumerate(names) if not present[name.lower()].null_ok]
        project = None if len(keep) == len(columns) else (itemgetter(*keep) if len(keep) > 1 else
                                                             (lambda row, k=keep[0]: (row[k],)))
        quote = self.connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(table), ", ".join(quote(name) for name in names), ", ".join(["%s"] * len(names))
        )
        self._specs[table] = (project, tuple(fill), not_null if self.vendor == "sqlite" else [], sql)
        self._buffers[table] = []

    def add(self, table, row):
        spec = self._specs[table]
        if spec is None:
            return
        project, fill, not_null, _ = spec
        if project is not None:
            row = project(row)
        if fill:
            row = tuple(row) + fill
        if not_null:
            row = list(row)
            for i in not_null:
                if row[i] is None:
                    row[i] = ""
        buffer = self._buffers[table]
        buffer.append(row)
        if len(buffer) >= self.batch_size:
            self._flush(table)

    def _flush(self, table):
        buffer = self._buffers[table]
        if not buffer:
            return
        with self.connection.cursor() as cursor:
            raw = getattr(cursor, "cursor", None)
            if raw is not None and hasattr(raw, "max_stmt_length"):
                raw.max_stmt_length = 1024 * 1024  # mysqlclient: fewer, larger multi-row INSERTs
            cursor.executemany(self._specs[table][3], buffer)
        self.counts[table] += len(buffer)
        self._buffers[table] = []

    def flush(self):
        for table in self._buffers:
            self._flush(table)
