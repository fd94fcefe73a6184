"""Engine behaviour that differs by database."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

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
