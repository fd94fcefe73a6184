"""`flask duplicates sweep`: the duplicate sweep from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from frontoffice.extensions import db
from frontoffice.merging import sweep as duplicate_sweep


@click.group("duplicates")
def duplicates() -> None:
    """Find duplicate customer records for supervisors to review."""


@duplicates.command("sweep")
@click.option(
    "--limit",
    default=duplicate_sweep.DEFAULT_LIMIT,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Look at at most this many customers in each run",
)
@click.option(
    "--whole-round", is_flag=True, help="Run until every customer has been looked at once"
)
@with_appcontext
def sweep_command(limit: int, whole_round: bool) -> None:
    """Queue likely duplicates for review, carrying on where the last run stopped."""
    while True:
        result = duplicate_sweep.sweep(db.session, limit=limit)
        db.session.commit()
        click.echo(result.line())
        if not whole_round or result.round_finished:
            break
