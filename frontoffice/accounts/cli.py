"""`flask users ...`: staff accounts from the command line (first administrator, unlock)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.accounts import operations
from frontoffice.accounts.models import Role
from frontoffice.audit import operations as audit
from frontoffice.extensions import db
from frontoffice.partners.models import Partner

users = AppGroup("users", help="Staff user accounts.")


@users.command("create-admin")
@click.argument("email")
@click.argument("name")
@click.argument("partner_code")
@click.password_option(help="At least 12 characters")
def create_admin(email: str, name: str, partner_code: str, password: str) -> None:
    """Create an administrator at the partner with PARTNER_CODE."""
    partner = db.session.scalar(select(Partner).where(Partner.code == partner_code))
    if partner is None:
        raise click.ClickException(f"No partner with code {partner_code!r}")
    if operations.find_by_email(email) is not None:
        raise click.ClickException(f"A staff user with email {email!r} already exists")
    try:
        user = operations.create_staff_user(
            email=email,
            name=name,
            partner_id=partner.id,
            role=Role.ADMINISTRATOR,
            password=password,
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    audit.record(Actor.system("command line"), "create", "staff_user", user.id)
    db.session.commit()
    click.echo(f"Created administrator {user.email}")


@users.command("unlock")
@click.argument("email")
def unlock(email: str) -> None:
    """Clear a locked account's lock and failure count."""
    user = operations.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No staff user with email {email!r}")
    operations.unlock_staff_user(Actor.system("command line"), user)
    db.session.commit()
    click.echo(f"Unlocked {user.email}")
