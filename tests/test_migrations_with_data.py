"""Upgrading a SQLite database that holds data (`make run` upgrades its own at every start):
a migration that rebuilds a table (0021 widens life_event.parents) keeps the rows that point
at it, both ways."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, select

from frontoffice import create_app
from frontoffice.extensions import db

pytestmark = pytest.mark.no_db


def _filled(table: sa.Table, **given):
    """A row with `given` and a plain value in every other column that needs one."""
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        if column.default is not None or column.server_default is not None:
            continue
        kind = column.type
        if hasattr(kind, "enums") and kind.enums:
            row[column.name] = kind.enums[0]
        elif isinstance(kind, sa.Boolean):
            row[column.name] = False
        elif isinstance(kind, sa.DateTime):
            row[column.name] = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        elif isinstance(kind, sa.Date):
            row[column.name] = dt.date(2026, 1, 1)
        elif isinstance(kind, sa.Integer | sa.Numeric):
            row[column.name] = 1
        elif isinstance(kind, sa.JSON):
            row[column.name] = {}
        else:
            row[column.name] = "x"
    return row


def test_rebuilding_a_table_on_sqlite_keeps_the_rows_that_point_at_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'existing.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    tables = db.metadata.tables
    with app.app_context():
        upgrade()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(tables["customer"].insert(), _filled(tables["customer"], id=1))
        connection.execute(
            tables["life_event"].insert(), _filled(tables["life_event"], id=1, customer_id=1)
        )
        connection.execute(
            tables["life_event_person"].insert(),
            _filled(tables["life_event_person"], id=1, life_event_id=1, name="Byron"),
        )

    def people() -> int:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(tables["life_event_person"]))

    with app.app_context():
        downgrade(revision="0020")
        assert people() == 1, "rebuilding life_event on the way down kept its people"
        upgrade()
        assert people() == 1, "and on the way up"
    engine.dispose()
