"""Where a page's time goes: the SQL each request runs, its time, and the plans of the slowest.

Used by `bench/search.py --profile N`: for N requests of each kind it records every statement
with its duration (SQLAlchemy cursor events), then asks the database to EXPLAIN ANALYZE the
slowest SELECTs (PostgreSQL) or EXPLAIN QUERY PLAN them (SQLite).
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class Statement:
    sql: str
    parameters: object
    ms: float


@dataclass
class Recorder:
    engine: Engine
    recording: bool = False
    statements: list[Statement] = field(default_factory=list)

    def __post_init__(self) -> None:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        started = conn.info["bench_started"].pop()
        if self.recording:
            ms = (time.perf_counter() - started) * 1000
            self.statements.append(Statement(statement, parameters, ms))


def profile(client, engine: Engine, requests: list[tuple[str, str]], explain: int = 3) -> dict:
    recorder = Recorder(engine)
    totals: list[float] = []
    sql_totals: list[float] = []
    counts: list[int] = []
    by_sql: dict[str, list[Statement]] = defaultdict(list)
    try:
        for url, _ in requests:
            recorder.statements = []
            recorder.recording = True
            started = time.perf_counter()
            client.get(url)
            totals.append((time.perf_counter() - started) * 1000)
            recorder.recording = False
            sql_totals.append(sum(s.ms for s in recorder.statements))
            counts.append(len(recorder.statements))
            for s in recorder.statements:
                by_sql[s.sql].append(s)
    finally:
        recorder.close()
    ranked = sorted(by_sql.values(), key=lambda runs: -statistics.fmean(r.ms for r in runs))
    slowest = []
    for runs in ranked:
        worst = max(runs, key=lambda r: r.ms)
        entry = {
            "sql": _clip(" ".join(worst.sql.split()), 1500),
            "runs": len(runs),
            "mean_ms": round(statistics.fmean(r.ms for r in runs), 2),
            "max_ms": round(worst.ms, 2),
        }
        if len(slowest) < explain and worst.sql.lstrip().upper().startswith("SELECT"):
            entry["plan"] = _explain(engine, worst)
        slowest.append(entry)
    return {
        "requests": len(totals),
        "mean_total_ms": round(statistics.fmean(totals), 1),
        "mean_sql_ms": round(statistics.fmean(sql_totals), 1),
        "mean_statements": round(statistics.fmean(counts), 1),
        "statements": slowest[:8],
    }


def _explain(engine: Engine, statement: Statement) -> list[str]:
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if engine.dialect.name == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement.sql, statement.parameters).all()
        conn.rollback()
    return [_clip(" | ".join(str(v) for v in row), 400) for row in rows]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 20]} … ({len(text)} chars)"
