"""How fast an adviser finds a customer and opens their record, through the real Flask app.

Loads N synthetic customers (addresses, phones, emails, council tax references, cases with
events, contacts) into the database given, then times, with the test client signed in as an
adviser, 200+ varied requests of each kind:

  search: surname + postcode, a misspelt surname, a phone number, a case reference
          (GET /staff/customers/?q=...)
  record page: customers with 50 cases and 200 contacts (GET /staff/customers/<id>)

Prints JSON with p50 and p95 in milliseconds. A benchmark, not a test: it never fails on time.

    .venv/bin/python bench/search.py                      # SQLite in a temp dir, 100,000
    .venv/bin/python bench/search.py --customers 1000000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/frontoffice_bench

The database must be empty (or pass --reuse to measure again what an earlier run loaded).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_plus

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
KINDS = ("surname_postcode", "misspelt_surname", "phone", "case_reference")


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    workdir = Path(tempfile.mkdtemp(prefix="frontoffice-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite'}"
    os.environ.setdefault("FRONTOFFICE_INSTANCE", str(workdir / "instance"))
    os.environ.setdefault("FRONTOFFICE_BROKER_URL", "memory://")
    try:
        result = run(url, args)
    finally:
        if args.keep:
            _log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    output = json.dumps(result, indent=2)
    print(output)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(output + "\n")
        _log(f"saved {args.output}")
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=250, help="timed requests per kind")
    parser.add_argument(
        "--heavy", type=int, default=250, help="customers with 50 cases, 200 contacts"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", help="also write the JSON here (e.g. bench/results/x.json)")
    parser.add_argument("--reuse", action="store_true", help="measure data already loaded")
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="afterwards, record the SQL of N requests of each kind and EXPLAIN the slowest",
    )
    return parser.parse_args(argv)


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(url: str, args: argparse.Namespace) -> dict:
    from flask_migrate import upgrade

    from frontoffice import create_app
    from frontoffice.customers.models import Customer
    from frontoffice.extensions import db

    dialect = make_url(url).get_backend_name()
    options = {} if dialect == "sqlite" else {"pool_size": 5, "max_overflow": 5}
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "bench.frontoffice.test",
        }
    )
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        schema_seconds = time.perf_counter() - started
        loaded = db.session.scalar(select(func.count()).select_from(Customer)) or 0
        if loaded and not args.reuse:
            raise SystemExit(
                f"The database already has {loaded} customers: use an empty one or --reuse"
            )
        load_seconds = None
        counts = None
        if not loaded:
            _log(f"loading {args.customers:,} customers into {dialect}")
            started = time.perf_counter()
            counts = load(args.customers, args.heavy, args.seed)
            load_seconds = round(time.perf_counter() - started, 1)
            _log(f"loaded in {load_seconds}s: {counts}")
        version = db.session.scalar(
            text("select sqlite_version()" if dialect == "sqlite" else "show server_version")
        )
        samples = draw_samples(random.Random(args.seed), args.samples)
        customers = db.session.scalar(select(func.count()).select_from(Customer))
        engine = db.engine
        db.session.remove()

    client = app.test_client()
    _sign_in(client)
    load_before = os.getloadavg()[0]
    figures = {kind: measure(client, samples[kind]) for kind in (*KINDS, "record_page")}
    profiles = None
    if args.profile:
        from bench.profile import profile

        _log(f"profiling {args.profile} requests of each kind")
        profiles = {
            kind: profile(client, engine, samples[kind][: args.profile])
            for kind in (*KINDS, "record_page")
        }
    result = {
        "database": f"{dialect} {version}",
        "customers": customers,
        "load_seconds": load_seconds,
        "schema_seconds": round(schema_seconds, 1),
        "rows": counts,
        "search": {kind: figures[kind] for kind in KINDS},
        "record_page": figures["record_page"],
        "record_page_shape": {"cases": 50, "contacts": 200},
        "samples_per_kind": args.samples,
        "load_average": {"before": round(load_before, 1), "after": round(os.getloadavg()[0], 1)},
        "cpus": os.cpu_count(),
        "seed": args.seed,
    }
    if profiles:
        result["profile"] = profiles
    return result


# Loading --------------------------------------------------------------------------------------


def load(customers: int, heavy: int, seed: int) -> dict[str, int]:
    from bench.bulk import Writer
    from bench.synthetic import Generator, Org
    from frontoffice import clock
    from frontoffice.demo.catalogue import build_organisation
    from frontoffice.extensions import db

    org = build_organisation()
    db.session.commit()
    ids = Org(
        services=[(s.id, s.owning_partner_id, s.sla_working_days or 10) for _, s in org.services],
        partner_ids={code: p.id for code, p in org.partners.items()},
        adviser_ids=[u.id for u in org.advisers()],
    )
    db.session.remove()  # on SQLite an open transaction would hold the write lock
    now = clock.now()
    generator = Generator(seed=seed, org=ids, now=now, customers=customers, heavy=heavy)
    writer = Writer(db.engine, now)
    writer.prepare()
    started = time.perf_counter()
    for chunk in generator.chunks():
        writer.write(chunk)
        _log(f"  {writer.counts['customer']:,} customers ({time.perf_counter() - started:.0f}s)")
    writer.finish()
    _log(f"  indexes, sequences and statistics done ({time.perf_counter() - started:.0f}s)")
    return writer.counts


# What to ask for --------------------------------------------------------------------------------


def draw_samples(rng: random.Random, n: int) -> dict[str, list[tuple[str, str]]]:
    """(url, text the page should show) pairs, drawn from the loaded data."""
    from frontoffice.cases.models import Case, format_reference
    from frontoffice.customers.models import Customer, CustomerAddress, CustomerPhone
    from frontoffice.customers.normalise import display_phone
    from frontoffice.extensions import db

    def pick(model) -> list[int]:
        top = db.session.scalar(select(func.max(model.id))) or 0
        return sorted({rng.randint(1, top) for _ in range(n * 3)})

    people = db.session.execute(
        select(Customer.id, Customer.family_name, CustomerAddress.postcode)
        .join(CustomerAddress, CustomerAddress.customer_id == Customer.id)
        .where(Customer.id.in_(pick(Customer)), CustomerAddress.valid_to.is_(None))
    ).all()
    rng.shuffle(people)
    phones = db.session.execute(
        select(CustomerPhone.number, Customer.family_name)
        .join(Customer, Customer.id == CustomerPhone.customer_id)
        .where(CustomerPhone.id.in_(pick(CustomerPhone)))
    ).all()
    cases = db.session.execute(
        select(Case.id, Customer.family_name)
        .join(Customer, Customer.id == Case.customer_id)
        .where(Case.id.in_(pick(Case)))
    ).all()
    heavy = db.session.execute(
        select(Case.customer_id, func.min(Customer.family_name))
        .join(Customer, Customer.id == Case.customer_id)
        .group_by(Case.customer_id)
        .having(func.count() >= 50)
    ).all()
    if not heavy:
        raise SystemExit("no customer has 50 cases: load with --heavy > 0")

    def search(q: str, expect: str) -> tuple[str, str]:
        return f"/staff/customers/?q={quote_plus(q)}", expect

    half = len(people) // 2
    return {
        "surname_postcode": [search(f"{f} {p}", f) for _, f, p in people[:half]][:n],
        "misspelt_surname": [search(misspell(rng, f), f) for _, f, _ in people[half:]][:n],
        "phone": [search(display_phone(number), f) for number, f in phones][:n],
        "case_reference": [search(format_reference(i), f) for i, f in cases][:n],
        "record_page": [
            (f"/staff/customers/{customer_id}", f)
            for customer_id, f in (rng.choice(heavy) for _ in range(n))
        ],
    }


def misspell(rng: random.Random, name: str) -> str:
    """A typo an adviser might make: a swapped, dropped, doubled or wrong vowel."""
    vowels = "aeiou"
    for _ in range(20):
        letters = list(name)
        i = rng.randint(1, len(letters) - 1) if len(letters) > 2 else len(letters) - 1
        op = rng.choice(("swap", "drop", "double", "vowel"))
        if op == "swap" and i < len(letters) - 1:
            letters[i], letters[i + 1] = letters[i + 1], letters[i]
        elif op == "drop" and len(letters) > 4:
            del letters[i]
        elif op == "double":
            letters.insert(i, letters[i])
        elif op == "vowel" and letters[i].lower() in vowels:
            letters[i] = rng.choice([v for v in vowels if v != letters[i].lower()])
        typo = "".join(letters)
        if typo.lower() != name.lower():
            return typo
    return name + "e"


# Measuring --------------------------------------------------------------------------------------


def _sign_in(client) -> None:
    from frontoffice.demo.catalogue import DEMO_PASSWORD

    page = client.get("/sign-in").get_data(as_text=True)
    match = CSRF_RE.search(page)
    token = match.group(1) or match.group(2) if match else ""
    response = client.post(
        "/sign-in",
        data={
            "email": "adviser@demo.frontoffice.test",
            "password": DEMO_PASSWORD,
            "csrf_token": token,
        },
    )
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as the adviser: {response.status_code}")


def measure(client, requests: list[tuple[str, str]], warmup: int = 10) -> dict:
    for url, _ in requests[:warmup]:
        client.get(url)
    timings: list[float] = []
    cpu: list[float] = []
    errors = found = 0
    for url, expect in requests:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        if response.status_code != 200:
            errors += 1
        elif html.escape(expect) in response.get_data(as_text=True):
            found += 1
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    cpu_cuts = statistics.quantiles(cpu, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        # This process's CPU time only (with SQLite that includes the database's work): a
        # figure less disturbed than wall time when the machine is busy with other work.
        "cpu_p50_ms": round(cpu_cuts[49], 1),
        "cpu_p95_ms": round(cpu_cuts[94], 1),
        "mean_ms": round(statistics.fmean(timings), 1),
        "max_ms": round(max(timings), 1),
        "n": len(timings),
        "errors": errors,
        "found": round(found / len(timings), 3),  # the expected customer was on the page
    }


if __name__ == "__main__":
    sys.exit(main())
