"""Password policy and argon2id hashing."""

from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 8
MAX_LENGTH = 128


@cache
def _hasher(time_cost, memory_cost, parallelism):
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    # Verified against for unknown emails so that they take as long as a wrong password.
    return hasher, hasher.hash("not a real password, only a timing decoy")


def hasher():
    """argon2id with the configured parameters (RFC 9106 low-memory profile by default)."""
    config = current_app.config
    return _hasher(
        config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"]
    )


@cache
def common_passwords():
    """The 10,000 commonest passwords (see COMMON_PASSWORDS_SOURCE.txt)."""
    text = files(__package__).joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problems(password):
    """Return the reasons a new password is refused (empty when it is acceptable)."""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    if password.lower() in common_passwords():
        return ["This password is too common; choose one that is harder to guess."]
    return []


def hash_password(password):
    return hasher()[0].hash(password)


def verify_password(stored_hash, password):
    """Check ``password``; a missing hash still costs one verification."""
    argon2, decoy = hasher()
    try:
        return argon2.verify(stored_hash or decoy, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash):
    return hasher()[0].check_needs_rehash(stored_hash)
