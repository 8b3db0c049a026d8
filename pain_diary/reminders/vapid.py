"""The server's VAPID key pair (RFC 8292): from the environment, or generated once into instance/.

Browsers subscribe with the public key (``GET /push/public-key``); push services accept only
messages signed with the matching private key, so replacing the key orphans every subscription.
"""

import base64
import binascii
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import click
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from flask.cli import AppGroup

KEY_FILE = "vapid_private_key.pem"
BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


class VapidKeys(NamedTuple):
    private_key: ec.EllipticCurvePrivateKey
    public_key: str  # base64url, no padding, of the 65-byte uncompressed P-256 point


def b64url_decode(text):
    """Decode base64url with or without padding; raise ValueError on anything else."""
    text = text.strip().rstrip("=")
    if not BASE64URL.fullmatch(text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        raise ValueError("not base64url") from None


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def vapid_keys(config, instance_path):
    """Return the keys from VAPID_PRIVATE_KEY, else from instance/, else None.

    :raise ValueError: when VAPID_PRIVATE_KEY (or the key file) is not a P-256 private key, or
        VAPID_PUBLIC_KEY is set and is not its public key.
    """
    if private := config.get("VAPID_PRIVATE_KEY"):
        return _keys_from_environment(private, config.get("VAPID_PUBLIC_KEY") or None)
    path = Path(instance_path) / KEY_FILE
    try:
        modified = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    # The modification time is part of the cache key so that `keygen --force` is picked up.
    return _keys_from_file(str(path), modified)


@lru_cache(maxsize=8)
def _keys_from_environment(private, public):
    keys = _keys(_parse_private_key(private, "VAPID_PRIVATE_KEY"))
    if public is not None:
        try:
            matches = b64url_decode(public) == b64url_decode(keys.public_key)
        except ValueError:
            matches = False
        if not matches:
            raise ValueError(
                "VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY "
                f"(which is {keys.public_key}); correct it or leave it unset"
            )
    return keys


@lru_cache(maxsize=8)
def _keys_from_file(path, modified):
    return _keys(_parse_private_key(Path(path).read_text(), path))


def _parse_private_key(text, source):
    """A PEM private key, or the raw 32-byte scalar in base64url as web-push tools print it."""
    text = text.strip()
    problem = f"{source} is neither a PEM P-256 private key nor a base64url 32-byte private key"
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError):
            raise ValueError(problem) from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError(f"{source} is not a P-256 (prime256v1) key")
        return key
    try:
        raw = b64url_decode(text)
        if len(raw) != 32:
            raise ValueError(problem)
        return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError:
        # `from None`: the chained error could echo part of the secret.
        raise ValueError(problem) from None


def _keys(private_key):
    point = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return VapidKeys(private_key, b64url_encode(point))


def generate_keys(instance_path, force=False):
    """Write a new P-256 key to instance/ unless one is there; return (path, whether written)."""
    path = Path(instance_path) / KEY_FILE
    if path.exists() and not force:
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    if not force:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process starting at the same moment won
            return path, False
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        return path, True
    # Replacing goes through a temporary file (mkstemp makes it 0600) and a rename, so that a
    # scheduler reading the key meanwhile sees the old key or the new one, never half a file.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path, True


push_cli = AppGroup("push", help="Web Push: the server's VAPID keys.")


@push_cli.command("keygen")
@click.option(
    "--force",
    is_flag=True,
    help="Replace the key in instance/: every browser must then subscribe again.",
)
def keygen(force):
    """Create the VAPID key pair in instance/ unless there is one, and print the public key."""
    config, instance_path = current_app.config, current_app.instance_path
    try:
        if config.get("VAPID_PRIVATE_KEY"):
            keys = vapid_keys(config, instance_path)
            click.echo("VAPID keys come from the environment (VAPID_PRIVATE_KEY); nothing written.")
        else:
            path, written = generate_keys(instance_path, force=force)
            keys = vapid_keys(config, instance_path)
            click.echo(f"{'wrote' if written else 'kept'} the VAPID private key {path}")
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"public key: {keys.public_key}")
