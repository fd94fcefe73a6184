"""Case ids reserved before the case exists: a resident is told their reference at once and
the worker raises the case with that id later (frontoffice.public.intake).

PostgreSQL: the id comes from the case table's own sequence, which every other insert uses
too, so no later insert can take it.

SQLite gives a new row the largest rowid plus one, which would hand an adviser's new case an
id already reserved but not yet raised. So on SQLite every case the ORM writes is numbered
here before the flush: after the largest of the cases and of the ids still reserved (one
statement a flush). Writers take SQLite's lock at BEGIN (frontoffice.database), so two
transactions never read the same largest.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, event, func, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from frontoffice.cases.models import Case
from frontoffice.extensions import db


def reserve_case_id() -> int:
    """An id no other case will be given: raise the case with it (raise_case(case_id=...))."""
    return db.session.scalar(select(reserved_case_id()))


def reserved_case_id() -> ColumnElement[int]:
    """The same as a SQL expression, to reserve the id in the INSERT of the row that holds it
    (one round trip fewer)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.nextval(func.pg_get_serial_sequence('"case"', "id"))
    return _largest_sqlite_id() + 1


def _largest_sqlite_id() -> ColumnElement[int]:
    from frontoffice.public.models import AcceptedRequest  # public builds on cases

    return func.max(
        func.coalesce(select(func.max(Case.id)).scalar_subquery(), 0),
        func.coalesce(select(func.max(AcceptedRequest.case_id)).scalar_subquery(), 0),
    )


def _next_sqlite_id(connection: Connection) -> int:
    """The smallest id above every case's and every reserved one."""
    return connection.scalar(select(_largest_sqlite_id() + 1))


def number_rows(rows: list[dict]) -> None:
    """Cases written by a bulk INSERT, past the unit of work (cases.operations): on SQLite,
    the rows without a reserved id are numbered here as the flush hook below numbers ORM
    cases."""
    unnumbered = [row for row in rows if row.get("id") is None]
    if not unnumbered:
        return
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    first = _next_sqlite_id(connection)
    for n, row in enumerate(unnumbered):
        row["id"] = first + n


@event.listens_for(Session, "before_flush")
def _number_new_cases_on_sqlite(session: Session, _context, _instances) -> None:
    new = [o for o in session.new if isinstance(o, Case) and o.id is None]
    if not new:
        return
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    first = _next_sqlite_id(connection)
    for n, case in enumerate(sorted(new, key=lambda c: inspect(c).insert_order or 0)):
        case.id = first + n
