"""flask commands: demo data, users. Each command is thin: parse, call operations, commit."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    from frontoffice.accounts.cli import users

    app.cli.add_command(demo_command)
    app.cli.add_command(users)


@click.command("demo")
@click.option("--customers", default=500, show_default=True, help="How many customers to make")
@click.option("--seed", default=2026, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data")
@with_appcontext
def demo_command(customers: int, seed: int, if_empty: bool) -> None:
    """Build a believable partnership with demo sign-ins, services, customers and cases."""
    from frontoffice.demo import data

    data.build_command(customers=customers, seed=seed, if_empty=if_empty)
