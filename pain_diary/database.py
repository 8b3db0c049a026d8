"""Connection settings of the app's own engines: durable SQLite, PostgreSQL sessions in UTC.

They are attached to the engines Flask-SQLAlchemy made for the app, not to every ``Engine`` in
the process: another engine (a script's, a benchmark's baseline) keeps its own settings.
"""

from collections import namedtuple
from functools import cache

from sqlalchemy import event

from .extensions import db


def init_app(app):
    """Configure each connection the app's engines open; call after ``db.init_app(app)``."""
    # Flask-SQLAlchemy makes the app's engines in init_app; none has connected yet.
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "connect", configure_connection)


def configure_connection(dbapi_connection, connection_record):
    """Durable, concurrent SQLite: WAL, fsync on commit, foreign keys, wait when busy.

    Each SQLite connection also keeps up to 32 MiB of pages (SQLite's default is 2 MiB), so that
    the pages a clinician's list or a long summary reads stay in memory for the next request.
    PostgreSQL sessions run in UTC, so instants arrive in UTC with nothing to convert per row.
    """
    if type(dbapi_connection).__module__ != "sqlite3":
        # SET is transactional: run it outside the transaction the pool will roll back.
        autocommit, dbapi_connection.autocommit = dbapi_connection.autocommit, True
        cursor = dbapi_connection.cursor()
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.close()
        dbapi_connection.autocommit = autocommit
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


def plain_rows(statement, named=True):
    """Plain rows from the connection, fetched at once, without the ORM's per-row bookkeeping.

    Each row is a named tuple of the statement's columns: ``row.intensity`` reads as fast as
    ``row[1]``, where a SQLAlchemy ``Row``'s attribute costs several times more. With
    ``named=False``, the ``Row`` objects themselves, for a read of tens of thousands of rows
    that its caller unpacks as tuples (the clinicians' list): a second object per row would
    cost it about a sixth of its time, garbage collection included.
    """
    rows = db.session.connection().execute(statement).all()
    if not named or not rows:
        return rows
    return list(map(_row_type(tuple(rows[0]._fields))._make, rows))


@cache
def _row_type(columns):
    return namedtuple("PlainRow", columns, rename=True)
