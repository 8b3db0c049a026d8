"""Send one Web Push message (RFC 8030), encrypted (RFC 8291) and signed with VAPID (RFC 8292).

Nothing here logs: an endpoint is a capability URL for one patient's device and a payload is
about their care, so neither may reach a log (outbound.py keeps urllib3 from logging them
either). The caller knows the subscription id.
"""

import json
import re
import socket
import time
from collections.abc import Mapping
from typing import Literal, NamedTuple
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid, VapidException
from pywebpush import WebPusher, WebPushException

from ..vapid import b64url_decode
from .outbound import Guard, guarded_session

MAX_ENDPOINT_LENGTH = 2048
TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")  # RFC 8030 §5.4: at most 32 URL-safe base64 characters
TOKEN_LIFETIME = 12 * 3600  # RFC 8292 §2: at most 24 hours; 12 leaves room for clock skew
KEY_NAMES = ("p256dh", "auth")
GONE = (404, 410)  # RFC 8030 §7.3: the subscription has expired or been removed


class PushOutcome(NamedTuple):
    status: Literal["sent", "gone", "failed"]
    http_status: int | None
    reason: str | None  # a short code (http_503, timeout, ...), never a payload or a URL


def send_push(subscription, payload, *, keys, subject, ttl, topic, timeout=10, allow_private=False):
    """POST ``payload`` (a dict, as JSON) to the subscription's push service.

    Network failures and refusals are outcomes, not exceptions; "gone" tells the caller to delete
    the subscription. ``timeout`` bounds the whole send, from the DNS lookup to the status line.
    The endpoint must be ``https://`` and reach public addresses only, checked on the address
    connected to (``forbidden_address`` otherwise, never "gone": no port-scan oracle), unless
    ``allow_private`` (PUSH_ALLOW_HTTP: tests and local development) lifts both rules.

    :raise ValueError: on a caller's mistake: a topic that is not 1-32 base64url characters, a
        subject that is not a ``mailto:`` or ``https:`` URL.
    """
    if not TOPIC.fullmatch(topic):
        raise ValueError("the push topic must be 1 to 32 base64url characters")
    if not subject.startswith(("mailto:", "https:")):
        raise ValueError("VAPID_SUBJECT must be a mailto: or https: URL")
    if subscription_keys_problem(subscription.get("keys")):
        return PushOutcome("failed", None, "invalid_subscription")
    endpoint = subscription["endpoint"]
    if endpoint_problem(endpoint, allow_http=allow_private):
        return PushOutcome("failed", None, "invalid_endpoint")
    claims = {"aud": _origin(endpoint), "sub": subject, "exp": int(time.time()) + TOKEN_LIFETIME}
    try:
        # no-strict: py_vapid's own check of `sub` refuses https: URLs that have a path.
        headers = Vapid(keys.private_key, conf={"no-strict": True}).sign(claims)
    except VapidException:  # it also refuses an `aud` it cannot parse
        return PushOutcome("failed", None, "invalid_endpoint")
    headers.update({"Topic": topic, "Urgency": "normal"})
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    with Guard(timeout, allow_private) as guard, guarded_session(guard) as session:
        try:
            pusher = WebPusher(subscription, requests_session=session)
            response = pusher.send(
                body, headers, ttl=int(ttl), content_encoding="aes128gcm", timeout=timeout
            )
        except requests.TooManyRedirects as error:
            return _answered(error.response.status_code)
        except requests.RequestException as error:
            return PushOutcome("failed", None, _failure(error, guard))
        except (WebPushException, ValueError):  # keys pywebpush refuses past our own check
            return PushOutcome("failed", None, "invalid_subscription")
    return _answered(response.status_code)


def _failure(error, guard):
    if guard.forbidden:
        return "forbidden_address"
    if guard.expired or isinstance(error, requests.Timeout):
        return "timeout"
    if isinstance(error, requests.exceptions.SSLError):
        return "tls_error"
    if isinstance(error, requests.ConnectionError):
        return "connection_error"
    return "request_error"


def _answered(status):
    if 200 <= status < 300:
        return PushOutcome("sent", status, None)
    if status in GONE:
        return PushOutcome("gone", status, None)
    return PushOutcome("failed", status, f"http_{status}")


def _origin(endpoint):
    """The VAPID ``aud``: scheme://host[:port] of the push service, without any userinfo."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def endpoint_problem(endpoint, allow_http):
    """Return why ``endpoint`` is not an acceptable push endpoint, or None when it is."""
    schemes = ("https", "http") if allow_http else ("https",)
    wanted = " or ".join(f"{scheme}://" for scheme in schemes)
    if not isinstance(endpoint, str) or not endpoint:
        return f"must be an absolute {wanted} URL"
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        return f"must be at most {MAX_ENDPOINT_LENGTH} characters"
    # Checked before parsing: urlsplit silently drops tabs and newlines and strips the ends.
    if not endpoint.isascii() or any(c.isspace() or not c.isprintable() for c in endpoint):
        return "must not contain spaces, control or non-ASCII characters"
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018 - parsing the port is what raises on a malformed one
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in schemes:
        return f"must be an absolute {wanted} URL"
    if "@" in parts.netloc:
        return "must not contain a user name or password"
    if not parts.hostname:
        return "must name a host"
    if ":" in parts.hostname:
        return "must name its host by a DNS name or an IPv4 address"
    if _other_ipv4_spelling(parts.hostname):
        return "must write an IPv4 address as four decimal numbers (a.b.c.d)"
    if parts.fragment or "#" in endpoint:
        return "must not have a fragment"
    return None


def _other_ipv4_spelling(host):
    """Whether ``host`` is an IPv4 address spelled some other way (``127.1``, ``0x7f.0.0.1``)."""
    try:
        return socket.inet_ntoa(socket.inet_aton(host)) != host
    except OSError:
        return False


def subscription_keys_problem(keys):
    """Return why ``keys`` ({p256dh, auth} as browsers give them) are unusable, or None."""
    if not isinstance(keys, Mapping) or not all(isinstance(keys.get(k), str) for k in KEY_NAMES):
        return "must have p256dh and auth, base64url strings"
    try:
        p256dh, auth = b64url_decode(keys["p256dh"]), b64url_decode(keys["auth"])
    except ValueError:
        return "p256dh and auth must be base64url"
    try:
        if len(p256dh) != 65:  # from_encoded_point would also take a compressed point
            raise ValueError
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:
        return "p256dh must be an uncompressed P-256 public key (65 bytes)"
    if len(auth) != 16:
        return "auth must be 16 bytes"
    return None
