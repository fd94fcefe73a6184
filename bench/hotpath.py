"""Statements, flushes and time of the hot paths behind bench/intake.py and bench/fanout.py:
a resident's "Send request" post (check the draft, reserve the case id, keep the request in
one row, commit, put the task on the broker: "accept_request"), the worker's task raising it
(match, raise, route, outbox, confirmation email, commit: "raise_request"), and a death told
to 12 services (life_events.operations.report and its commit).

    .venv/bin/python bench/hotpath.py [--database-url postgresql+psycopg://...] [--runs 50]
        [--show-sql] [--profile]

Runs in one process on a fresh database (a SQLite file by default). Prints JSON: the median
milliseconds (wall clock, and this process's CPU) and the statement and flush counts of one
call of each, and with --show-sql the statements of the last call. Never passes or fails on
time.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/: its profile.py would hide the standard library's

import cProfile  # noqa: E402
import pstats  # noqa: E402

from sqlalchemy import event, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from tests.live import fresh_database, live_app, live_environment  # noqa: E402

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="token"')
SKIP = re.compile(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)", re.I)


class Counter:
    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[str] = []
        self.flushes = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(Session, "after_flush", self._flush)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not SKIP.match(statement):
            self.statements.append(" ".join(statement.split()))

    def _flush(self, session, context) -> None:
        self.flushes += 1

    def reset(self) -> None:
        self.statements, self.flushes = [], 0

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(Session, "after_flush", self._flush)


def setup(app) -> tuple[tuple[int, ...], list[int]]:
    from bench.intake import POSTCODE
    from frontoffice.extensions import db
    from tests.life_events import partnership
    from tests.service_builder import missed_bin

    with app.app_context():
        built = partnership.build(app.config["SECRET_KEY"], {"COUNTY": "http://127.0.0.1:9/"})
        # The partnership's gazetteer has NV1 2AB (partnership.NORTH_UPRN) already.
        missed_bin(
            built.partners["NORTH"],
            code="bench-bin",
            addresses=(),
            group="Bins and recycling",
            keywords="wheelie bin",
            sla_working_days=2,
        )
        assert POSTCODE == "NV1 2AB"
        people = [partnership.new_customer("Bench", f"Resident{i}") for i in range(400)]
        db.session.commit()
        services = tuple(s.id for s in built.services.values())
        ids = [c.id for c in people]
        db.session.remove()
        return services, ids


def prepare(app, i: int):
    """One resident's journey up to check your answers (untimed), in a client of its own."""
    client = app.test_client()
    page = client.get("/request/service/bench-bin")
    csrf = CSRF.search(page.get_data(as_text=True)).group(1)
    steps = [
        ("/request/service/bench-bin", {}),
        ("/request/question/1", {"q_bin": "grey"}),
        ("/request/question/2", {"q_details": f"Bench request {i}, out by 7am"}),
        ("/request/address", {"postcode": "NV1 2AB"}),
        ("/request/address/choose", {"uprn": "100000000001"}),
        (
            "/request/contact",
            {
                "first_name": "Bench",
                "last_name": "Resident " + "abcdefghijklmnopqrstuvwxyz"[i % 26] * (1 + i // 26),
                "email": f"resident{i}@bench.example",
                "phone": "",
                "reply_by": "email",
                "language": "en",
            },
        ),
    ]
    for path, data in steps:
        answer = client.post(path, data={**data, "csrf_token": csrf})
        assert answer.status_code == 302, (path, answer.status_code)
    check = client.get("/request/check").get_data(as_text=True)
    match = TOKEN.search(check)
    return client, {"csrf_token": csrf, "token": match.group(1) or match.group(2), "website": ""}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--show-sql", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile both paths")
    parser.add_argument(
        "--broker-url",
        default="memory://",
        help="the broker the accept post nudges (e.g. redis://127.0.0.1:6379/8, as in production)",
    )
    args = parser.parse_args()

    from frontoffice.access.actor import Actor
    from frontoffice.customers.models import Customer
    from frontoffice.extensions import db
    from frontoffice.life_events import operations
    from frontoffice.public import tasks
    from frontoffice.public.models import AcceptedRequest
    from tests.life_events import partnership

    tmp = Path(tempfile.mkdtemp(prefix="fo-bench-hotpath-"))
    base = args.database_url or f"sqlite:///{tmp / 'unused.sqlite'}"
    out: dict = {}
    with fresh_database(base, tmp, "hotpath") as url:
        env = live_environment(url, tmp, FRONTOFFICE_BROKER_URL=args.broker_url)
        app = live_app(env)
        # One address sends everything here: the per-address limits would refuse it.
        app.config.update(RATELIMIT_ENABLED=False, PUBLIC_LIMIT_SUBMIT="1000000 per minute")
        services, customer_ids = setup(app)
        with app.app_context():
            counter = Counter(db.engine)
        profiler = cProfile.Profile() if args.profile else None

        residents = [prepare(app, i) for i in range(args.runs + 1)]
        times, cpus, counts, flushes = [], [], [], []
        for client, tokens in residents:
            counter.reset()
            if profiler:
                profiler.enable()
            started, cpu = time.perf_counter(), time.process_time()
            answer = client.post("/request/check", data=tokens)
            times.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            if profiler:
                profiler.disable()
            assert answer.headers.get("location") == "/request/done", answer.headers.get("location")
            counts.append(len(counter.statements))
            flushes.append(counter.flushes)
        out["accept_request"] = _figures(
            times[1:], cpus[1:], counts, flushes, counter, args.show_sql
        )
        if profiler:
            _print_profile(profiler, "accept")
            profiler = cProfile.Profile()

        with app.app_context():
            accepted_ids = list(db.session.scalars(select(AcceptedRequest.id).order_by("id")))
            db.session.remove()
        times, cpus, counts, flushes = [], [], [], []
        for accepted_id in accepted_ids:
            counter.reset()
            if profiler:
                profiler.enable()
            started, cpu = time.perf_counter(), time.process_time()
            reference = tasks.raise_request(accepted_id)
            times.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            if profiler:
                profiler.disable()
            assert reference.startswith("FO-"), reference
            counts.append(len(counter.statements))
            flushes.append(counter.flushes)
        out["raise_request"] = _figures(
            times[1:], cpus[1:], counts, flushes, counter, args.show_sql
        )
        if profiler:
            _print_profile(profiler, "raise")
            profiler = cProfile.Profile()

        actor = Actor(None, "bench", "")
        times, cpus, counts, flushes = [], [], [], []
        with app.app_context():
            for customer_id in customer_ids[: args.runs + 1]:
                customer = db.session.get(Customer, customer_id)
                counter.reset()
                if profiler:
                    profiler.enable()
                started, cpu = time.perf_counter(), time.process_time()
                operations.report(actor, customer, partnership.death_report(services))
                db.session.commit()
                times.append((time.perf_counter() - started) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
                if profiler:
                    profiler.disable()
                counts.append(len(counter.statements))
                flushes.append(counter.flushes)
                db.session.expunge_all()
            db.session.remove()
        out["death_report_12_services"] = _figures(
            times[1:], cpus[1:], counts, flushes, counter, args.show_sql
        )
        if profiler:
            _print_profile(profiler, "death")
        counter.close()
        with app.app_context():
            db.engine.dispose()
    out["database"] = url.split(":")[0]
    print(json.dumps(out, indent=2))


def _figures(times, cpus, counts, flushes, counter, show_sql) -> dict:
    figures = {
        "median_ms": round(statistics.median(times), 2),
        "median_cpu_ms": round(statistics.median(cpus), 2),
        "statements": counts[-1],
        "flushes": flushes[-1],
    }
    if show_sql:
        figures["sql"] = [s[:300] for s in counter.statements]
    return figures


def _print_profile(profiler, name: str) -> None:
    print(f"--- {name}", file=sys.stderr)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(r"frontoffice|flask|wtforms|werkzeug|celery", 70)
    stats.dump_stats(str(Path(tempfile.gettempdir()) / f"hotpath-{name}.prof"))


if __name__ == "__main__":
    main()
