"""Where Chromium registers its push subscriptions (GCM), on 127.0.0.1, for a real subscription.

Chromium gets a Web Push subscription from Google's servers: it checks in once (a protocol
buffer answered with a device id and secret), then registers each subscription for a token,
from which it makes the endpoint; ``unsubscribe()`` tells the same server. The command-line
switches in ``chromium_args`` send both requests here instead, so that in a test
``pushManager.subscribe()`` gives a subscription with Chromium's own endpoint and keys, and
``unsubscribe()`` really ends it. Nothing is ever pushed through it: Chromium's message channel
(MCS) points at a closed port.
"""

import secrets
import struct
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from .push_service import serving


def checkin_response(android_id, security_token):
    """An AndroidCheckinResponse: stats_ok (1, bool), android_id (7) and security_token (8)."""
    return b"\x08\x01" + _fixed64(7, android_id) + _fixed64(8, security_token)


def _fixed64(field, value):
    return bytes([field << 3 | 1]) + struct.pack("<Q", value)


class Registrar(ThreadingHTTPServer):
    """Answers Chromium's check-in and registrations; records the tokens given and taken back."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), RegistrarHandler)
        self.origin = f"http://127.0.0.1:{self.server_port}"
        self.registered = []  # tokens given out, in order
        self.unregistered = []  # the form of each unregistration

    @property
    def chromium_args(self):
        return [
            f"--gcm-checkin-url={self.origin}/checkin",
            f"--gcm-registration-url={self.origin}/register",
            "--gcm-mcs-endpoint=https://127.0.0.1:9",  # discard: no message ever comes
        ]


class RegistrarHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/checkin":
            self.answer(checkin_response(secrets.randbits(63), secrets.randbits(63)))
        elif self.path == "/register":
            form = {name: values[0] for name, values in parse_qs(body.decode()).items()}
            if form.get("delete") == "true":
                self.server.unregistered.append(form)
                self.answer(f"deleted={form.get('app', '')}".encode())
            else:
                token = secrets.token_urlsafe(24)
                self.server.registered.append(token)
                self.answer(f"token={token}".encode())
        else:
            self.send_response(404)
            self.end_headers()

    def answer(self, body):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def registrar():
    yield from serving(Registrar())
