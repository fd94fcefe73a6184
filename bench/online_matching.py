"""Online matching latency: one incoming person against every customer, on a real database.

Loads N synthetic customers (bench/search.py's loader) into the database given, then, for
--samples incoming records (half are existing customers as another channel would record them:
nicknames, typos, swapped dates, moves; half are new people), times
frontoffice.identity.operations.match_incoming: candidate queries, loading, scoring and
queueing. Prints JSON with p50/p95 in milliseconds and how many were linked, reviewed, new.

    .venv/bin/python bench/online_matching.py --customers 1000000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/frontoffice_bench_identity

The database must be empty, or pass --reuse to measure again what an earlier run loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="frontoffice-online-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite'}"
    os.environ.setdefault("FRONTOFFICE_INSTANCE", str(workdir / "instance"))
    os.environ.setdefault("FRONTOFFICE_BROKER_URL", "memory://")
    print(json.dumps(run(url, args), indent=2))


def run(url: str, args: argparse.Namespace) -> dict:
    from flask_migrate import upgrade

    from bench.search import _log, load
    from frontoffice import create_app
    from frontoffice.customers.models import Customer
    from frontoffice.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        loaded = db.session.scalar(select(func.count()).select_from(Customer)) or 0
        if loaded and not args.reuse:
            raise SystemExit(f"The database already has {loaded} customers: use --reuse")
        if not loaded:
            _log(f"loading {args.customers:,} customers")
            load(args.customers, heavy=0, seed=args.seed)
        total = db.session.scalar(select(func.count()).select_from(Customer))
        incoming = _incoming(args.samples, args.seed, total)
        _log(f"matching {len(incoming)} incoming records against {total:,} customers")
        return {
            "database": db.engine.dialect.name,
            "customers": total,
            **_measure(incoming),
            "load_average": round(os.getloadavg()[0], 1),
        }


def _incoming(samples: int, seed: int, total: int):
    from bench.people import People
    from frontoffice.customers.models import Customer
    from frontoffice.extensions import db
    from frontoffice.identity.batch import person_from_row

    rng = random.Random(seed)
    maker = People(seed)
    lowest = db.session.scalar(select(func.min(Customer.id)))
    ids = [lowest + rng.randrange(total) for _ in range(samples // 2)]
    known = db.session.scalars(
        select(Customer)
        .where(Customer.id.in_(ids))
        .options(selectinload(Customer.addresses), selectinload(Customer.phones))
    ).all()
    records = []
    for customer in known:
        address = customer.addresses[0] if customer.addresses else None
        row = {
            "given_name": customer.given_name,
            "family_name": customer.family_name,
            "date_of_birth": customer.date_of_birth.isoformat() if customer.date_of_birth else "",
            "address_line_1": address.line_1 if address else "",
            "address_line_2": "",
            "town": address.town if address else "",
            "postcode": address.postcode if address else "",
            "phone": customer.phones[0].number if customer.phones else "",
            "email": "",
        }
        records.append(("known", maker.variant(row)))
    while len(records) < samples:
        records.extend(("new", person) for person in maker.household())
    return [
        (kind, person_from_row({**r, "id": f"in{i}"}))
        for i, (kind, r) in enumerate(records[:samples])
    ]


def _measure(incoming) -> dict:
    from frontoffice.extensions import db
    from frontoffice.identity.operations import match_incoming

    timings = []
    decisions: dict[str, dict[str, int]] = {"known": {}, "new": {}}
    for _kind, person in incoming[:10]:  # warm the caches and the connection pool
        match_incoming(db.session, person, "bench")
    db.session.rollback()
    for kind, person in incoming:
        started = time.perf_counter()
        outcome = match_incoming(db.session, person, "bench")
        timings.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
        counts = decisions[kind]
        counts[outcome.decision.value] = counts.get(outcome.decision.value, 0) + 1
    timings.sort()
    return {
        "samples": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "max_ms": round(timings[-1], 1),
        "decisions": decisions,
    }


if __name__ == "__main__":
    main()
