"""Importing a partner's extract: rows per second and peak memory of the real command.

Writes an extract of --rows rows of synthetic people (bench/people.py: households, nicknames,
typos, people recorded twice; past 10,000 rows the same people again under new ids), then
runs `flask --app frontoffice link EXTRACT --into-customers ...`
as a child process, timing each run and reading its peak resident memory:

0. startup: a file with only the header: the command's own start-up;
1. first: the first --first rows into an empty database, each matched online;
2. again: the whole file after the rest of its references were loaded in bulk, so every row
   is read, checked, looked up in its batch and compared with its customer (the path a
   re-import, or a resumed import, takes for what is already there);
3. again, prefix: the first tenth of the same file the same way, to show memory does not grow
   with the file (it is streamed, not loaded whole).

Prints JSON: for each run the wall time, the command's own "Took" line (the import without
start-up), the CPU seconds it used and its peak memory (VmHWM). Figures depend on the machine's
load: quote one run's numbers together.

    .venv/bin/python bench/import_extract.py --rows 100000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

PEOPLE = 10_000  # generated; a longer extract repeats them under new ids
COLUMNS = "id,given_name,family_name,date_of_birth,address_line_1,town,postcode,phone,email"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--first", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    url = args.database_url or f"sqlite:///{work / 'bench.sqlite'}"
    env = {
        **os.environ,
        "FRONTOFFICE_DATABASE_URL": url,
        "FRONTOFFICE_INSTANCE": str(work),
        "FRONTOFFICE_BROKER_URL": "memory://",
    }
    os.environ.update(env)
    extract, prefix, first = work / "extract.csv", work / "prefix.csv", work / "first.csv"
    rows = _write_extract(extract, args.rows, args.seed)
    _copy_lines(extract, prefix, args.rows // 10)
    _copy_lines(extract, first, args.first)
    _prepare_database()

    empty = work / "empty.csv"
    empty.write_text(COLUMNS + "\n", encoding="utf-8")
    results = {"rows": args.rows, "database": url.split(":")[0]}
    results["startup"] = _run(empty, env, 0)
    results["first"] = _run(first, env, args.first)
    _load_references(rows, args.first)
    results["again"] = _run(extract, env, args.rows)
    results["again_prefix"] = _run(prefix, env, args.rows // 10)
    print(json.dumps(results, indent=2))
    if not args.database_url:
        shutil.rmtree(work)


def _write_extract(path: Path, count: int, seed: int) -> list[dict[str, str]]:
    from bench.people import generate

    distinct = generate(min(count, PEOPLE), seed=seed).rows
    rows = [distinct[n % len(distinct)] for n in range(count)]
    names = COLUMNS.split(",")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        for number, row in enumerate(rows):
            writer.writerow([f"X{number:07d}", *(row[n] for n in names[1:])])
    return rows


def _copy_lines(source: Path, target: Path, rows: int) -> None:
    with source.open(encoding="utf-8") as inp, target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(inp):
            if number > rows:
                break
            out.write(line)


def _prepare_database() -> None:
    from flask_migrate import upgrade

    from frontoffice import create_app
    from frontoffice.extensions import db
    from frontoffice.partners.models import Partner, PartnerKind

    with create_app().app_context():
        upgrade()
        db.session.add(Partner(code="BEN", name="Bench District", kind=PartnerKind.DISTRICT))
        db.session.commit()


def _load_references(rows: list[dict[str, str]], first: int) -> None:
    """A customer and a reference for each row from `first` on, in bulk, as if imported."""
    from frontoffice import create_app
    from frontoffice.customers import normalise
    from frontoffice.customers.models import Customer, ExternalReference
    from frontoffice.extensions import db
    from frontoffice.identity.batch import parse_date
    from frontoffice.partners.models import Partner

    with create_app().app_context():
        partner_id = db.session.scalar(select(Partner.id).where(Partner.code == "BEN"))
        start = db.session.scalar(select(Customer.id).order_by(Customer.id.desc()).limit(1)) or 0
        for at in range(first, len(rows), 5_000):
            numbers = range(at, min(at + 5_000, len(rows)))
            db.session.execute(
                insert(Customer.__table__),
                [
                    {
                        "id": start + n + 1,
                        "given_name": rows[n]["given_name"],
                        "family_name": rows[n]["family_name"],
                        "given_key": normalise.name_key(rows[n]["given_name"]),
                        "family_key": normalise.name_key(rows[n]["family_name"]),
                        "date_of_birth": parse_date(rows[n]["date_of_birth"]),
                    }
                    for n in numbers
                ],
            )
            db.session.execute(
                insert(ExternalReference.__table__),
                [
                    {
                        "customer_id": start + n + 1,
                        "partner_id": partner_id,
                        "system": "Council tax",
                        "reference": f"X{n:07d}",
                        "reference_key": f"X{n:07d}",
                    }
                    for n in numbers
                ],
            )
            db.session.commit()


def _read(file) -> str:
    file.seek(0)
    return file.read().decode()


def _high_water_kb(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM; ru_maxrss would include the memory
    of this process, which it was forked from)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _run(path: Path, env: dict[str, str], rows: int) -> dict:
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "frontoffice",
        "link",
        str(path),
        "--into-customers",
        "BEN",
        "Council tax",
        "--new-system",
        "--show",
        "0",
    ]
    # Files, not pipes: a child that writes more than a pipe holds would wait for ever.
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=out_file, stderr=err_file)
        peak = 0
        while True:
            peak = max(peak, _high_water_kb(child.pid))
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        out, err = _read(out_file), _read(err_file)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the import failed:\n{out}\n{err[-2000:]}")
    return {
        "rows": rows,
        "seconds": round(seconds, 1),
        "took": next((line for line in out.splitlines() if line.startswith("Took")), ""),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_memory_mb": round(peak / 1024, 1),
        "summary": [line.strip() for line in out.splitlines()[1:7]],
    }


if __name__ == "__main__":
    main()
