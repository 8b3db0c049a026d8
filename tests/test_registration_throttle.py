"""Registration is throttled per address like sign-in (DESIGN §6), before any password is hashed.

Every attempt from an address counts, whatever its answer: each valid one costs an argon2 hash
(64 MiB) or tells whether an address has an account (409), and is counted before the view runs,
so that requests sent at once cannot get more hashes than the limit.
"""

import pytest
from sqlalchemy import func, select

from pain_diary.accounts import users
from pain_diary.accounts.models import User
from pain_diary.config import from_environment
from pain_diary.throttle import RateLimitCounter

REGISTER = "/api/v1/auth/register"
NEW_PATIENT = {"password": "a sturdy passphrase", "display_name": "Ann", "timezone": "UTC"}


@pytest.fixture
def config():
    return {"RATELIMIT_ENABLED": True, "REGISTER_LIMIT_PER_ADDRESS": "3 per hour"}


@pytest.fixture
def hashes(monkeypatch):
    """The passwords hashed so far."""
    hashed, hash_password = [], users.hash_password

    def counting(password):
        hashed.append(password)
        return hash_password(password)

    monkeypatch.setattr(users, "hash_password", counting)
    return hashed


def register(client, email, address="10.0.0.1", **changes):
    body = {**NEW_PATIENT, "email": email, **changes}
    return client.post(REGISTER, json=body, environ_base={"REMOTE_ADDR": address})


def account_count(app, db):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_one_address_gets_429_after_the_limit_and_no_hash(app, client, db, hashes):
    answers = [
        register(client, "ann@example.org").status_code,
        register(client, "ann@example.org").status_code,  # taken: tells the address has one
        register(client, "bob@example.org", timezone="Mars/Olympus").status_code,
    ]
    assert answers == [201, 409, 422]
    refused = register(client, "cem@example.org")
    assert refused.status_code == 429
    assert refused.json["error"]["status"] == 429
    assert refused.json["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    assert len(hashes) == 1
    assert account_count(app, db) == 1
    # Another address is counted on its own.
    assert register(client, "cem@example.org", address="10.0.0.2").status_code == 201


def test_an_attempt_is_counted_before_its_password_is_hashed(app, client, db, monkeypatch):
    counted_at_hash = []
    hash_password = users.hash_password

    def counting(password):
        with app.app_context():
            counted_at_hash.append(
                db.session.scalar(
                    select(RateLimitCounter.hits).where(
                        RateLimitCounter.key.like("%register-address%")
                    )
                )
            )
        return hash_password(password)

    monkeypatch.setattr(users, "hash_password", counting)
    statuses = [register(client, f"p{n}@example.org").status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert counted_at_hash == [1, 2, 3]


def test_the_register_limit_is_configured_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("REGISTER_LIMIT_PER_ADDRESS", raising=False)
    assert from_environment(tmp_path)["REGISTER_LIMIT_PER_ADDRESS"] == "10 per hour"
    monkeypatch.setenv("REGISTER_LIMIT_PER_ADDRESS", "50 per day")
    assert from_environment(tmp_path)["REGISTER_LIMIT_PER_ADDRESS"] == "50 per day"
