"""Writing generated rows in bulk: COPY on PostgreSQL, executemany on SQLite.

Columns the generator does not fill get the model's default, so other engineers can add
columns without breaking the benchmark; values are converted to what the driver takes
without SQLAlchemy's per-row type processing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Table, inspect, text
from sqlalchemy.engine import Engine

from bench.synthetic import COLUMNS, Chunk
from frontoffice.extensions import db
from frontoffice.types import UTCDateTime


class TableShape:
    """How a generated row becomes a database row: our columns plus defaults for the rest,
    each value in the form the driver takes without SQLAlchemy's type processing."""

    def __init__(
        self, table: Table, ours: tuple[str, ...], existing: set[str], now: datetime, dialect: str
    ):
        missing = [c for c in table.columns if c.name in existing and c.name not in ours]
        self.table = table
        self.columns = [*ours, *(c.name for c in missing)]
        self.converters = [
            (i, conv)
            for i, name in enumerate(ours)
            if (conv := _converter(table.c[name].type, dialect)) is not None
        ]
        filler = [_default(c, now) for c in missing]
        for i, column in enumerate(missing):
            conv = _converter(column.type, dialect)
            if conv is not None and filler[i] is not None:
                filler[i] = conv(filler[i])
        self.filler = tuple(filler)
        marks = ", ".join("?" if dialect == "sqlite" else "%s" for _ in self.columns)
        names = ", ".join(f'"{c}"' for c in self.columns)
        self.insert = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        self.copy = f'COPY "{table.name}" ({names}) FROM STDIN'

    def values(self, rows: list[tuple]) -> Iterator[tuple]:
        filler, converters = self.filler, self.converters
        if not converters:
            for row in rows:
                yield (*row, *filler)
            return
        for row in rows:
            values = list(row)
            for i, conv in converters:
                if values[i] is not None:
                    values[i] = conv(values[i])
            values.extend(filler)
            yield tuple(values)


def _converter(column_type, dialect: str):
    if isinstance(column_type, JSON):
        return json.dumps
    if dialect != "sqlite":
        return None  # psycopg takes dates, aware datetimes and bools as they are
    if isinstance(column_type, UTCDateTime | DateTime):
        # SQLAlchemy's SQLite storage format, in UTC without a zone (see frontoffice.types)
        return lambda v: v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(column_type, Date):
        return date.isoformat
    if isinstance(column_type, Boolean):
        return int
    return None


def _default(column, now: datetime):
    default = column.default
    if default is None:
        if not column.nullable:
            raise RuntimeError(f"bench does not know how to fill {column.table.name}.{column.name}")
        return None
    value = default.arg if default.is_scalar else default.arg(None)
    if isinstance(value, datetime):
        return now
    return getattr(value, "value", value)  # enums as their stored strings


class Writer:
    def __init__(self, engine: Engine, now: datetime) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        existing = {t: {c["name"] for c in inspect(engine).get_columns(t)} for t in COLUMNS}
        tables = db.metadata.tables
        self.shapes = {
            t: TableShape(tables[t], cols, existing[t], now, self.dialect)
            for t, cols in COLUMNS.items()
        }
        self.counts = dict.fromkeys(COLUMNS, 0)
        self.dropped: list[tuple[str, str]] = []

    def write(self, chunk: Chunk) -> None:
        """One transaction per chunk: COPY on PostgreSQL, executemany on SQLite."""
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if self.dialect == "postgresql":
                cursor.execute("SET synchronous_commit = off")
                cursor.execute("SET session_replication_role = replica")  # no FK triggers
            else:
                cursor.execute("BEGIN")
            for table in COLUMNS:
                rows = chunk.rows[table]
                if not rows:
                    continue
                shape = self.shapes[table]
                if self.dialect == "postgresql":
                    with cursor.copy(shape.copy) as copy:
                        for values in shape.values(rows):
                            copy.write_row(values)
                else:
                    cursor.executemany(shape.insert, shape.values(rows))
                self.counts[table] += len(rows)
            cursor.close()
            raw.commit()
        finally:
            raw.close()

    def prepare(self) -> None:
        """PostgreSQL: drop secondary indexes (rebuilt by sorting afterwards, far faster than
        maintaining them row by row) and skip foreign-key triggers while copying: the
        generated rows are consistent by construction."""
        if self.dialect != "postgresql":
            return
        with self.engine.begin() as conn:
            self.dropped = conn.execute(
                text(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                    "WHERE i.schemaname = current_schema() AND i.tablename = ANY(:tables) "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
                ),
                {"tables": list(COLUMNS)},
            ).all()
            for name, _ in self.dropped:
                conn.execute(text(f'DROP INDEX "{name}"'))

    def finish(self) -> None:
        """Indexes back, sequences past the ids we chose, and planner statistics."""
        if self.dialect == "postgresql":
            with self.engine.connect() as conn:
                conn.execute(text("SET maintenance_work_mem = '512MB'"))
                for _, definition in self.dropped:
                    conn.execute(text(definition))
                for table in COLUMNS:
                    if table == "contact_case":
                        continue
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                            f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
                        )
                    )
                conn.commit()
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            with self.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
