"""Batch linking of CSV files of people: read, learn the model, block, score, write pairs.

The files are read row by row (never whole); each usable row is kept as a small prepared
record, since every record may pair with any other. Rows that cannot be used are reported
with their line numbers, and so are values that were dropped (a date that is not a date).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO, TextIO

from frontoffice.csvfile import CsvRows, RowProblem
from frontoffice.identity import blocking
from frontoffice.identity.comparisons import levels
from frontoffice.identity.model import Model, probability
from frontoffice.identity.records import Person, Prepared, prepare
from frontoffice.identity.training import train

COLUMNS = (
    "id",
    "given_name",
    "family_name",
    "date_of_birth",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
)
MAX_ID = 200
OnProblem = Callable[[str, int, str], None]  # file name, line, reason


@dataclass
class FileReport:
    name: str
    read: int = 0
    used: int = 0
    skipped: int = 0
    values_dropped: int = 0
    not_utf8_lines: int = 0
    missing_columns: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        out = [
            f"{self.name}: read {self.read:,} rows, used {self.used:,}, skipped {self.skipped:,}"
            + (f", {self.values_dropped:,} values dropped" if self.values_dropped else "")
            + "."
        ]
        if self.missing_columns:
            out.append(f"  No column {', '.join(self.missing_columns)}: compared as empty.")
        if self.ignored_columns:
            out.append(f"  Columns ignored: {', '.join(self.ignored_columns)}.")
        if self.not_utf8_lines:
            out.append(
                f"  {self.not_utf8_lines:,} lines were not UTF-8 and were read as Latin-1 "
                "(Windows-1252)."
            )
        return out


@dataclass
class LinkReport:
    files: list[FileReport] = field(default_factory=list)
    compared: int = 0
    written: int = 0
    seconds: float = 0.0
    blocks: blocking.BlockReport = field(default_factory=blocking.BlockReport)
    model: Model | None = None

    def lines(self) -> list[str]:
        out = [line for report in self.files for line in report.lines()]
        for rule, key, size in self.blocks.skipped[:10]:
            out.append(f"Not compared: {size:,} records share {rule} {key!r}.")
        if len(self.blocks.skipped) > 10:
            out.append(f"... and {len(self.blocks.skipped) - 10:,} more such groups.")
        out.append(
            f"Compared {self.compared:,} candidate pairs; wrote {self.written:,} pairs "
            f"in {self.seconds:.1f} s."
        )
        return out


def read_people(
    stream: BinaryIO, name: str, on_problem: OnProblem
) -> tuple[list[Prepared], FileReport]:
    report = FileReport(name)
    rows = CsvRows(stream, required=("id",), optional=COLUMNS[1:], example=COLUMNS)
    seen: dict[str, int] = {}
    people: list[Prepared] = []
    for row in rows:
        if isinstance(row, RowProblem):
            report.read += 1
            report.skipped += 1
            on_problem(name, row.line, row.reason)
            continue
        report.read += 1
        values = row.values
        record_id = values["id"]
        problem = _id_problem(record_id, seen)
        if problem:
            report.skipped += 1
            on_problem(name, row.line, problem)
            continue
        seen[record_id] = row.line
        born = parse_date(values["date_of_birth"])
        if values["date_of_birth"] and born is None:
            report.values_dropped += 1
            on_problem(
                name,
                row.line,
                f"date_of_birth {values['date_of_birth'][:40]!r} is not a date (YYYY-MM-DD); "
                "the row is matched without it",
            )
        people.append(prepare(Person(**{**values, "date_of_birth": born})))
        report.used += 1
    report.not_utf8_lines = rows.not_utf8_lines
    report.missing_columns = tuple(c for c in COLUMNS[1:] if c not in rows.columns)
    report.ignored_columns = tuple(rows.ignored_columns)
    return people, report


def _id_problem(record_id: str, seen: dict[str, int]) -> str:
    if not record_id:
        return "has no id"
    if len(record_id) > MAX_ID:
        return f"has an id longer than {MAX_ID} characters"
    if record_id in seen:
        return f"repeats id {record_id!r} from line {seen[record_id]}; the first one is used"
    return ""


def person_from_row(values: dict[str, str]) -> Person:
    """A Person from a row of COLUMNS; a date that is not YYYY-MM-DD is left out."""
    return Person(**{**values, "date_of_birth": parse_date(values.get("date_of_birth", ""))})


def parse_date(text: str) -> date | None:
    if not text:
        return None
    try:
        born = date.fromisoformat(text)
    except ValueError:
        return None
    if len(text) != 10 or not 1880 <= born.year <= 2100:
        return None
    return born


def link(
    left: Sequence[Prepared],
    right: Sequence[Prepared] | None,
    threshold: float,
    report: LinkReport,
    model: Model | None = None,
) -> Iterator[tuple[Prepared, Prepared, float]]:
    """Every candidate pair at or above `threshold`, in the order blocking finds them."""
    other = right if right is not None else left
    compared = [
        (i, j, levels(left[i], other[j]))
        for i, j in blocking.candidate_pairs(left, right, report=report.blocks)
    ]
    report.compared = len(compared)
    model = model or train(left, right, compared=compared)
    report.model = model
    for i, j, found in compared:
        a, b = left[i], other[j]
        chance = probability(model.weight(a, b, found))
        if chance >= threshold:
            yield a, b, chance


def link_files(
    left: BinaryIO,
    right: BinaryIO | None,
    output: TextIO,
    *,
    threshold: float = 0.5,
    on_problem: OnProblem,
    names: tuple[str, str] = ("left", "right"),
) -> LinkReport:
    started = time.perf_counter()
    report = LinkReport()
    left_people, left_report = read_people(left, names[0], on_problem)
    report.files.append(left_report)
    right_people = None
    if right is not None:
        right_people, right_report = read_people(right, names[1], on_problem)
        report.files.append(right_report)
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(("left_id", "right_id", "probability"))
    if left_people and (right_people is None or right_people):
        for a, b, chance in link(left_people, right_people, threshold, report):
            writer.writerow((a.person.id, b.person.id, f"{chance:.4f}"))
            report.written += 1
    report.seconds = time.perf_counter() - started
    return report
