"""Throttle counts kept in the app's database, so that every worker counts against one limit.

flask-limiter's default store is each process's memory: under gunicorn each worker counted on
its own, and one address got 60 failed logins against a limit of 30. ``database://`` (the
default ``RATELIMIT_STORAGE_URI``) keeps fixed-window counters in ``rate_limit_counters``
instead, on SQLite for one machine and PostgreSQL for several. Importing this module registers
the scheme, so create_app imports it before it binds the limiter. Each call runs in a short
transaction of its own on the app's engine, never in the request's session, which a failing
view rolls back.

When the database is down the storage raises (no RATELIMIT_SWALLOW_ERRORS, no in-memory
fallback, which would drop the per-route limits), and the request answers 503 like any other
that needs the database: a throttle that cannot count does not wave guesses through.
"""

import hashlib
import time
from datetime import datetime, timedelta

from flask import has_app_context
from limits.storage import Storage
from sqlalchemy import String, case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .types import UTCDateTime, utcnow

KEY_LENGTH = 512
PRUNE_EVERY_SECONDS = 60


class RateLimitCounter(db.Model):
    """One throttle's current window: the hits counted in it and when it ends."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _stored_key(key):
    # Keys quote what a client sent (an email address); one too long is stored by its digest.
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage):
    """A ``limits`` storage for the fixed-window strategy, on the app's own database."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri=None, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.app = None  # set by Limiter.init_app, for calls made outside an app context
        self._pruned_at = time.monotonic()

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def _engine(self):
        # Inside a request, the app serving it; flask-limiter also resets and checks from outside.
        if has_app_context():
            return db.engine
        with self.app.app_context():
            return db.engine

    def incr(self, key, expiry, amount=1):
        """Count ``amount`` hits in the key's window, starting a new window if it has ended."""
        now = utcnow()
        table = RateLimitCounter.__table__
        engine = self._engine()
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(table).values(
            key=_stored_key(key), hits=amount, expires_at=now + timedelta(seconds=expiry)
        )
        ended = table.c.expires_at <= now
        upsert = insert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "hits": case((ended, amount), else_=table.c.hits + amount),
                "expires_at": case((ended, insert.excluded.expires_at), else_=table.c.expires_at),
            },
        ).returning(table.c.hits)
        with engine.begin() as connection:
            hits = connection.execute(upsert).scalar_one()
        self._prune(engine, now)
        return hits

    def _prune(self, engine, now):
        """Delete ended windows now and then, so that one-off keys do not pile up."""
        if time.monotonic() - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = time.monotonic()
        with engine.begin() as connection:
            connection.execute(delete(RateLimitCounter).where(RateLimitCounter.expires_at <= now))

    def _current(self, column, key):
        query = select(column).where(
            RateLimitCounter.key == _stored_key(key), RateLimitCounter.expires_at > utcnow()
        )
        with self._engine().connect() as connection:
            return connection.scalar(query)

    def get(self, key):
        return self._current(RateLimitCounter.hits, key) or 0

    def get_expiry(self, key):
        expires_at = self._current(RateLimitCounter.expires_at, key)
        return expires_at.timestamp() if expires_at else time.time()

    def check(self):
        try:
            with self._engine().connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self):
        with self._engine().begin() as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key):
        query = delete(RateLimitCounter).where(RateLimitCounter.key == _stored_key(key))
        with self._engine().begin() as connection:
            connection.execute(query)


def bind(limiter, app):
    """Give the limiter's database storage the app whose engine it uses outside an app context."""
    if limiter.enabled and isinstance(limiter.storage, DatabaseStorage):
        limiter.storage.app = app


def failed_with(status):
    """Make a ``deduct_when`` that counts only the answers with ``status``: the failed attempts."""

    def failed(response):
        return response.status_code == status

    return failed
