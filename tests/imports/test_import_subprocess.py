"""The command as an operator runs it: `flask --app frontoffice link ... --into-customers`,
in its own process, on its own SQLite database, twice."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from frontoffice import create_app
from frontoffice.extensions import db
from tests.imports.conftest import HEADER
from tests.imports.conftest import text as lines

pytestmark = pytest.mark.no_db


@pytest.fixture
def environment(tmp_path):
    env = {
        **os.environ,
        "FRONTOFFICE_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}",
        "FRONTOFFICE_INSTANCE": str(tmp_path),
        "FRONTOFFICE_BROKER_URL": "memory://",
    }
    flask = [sys.executable, "-m", "flask", "--app", "frontoffice"]
    app = create_app({"SQLALCHEMY_DATABASE_URI": env["FRONTOFFICE_DATABASE_URL"]})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    engine = create_engine(env["FRONTOFFICE_DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO partner (code, name, kind) "
                "VALUES ('EMB', 'Eastmoor Borough', 'district')"
            )
        )
    yield env, flask, engine
    engine.dispose()


def test_the_command_imports_once_and_says_so(environment, tmp_path):
    env, flask, engine = environment
    extract = tmp_path / "extract.csv"
    extract.write_bytes(
        lines(
            HEADER,
            "H-1,Priya,Raman,1991-06-15,7 Chapel Street,Northvale,NV2 3DF,07700900777,",
            "H-2,Tom,Hale,31/02/1980,,,,,",
        )
    )
    command = [*flask, "link", str(extract), "--into-customers", "emb", "Housing", "--new-system"]
    first = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    assert "into Eastmoor Borough's Housing references" in first.stdout
    assert "new customers: 1" in first.stdout and "skipped: 1" in first.stdout
    assert "Line 3: date_of_birth '31/02/1980' is not a date (YYYY-MM-DD)" in first.stderr

    again = subprocess.run(  # noqa: S603
        command[:-1], env=env, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert "already imported: 1\n" in again.stdout and "new customers: 0" in again.stdout
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM customer")).scalar() == 1
        assert connection.execute(text("SELECT reference FROM external_reference")).all() == [
            ("H-1",)
        ]
        runs = connection.execute(text("SELECT status, read FROM import_run ORDER BY id")).all()
    assert runs == [("finished", 2), ("finished", 2)]
