"""Throttles count in the app's database, so one limit holds whatever the number of workers."""

import socket
from contextlib import contextmanager, nullcontext
from datetime import timedelta

import pytest
import requests
from limits.storage import MemoryStorage
from sqlalchemy import func, select, update

from pain_diary import create_app
from pain_diary.extensions import limiter
from pain_diary.throttle import DatabaseStorage, RateLimitCounter
from pain_diary.types import utcnow

from .factories import PASSWORD
from .server import Server

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def config():
    return {"RATELIMIT_ENABLED": True, "LOGIN_LIMIT_PER_ADDRESS": "5 per minute"}


def failed_login(client, attempt):
    # A new email each time: only the per-address limit (5) is in play, not the per-account one.
    body = {"email": f"guess{attempt}@example.org", "password": "wrong-password"}
    return client.post(LOGIN, json=body).status_code


def address_hits(app, db):
    """The hits counted against the test client's address in its current window."""
    with app.app_context():
        return db.session.scalar(
            select(RateLimitCounter.hits).where(RateLimitCounter.key.like("%:login-address/%"))
        )


def test_the_app_database_is_the_default_store(app, client, db):
    assert isinstance(limiter.storage, DatabaseStorage)
    assert failed_login(client, 0) == 401
    assert address_hits(app, db) == 1


@pytest.mark.parametrize(
    "config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}]
)
def test_an_explicit_storage_uri_wins(app, client, db, config):
    assert isinstance(limiter.storage, MemoryStorage)
    assert failed_login(client, 0) == 401
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RateLimitCounter)) == 0


def test_two_workers_on_one_database_share_the_count(app, db, base_config, config):
    first = app.test_client()
    assert [failed_login(first, n) for n in range(3)] == [401] * 3
    # A second worker starts: in memory, it (and here the whole process) would count from zero.
    second_app = create_app({**base_config, **config})
    second = second_app.test_client()
    try:
        clients = [second, first, second, first]
        statuses = [failed_login(client, n) for n, client in enumerate(clients, start=3)]
    finally:
        with second_app.app_context():
            db.engine.dispose()
    assert statuses == [401, 401, 429, 429]
    assert address_hits(app, db) == 5


def test_an_ended_window_starts_again(app, client, db):
    assert [failed_login(client, n) for n in range(6)] == [401] * 5 + [429]
    with app.app_context():
        ended = utcnow() - timedelta(seconds=1)
        db.session.execute(update(RateLimitCounter).values(expires_at=ended))
        db.session.commit()
    assert failed_login(client, 6) == 401
    assert address_hits(app, db) == 1


def test_successful_logins_are_not_counted(app, client, db, accounts):
    user = accounts.create()
    assert [failed_login(client, n) for n in range(3)] == [401] * 3
    for _ in range(6):
        good = {"email": user.email, "password": PASSWORD}
        assert app.test_client().post(LOGIN, json=good).status_code == 200
    assert address_hits(app, db) == 3
    assert [failed_login(client, n) for n in range(3, 6)] == [401, 401, 429]


def test_a_key_longer_than_the_column_is_counted_by_its_digest(app):
    storage, key = limiter.storage, "LIMITER/" + "x" * 1000
    with app.app_context():
        assert [storage.incr(key, 60), storage.incr(key, 60)] == [1, 2]
        assert storage.get(key) == 2
        assert storage.get_expiry(key) > utcnow().timestamp() + 50
        storage.clear(key)
        assert storage.get(key) == 0


def test_reset_outside_an_app_context_empties_the_counters(app, client, db):
    assert failed_login(client, 0) == 401
    assert limiter.storage.check() is True
    limiter.reset()
    assert address_hits(app, db) is None


def test_a_throttle_without_its_database_answers_503(base_config, config):
    down = create_app(
        {**base_config, **config, "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent/x.db"}
    )
    assert limiter.storage.check() is False
    response = down.test_client().post(LOGIN, json={"email": "a@example.org", "password": "x" * 8})
    assert response.status_code == 503
    assert response.json["error"]["code"] == "database_unavailable"


def logins_by_worker(access_log):
    """(worker pid, status) of each login the server has logged so far."""
    lines = access_log.read_text().splitlines() if access_log.exists() else []
    return [(pid, int(status)) for pid, path, status in map(str.split, lines) if path == LOGIN]


@contextmanager
def one_worker_held(server):
    """Hold a sync worker on a request whose headers never end: the next one goes to the other.

    Connections are accepted in the order they arrive, and a sync worker accepts nothing more
    while it serves one; left alone, the same worker tends to answer every request in turn.
    """
    with socket.create_connection(("127.0.0.1", server.port)) as held:
        held.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        yield


@pytest.mark.slow
def test_two_gunicorn_workers_hold_one_limit(app, base_config, tmp_path):
    access_log = tmp_path / "access.log"
    server = Server(base_config, workers=2, threads=1)
    server.env.update(
        RATELIMIT_ENABLED="1",
        LOGIN_LIMIT_PER_ADDRESS="5 per minute",
        # Which worker answered each request, to be sure both did.
        GUNICORN_CMD_ARGS=f"--access-logfile {access_log} --access-logformat '%(p)s %(U)s %(s)s'",
    )
    statuses = []
    server.start()
    try:
        while len(statuses) < 40:
            if len({pid for pid, status in logins_by_worker(access_log) if status == 429}) == 2:
                break
            body = {"email": f"guess{len(statuses)}@example.org", "password": "wrong-password"}
            with one_worker_held(server) if len(statuses) % 2 else nullcontext():
                response = requests.post(server.url + LOGIN, json=body, timeout=30)
            statuses.append(response.status_code)
    finally:
        server.stop()
    answered = logins_by_worker(access_log)
    assert len({pid for pid, status in answered if status == 429}) == 2, answered
    assert statuses == [401] * 5 + [429] * (len(statuses) - 5)
