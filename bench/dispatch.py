"""Dispatch throughput: route and deliver N cases to a local webhook receiver through a real
Celery worker on Redis, and in the same run time N no-op Celery tasks on the same broker.

    .venv/bin/python bench/dispatch.py --cases 2000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/frontoffice_bench

Prints JSON. Never passes or fails on time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from frontoffice import clock  # noqa: E402
from frontoffice.access.actor import Actor  # noqa: E402
from frontoffice.cases.models import Case, Channel  # noqa: E402
from frontoffice.crypto import encrypt_json  # noqa: E402
from frontoffice.dispatch.models import Dispatch, DispatchStatus, PartnerAdapter  # noqa: E402
from frontoffice.extensions import db  # noqa: E402
from frontoffice.models import Customer, Partner, PartnerKind, Service  # noqa: E402
from frontoffice.routing.models import AreaKind, RoutingRule  # noqa: E402
from frontoffice.routing.operations import route_cases  # noqa: E402
from tests.live import Worker, live_worker, wait_until  # noqa: E402
from tests.partner_servers import WebhookReceiver  # noqa: E402


class ReceiverProcess:
    """The partner's webhook receiver in a process of its own, as a partner's system is: in
    the benchmark's process it would share the interpreter lock with the cases being raised."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=self._serve, args=(child,), daemon=True)

    @staticmethod
    def _serve(conn) -> None:
        with WebhookReceiver() as receiver:
            conn.send(receiver.url)
            while (message := conn.recv()) != "stop":
                if message == "stats":
                    conn.send((receiver.copies(), sum(receiver.attempts.values())))

    def __enter__(self) -> ReceiverProcess:
        self.process.start()
        self.url = self.conn.recv()
        return self

    def stats(self) -> tuple[int, int]:
        self.conn.send("stats")
        return self.conn.recv()

    def __exit__(self, *exc) -> None:
        self.conn.send("stop")
        self.process.join(10)


def setup(app, receiver_url: str) -> int:
    with app.app_context():
        partner = Partner(code="BENCH", name="Bench District Council", kind=PartnerKind.DISTRICT)
        db.session.add(partner)
        db.session.flush()
        db.session.add(
            PartnerAdapter(
                partner_id=partner.id,
                name="bench webhook",
                adapter_type="webhook",
                settings={"url": receiver_url, "timeout": 10},
                secret_settings=encrypt_json(
                    app.config["SECRET_KEY"], {"secret": "bench-secret-long-enough"}
                ),
            )
        )
        service = Service(code="bench-bin", name="Missed bin", owning_partner_id=partner.id)
        db.session.add(service)
        db.session.flush()
        rule = RoutingRule(
            service_id=service.id,
            area_kind=AreaKind.ANY,
            area_code="",
            priority=1,
            effective_from=clock.today().replace(year=2020),
        )
        rule.partners = [partner]
        customer = Customer(given_name="", family_name="")
        customer.set_names(given_name="Bench", family_name="Resident")
        db.session.add_all([rule, customer])
        db.session.commit()
        return service.id


def raise_cases(app, service_id: int, n: int) -> list[int]:
    """n new cases, not yet routed: what advisers and residents have raised."""
    with app.app_context():
        customer = db.session.scalar(select(Customer))
        service = db.session.get(Service, service_id)
        cases = [
            Case(
                customer=customer,
                service_id=service.id,
                owning_partner_id=service.owning_partner_id,
                channel=Channel.WEB,
                summary=f"bench case {i}",
                answers={"bin": "green"},
            )
            for i in range(n)
        ]
        db.session.add_all(cases)
        db.session.commit()
        return [c.id for c in cases]


def route(app, case_ids: list[int], batch: int) -> float:
    """Routes the cases, committing every `batch` (each commit enqueues its outbox)."""
    actor = Actor(None, "bench", "")
    started = time.perf_counter()
    with app.app_context():
        # Held for the whole run, as a request raising a case holds its customer.
        customer = db.session.scalar(select(Customer))
        for i in range(0, len(case_ids), batch):
            chunk = db.session.scalars(
                select(Case).where(Case.id.in_(case_ids[i : i + batch])).order_by(Case.id)
            ).all()
            for case in chunk:
                case.customer = customer
            route_cases(chunk, actor)
            db.session.commit()
    return time.perf_counter() - started


def delivered(app) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(Dispatch)
            .where(Dispatch.status == DispatchStatus.DELIVERED)
        )
        db.session.remove()
        return count


def worker_cpu_seconds(worker: Worker) -> float:
    """User and system CPU of every process of the worker (its own session), so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == worker.process.pid:  # its process group
            total += int(fields[11]) + int(fields[12])
    return total / tick


def run_noop(app, env: dict[str, str], n: int) -> float:
    from frontoffice.tasks import noop

    client = redis.Redis.from_url(env["FRONTOFFICE_BROKER_URL"])
    key = f"fo-bench-noop-{uuid.uuid4().hex}"
    started = time.perf_counter()
    with app.app_context():
        for _ in range(n):
            noop.apply_async(args=[key])
    wait_until(lambda: int(client.get(key) or 0) >= n, timeout=600, interval=0.05)
    elapsed = time.perf_counter() - started
    client.delete(key)
    return elapsed


def bench_worker(args, tmp: Path, name: str):
    """A fresh database (--database-url's server, else SQLite) and a real worker on it
    (tests.live.live_worker): the broker of --redis-url, --concurrency worker processes, a
    sweep every 5 seconds and a lease of 60. Yields (app, worker, env, tmp)."""
    return live_worker(
        None,
        args.database_url or f"sqlite:///{tmp / 'unused.sqlite'}",
        tmp,
        name,
        concurrency=args.concurrency,
        FRONTOFFICE_BROKER_URL=args.redis_url,
        FRONTOFFICE_SWEEP_SECONDS="5",
        FRONTOFFICE_DISPATCH_LEASE_SECONDS="60",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--batch", type=int, default=50, help="cases per committed transaction")
    parser.add_argument(
        "--repeat", type=int, default=3, help="no-op and dispatch rounds, alternated"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="fo-bench-dispatch-"))
    with (
        ReceiverProcess() as receiver,
        bench_worker(args, tmp, "dispatch") as (app, worker, env, _),
    ):
        service_id = setup(app, receiver.url)
        run_noop(app, env, 50)  # warm up the worker processes
        noop_rates, dispatch_rates, end_to_end, routing = [], [], [], []
        noop_cpu, dispatch_cpu = [], []
        total = 0
        for _ in range(args.repeat):
            cpu = worker_cpu_seconds(worker)
            noop_seconds = run_noop(app, env, args.cases)
            noop_cpu.append(1000 * (worker_cpu_seconds(worker) - cpu) / args.cases)
            noop_rates.append(args.cases / noop_seconds)
            case_ids = raise_cases(app, service_id, args.cases)
            cpu = worker_cpu_seconds(worker)
            started = time.perf_counter()
            routing.append(route(app, case_ids, args.batch))
            total += args.cases
            wait_until(
                lambda t=total: delivered(app) >= t,
                timeout=1800,
                interval=0.2,
                message=worker.log,
            )
            seconds = time.perf_counter() - started
            dispatch_cpu.append(1000 * (worker_cpu_seconds(worker) - cpu) / args.cases)
            dispatch_rates.append(args.cases / seconds)
            end_to_end.append(seconds)
        copies, attempts = receiver.stats()
        assert copies == total, "every case reached the receiver once"
        url = env["FRONTOFFICE_DATABASE_URL"]
    noop_median = statistics.median(noop_rates)
    dispatch_median = statistics.median(dispatch_rates)
    print(
        json.dumps(
            {
                "benchmark": "dispatch",
                "database": url.split(":")[0],
                "cases_per_round": args.cases,
                "rounds": args.repeat,
                "worker_concurrency": args.concurrency,
                "noop_tasks_per_second": {
                    "median": round(noop_median, 1),
                    "all": [round(r, 1) for r in noop_rates],
                },
                "dispatch_cases_per_second": {
                    "median": round(dispatch_median, 1),
                    "all": [round(r, 1) for r in dispatch_rates],
                },
                "ratio_dispatch_to_noop": round(dispatch_median / noop_median, 3),
                # CPU of the worker's processes (with its embedded beat), per task or case:
                # steadier than rates on a machine shared with other work.
                "worker_cpu_ms_per_noop": {
                    "median": round(statistics.median(noop_cpu), 2),
                    "all": [round(c, 2) for c in noop_cpu],
                },
                "worker_cpu_ms_per_case": {
                    "median": round(statistics.median(dispatch_cpu), 2),
                    "all": [round(c, 2) for c in dispatch_cpu],
                },
                "routing_seconds": [round(r, 2) for r in routing],
                "receiver_copies": copies,
                "receiver_attempts": attempts,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
