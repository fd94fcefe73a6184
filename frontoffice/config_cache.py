"""Set-up rows kept per process between transactions, under a version stamp any change bumps.

Every report of a life event, every case raised and every resident's request accepted reads
the same set-up: tell rules, services and their questions, partners, routing rules, adapters,
webhook subscriptions. They change a few times a day; a process keeps what it read (plain
data, never ORM objects of another session) and serves it again while the stamp is the same.

The stamp is the one row of `config_version`. Any INSERT, UPDATE or DELETE of a watched table
(`WATCHED`), through the ORM's flush or a Core/ORM statement, on any engine, first bumps that
row on the same connection (an engine event), so the change and its new stamp commit or roll
back together. A transaction reads the stamp once, before its first cached read (one
primary-key SELECT); data read after the stamp is at least as new as it, so a copy is never
older than its stamp. A change committed in one process is seen by the next transaction of
every other. A transaction that has itself written a watched table neither uses nor fills the
cache (what it wrote may still roll back): it reads the rows as ever.

Columns a worker writes on every delivery (a destination's breaker and failure count, when
updates were last read) are not configuration: writing only those bumps nothing, and nothing
cached may depend on them.

Other feature packages may keep their own set-up here: `cached(name, load)`, where `load()`
reads in the current session and returns plain data built only from watched tables (add
yours to `WATCHED`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Integer, ScalarSelect, event, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.pool import Pool

from frontoffice.database import transaction_cache
from frontoffice.extensions import db

T = TypeVar("T")


class ConfigVersion(db.Model):
    """One row: bumped in the transaction of every change to the set-up (see WATCHED)."""

    __tablename__ = "config_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


# Watched table -> its columns that are not configuration (written by deliveries).
WATCHED: dict[str, frozenset[str]] = {
    "tell_rule": frozenset(),
    "service": frozenset(),
    "service_question": frozenset(),
    "partner": frozenset(),
    "routing_rule": frozenset(),
    "routing_rule_partner": frozenset(),
    "partner_adapter": frozenset(
        {"consecutive_failures", "breaker_open_until", "updates_read_until", "updated_at"}
    ),
    "webhook_subscription": frozenset(
        {"consecutive_failures", "breaker_open_until", "last_delivered_at"}
    ),
}
_WROTE = "frontoffice.config_written"  # on the DBAPI connection's info, until its txn ends
_TABLE = ConfigVersion.__table__
_BUMP = update(_TABLE).where(_TABLE.c.id == 1).values(version=_TABLE.c.version + 1)
_READ = select(_TABLE.c.version).where(_TABLE.c.id == 1)


class _Kept:
    """One engine's cached set-up, all read under one stamp."""

    __slots__ = ("values", "version")

    def __init__(self, version: int) -> None:
        self.version = version
        self.values: dict[str, Any] = {}


_kept: weakref.WeakKeyDictionary[Engine, _Kept] = weakref.WeakKeyDictionary()


def cached(name: str, load: Callable[[], T], session: Session | None = None) -> T | None:
    """`load()`'s result, kept per process while the set-up's stamp stays the same; None
    when this transaction cannot use the cache (see current_version): read as ever.
    `session`: the one `load` reads in, by default the app's."""
    session = session or db.session()
    version = current_version(session)
    if version is None:
        return None
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    kept = _kept.get(engine)
    if kept is None or kept.version != version:
        kept = _kept[engine] = _Kept(version)
    if name not in kept.values:
        kept.values[name] = load()
    return kept.values[name]


def current_version(session: Session | None = None) -> int | None:
    """The stamp, read once a transaction; None when this transaction has written set-up
    (or the stamp's row is missing), meaning: read afresh, keep nothing."""
    session = session or db.session()
    connection = session.connection()
    if connection.info.get(_WROTE):
        return None
    cache = transaction_cache("config_version", session)
    if "version" not in cache:
        cache["version"] = connection.scalar(_READ)
    return cache["version"]


def stamp_column() -> ScalarSelect[int]:
    """The stamp as a column, to read it in a statement that reads something else anyway
    (then pass what it said to stamp_read): one round trip less than current_version's."""
    return _READ.scalar_subquery()


def stamp_read(version: int | None, session: Session | None = None) -> None:
    """Takes the stamp a statement of this transaction read (stamp_column) as the one
    current_version would read, unless one was read before. What that statement read with
    it is at least as new as the stamp, as with current_version."""
    session = session or db.session()
    if version is not None and not session.connection().info.get(_WROTE):
        transaction_cache("config_version", session).setdefault("version", version)


def _written(clauseelement: Any, multiparams: Any, params: Any) -> bool:
    """Does this statement change configuration?"""
    if not getattr(clauseelement, "is_dml", False):
        return False
    table = getattr(clauseelement, "table", None)
    runtime = WATCHED.get(getattr(table, "name", ""))
    if runtime is None:
        return False
    if not runtime or not getattr(clauseelement, "is_update", False):
        return True
    columns = {_name(k) for k in (getattr(clauseelement, "_values", None) or {})}
    columns |= {_name(k) for k, _ in (getattr(clauseelement, "_ordered_values", None) or ())}
    for row in (multiparams or ()) if isinstance(multiparams, list | tuple) else ():
        if isinstance(row, dict):
            columns |= row.keys()
    if isinstance(params, dict):
        columns |= params.keys()
    key = f"{table.name}_id"  # the ORM's flush names the primary key so in its WHERE
    return not columns or bool(columns - runtime - {key, "id"})


def _name(key: Any) -> str:
    return getattr(key, "key", None) or getattr(key, "name", None) or str(key)


@event.listens_for(Engine, "before_execute")
def _bump_with_change(
    conn: Connection, clauseelement, multiparams, params, execution_options
) -> None:
    if _written(clauseelement, multiparams, params):
        conn.info[_WROTE] = True
        conn.execute(_BUMP)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)


@event.listens_for(Pool, "reset")
def _connection_reset(_dbapi_connection, record, _state) -> None:
    record.info.pop(_WROTE, None)
