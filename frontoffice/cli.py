"""flask commands: demo data, users. Each command is thin: parse, call operations, commit."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    from frontoffice.accounts.cli import users
    from frontoffice.catalogue.cli import catalogue
    from frontoffice.gazetteer.cli import gazetteer
    from frontoffice.identity.cli import link_command
    from frontoffice.merging.cli import duplicates

    app.cli.add_command(demo_command)
    app.cli.add_command(users)
    app.cli.add_command(gazetteer)
    app.cli.add_command(catalogue)
    app.cli.add_command(link_command)
    app.cli.add_command(duplicates)


@click.command("demo")
@click.option("--customers", default=500, show_default=True, help="How many customers to make")
@click.option("--seed", default=2026, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data")
@with_appcontext
def demo_command(customers: int, seed: int, if_empty: bool) -> None:
    """Build a believable partnership with demo sign-ins, services, customers and cases."""
    from frontoffice.demo import data
    from frontoffice.extensions import db

    if data.has_data():
        if if_empty:
            click.echo("The database already has partners: demo data not built.")
            return
        raise click.ClickException(
            "The database already has partners. Demo data goes into an empty database "
            "(use --if-empty to skip quietly)."
        )
    summary = data.build(customers=customers, seed=seed)
    db.session.commit()
    click.echo("\n".join(summary.lines()))
