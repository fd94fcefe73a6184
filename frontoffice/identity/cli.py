"""`flask link LEFT.csv [RIGHT.csv] -o PAIRS.csv`: find the same people in CSV files."""

from __future__ import annotations

from typing import BinaryIO, TextIO

import click

from frontoffice.csvfile import CsvFileError, ProblemPrinter
from frontoffice.identity.batch import link_files


@click.command("link")
@click.argument("left", type=click.File("rb"))
@click.argument("right", type=click.File("rb"), required=False)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.File("w", encoding="utf-8", lazy=True),
    help="Where to write the pairs (- for stdout)",
)
@click.option(
    "--threshold",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Write pairs at least this likely to be one person",
)
@click.option(
    "--show",
    default=100,
    show_default=True,
    type=click.IntRange(0),
    help="Print at most this many problem rows (all are counted)",
)
def link_command(
    left: BinaryIO, right: BinaryIO | None, output: TextIO, threshold: float, show: int
) -> None:
    """Find records of one person: duplicates within LEFT, or LEFT's records in RIGHT.

    \b
    Columns (header row; only id is required):
      id,given_name,family_name,date_of_birth,address_line_1,address_line_2,
      town,postcode,phone,email
    Dates are YYYY-MM-DD. Output: left_id,right_id,probability, one row per
    pair (with one file, each pair once). A summary and every skipped row go
    to stderr.
    """
    names = (_name(left, "left"), _name(right, "right") if right else "right")
    printer = ProblemPrinter(show)

    def problems(name: str, line: int, reason: str) -> None:
        printer(line, f"{reason} ({name})" if right else reason)

    try:
        report = link_files(
            left, right, output, threshold=threshold, on_problem=problems, names=names
        )
    except CsvFileError as error:
        raise click.ClickException(str(error)) from error
    finally:
        output.close()
    printer.tail()
    for line in report.lines():
        click.echo(line, err=True)


def _name(stream: BinaryIO, default: str) -> str:
    name = getattr(stream, "name", "") or default
    return default if name == "-" or not isinstance(name, str) else name
