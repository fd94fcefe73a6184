"""`flask gazetteer import FILE.csv`: load or refresh the address gazetteer."""

from __future__ import annotations

from typing import BinaryIO

import click
from flask.cli import AppGroup

from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.csvfile import CsvFileError, ProblemPrinter
from frontoffice.extensions import db
from frontoffice.gazetteer import operations

gazetteer = AppGroup("gazetteer", help="The address gazetteer: UPRNs, postcodes, districts, wards.")


@gazetteer.command("import")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--batch-size", default=operations.BATCH_SIZE, show_default=True, type=click.IntRange(1, 5000)
)
@click.option(
    "--show",
    default=1000,
    show_default=True,
    type=click.IntRange(0),
    help="Print at most this many skipped rows (all are counted)",
)
def import_command(file: BinaryIO, batch_size: int, show: int) -> None:
    """Upsert addresses from FILE, a CSV with a header row (- reads stdin).

    \b
    Columns: uprn,line_1,line_2,line_3,town,postcode,easting,northing,
             latitude,longitude,district_code,ward_code
    Required: uprn, line_1, postcode, district_code. Give easting and northing
    (British National Grid) or latitude and longitude (WGS84), both, or neither.

    Rows that are wrong are reported with their line numbers and skipped; the rest are written
    in batches, each committed, so a re-run after an interruption simply carries on.
    """
    printer = ProblemPrinter(show)
    try:
        summary = operations.import_addresses(
            file, on_problem=printer, on_batch=db.session.commit, batch_size=batch_size
        )
    except CsvFileError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    printer.tail()
    audit.record(
        Actor.system("command line"),
        "import",
        "gazetteer_address",
        (getattr(file, "name", "") or "stdin")[-40:],
        details={
            "read": summary.read,
            "inserted": summary.inserted,
            "updated": summary.updated,
            "skipped": summary.skipped,
        },
    )
    db.session.commit()
    click.echo("\n".join(summary.lines()))
