"""Engine behaviour that differs by database."""

from __future__ import annotations

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


def transaction_cache(name: str) -> dict[Any, Any]:
    """A dict that lives as long as the current transaction: for set-up rows (routing rules,
    adapters) read again and again while routing a batch of cases. Emptied on commit and on
    rollback, so a change made elsewhere is seen by the next transaction."""
    caches = db.session.info.setdefault(_CACHE_KEY, {})
    return caches.setdefault(name, {})


def ending_outermost(session: Session) -> bool:
    """In an after_commit hook: is the whole transaction ending, not a SAVEPOINT released
    (after_commit fires for both)?"""
    return session.get_nested_transaction() is None


@event.listens_for(Session, "after_commit")
def _forget_transaction_cache(session: Session) -> None:
    if ending_outermost(session):
        session.info.pop(_CACHE_KEY, None)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_cache(session: Session) -> None:
    session.info.pop(_CACHE_KEY, None)
