"""Password policy and argon2id hashing."""

from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 128

hasher = PasswordHasher()  # argon2id with argon2-cffi's current RFC 9106 parameters
# Verified against for unknown emails so that they take as long as a wrong password.
_DUMMY_HASH = hasher.hash("not a real password, only a timing decoy")


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
    return hasher.hash(password)


def verify_password(stored_hash, password):
    """Check ``password``; a missing hash still costs one verification."""
    try:
        return hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash):
    return hasher.check_needs_rehash(stored_hash)
