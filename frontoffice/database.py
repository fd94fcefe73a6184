"""Engine behaviour that differs by database."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from frontoffice.extensions import db


def configure_engine_events(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def sqlite_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so SAVEPOINTs work;
        # enforce foreign keys; WAL lets the worker read while the web server writes.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; SQLite is for dev only
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def sqlite_begin(conn):
        # IMMEDIATE takes the write lock up front: a read-then-write transaction in one
        # process can otherwise fail at once with "database is locked" when another writes.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


_CACHE_KEY = "frontoffice.transaction_cache"


def transaction_cache(name: str, session: Session | None = None) -> dict[Any, Any]:
    """A dict that lives as long as the current transaction (of `session`, by default the
    app's): for set-up rows (routing rules, adapters) read again and again while routing a
    batch of cases. Emptied on commit and on rollback, so a change made elsewhere is seen by
    the next transaction."""
    caches = (session or db.session).info.setdefault(_CACHE_KEY, {})
    return caches.setdefault(name, {})


def ending_outermost(session: Session) -> bool:
    """In an after_commit hook: is the whole transaction ending, not a SAVEPOINT released
    (after_commit fires for both)?"""
    return session.get_nested_transaction() is None


# session.info entries that belong to the transaction that filled them (outbox ids waiting
# for the commit), and what runs once the whole transaction has committed.
_SCOPED_KEYS: list[str] = []
_ON_OUTERMOST_COMMIT: list[Callable[[Session], None]] = []
_SAVEPOINTS_KEY = "frontoffice.savepoints"  # [savepoint, what the keys held at its start]
_RELEASED_KEY = "frontoffice.savepoints_released"


def transaction_scoped(*keys: str) -> None:
    """Declares session.info entries as the transaction's own: a SAVEPOINT released keeps what
    it added, a SAVEPOINT rolled back takes it back, and the end of the outermost transaction
    (commit, rollback or close) forgets them all."""
    _SCOPED_KEYS.extend(key for key in keys if key not in _SCOPED_KEYS)


def after_outermost_commit(
    *keys: str,
) -> Callable[[Callable[[Session], None]], Callable[[Session], None]]:
    """Decorator for an outbox nudge: `hook(session)` runs after the whole transaction has
    committed (never when a SAVEPOINT is released: SQLAlchemy fires after_commit for that
    too), and reads the transaction-scoped `keys` (see transaction_scoped), which by then hold
    nothing a SAVEPOINT rolled back."""
    transaction_scoped(*keys)

    def register(hook: Callable[[Session], None]) -> Callable[[Session], None]:
        _ON_OUTERMOST_COMMIT.append(hook)
        return hook

    return register


@event.listens_for(Session, "after_transaction_create")
def _remember_at_savepoint(session: Session, transaction) -> None:
    if transaction.nested:
        info = session.info
        held = {key: copy.copy(info[key]) for key in _SCOPED_KEYS if key in info}
        info.setdefault(_SAVEPOINTS_KEY, []).append((transaction, held))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not ending_outermost(session):
        session.info.setdefault(_RELEASED_KEY, set()).add(session.get_nested_transaction())
        return
    try:
        for hook in _ON_OUTERMOST_COMMIT:
            hook(session)
    finally:
        _forget_scoped(session)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    # Not after_rollback: it runs before the SAVEPOINT is closed, and which transaction it
    # is for is not said; this runs once for each, commit or rollback, innermost first.
    if transaction.parent is None:
        _forget_scoped(session)
        return
    if not transaction.nested:
        return
    savepoints = session.info.get(_SAVEPOINTS_KEY) or []
    if not savepoints or savepoints[-1][0] is not transaction:
        return
    _, held = savepoints.pop()
    if transaction in session.info.get(_RELEASED_KEY, ()):
        session.info[_RELEASED_KEY].discard(transaction)
        return
    for key in _SCOPED_KEYS:
        session.info.pop(key, None)
    session.info.update(held)


def _forget_scoped(session: Session) -> None:
    for key in (*_SCOPED_KEYS, _SAVEPOINTS_KEY, _RELEASED_KEY):
        session.info.pop(key, None)


@event.listens_for(Session, "after_commit")
def _forget_transaction_cache(session: Session) -> None:
    if ending_outermost(session):
        session.info.pop(_CACHE_KEY, None)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_cache(session: Session) -> None:
    session.info.pop(_CACHE_KEY, None)
