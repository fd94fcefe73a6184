"""The worker's own cost per delivered dispatch, without Celery or a second process in the way:
routes N cases to a webhook receiver in a process of its own, then runs `deliver_batch` on
them in this process as a worker would (batches as the outbox makes them), and reports CPU
seconds (process_time), wall seconds and SQL statements per delivery.

    .venv/bin/python bench/deliver_cpu.py --cases 1000 --runs 3 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/frontoffice_bench

`--profile N` prints the N functions with the most cumulative time (cProfile) of the last run.
Prints JSON. Never passes or fails on time.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# The repository instead of bench/, whose profile.py would shadow the standard library's.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import cProfile  # noqa: E402
import pstats  # noqa: E402

from sqlalchemy import event, func, select  # noqa: E402

from bench.dispatch import ReceiverProcess, raise_cases, route, setup  # noqa: E402
from frontoffice.dispatch import tasks  # noqa: E402
from frontoffice.dispatch.models import Dispatch, DispatchStatus  # noqa: E402
from frontoffice.extensions import db  # noqa: E402
from tests.live import fresh_database, live_app, live_environment  # noqa: E402


def one_run(app, service_id: int, cases: int, profiler: cProfile.Profile | None) -> dict:
    case_ids = raise_cases(app, service_id, cases)
    route(app, case_ids, 50)
    with app.app_context():
        rows = db.session.execute(
            select(Dispatch.id, Dispatch.partner_id).where(
                Dispatch.case_id.in_(case_ids), Dispatch.status == DispatchStatus.PENDING
            )
        ).all()
        db.session.remove()
        engine = db.engine
    batches = tasks.batches([r[0] for r in rows], dict(rows))
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for batch in batches:
            tasks.deliver_batch(batch)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        event.remove(engine, "before_cursor_execute", count)
    with app.app_context():
        done = db.session.scalar(
            select(func.count())
            .select_from(Dispatch)
            .where(Dispatch.case_id.in_(case_ids), Dispatch.status == DispatchStatus.DELIVERED)
        )
        db.session.remove()
    assert done == len(rows), f"{done} of {len(rows)} delivered"
    return {
        "delivered": done,
        "cpu_ms_per_delivery": 1000 * cpu / done,
        "wall_ms_per_delivery": 1000 * wall / done,
        "statements_per_batch": statements / len(batches),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="fo-bench-deliver-"))
    os.chdir(tmp)  # the filesystem broker keeps a control folder in the working directory
    base = args.database_url or f"sqlite:///{tmp / 'unused.sqlite'}"
    with ReceiverProcess() as receiver, fresh_database(base, tmp, "deliver") as url:
        # A filesystem broker: the outbox's tasks are written and left; this process delivers.
        env = live_environment(url, tmp, FRONTOFFICE_BROKER_URL="filesystem://")
        app = live_app(env)
        service_id = setup(app, receiver.url)
        try:
            one_run(app, service_id, 50, None)  # warm up: connections, caches, imports
            runs = []
            for n in range(args.runs):
                profiler = cProfile.Profile() if args.profile and n == args.runs - 1 else None
                runs.append(one_run(app, service_id, args.cases, profiler))
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    result = {
        "benchmark": "deliver_cpu",
        "database": url.split(":")[0],
        "cases_per_run": args.cases,
        "runs": args.runs,
        **{
            key: {
                "median": round(statistics.median(r[key] for r in runs), 3),
                "all": [round(r[key], 3) for r in runs],
            }
            for key in ("cpu_ms_per_delivery", "wall_ms_per_delivery", "statements_per_batch")
        },
    }
    print(json.dumps(result, indent=2))
    if args.profile:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
        print(out.getvalue(), file=sys.stderr)


if __name__ == "__main__":
    main()
