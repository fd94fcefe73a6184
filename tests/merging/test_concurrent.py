"""Two supervisors merging the same pair at the same moment: row locks let only one through.

PostgreSQL only (SQLite has one writer at a time anyway). Runs on its own database, beside the
test one, because each supervisor's transaction must really commit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from frontoffice.access.actor import Actor
from frontoffice.customers.models import Customer
from frontoffice.merging.models import CustomerMerge
from frontoffice.merging.operations import MergeError, merge

pytestmark = pytest.mark.no_db


@pytest.fixture(scope="module")
def own_app(app, database_url) -> Iterator[object]:
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's")
    from flask_migrate import upgrade

    from frontoffice import create_app

    url = make_url(database_url)
    name = f"{url.database}_merging"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    own = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url.set(database=name).render_as_string(hide_password=False),
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "TESTING": True,
        }
    )
    from frontoffice.extensions import db

    with own.app_context():
        upgrade()
    try:
        yield own
    finally:
        with own.app_context():
            db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _customers(own_app) -> tuple[int, int]:
    from frontoffice.extensions import db

    with own_app.app_context():
        a, b = Customer(date_of_birth=None), Customer(date_of_birth=None)
        a.set_names(given_name="Ann", family_name="Ashworth")
        b.set_names(given_name="Anne", family_name="Ashworth")
        db.session.add_all([a, b])
        db.session.commit()
        return a.id, b.id


def _race(own_app, first: tuple[int, int], second: tuple[int, int]) -> list[str]:
    """The first supervisor merges and holds its transaction open a moment; the second
    starts while it is open. Returns what each got."""
    from frontoffice.extensions import db

    merged_not_committed = threading.Event()
    results: dict[str, str] = {}

    def supervisor(name: str, pair: tuple[int, int], hold: bool) -> None:
        with own_app.app_context():
            if not hold:
                merged_not_committed.wait(5)
            try:
                merge(db.session, *pair, Actor(None, name), f"{name} thinks so")
                if hold:
                    merged_not_committed.set()
                    threading.Event().wait(0.5)
                db.session.commit()
                results[name] = "merged"
            except MergeError as error:
                db.session.rollback()
                results[name] = str(error)
            finally:
                merged_not_committed.set()
                db.session.remove()

    threads = [
        threading.Thread(target=supervisor, args=("first", first, True)),
        threading.Thread(target=supervisor, args=("second", second, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return [results["first"], results["second"]]


def _merges(own_app, pair: tuple[int, int]) -> int:
    from frontoffice.extensions import db

    with own_app.app_context():
        return len(
            db.session.scalars(select(CustomerMerge).where(CustomerMerge.merged_id.in_(pair))).all()
        )


def test_the_same_merge_twice_at_once_happens_once(own_app):
    pair = _customers(own_app)
    first, second = _race(own_app, pair, pair)
    assert first == "merged"
    assert "already merged into" in second
    assert _merges(own_app, pair) == 1


def test_merging_a_pair_both_ways_at_once_keeps_one_record(own_app):
    a, b = _customers(own_app)
    first, second = _race(own_app, (a, b), (b, a))
    assert first == "merged"
    assert f"Record {b} was itself merged into record {a}" in second
    assert _merges(own_app, (a, b)) == 1
