"""A local Web Push service that checks the VAPID signature and decrypts each message.

No mock of pywebpush: the service is a real HTTP server on 127.0.0.1, and a subscription is made
the way a browser makes one (RFC 8291 §2), so a message it can read is one a browser could read.
"""

import base64
import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def point(private_key):
    return private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def vapid_private_pem():
    """A new VAPID private key as VAPID_PRIVATE_KEY takes it: PEM text."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def verified_vapid_claims(authorization, application_server_key):
    """The JWT claims of ``vapid t=<jwt>,k=<key>`` once its ES256 signature checks out with k."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    fields = dict(param.strip().split("=", 1) for param in params.split(","))
    assert fields["k"] == application_server_key
    header, claims, signature = fields["t"].split(".")
    assert json.loads(unb64url(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64url(signature)  # JWS (RFC 7518 §3.4): r || s, 32 bytes each
    assert len(raw) == 64
    der = utils.encode_dss_signature(
        int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    )
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
    public_key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    return json.loads(unb64url(claims))


class PushService(ThreadingHTTPServer):
    """A push service answering ``status``; it records each request, verified and decrypted."""

    # A scheduler sends 16 at once; the default backlog of 5 made the kernel drop connections
    # (connection_error) when a tick's sends all came in one burst.
    request_queue_size = 128

    def __init__(self):
        super().__init__(("127.0.0.1", 0), PushHandler)
        self.origin = f"http://127.0.0.1:{self.server_port}"
        self.status = 201
        self.delay = 0.0  # seconds each answer takes: a slow push service
        self.received = []
        self.subscribers = {}

    def subscribe(self, keys):
        """Subscribe a new browser with ``keys``' public key as its applicationServerKey."""
        private_key, auth = ec.generate_private_key(ec.SECP256R1()), os.urandom(16)
        path = f"/push/{uuid.uuid4().hex}"
        self.subscribers[path] = SimpleNamespace(
            private_key=private_key, auth=auth, application_server_key=keys.public_key
        )
        browser_keys = {"p256dh": b64url(point(private_key)), "auth": b64url(auth)}
        return {"endpoint": f"{self.origin}{path}", "keys": browser_keys}


class PushHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        service = self.server
        request = SimpleNamespace(path=self.path, headers=self.headers, claims=None, message=None)
        request.body = self.rfile.read(int(self.headers["Content-Length"]))
        service.received.append(request)
        subscriber = service.subscribers[self.path]
        try:
            request.claims = verified_vapid_claims(
                self.headers["Authorization"], subscriber.application_server_key
            )
        except Exception:  # as a push service does, refuse a message it cannot authenticate
            self.answer(403)
            return
        request.message = json.loads(
            http_ece.decrypt(
                request.body,
                private_key=subscriber.private_key,
                auth_secret=subscriber.auth,
                version="aes128gcm",
            )
        )
        time.sleep(service.delay)
        self.answer(service.status)

    def answer(self, status):
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", f"{self.server.origin}/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


def serving(server):
    """Serve ``server`` on a thread of its own while the fixture using it lasts."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def service():
    yield from serving(PushService())
