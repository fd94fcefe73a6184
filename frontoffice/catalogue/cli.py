"""`flask catalogue import FILE.csv`: load or refresh the service catalogue."""

from __future__ import annotations

from typing import BinaryIO

import click
from flask.cli import AppGroup

from frontoffice.access.actor import Actor
from frontoffice.catalogue import importer
from frontoffice.csvfile import CsvFileError, ProblemPrinter
from frontoffice.extensions import db

catalogue = AppGroup("catalogue", help="The service catalogue.")


@catalogue.command("import")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--show",
    default=1000,
    show_default=True,
    type=click.IntRange(0),
    help="Print at most this many skipped rows (all are counted)",
)
def import_command(file: BinaryIO, show: int) -> None:
    """Create or update services from FILE, a CSV with a header row (- reads stdin).

    \b
    Columns: code,name,group,description,keywords,owning_partner_code,
             sla_working_days,sla_hours,tier
    Required: code, name, owning_partner_code. tier is county, district or any.

    Services are matched by code. Rows that are wrong are reported with their line numbers
    and skipped; the good rows are saved together at the end.
    """
    printer = ProblemPrinter(show)
    try:
        summary = importer.import_services(file, Actor.system("command line"), on_problem=printer)
    except CsvFileError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    printer.tail()
    db.session.commit()
    click.echo("\n".join(summary.lines()))
