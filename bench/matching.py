"""Identity matching benchmark: our batch linker against Splink on the same synthetic people.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python -m bench.matching --people 20000

Writes one CSV of people with known truth (bench/people.py), runs
`flask --app frontoffice link PEOPLE.csv -o PAIRS.csv` as a user would, then Splink 4
(DuckDB, its documented standard settings: name, date-of-birth, postcode and email
comparisons, term frequencies on the surname, u by random sampling, EM on two blocking rules)
on the same file, and prints JSON with precision, recall, F1 and wall-clock seconds for both.
Times include reading the file and learning the model; ours include starting the Flask app,
Splink's loading pandas. cpu_seconds is the processor time used, which a busy machine changes
less than the wall clock (DuckDB runs on every core; we use one).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.people import generate
from frontoffice.identity.batch import COLUMNS

Pair = tuple[str, str]


def write_people(path: Path, people: int, seed: int) -> set[Pair]:
    truth = generate(people, seed=seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        writer.writerows(truth.rows)
    return truth.pairs()


def run_frontoffice(people: Path, threshold: float) -> tuple[set[Pair], float, float, str]:
    pairs_path = people.with_name("pairs.csv")
    started = time.perf_counter()
    cpu_before = _children_cpu()
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "frontoffice", "link", str(people)]
        + ["-o", str(pairs_path), "--threshold", str(threshold)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "FRONTOFFICE_INSTANCE": str(people.parent)},
    )
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    with pairs_path.open(encoding="utf-8") as found:
        rows = list(csv.DictReader(found))
    return {_pair(r["left_id"], r["right_id"]) for r in rows}, seconds, cpu, done.stderr.strip()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_splink(people: Path, threshold: float) -> tuple[set[Pair], float, float]:
    started = time.perf_counter()
    cpu_before = time.process_time()  # every thread of this process, DuckDB's included
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    frame = _clean(pd.read_csv(people, dtype=str, keep_default_na=False))
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True),
            cl.PostcodeComparison("postcode"),
            cl.LevenshteinAtThresholds("address_line_1", 2),
            cl.ExactMatch("phone"),
            cl.EmailComparison("email"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("date_of_birth"),
            block_on("family_name", "substr(given_name, 1, 1)"),
            block_on("postcode"),
            block_on("phone"),
            block_on("email"),
        ],
    )
    linker = Linker(frame, settings, db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("family_name", "substr(given_name, 1, 1)")
    )
    predicted = linker.inference.predict(threshold_match_probability=threshold)
    rows = predicted.as_pandas_dataframe()
    found = {_pair(a, b) for a, b in zip(rows["id_l"], rows["id_r"], strict=True)}
    return found, time.perf_counter() - started, time.process_time() - cpu_before


def _clean(frame):
    """The cleaning Splink's tutorials do first: lower-case names, tidy postcodes, nulls."""
    for column in ("given_name", "family_name", "email", "address_line_1"):
        frame[column] = frame[column].str.strip().str.lower()
    compact = frame["postcode"].str.replace(" ", "").str.upper()
    frame["postcode"] = compact.str[:-3] + " " + compact.str[-3:]
    frame["phone"] = frame["phone"].str.replace(r"\D", "", regex=True)
    return frame.replace({"": None, " ": None})


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def measure(found: set[Pair], truth: set[Pair], seconds: float, cpu: float) -> dict[str, float]:
    right = len(found & truth)
    precision = right / len(found) if found else 0.0
    recall = right / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "pairs": len(found),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000, help="residents to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--skip-splink", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="matching-") as folder:
        people = Path(folder) / "people.csv"
        truth = write_people(people, args.people, args.seed)
        records = sum(1 for _ in people.open(encoding="utf-8")) - 1
        found, seconds, cpu, summary = run_frontoffice(people, args.threshold)
        result: dict[str, object] = {
            "people": args.people,
            "records": records,
            "true_pairs": len(truth),
            "threshold": args.threshold,
            "frontoffice": measure(found, truth, seconds, cpu),
            "frontoffice_summary": summary.splitlines(),
        }
        if not args.skip_splink:
            import splink

            splink_found, splink_seconds, splink_cpu = run_splink(people, args.threshold)
            result["splink"] = {
                **measure(splink_found, truth, splink_seconds, splink_cpu),
                "version": splink.__version__,
            }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
