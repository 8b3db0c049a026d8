"""One-way hashes of the secrets the app hands out, so that a leaked table opens nothing."""

import hashlib


def hash_secret(secret):
    """Hash a random secret (session id, API token, invitation code) for storage and lookup."""
    # Plain SHA-256 suffices: the secrets are random, not chosen by people, so there is nothing
    # to salt or stretch against, and a lookup needs the same hash every time.
    return hashlib.sha256(secret.encode()).hexdigest()
