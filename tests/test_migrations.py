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


# Both read through the test's own connection: on SQLite a second connection would wait for
# the test transaction's write lock.
def test_models_and_migrations_do_not_drift(app):
    with app.app_context():
        context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run `make migration`: {diff}"


def test_database_is_at_the_head(app):
    with app.app_context():
        current = MigrationContext.configure(db.session.connection()).get_current_heads()
        assert set(current) == set(_script_directory().get_heads())
