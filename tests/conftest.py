"""Test harness: a real database (PostgreSQL when FRONTOFFICE_TEST_DATABASE_URL points at
one, SQLite otherwise) migrated with Alembic once per run, and one rolled-back transaction per
test, so views may commit as they do in production."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import text
from sqlalchemy.engine import make_url

from frontoffice import create_app
from frontoffice.extensions import db

TEST_PASSWORD = "correct horse battery staple"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("FRONTOFFICE_TEST_DATABASE_URL", "")
    if url:
        name = make_url(url).database or ""
        if "test" not in name:
            raise RuntimeError(
                "FRONTOFFICE_TEST_DATABASE_URL must name a database with 'test' in it: "
                "the tests wipe it"
            )
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def _wipe(url: str) -> None:
    from sqlalchemy import create_engine

    if not url.startswith("postgresql"):
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = _database_url(tmp_path_factory)
    _wipe(url)
    return url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ.setdefault("FRONTOFFICE_INSTANCE", str(tmp_path_factory.mktemp("instance")))
    # Rolled-back tests enqueue into memory; tests with a real worker set their own broker.
    os.environ.setdefault("FRONTOFFICE_BROKER_URL", "memory://")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "frontoffice.test",
        }
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


class _ConnectionBoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session picks the app's engine by itself; tests need the one
    connection whose outer transaction is rolled back after each test."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@pytest.fixture(autouse=True)
def db_session(request, app) -> Iterator[object]:
    """Every test runs inside one transaction that is rolled back at its end."""
    if "no_db" in request.keywords:
        yield None
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "class_": _ConnectionBoundSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _accepted_requests_raised_at_once(monkeypatch):
    """A resident's request is raised by the worker after the post. Tests have no worker
    (their broker is in memory), so the task runs at the end of the web request, in its app
    context (a browser test's live server too): not in the commit's hook that nudges it, where
    the session can run no SQL. Tests of the sweeper and of a real worker replace this."""
    from flask import request_finished

    from frontoffice.public import tasks

    nudged: list[int] = []

    def raise_nudged(_sender, **_extra) -> None:
        while nudged:
            tasks.raise_request.run(nudged.pop(0))

    monkeypatch.setattr(tasks, "enqueue", nudged.append)
    request_finished.connect(raise_nudged)
    yield
    request_finished.disconnect(raise_nudged)


@pytest.fixture(autouse=True)
def _matcher_counts_afresh():
    """The matcher caches how many customers there are and how common a surname is; each
    test has its own customers."""
    from frontoffice.identity import online

    online.forget()


@pytest.fixture
def client(app):
    with app.test_client() as client:
        yield client


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class StaffClient:
    """A test client signed in as one staff user, that fills CSRF tokens like a browser."""

    def __init__(self, client, user):
        self.client = client
        self.user = user

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data=None, *, form_url=None, **kwargs):
        page = self.client.get(form_url or url)
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token(page.get_data(as_text=True)))
        return self.client.post(url, data=data, **kwargs)


def sign_in(client, user, password: str = TEST_PASSWORD) -> StaffClient:
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "email": user.email,
            "password": password,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return StaffClient(client, user)


@pytest.fixture
def as_role(client):
    """as_role('adviser') -> a StaffClient signed in as a new user with that role."""
    from tests.factories import StaffUserFactory

    def make(role: str, **kwargs) -> StaffClient:
        user = StaffUserFactory(role=role, **kwargs)
        db.session.commit()
        return sign_in(client, user)

    return make


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty `flask.g`, as in production.

    The per-test transaction keeps one app context pushed for the whole test, and a request
    reuses the app context it finds, so without this `g` leaked from request to request (and
    from client to client): Flask-Login's cached user, Flask-WTF's CSRF token (a form page
    after sign-in then rendered a token the new session did not hold) and the CSP nonce.
    """

    def open(self, *args, **kwargs):
        from flask.globals import _cv_app

        app_ctx = _cv_app.get(None)
        if app_ctx is not None and app_ctx.app is self.application:
            app_ctx.g = self.application.app_ctx_globals_class()
        return super().open(*args, **kwargs)


@pytest.fixture(autouse=True, scope="session")
def _fresh_request_globals(app):
    app.test_client_class = FreshGlobalsClient
