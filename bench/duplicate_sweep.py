"""The duplicate sweep on synthetic customers with known truth: speed, precision and recall.

Loads bench/people.py's residents (nicknames, typos, swapped dates, moves, households, some
recorded more than once) as customers into a fresh database, then runs the sweep in bounded
runs of --limit customers until it has looked at every customer once, as beat would. Prints
JSON: customers, runs, seconds (total and the median run), customers per second, pairs
queued, and their precision and recall against the known duplicate pairs.

    .venv/bin/python bench/duplicate_sweep.py --people 5000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/frontoffice_bench_sweep
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--limit", type=int, default=500, help="customers per sweep run")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="frontoffice-sweep-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite'}"
    os.environ.setdefault("FRONTOFFICE_INSTANCE", str(workdir / "instance"))
    os.environ.setdefault("FRONTOFFICE_BROKER_URL", "memory://")
    print(json.dumps(run(url, args), indent=2))


def _load(rows) -> dict[int, str]:
    from frontoffice.customers import normalise
    from frontoffice.customers.models import (
        Customer,
        CustomerAddress,
        CustomerEmail,
        CustomerPhone,
    )
    from frontoffice.extensions import db
    from frontoffice.identity.batch import parse_date

    record_of: dict[int, str] = {}
    for row in rows:
        customer = Customer(date_of_birth=parse_date(row.get("date_of_birth", "")))
        customer.set_names(given_name=row["given_name"], family_name=row["family_name"])
        if row.get("postcode") and row.get("address_line_1"):
            customer.addresses.append(
                CustomerAddress(
                    line_1=row["address_line_1"],
                    line_2=row.get("address_line_2", ""),
                    town=row.get("town", ""),
                    postcode=row["postcode"],
                    postcode_key=normalise.postcode_key(row["postcode"]),
                )
            )
        if row.get("phone") and normalise.phone_key(row["phone"]):
            customer.phones.append(
                CustomerPhone(number=row["phone"], number_key=normalise.phone_key(row["phone"]))
            )
        if row.get("email"):
            customer.emails.append(
                CustomerEmail(address=row["email"], address_key=normalise.email_key(row["email"]))
            )
        db.session.add(customer)
        db.session.flush()
        record_of[customer.id] = row["id"]
    db.session.commit()
    return record_of


def run(url: str, args: argparse.Namespace) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from bench.people import generate
    from frontoffice import create_app
    from frontoffice.extensions import db
    from frontoffice.identity.models import MatchReview
    from frontoffice.merging import sweep

    truth = generate(args.people, seed=args.seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        record_of = _load(truth.rows)
        runs, started = [], time.perf_counter()
        while True:
            began = time.perf_counter()
            result = sweep.sweep(db.session, limit=args.limit)
            db.session.commit()
            runs.append(time.perf_counter() - began)
            if result.round_finished:
                break
        total = time.perf_counter() - started
        found = set()
        for a, b in db.session.execute(
            select(MatchReview.customer_id, MatchReview.other_customer_id).where(
                MatchReview.source == sweep.SOURCE
            )
        ):
            x, y = record_of[a], record_of[b]
            found.add((min(x, y), max(x, y)))
    true_pairs = truth.pairs()
    hits = len(found & true_pairs)
    return {
        "database": url.split(":")[0],
        "customers": len(record_of),
        "true_duplicate_pairs": len(true_pairs),
        "runs": len(runs),
        "limit": args.limit,
        "seconds": round(total, 2),
        "median_run_seconds": round(statistics.median(runs), 3),
        "customers_per_second": round(len(record_of) / total, 1),
        "queued": len(found),
        "precision": round(hits / len(found), 4) if found else None,
        "recall": round(hits / len(true_pairs), 4) if true_pairs else None,
    }


if __name__ == "__main__":
    main()
