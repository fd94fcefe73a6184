"""The SQL a piece of work sends, counted: `with counted() as statements: ...`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from frontoffice.extensions import db


@contextmanager
def counted(engine=None, *, not_counted: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """Each statement sent on `engine` (the session's, unless given) while inside, its
    whitespace folded; those starting with a word of `not_counted` (SAVEPOINT, ...) left out."""
    statements: list[str] = []
    if engine is None:
        bind = db.session.get_bind()
        engine = getattr(bind, "engine", bind)

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(not_counted):
            statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
