"""Intake throughput: N residents' requests through the public form over HTTP (gunicorn,
PostgreSQL), against a bare Flask view on the same server that inserts one row; then how
long a real worker takes to raise them all.

    .venv/bin/python bench/intake.py --requests 2000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/frontoffice_bench \
        --redis-url redis://127.0.0.1:6379/8

Each resident first walks the journey (service, questions, postcode, address, contact, check
your answers) in a session of their own, untimed (--quick-prepare: only the first one walks,
the others get a copy of where that walk ended, their own draft row and signed session; ~0.5 s
instead of ~75 s for 2,000, but the bare figure then comes out 15-25% higher, probably as the
database is not catching up on the walks' updates: compare like with like). Then the N "Send
request" posts are timed, C at a time: each one checks the draft again (service, answers,
address, contact), reserves the case's id, keeps the request in one row, deletes the draft,
commits and puts a task on the Redis broker. It does not match the customer or raise the
case: the worker does. The same N, C at a time, are posted to the bare view (just before).
No worker runs while either is timed.

Then a real worker (tests/live.py: `celery worker -B`, --worker-concurrency processes) is
started on the queued tasks, and the time until all N cases are raised and routed, each with
its dispatch and confirmation email, is reported ("raise"). The worker also delivers those
dispatches and emails meanwhile (the service's partner has no adapter: nothing leaves).

Prints JSON. Never passes or fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from tests.live import Worker, fresh_database  # noqa: E402

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="token"')
POSTCODE = "NV1 2AB"
# httpx builds a TLS context for every client unless given one (20 ms each); these are plain
# HTTP, each resident still with their own client and connections.
TLS = ssl.create_default_context()


def setup(database_url: str, instance: Path, env: dict[str, str]) -> None:
    """Migrates and loads a partner, a routed service with two questions, and a postcode."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from bench.intake_app import bench_metadata
    from frontoffice import create_app
    from frontoffice.extensions import db
    from frontoffice.partners.models import Partner, PartnerKind
    from tests.service_builder import HIGH_STREET, missed_bin

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        bench_metadata.create_all(db.engine)
        partner = Partner(code="BENCH", name="Bench District Council", kind=PartnerKind.DISTRICT)
        db.session.add(partner)
        db.session.flush()
        assert HIGH_STREET.postcode == POSTCODE
        missed_bin(
            partner,
            code="bench-bin",
            group="Bins and recycling",
            keywords="wheelie bin",
            sla_working_days=2,
        )
        db.session.commit()
        db.engine.dispose()


def _env(database_url: str, instance: Path, redis_url: str, prefix: str) -> dict[str, str]:
    return {
        "FRONTOFFICE_DATABASE_URL": database_url,
        "FRONTOFFICE_BROKER_URL": redis_url,
        "FRONTOFFICE_QUEUE_PREFIX": prefix,
        # The worker starts after the timed posts: no request is swept while it catches up.
        "FRONTOFFICE_INTAKE_RETRY_SECONDS": "3600",
        "FRONTOFFICE_INSTANCE": str(instance),
        "FRONTOFFICE_SECRET_KEY": "bench-secret-key-bench-secret-key-0123",
        # One address sends everything here: the per-address limits would refuse it.
        "FRONTOFFICE_PUBLIC_LIMIT_SUBMIT": "1000000 per minute",
        "FRONTOFFICE_PUBLIC_LIMIT_TRACK": "1000000 per minute",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving bench.intake_app:app (the app plus the bare view)."""

    def __init__(self, env: dict[str, str], workers: int, threads: int) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            "bench.intake_app:app",
        ]
        env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(30)


def _surname(i: int) -> str:
    """Residents' names are letters only: 0 -> 'Aa', 27 -> 'Bb'..."""
    letters = ""
    while True:
        i, r = divmod(i, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[r]
        if not i:
            return "Resident " + letters.capitalize()


def prepare(url: str, i: int) -> tuple[httpx.Client, dict[str, str]]:
    """One resident's journey up to check your answers: their own session and the tokens."""
    client = httpx.Client(base_url=url, timeout=60, verify=TLS)
    page = client.get("/request/service/bench-bin")
    csrf = CSRF.search(page.text).group(1)
    steps = [
        ("/request/service/bench-bin", {}),
        ("/request/question/1", {"q_bin": "grey"}),
        ("/request/question/2", {"q_details": f"Bench request {i}, out by 7am"}),
        ("/request/address", {"postcode": POSTCODE}),
        ("/request/address/choose", {"uprn": "100000000001"}),
        (
            "/request/contact",
            {
                "first_name": "Bench",
                "last_name": _surname(i),
                "email": f"resident{i}@bench.example",
                "phone": "",
                "reply_by": "email",
                "language": "en",
            },
        ),
    ]
    for path, data in steps:
        answer = client.post(path, data={**data, "csrf_token": csrf})
        if answer.status_code != 302:
            raise RuntimeError(f"{path} answered {answer.status_code}")
    check = client.get("/request/check").text
    match = TOKEN.search(check)
    return client, {"csrf_token": csrf, "token": match.group(1) or match.group(2), "website": ""}


def clone_journeys(database_url: str, url: str, n: int) -> list[tuple[httpx.Client, dict]]:
    """N residents at check your answers, quickly: the first walks the journey over HTTP; the
    others get what that walk left, each their own: a draft row with the same data but
    their own name, email and details (as prepare() gives them), and a session cookie
    holding their draft's token and a CSRF token of their own, signed as the app signs it.
    The timed posts find the same state as after N walks."""
    from flask import session
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import insert

    from frontoffice import clock, create_app
    from frontoffice.extensions import db
    from frontoffice.public import drafts
    from frontoffice.public.models import Draft

    first, first_tokens = prepare(url, 0)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = next(c for c in first.cookies.jar if c.name == name)
    signer = app.session_interface.get_signing_serializer(app)
    walked = signer.loads(cookie.value)
    assert walked[drafts.SESSION_KEY] == first_tokens["token"]
    residents, rows, now = [(first, first_tokens)], [], clock.now()
    with app.app_context():
        data = json.dumps(db.session.get(Draft, first_tokens["token"]).data)
        db.session.remove()
    for field in ("Bench request 0,", "resident0@bench.example", _surname(0)):
        assert data.count(field) == 1, field
    for i in range(1, n):
        token = secrets.token_urlsafe(32)
        mine = (
            data.replace("Bench request 0,", f"Bench request {i},")
            .replace("resident0@bench.example", f"resident{i}@bench.example")
            .replace(_surname(0), _surname(i))
        )
        rows.append(
            {"token": token, "journey": "request", "data": json.loads(mine)}
            | {"created_at": now, "updated_at": now}
        )
        with app.test_request_context():
            session.update(walked)
            session[drafts.SESSION_KEY] = token
            session.pop("csrf_token", None)
            csrf = generate_csrf()
            value = signer.dumps(dict(session))
        client = httpx.Client(base_url=url, timeout=60, verify=TLS)
        client.cookies.set(name, value, domain=cookie.domain, path=cookie.path)
        residents.append((client, {"csrf_token": csrf, "token": token, "website": ""}))
    with app.app_context():
        db.session.execute(insert(Draft), rows)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return residents


def timed(calls, concurrency: int) -> dict[str, float]:
    """Runs the calls `concurrency` at a time: throughput and latency percentiles."""

    def one(call) -> float:
        started = time.perf_counter()
        call()
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(one, calls))
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(quantiles[49] * 1000, 1),
        "p95_ms": round(quantiles[94] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("FRONTOFFICE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="the broker the web nudges and the worker reads",
    )
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--raise-timeout", type=float, default=600)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "FRONTOFFICE_BENCH_DATABASE_URL",
            "postgresql+psycopg://postgres@127.0.0.1:5432/frontoffice_bench",
        ),
    )
    parser.add_argument(
        "--quick-prepare",
        action="store_true",
        help="only the first resident walks the journey over HTTP; the others get a copy of "
        "its end state (see above: the bare figure differs)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("the benchmark needs PostgreSQL")
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        with fresh_database(args.database_url, instance, "intake") as url:
            env = _env(url, instance, args.redis_url, f"fo-bench-{uuid.uuid4().hex[:10]}-")
            setup(url, instance, env)
            with Server(env, args.workers, args.threads) as server:
                started = time.perf_counter()
                if args.quick_prepare:
                    residents = clone_journeys(url, server.url, args.requests)
                else:
                    with ThreadPoolExecutor(args.concurrency) as pool:
                        residents = list(
                            pool.map(lambda i: prepare(server.url, i), range(args.requests))
                        )
                prepared = time.perf_counter() - started

                # Kept-alive connections, as each resident's own client has.
                pooled = httpx.Client(
                    base_url=server.url,
                    timeout=60,
                    limits=httpx.Limits(max_connections=args.concurrency),
                )

                def bare(_i=None):
                    answer = pooled.post("/bench/bare-insert")
                    assert answer.status_code == 204, answer.status_code

                def send(resident):
                    client, tokens = resident
                    answer = client.post("/request/check", data=tokens)
                    assert answer.status_code == 302, answer.status_code
                    assert answer.headers["location"] == "/request/done"

                bare_figures = timed([bare] * args.requests, args.concurrency)
                submit_figures = timed([lambda r=r: send(r) for r in residents], args.concurrency)
                pooled.close()
                for client, _ in residents:
                    client.close()
            engine = create_engine(url)
            raise_figures = _raise_all(engine, env, instance, args)
            with engine.connect() as conn:
                cases = conn.execute(text('SELECT count(*) FROM "case"')).scalar_one()
                rows = conn.execute(select(func.count()).select_from(text("bench_row"))).scalar()
                dispatches = conn.execute(text("SELECT count(*) FROM dispatch")).scalar_one()
                emails = conn.execute(text("SELECT count(*) FROM resident_message")).scalar_one()
                left = conn.execute(text("SELECT count(*) FROM accepted_request")).scalar_one()
            engine.dispose()
    print(
        json.dumps(
            {
                "requests": args.requests,
                "concurrency": args.concurrency,
                "gunicorn": {"workers": args.workers, "threads": args.threads},
                "journeys_prepared_seconds": round(prepared, 1),
                "submit": submit_figures,
                "bare_insert": bare_figures,
                "ratio_submit_to_bare": round(
                    submit_figures["per_second"] / bare_figures["per_second"], 3
                ),
                "raise": raise_figures,
                "check": {
                    "cases": cases,
                    "dispatches": dispatches,
                    "confirmation_emails": emails,
                    "accepted_not_raised": left,
                    "bare_rows": rows,
                },
            },
            indent=2,
        )
    )


def _raise_all(engine, env: dict[str, str], instance: Path, args) -> dict[str, float]:
    """Starts a worker on the queued tasks; the time until every case is raised."""

    def raised() -> int:
        with engine.connect() as conn:
            return conn.execute(text('SELECT count(*) FROM "case"')).scalar_one()

    worker = Worker(env, instance / "worker.log", concurrency=args.worker_concurrency)
    started = time.perf_counter()
    worker.start()
    try:
        deadline = started + args.raise_timeout
        while raised() < args.requests and time.perf_counter() < deadline:
            time.sleep(0.1)
        seconds = time.perf_counter() - started
    finally:
        worker.stop()
    done = raised()
    if done < args.requests:
        print(worker.log(), file=sys.stderr)
    return {
        "worker_concurrency": args.worker_concurrency,
        "cases_raised": done,
        "seconds_until_all_raised": round(seconds, 2),
        "raised_per_second": round(done / seconds, 1),
        "note": "from starting the worker process, so its start-up is included",
    }


if __name__ == "__main__":
    main()
