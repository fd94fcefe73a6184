"""`flask link LEFT.csv [RIGHT.csv] -o PAIRS.csv`: find the same people in CSV files;
`flask link EXTRACT.csv --into-customers PARTNER SYSTEM`: import a partner's extract."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, TextIO

import click
from flask.cli import with_appcontext

from frontoffice.csvfile import CsvFileError, ProblemPrinter
from frontoffice.identity.batch import link_files


@click.command("link")
@click.argument("left", type=click.File("rb"))
@click.argument("right", type=click.File("rb"), required=False)
@click.option(
    "-o",
    "--output",
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
@click.option(
    "--into-customers",
    nargs=2,
    metavar="PARTNER SYSTEM",
    help="Import LEFT, a partner's extract, into the customer records: id is the "
    "reference in the partner's SYSTEM (PARTNER is the partner's code)",
)
@click.option(
    "--new-system",
    is_flag=True,
    help="With --into-customers: SYSTEM is new for this partner (else it must be one it has)",
)
@click.option(
    "--by", metavar="EMAIL", help="With --into-customers: the staff user running the import"
)
@click.option(
    "--skipped",
    "skipped_to",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="With --into-customers: write each skipped or differing row (line,id,outcome,reason)",
)
@click.option(
    "--batch-size",
    default=500,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="With --into-customers: rows committed together",
)
@with_appcontext
def link_command(
    left: BinaryIO,
    right: BinaryIO | None,
    output: TextIO | None,
    threshold: float,
    show: int,
    into_customers: tuple[str, str] | None,
    new_system: bool,
    by: str | None,
    skipped_to: Path | None,
    batch_size: int,
) -> None:
    """Find records of one person: duplicates within LEFT, or LEFT's records in RIGHT.

    \b
    Columns (header row; only id is required):
      id,given_name,family_name,date_of_birth,address_line_1,address_line_2,
      town,postcode,phone,email
    Dates are YYYY-MM-DD. Output: left_id,right_id,probability, one row per
    pair (with one file, each pair once). A summary and every skipped row go
    to stderr.

    \b
    With --into-customers PARTNER SYSTEM, LEFT (same columns) is imported:
    a row whose id PARTNER's SYSTEM already has on a customer is left alone
    (differences are reported); else it links to the customer it matches,
    or makes a new customer record (queued for review when it may match).
    Importing the same file again imports nothing twice.
    """
    if into_customers:
        if right is not None or output is not None:
            raise click.UsageError("--into-customers imports one file and writes no pairs.")
        from frontoffice.imports.cli import run_import

        partner, system = into_customers
        run_import(
            left,
            _name(left, "stdin"),
            partner,
            system,
            new_system=new_system,
            by=by,
            skipped_to=skipped_to,
            batch_size=batch_size,
            show=show,
        )
        return
    if output is None:
        raise click.UsageError("Missing option '-o' / '--output'.")
    if new_system or by or skipped_to:
        raise click.UsageError("--new-system, --by and --skipped go with --into-customers.")
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
