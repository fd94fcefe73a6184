"""Committed-data test setups: a fresh database of its own, and a real Celery worker process.

For tests that cross process boundaries (a worker, a browser), the per-test rollback cannot
work: these get a new database (a SQLite file, or a new PostgreSQL database beside the test
one) migrated with Alembic, and drop it afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("FRONTOFFICE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextlib.contextmanager
def fresh_database(base_url: str, tmp_dir: Path, name: str) -> Iterator[str]:
    if not base_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_dir / (name + '.sqlite')}"
        return
    url = make_url(base_url)
    db_name = f"{url.database}_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    try:
        yield url.set(database=db_name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()


def live_environment(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = {
        "FRONTOFFICE_DATABASE_URL": database_url,
        "FRONTOFFICE_BROKER_URL": REDIS_URL,
        "FRONTOFFICE_QUEUE_PREFIX": f"fo-test-{uuid.uuid4().hex[:10]}-",
        "FRONTOFFICE_INSTANCE": str(instance),
        "FRONTOFFICE_DISPATCH_RETRY_BASE_SECONDS": "0.2",
        "FRONTOFFICE_DISPATCH_RETRY_MAX_SECONDS": "1",
        "FRONTOFFICE_DISPATCH_LEASE_SECONDS": "5",
        "FRONTOFFICE_DISPATCH_BREAKER_SECONDS": "1",
        "FRONTOFFICE_SWEEP_SECONDS": "1",
    }
    env.update(extra)
    return env


@contextlib.contextmanager
def patched_environ(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def live_app(env: dict[str, str]):
    """The app as the web process would build it from `env`, migrated to the head."""
    from flask_migrate import upgrade

    from frontoffice import create_app

    with patched_environ(env):
        app = create_app({"TESTING": True, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with app.app_context():
        upgrade()
    return app


class Worker:
    """A real `celery worker` (with embedded beat for the sweeper) in its own process group."""

    def __init__(self, env: dict[str, str], log_path: Path, concurrency: int = 2) -> None:
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self) -> Worker:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed when the process ends
        log = self._log
        schedule = Path(self.env["FRONTOFFICE_INSTANCE"]) / f"beat-{uuid.uuid4().hex[:6]}"
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "frontoffice.worker_app",
                "worker",
                "-B",
                "--schedule",
                str(schedule),
                "--loglevel",
                "INFO",
                "--concurrency",
                str(self.concurrency),
                "--pool",
                "prefork",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """SIGKILL the whole worker: no chance to finish, ack or clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self._close_log()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]


@contextlib.contextmanager
def running_worker(env: dict[str, str], log_path: Path, concurrency: int = 2) -> Iterator[Worker]:
    """A started `Worker`, stopped afterwards (a test that killed it starts another in here)."""
    w = Worker(env, log_path, concurrency).start()
    try:
        yield w
    finally:
        w.stop()


@contextlib.contextmanager
def live_worker(
    session_app,
    database_url: str,
    tmp: Path,
    name: str,
    setup=None,
    *,
    concurrency: int = 2,
    **settings: str,
) -> Iterator[tuple]:
    """A fresh database set up by `setup(app)` (committed), and a real worker on it, both with
    live_environment() and `settings` (FRONTOFFICE_… variables): yields (app, worker, env,
    tmp). Afterwards `session_app`, the tests' app (None for a benchmark), gets its own
    broker back."""
    from frontoffice import worker
    from frontoffice.extensions import db

    with fresh_database(database_url, tmp, name) as url:
        env = live_environment(url, tmp, **settings)
        the_app = live_app(env)
        if setup is not None:
            with the_app.app_context():
                setup(the_app)
                db.session.commit()
        try:
            with running_worker(env, tmp / "worker.log", concurrency) as w:
                yield the_app, w, env, tmp
        finally:
            with the_app.app_context():
                db.session.remove()
                db.engine.dispose()
            if session_app is not None:
                worker.init_app(session_app)


def wait_until(predicate, *, timeout: float, interval: float = 0.2, message=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s: {message()}")
