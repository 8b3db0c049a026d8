"""Flask-Migrate owns the schema: the migrations build exactly what the models describe."""

import sqlite3
from datetime import UTC

import flask_migrate
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pain_diary import create_app
from pain_diary.extensions import db

from .conftest import only_on


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_migrations_downgrade_to_nothing_and_back(tmp_path, base_config):
    app = create_app(
        {**base_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'roundtrip.sqlite'}"}
    )
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as connection:
            assert db.inspect(connection).get_table_names() == ["alembic_version"]
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            assert "users" in db.inspect(connection).get_table_names()
        db.engine.dispose()


@only_on("sqlite", "PRAGMAs are SQLite's; PostgreSQL is durable and enforces keys by itself")
def test_sqlite_connections_are_durable_and_enforce_foreign_keys(app):
    with app.app_context(), db.engine.connect() as connection:
        assert connection.dialect.name == "sqlite"
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 1000


def test_an_engine_outside_the_app_keeps_sqlite_defaults(app):
    # The app's settings are for the app's engines, not for a script's or the bench baseline's.
    with sqlite3.connect(":memory:") as plain:
        default_cache_size = plain.execute("PRAGMA cache_size").fetchone()[0]
    engine = sqlalchemy.create_engine("sqlite://")
    with app.app_context(), engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("cache_size") == default_cache_size != -32768
        assert pragma("foreign_keys") == 0
    engine.dispose()


@only_on("postgresql", "SQLite has no session time zone")
def test_postgresql_sessions_run_in_utc_also_after_the_pool_rolls_back(app):
    # Instants then arrive as UTC (not the server's zone) and need no conversion per row.
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        for _ in range(2):  # the second checkout reuses the connection the pool rolled back
            with db.engine.connect() as connection:
                assert connection.exec_driver_sql("SHOW TimeZone").scalar() == "UTC"
                assert connection.exec_driver_sql("SELECT now()").scalar().tzinfo is UTC
                connection.rollback()
