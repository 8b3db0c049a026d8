"""Push endpoints never lead inside the network (DESIGN §5; issue 19, finding 2).

Without PUSH_ALLOW_HTTP and with the machine's real resolver: subscribing refuses (422) an
endpoint whose host is, or resolves to, a loopback, private, link-local, multicast or reserved
address, in any spelling, or does not resolve at all. Sending refuses it again, judged on the
address it would connect to: a server listening there sees no connection, and the outcome is a
failure (``forbidden_address``), never "gone", which would delete the subscription and tell
whoever made it that something answered 404 there.
"""

import ipaddress
import socket
import uuid
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import select

from pain_diary.extensions import db
from pain_diary.reminders.channels.addresses import is_public
from pain_diary.reminders.channels.push import PushOutcome, send_push
from pain_diary.reminders.dispatch import tick
from pain_diary.reminders.models import Delivery, PushSubscription
from pain_diary.reminders.vapid import vapid_keys

from . import push_service
from .helpers import assert_invalid

SUBSCRIPTIONS = "/api/v1/push-subscriptions"
SUBJECT = "mailto:reminders@pain-diary.example"
KEYS = {  # a browser's: an uncompressed P-256 point and a 16-byte secret, base64url
    "p256dh": "BOuXlzDE3MlGheQwocjEPwBR9L7_GSnigwSGci1Panid27fBS4GCyukrb7p5Ow5sO_KIQTvK-"
    "mRnQxMKE5HOsDM",
    "auth": "gMVhySid2s3NgTwPjz7xSA",
}


@pytest.fixture
def config(tmp_path):
    """Production's rules (no PUSH_ALLOW_HTTP) and a VAPID key, so that a tick sends push."""
    return {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "VAPID_PRIVATE_KEY": push_service.vapid_private_pem(),
        "VAPID_SUBJECT": SUBJECT,
        "PUSH_ALLOW_HTTP": False,
    }


@contextmanager
def listening():
    """A port on 127.0.0.1 that counts the connections made to it (the kernel's backlog)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        connections = []

        def count():
            while True:
                try:
                    connection, _ = listener.accept()
                except BlockingIOError:
                    return len(connections)
                connections.append(connection)
                connection.close()

        yield listener.getsockname()[1], count


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1/push/abc",
        "https://localhost:5432/push/abc",
        "https://LOCALHOST./push/abc",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/push/abc",
        "https://172.16.0.1/push/abc",
        "https://192.168.1.1/push/abc",
        "https://100.64.0.1/push/abc",
        "https://0.0.0.0/push/abc",
        "https://224.0.0.251/push/abc",
        "https://255.255.255.255/push/abc",
        "https://240.0.0.1/push/abc",
        "https://192.0.2.1/push/abc",
        "https://2130706433/push/abc",
        "https://0x7f.0.0.1/push/abc",
        "https://0x7f000001/push/abc",
        "https://0177.0.0.1/push/abc",
        "https://127.1/push/abc",
        "https://push.invalid/push/abc",  # RFC 6761: never resolves
    ],
)
def test_subscribing_refuses_an_endpoint_that_leads_inside_the_network(app, patient, endpoint):
    response = patient.post(SUBSCRIPTIONS, json={"endpoint": endpoint, "keys": KEYS})
    assert_invalid(response, "endpoint")
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []


def push(keys, endpoint, **options):
    return send_push(
        {"endpoint": endpoint, "keys": KEYS}, {"title": "Time for your evening check-in"},
        keys=keys, subject=SUBJECT, ttl=60, topic="abc", timeout=2, **options,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("127.0.0.1", "forbidden_address"),
        ("localhost", "forbidden_address"),
        ("2130706433", "invalid_endpoint"),
        ("0x7f.0.0.1", "invalid_endpoint"),
        ("127.1", "invalid_endpoint"),
    ],
)
def test_sending_inside_the_network_connects_to_nothing(app, host, reason):
    keys = vapid_keys(app.config, app.instance_path)
    with listening() as (port, connections):
        outcome = push(keys, f"https://{host}:{port}/push/abc")
        assert outcome == PushOutcome("failed", None, reason)
        assert connections() == 0
        # http:// to it is refused too, whatever the address.
        assert push(keys, f"http://{host}:{port}/push/abc").reason == "invalid_endpoint"
        assert connections() == 0


def test_a_host_name_is_judged_by_the_address_it_resolves_to_when_sending(app):
    """However it resolved at subscription (DNS rebinding), ``localhost`` is loopback now."""
    keys = vapid_keys(app.config, app.instance_path)
    with listening() as (port, connections):
        endpoint = f"https://localhost:{port}/push/abc"
        assert push(keys, endpoint) == PushOutcome("failed", None, "forbidden_address")
        assert connections() == 0
        # What PUSH_ALLOW_HTTP allows reaches the listener: the refusal above was not luck.
        assert push(keys, endpoint, allow_private=True).reason == "timeout"
        assert connections() == 1


def test_a_tick_sends_nothing_inside_the_network_and_keeps_the_subscription(app, patient):
    rule = patient.post("/api/v1/reminders", json={
        "kind": "pain_log", "times": ["20:00"], "channels": ["in_app", "push"],
    }).json  # fmt: skip
    with listening() as (port, connections), app.app_context():
        # Stored as a subscription made before this check, or under PUSH_ALLOW_HTTP, would be.
        db.session.add(PushSubscription(
            patient_id=uuid.UUID(patient.user.id), endpoint=f"https://localhost:{port}/push/abc",
            p256dh=KEYS["p256dh"], auth=KEYS["auth"],
        ))  # fmt: skip
        db.session.commit()
        tick(datetime.fromisoformat(rule["next_due_at"]))
        assert connections() == 0
        assert len(db.session.scalars(select(PushSubscription)).all()) == 1
        (delivery,) = db.session.scalars(select(Delivery)).all()
        assert delivery.outcomes["push"]["reason"] == "forbidden_address"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("1.2.3.4", True),
        ("2606:4700:4700::1111", True),
        ("2002:808:808::1", True),  # 6to4 of a public address
        ("64:ff9b::808:808", True),  # NAT64 of a public address
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.31.0.1", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("198.51.100.1", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fe80::1%1", False),
        ("fc00::1", False),
        ("fd12:3456::1", False),
        ("fec0::1", False),
        ("ff02::1", False),
        ("ff0e::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:8.8.8.8", False),  # IPv4-mapped: never what a push service publishes
        ("::127.0.0.1", False),
        ("2002:7f00:1::1", False),  # 6to4 of loopback
        ("2002:a00:1::1", False),  # 6to4 of 10.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b:1::808:808", False),  # NAT64 for local use
        ("2001::1", False),  # Teredo
        ("2001:db8::1", False),
        ("100::1", False),
    ],
)
def test_only_public_unicast_addresses_are_public(address, public):
    assert is_public(ipaddress.ip_address(address)) is public
