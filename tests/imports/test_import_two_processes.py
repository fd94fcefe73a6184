"""Two runs of `flask link EXTRACT.csv --into-customers PARTNER SYSTEM` at once, as two real
processes on a database of their own (PostgreSQL when the tests run on it): the second refuses
at once while the first is alive, and a killed first run stops keeping it out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from frontoffice import clock, create_app
from frontoffice.extensions import db
from frontoffice.imports.operations import STALE_AFTER
from tests.imports.conftest import HEADER
from tests.imports.conftest import text as lines
from tests.live import fresh_database

pytestmark = pytest.mark.no_db

ROW = "H-{n},Given{n},Family{n},1980-01-{day:02d},,,,,"


@pytest.fixture
def environment(tmp_path):
    base = os.environ.get("FRONTOFFICE_TEST_DATABASE_URL", "")
    with fresh_database(base, tmp_path, "imports") as url:
        env = {
            **os.environ,
            "FRONTOFFICE_DATABASE_URL": url,
            "FRONTOFFICE_INSTANCE": str(tmp_path),
            "FRONTOFFICE_BROKER_URL": "memory://",
        }
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            db.engine.dispose()
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO partner (code, name, kind) "
                    "VALUES ('EMB', 'Eastmoor Borough', 'district')"
                )
            )
        command = [sys.executable, "-m", "flask", "--app", "frontoffice", "link"]
        try:
            yield env, command, engine
        finally:
            engine.dispose()


def start_feeding(env, command, system="Housing"):
    """A run reading its extract from a pipe: alive, between batches, until the pipe closes."""
    first = subprocess.Popen(  # noqa: S603
        [*command, "-", "--into-customers", "emb", system, "--new-system", "--batch-size", "1"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first.stdin.write(HEADER + "\n" + ROW.format(n=1, day=1) + "\n")
    first.stdin.flush()
    return first


def wait_for_line(engine, line: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            done = connection.execute(text("SELECT max(last_line) FROM import_run")).scalar()
        if done is not None and done >= line:
            return
        time.sleep(0.1)
    raise AssertionError(f"the first run did not commit line {line}")


def second_run(env, command, tmp_path, system="Housing"):
    extract = tmp_path / "second.csv"
    extract.write_bytes(lines(HEADER, ROW.format(n=1, day=1), ROW.format(n=2, day=2)))
    return subprocess.run(  # noqa: S603
        [*command, str(extract), "--into-customers", "emb", system],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def counts(engine):
    with engine.connect() as connection:
        runs = connection.execute(text("SELECT status FROM import_run ORDER BY id")).scalars()
        refs = connection.execute(text("SELECT count(*) FROM external_reference")).scalar()
        return list(runs), refs


def test_a_second_run_of_the_same_system_refuses_at_once_while_the_first_is_alive(
    environment, tmp_path
):
    env, command, engine = environment
    first = start_feeding(env, command)
    try:
        wait_for_line(engine, 2)
        started = time.monotonic()
        second = second_run(env, command, tmp_path)
        assert time.monotonic() - started < 30, "refused at once, not after waiting for a lock"
        assert second.returncode == 1
        assert "An import of Eastmoor Borough Housing is running since " in second.stderr
        assert "started by command line (" in second.stderr and "(run 1," in second.stderr
        assert counts(engine) == (["running"], 1), "the refused run wrote nothing"

        other_system = second_run(env, command, tmp_path, system="Parking")
        assert "has no references from a system called 'Parking'" in other_system.stderr

        first.stdin.write(ROW.format(n=3, day=3) + "\n")
    finally:
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert "Read 2 rows:" in out

    after = second_run(env, command, tmp_path)
    assert after.returncode == 0, after.stderr
    assert "already imported: 1\n" in after.stdout
    assert counts(engine) == (["finished", "finished"], 3)


def test_a_killed_run_keeps_others_out_only_until_its_heartbeat_is_stale(environment, tmp_path):
    env, command, engine = environment
    first = start_feeding(env, command)
    try:
        wait_for_line(engine, 2)
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=60)

    refused = second_run(env, command, tmp_path)
    assert refused.returncode == 1 and "is running since" in refused.stderr

    with engine.begin() as connection:  # as if its last batch was longer ago than STALE_AFTER
        connection.execute(
            text("UPDATE import_run SET heartbeat_at = :then"),
            {"then": clock.now() - STALE_AFTER - timedelta(seconds=1)},
        )
    after = second_run(env, command, tmp_path)
    assert after.returncode == 0, after.stderr
    assert "The last run, 1 (<stdin>), stopped at line 2" in after.stderr
    assert "already imported: 1\n" in after.stdout
    assert counts(engine) == (["running", "finished"], 2)
