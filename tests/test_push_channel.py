"""Web Push against a local push service that checks the VAPID signature and decrypts the message.

No mock of pywebpush: the service is a real HTTP server on 127.0.0.1, and the subscription is made
the way a browser makes one (RFC 8291 §2), so a message it can read is one a browser could read.
"""

import logging
import os
import socket
import stat
import threading
import time
from contextlib import contextmanager

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pain_diary.reminders.channels.push import (
    PushOutcome,
    endpoint_problem,
    send_push,
    subscription_keys_problem,
)
from pain_diary.reminders.vapid import KEY_FILE, generate_keys, vapid_keys

from . import push_service
from .push_service import b64url, point

service = push_service.service  # the fixture: a local push service for each test

SUBJECT = "mailto:reminders@pain-diary.example"
PAYLOAD = {
    "kind": "pain_log",
    "title": "Time for your evening check-in",
    "body": "Tap to log today's pain – it takes a minute.",
    "url": "/notifications",
    "tag": "3f2b9c0e4d5a4f6e8a7b1c2d3e4f5a6b",
    "notification_id": "6d1e0c55-7f3b-4b8e-9d2a-0c1b2a3d4e5f",
}
TTL = 1800


def new_keys(directory):
    generate_keys(directory)
    return vapid_keys({}, directory)


@pytest.fixture
def keys(tmp_path):
    return new_keys(tmp_path)


def push(subscription, keys, topic="3f2b9c0e4d5a4f6e8a7b1c2d3e4f5a6b", timeout=10):
    """Send as the scheduler does with PUSH_ALLOW_HTTP: the local service is http on loopback."""
    return send_push(
        subscription, PAYLOAD, keys=keys, subject=SUBJECT, ttl=TTL, topic=topic, timeout=timeout,
        allow_private=True,
    )  # fmt: skip


def test_a_sent_message_is_signed_with_vapid_and_decrypts_to_the_payload(service, keys):
    subscription = service.subscribe(keys)
    before = time.time()
    assert push(subscription, keys) == PushOutcome("sent", 201, None)
    [request] = service.received
    assert request.message == PAYLOAD
    assert request.claims["aud"] == service.origin
    assert request.claims["sub"] == SUBJECT
    assert before < request.claims["exp"] <= time.time() + 24 * 3600
    assert request.headers["TTL"] == str(TTL)
    assert request.headers["Topic"] == "3f2b9c0e4d5a4f6e8a7b1c2d3e4f5a6b"
    assert request.headers["Urgency"] == "normal"
    assert request.headers["Content-Encoding"] == "aes128gcm"


def test_a_message_signed_with_another_key_is_refused_by_the_service(service, keys, tmp_path):
    subscription = service.subscribe(keys)
    other = new_keys(tmp_path / "other")
    assert push(subscription, other) == PushOutcome("failed", 403, "http_403")
    assert service.received[0].message is None


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (201, PushOutcome("sent", 201, None)),
        (404, PushOutcome("gone", 404, None)),
        (410, PushOutcome("gone", 410, None)),
        (429, PushOutcome("failed", 429, "http_429")),
        (500, PushOutcome("failed", 500, "http_500")),
        (503, PushOutcome("failed", 503, "http_503")),
    ],
)
def test_the_push_services_answer_becomes_the_outcome(service, keys, status, outcome):
    service.status = status
    assert push(service.subscribe(keys), keys) == outcome


def test_a_redirect_is_a_failure_and_is_not_followed(service, keys):
    service.status = 307
    assert push(service.subscribe(keys), keys) == PushOutcome("failed", 307, "http_307")
    assert len(service.received) == 1


def test_a_closed_port_is_a_connection_error(service, keys):
    subscription = service.subscribe(keys)
    with socket.socket() as probe:  # a port that was free a moment ago, and is closed again
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subscription["endpoint"] = f"http://127.0.0.1:{port}/push/abc"
    assert push(subscription, keys) == PushOutcome("failed", None, "connection_error")


def test_a_service_that_never_answers_is_a_timeout(service, keys):
    subscription = service.subscribe(keys)
    # The kernel accepts the connection into the backlog; nobody ever reads the request.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        subscription["endpoint"] = f"http://127.0.0.1:{silent.getsockname()[1]}/push/abc"
        assert push(subscription, keys, timeout=0.3) == PushOutcome("failed", None, "timeout")


@contextmanager
def raw_server(answer):
    """A TCP server on 127.0.0.1 handing each connection to ``answer(connection, stop)``.

    ``stop`` is set when the test is over, so that an answer meant to last does not outlive it.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                try:
                    answer(connection, stop)
                except OSError:  # the client went away: that is what the tests wait for
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def trickled(data):
    """An answer that reads the request, then sends ``data`` a byte every half second."""

    def answer(connection, stop):
        connection.recv(65536)
        for byte in data:
            if stop.wait(0.5):
                return
            connection.sendall(bytes([byte]))

    return answer


def timed_push(subscription, keys, endpoint, timeout):
    subscription["endpoint"] = endpoint
    started = time.monotonic()
    outcome = push(subscription, keys, timeout=timeout)
    return outcome, time.monotonic() - started


#: Each byte comes before a socket timeout would fire: only a deadline on the whole send ends it.
SLOW_STATUS = b"HTTP/1.1 201 Created\r\nX-Slow: " + b"." * 30


def test_a_service_that_trickles_its_answer_is_cut_at_the_deadline(service, keys):
    with raw_server(trickled(SLOW_STATUS)) as port:
        endpoint = f"http://127.0.0.1:{port}/push/abc"
        outcome, took = timed_push(service.subscribe(keys), keys, endpoint, timeout=2)
    assert outcome == PushOutcome("failed", None, "timeout")
    assert took < 3.5


def test_the_body_of_an_answer_is_not_waited_for(service, keys):
    def endless_body(connection, stop):
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 1000000\r\n\r\n")
        for _ in range(40):
            if stop.wait(0.5):
                return
            connection.sendall(b".")

    with raw_server(endless_body) as port:
        endpoint = f"http://127.0.0.1:{port}/push/abc"
        outcome, _ = timed_push(service.subscribe(keys), keys, endpoint, timeout=2)
    assert outcome == PushOutcome("sent", 201, None)  # within the deadline, or it would be timeout


def test_a_dns_lookup_that_never_answers_is_cut_at_the_deadline(service, keys, monkeypatch):
    answered = threading.Event()

    def unanswered(*args, **kwargs):
        answered.wait(15)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", unanswered)
    try:
        endpoint = "https://push.example.net/push/abc"
        outcome, took = timed_push(service.subscribe(keys), keys, endpoint, timeout=1)
    finally:
        answered.set()
    assert outcome == PushOutcome("failed", None, "timeout")
    assert took < 2.5


def test_a_malformed_answer_leaves_no_endpoint_in_any_log_record(service, keys, caplog):
    """urllib3 logs the URL of an answer whose headers it cannot parse; not a push endpoint."""

    def malformed(connection, stop):
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nnot a header\r\n\r\n")

    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="urllib3")
    with raw_server(malformed) as port:
        endpoint = f"http://127.0.0.1:{port}/push/secret-token-4d1f?auth=other-secret"
        outcome, _ = timed_push(service.subscribe(keys), keys, endpoint, timeout=5)
    assert outcome == PushOutcome("sent", 201, None)
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert any(record.name.startswith("urllib3") for record in warnings)  # still said, withheld
    formatter = logging.Formatter("%(name)s %(message)s")
    for record in caplog.records:
        for secret in ("secret-token-4d1f", "other-secret"):
            assert secret not in formatter.format(record)
            assert secret not in f"{record.msg} {record.args} {record.exc_text}"
    assert "secret-token-4d1f" not in caplog.text


def test_unusable_subscription_keys_are_a_failure_without_a_request(service, keys):
    subscription = service.subscribe(keys)
    subscription["keys"]["auth"] = b64url(os.urandom(8))
    assert push(subscription, keys) == PushOutcome("failed", None, "invalid_subscription")
    assert service.received == []


@pytest.mark.parametrize("topic", ["", "a" * 33, "not/base64", "delivery id"])
def test_a_topic_that_push_services_refuse_is_a_programming_error(service, keys, topic):
    with pytest.raises(ValueError, match="topic"):
        push(service.subscribe(keys), keys, topic=topic)


def test_sending_logs_neither_the_endpoint_nor_the_payload(service, keys, caplog):
    caplog.set_level(logging.DEBUG)
    subscription = service.subscribe(keys)
    service.status = 500
    push(subscription, keys)
    token = subscription["endpoint"].rpartition("/")[2]
    assert token not in caplog.text
    assert "check-in" not in caplog.text


@pytest.mark.parametrize(
    ("endpoint", "allow_http", "problem"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc:APA91b", False, None),
        ("https://updates.push.services.mozilla.com:443/wpush/v2/gAAAAA", False, None),
        ("http://127.0.0.1:8080/push/abc", True, None),
        ("http://127.0.0.1:8080/push/abc", False, "https://"),
        ("ftp://push.example.org/abc", True, "https://"),
        ("push.example.org/abc", False, "https://"),
        ("https:///abc", False, "host"),
        ("https://user:secret@push.example.org/abc", False, "user name"),
        ("https://push.example.org/abc#fragment", False, "fragment"),
        ("https://push.example.org/abc\n", False, "spaces"),
        (" https://push.example.org/abc", False, "spaces"),
        ("https://push.example.org/a\tb", False, "spaces"),
        ("https://push.example.org:99999/abc", False, "valid URL"),
        ("https://[::1]/abc", False, "DNS name"),
        ("https://2130706433/abc", False, "four decimal numbers"),
        ("https://0x7f.0.0.1/abc", False, "four decimal numbers"),
        ("https://0177.0.0.1/abc", False, "four decimal numbers"),
        ("https://127.1/abc", False, "four decimal numbers"),
        ("http://127.1:8080/push/abc", True, "four decimal numbers"),
        ("https://1.2.3.4/abc", False, None),
        pytest.param("https://push.example.org/" + "a" * 2023, False, None, id="2048 long"),
        pytest.param("https://push.example.org/" + "a" * 2024, False, "2048", id="2049 long"),
        (None, False, "https://"),
    ],
)
def test_endpoint_problem(endpoint, allow_http, problem):
    found = endpoint_problem(endpoint, allow_http)
    assert found is None if problem is None else problem in found


def test_subscription_keys_problem():
    private_key = ec.generate_private_key(ec.SECP256R1())
    good = {"p256dh": b64url(point(private_key)), "auth": b64url(os.urandom(16))}
    assert subscription_keys_problem(good) is None
    assert "p256dh" in subscription_keys_problem({**good, "p256dh": b64url(b"\x04" + bytes(64))})
    compressed = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    assert "p256dh" in subscription_keys_problem({**good, "p256dh": b64url(compressed)})
    assert "auth" in subscription_keys_problem({**good, "auth": b64url(os.urandom(15))})
    assert "base64url" in subscription_keys_problem({**good, "auth": "not base64!"})
    assert subscription_keys_problem({"p256dh": good["p256dh"]}) is not None


# VAPID keys


def pem_of(private_key):
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_vapid_keys_from_a_pem_in_the_environment(tmp_path):
    private_key = ec.generate_private_key(ec.SECP256R1())
    keys = vapid_keys({"VAPID_PRIVATE_KEY": pem_of(private_key)}, tmp_path)
    assert keys.public_key == b64url(point(private_key))
    assert keys.private_key.private_numbers() == private_key.private_numbers()


def test_vapid_keys_from_a_raw_base64url_scalar_as_web_push_tools_print_it(tmp_path):
    private_key = ec.generate_private_key(ec.SECP256R1())
    raw = b64url(private_key.private_numbers().private_value.to_bytes(32, "big"))
    public = b64url(point(private_key))
    config = {"VAPID_PRIVATE_KEY": raw, "VAPID_PUBLIC_KEY": public}
    assert vapid_keys(config, tmp_path).public_key == public


def test_vapid_keys_refuse_a_public_key_that_does_not_match(tmp_path):
    config = {
        "VAPID_PRIVATE_KEY": pem_of(ec.generate_private_key(ec.SECP256R1())),
        "VAPID_PUBLIC_KEY": b64url(point(ec.generate_private_key(ec.SECP256R1()))),
    }
    with pytest.raises(ValueError, match="VAPID_PUBLIC_KEY is not the public key"):
        vapid_keys(config, tmp_path)


@pytest.mark.parametrize(
    "value",
    [
        "c2VjcmV0LWJ1dC10b28tc2hvcnQ",  # 20 bytes
        "not a key at all",
        pem_of(ec.generate_private_key(ec.SECP384R1())),
    ],
)
def test_vapid_keys_refuse_what_is_not_a_p256_private_key_without_echoing_it(tmp_path, value):
    with pytest.raises(ValueError, match="VAPID_PRIVATE_KEY") as raised:
        vapid_keys({"VAPID_PRIVATE_KEY": value}, tmp_path)
    assert value.strip() not in str(raised.value)


def test_vapid_keys_from_the_instance_file_and_the_environment_first(tmp_path):
    assert vapid_keys({"VAPID_PRIVATE_KEY": None}, tmp_path) is None
    path, written = generate_keys(tmp_path)
    assert written
    from_file = vapid_keys({}, tmp_path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert from_file.public_key == b64url(point(key))
    private_key = ec.generate_private_key(ec.SECP256R1())
    from_environment = vapid_keys({"VAPID_PRIVATE_KEY": pem_of(private_key)}, tmp_path)
    assert from_environment.public_key == b64url(point(private_key))


def test_generate_keys_writes_a_private_file_once_and_replaces_it_only_when_forced(tmp_path):
    path, written = generate_keys(tmp_path)
    assert (path, written) == (tmp_path / KEY_FILE, True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_bytes()
    assert generate_keys(tmp_path) == (path, False)
    assert path.read_bytes() == first
    assert generate_keys(tmp_path, force=True) == (path, True)
    assert path.read_bytes() != first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE]


# `flask push keygen`


@pytest.fixture
def config(tmp_path):
    """An instance folder of this test's own, so that the key written here is the only one."""
    return {"INSTANCE_PATH": str(tmp_path / "instance"), "VAPID_PRIVATE_KEY": None}


def test_keygen_writes_the_key_once_and_prints_the_public_key(app, runner):
    first = runner.invoke(args=["push", "keygen"])
    assert first.exit_code == 0, first.output
    public_key = vapid_keys(app.config, app.instance_path).public_key
    assert "wrote" in first.output
    assert f"public key: {public_key}" in first.output
    second = runner.invoke(args=["push", "keygen"])
    assert second.exit_code == 0, second.output
    assert "kept" in second.output
    assert f"public key: {public_key}" in second.output
    forced = runner.invoke(args=["push", "keygen", "--force"])
    assert forced.exit_code == 0, forced.output
    assert public_key not in forced.output


def test_keygen_writes_nothing_when_the_key_comes_from_the_environment(app, runner):
    private_key = ec.generate_private_key(ec.SECP256R1())
    app.config["VAPID_PRIVATE_KEY"] = pem_of(private_key)
    result = runner.invoke(args=["push", "keygen"])
    assert result.exit_code == 0, result.output
    assert "environment" in result.output
    assert f"public key: {b64url(point(private_key))}" in result.output
    assert not os.path.exists(os.path.join(app.instance_path, KEY_FILE))


def test_keygen_reports_a_malformed_environment_key(app, runner):
    app.config["VAPID_PRIVATE_KEY"] = "not-a-key"
    result = runner.invoke(args=["push", "keygen"])
    assert result.exit_code == 1
    assert "VAPID_PRIVATE_KEY is neither" in result.output
