"""Tell us once fan-out: N deaths, each told to 12 services across 4 partners with webhook
adapters on local receivers, through a real Celery worker on Redis; and in the same run, N×12
no-op Celery tasks on the same broker.

    .venv/bin/python bench/fanout.py --events 500 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/frontoffice_bench

Two rounds after the no-op baseline: a throughput round reports the events as fast as one
process can (an adviser's transaction each) and times until the last delivery; a latency round
reports 100 more (--steady-events) at half that rate, as a steady day would, and takes the
p95 from each report's commit to its last service's delivery. Prints JSON. Never passes or
fails on time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from bench.dispatch import ReceiverProcess, bench_worker, run_noop, worker_cpu_seconds  # noqa: E402
from frontoffice.access.actor import Actor  # noqa: E402
from frontoffice.catalogue.models import Service  # noqa: E402
from frontoffice.dispatch.models import Dispatch, DispatchStatus  # noqa: E402
from frontoffice.extensions import db  # noqa: E402
from frontoffice.life_events import operations  # noqa: E402
from frontoffice.life_events.models import Notification  # noqa: E402
from tests.life_events import partnership  # noqa: E402
from tests.live import wait_until  # noqa: E402

ACTOR = Actor(None, "bench", "")
PARTNERS = ("COUNTY", "NORTH", "REVS", "PENSIONS")


def setup(app, urls: dict[str, str], customers: int) -> tuple[list[int], tuple[int, ...]]:
    with app.app_context():
        partnership.build(app.config["SECRET_KEY"], urls)
        made = [partnership.new_customer("Bench", f"Resident{i}") for i in range(customers)]
        db.session.commit()
        services = tuple(db.session.scalars(select(Service.id).where(Service.code.like("tuo-%"))))
        ids = [c.id for c in made]
        db.session.remove()
        return ids, services


def report(app, customer_ids: list[int], services, rate: float) -> dict[int, datetime]:
    """Reports a death of each customer, one transaction each; returns when each committed."""
    from frontoffice.customers.models import Customer

    committed: dict[int, datetime] = {}
    started = time.perf_counter()
    with app.app_context():
        for n, customer_id in enumerate(customer_ids):
            if rate:
                time.sleep(max(0.0, started + n / rate - time.perf_counter()))
            customer = db.session.get(Customer, customer_id)
            event = operations.report(ACTOR, customer, partnership.death_report(services))
            event_id = event.id
            db.session.commit()
            committed[event_id] = datetime.now(UTC)
            db.session.expunge_all()
        db.session.remove()
    return committed


def delivered(app, event_ids: list[int]) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(Dispatch)
            .join(Notification, Notification.case_id == Dispatch.case_id)
            .where(
                Notification.life_event_id.in_(event_ids),
                Dispatch.status == DispatchStatus.DELIVERED,
            )
        )
        db.session.remove()
        return count


def last_deliveries(app, event_ids: list[int]) -> dict[int, datetime]:
    with app.app_context():
        rows = db.session.execute(
            select(Notification.life_event_id, func.max(Dispatch.delivered_at))
            .join(Dispatch, Dispatch.case_id == Notification.case_id)
            .where(Notification.life_event_id.in_(event_ids))
            .group_by(Notification.life_event_id)
        ).all()
        db.session.remove()
    return {event_id: _aware(at) for event_id, at in rows}


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def run_round(app, worker, customer_ids, services, rate: float) -> dict:
    cpu = worker_cpu_seconds(worker), time.process_time()
    started = time.perf_counter()
    committed = report(app, customer_ids, services, rate)
    reported = time.perf_counter() - started
    reporting_cpu = time.process_time() - cpu[1]
    ids = list(committed)
    want = len(ids) * len(services)
    wait_until(lambda: delivered(app, ids) >= want, timeout=1800, interval=0.2, message=worker.log)
    seconds = time.perf_counter() - started
    last = last_deliveries(app, ids)
    latencies = sorted((last[i] - committed[i]).total_seconds() for i in ids)
    worker_cpu = worker_cpu_seconds(worker) - cpu[0]
    return {
        "events": len(ids),
        "seconds": round(seconds, 2),
        "reporting_seconds": round(reported, 2),
        "events_per_second": round(len(ids) / seconds, 1),
        "notifications_per_second": round(want / seconds, 1),
        "p50_report_to_last_delivery_seconds": round(statistics.median(latencies), 3),
        "p95_report_to_last_delivery_seconds": round(
            latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 3
        ),
        # CPU per notification: steadier than the rates on a machine shared with others
        "worker_cpu_ms_per_notification": round(1000 * worker_cpu / want, 3),
        "reporting_cpu_ms_per_event": round(1000 * reporting_cpu / len(ids), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--steady-events", type=int, default=100, help="events in the latency round"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="fo-bench-fanout-"))
    receivers = [ReceiverProcess() for _ in PARTNERS]
    for r in receivers:
        r.__enter__()
    try:
        with bench_worker(args, tmp, "fanout") as (app, worker, env, _):
            customers, services = setup(
                app,
                {c: r.url for c, r in zip(PARTNERS, receivers, strict=True)},
                args.events + args.steady_events,
            )
            run_noop(app, env, 50)  # warm up the worker processes
            noop_n = args.events * len(services)
            noop_rate = noop_n / run_noop(app, env, noop_n)
            throughput = run_round(app, worker, customers[: args.events], services, 0)
            steady = throughput["events_per_second"] / 2
            latency = run_round(app, worker, customers[args.events :], services, steady)
            copies = sum(r.stats()[0] for r in receivers)
            attempts = sum(r.stats()[1] for r in receivers)
            url = env["FRONTOFFICE_DATABASE_URL"]
    finally:
        for r in receivers:
            r.__exit__(None, None, None)
    notifications = (args.events + args.steady_events) * len(services)
    assert copies == notifications, f"every notification reached its receiver once: {copies}"
    print(
        json.dumps(
            {
                "benchmark": "fanout",
                "database": url.split(":")[0],
                "events": args.events,
                "services_per_event": len(services),
                "partners": len(PARTNERS),
                "worker_concurrency": args.concurrency,
                "noop_tasks_per_second": round(noop_rate, 1),
                "throughput_round": throughput,
                "ratio_notifications_to_noop": round(
                    throughput["notifications_per_second"] / noop_rate, 3
                ),
                "steady_round_events_per_second": round(steady, 1),
                "steady_round": latency,
                "receiver_copies": copies,
                "receiver_attempts": attempts,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
