"""The models and the migrations must describe the same schema, with one head."""

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from frontoffice.extensions import db


def _script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    return ScriptDirectory.from_config(config)


def test_there_is_exactly_one_migration_head(app):
    with app.app_context():
        assert len(_script_directory().get_heads()) == 1


def test_models_and_migrations_do_not_drift(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run `make migration`: {diff}"


def test_database_is_at_the_head(app):
    with app.app_context():
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
        assert set(current) == set(_script_directory().get_heads())
