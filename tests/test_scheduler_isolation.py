"""One patient's data or devices cannot break, stall or multiply others' reminders (DESIGN §5, §6).

A stored address the email package refuses, push endpoints that never answer, a reminder snoozed
hundreds of times: each stays that patient's own delivery's problem, while every other patient's
reminders go out in seconds, in-app ones first.
"""

import socket
import threading
import time
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, func, select, update

from pain_diary.accounts.models import User
from pain_diary.extensions import db
from pain_diary.reminders import claims, sending
from pain_diary.reminders.models import Delivery, Notification, PushSubscription

from . import push_service, test_email_channel, test_scheduler
from .test_email_channel import Inbox, mail_config
from .test_scheduler import add_rule, deliveries, notifications, run, subscribe, utc

service = push_service.service  # the fixtures: a local push service, SMTP servers, the clock
smtp_server = test_email_channel.smtp_server
clock = test_scheduler.clock

#: Addresses that registration refuses now, as an older release stored them.
UNSENDABLE = ['"=?utf-8?q?=0D=0ABcc:_x?="@example.org', '"x\u000bx"@example.org']


@pytest.fixture
def config():
    return {"VAPID_PRIVATE_KEY": push_service.vapid_private_pem(), "PUSH_ALLOW_HTTP": True}


def store_email(app, user_id, address):
    """Write an address straight into the table, past today's validation."""
    with app.app_context():
        db.session.execute(update(User).where(User.id == uuid.UUID(user_id)).values(email=address))
        db.session.commit()


@pytest.mark.parametrize("address", UNSENDABLE)
def test_an_address_the_email_package_refuses_fails_that_delivery_alone(
    app, accounts, clock, smtp_server, address
):
    mailbox = Inbox()
    app.config.update(mail_config(smtp_server(mailbox)))
    strange = accounts.signed_in(timezone="Europe/Berlin")
    store_email(app, strange.user.id, address)
    others = [accounts.signed_in(timezone="Europe/Berlin") for _ in range(3)]
    for client in (strange, *others):
        add_rule(client, channels=["in_app", "email"])

    report = run(app, utc(2026, 12, 1, 19))

    assert (report.claimed, report.sent) == (4, 4)  # the strange one's inbox entry is sent too
    assert len(mailbox.envelopes) == 3
    by_patient = {str(d.rule_id): d for d in deliveries(app)}
    assert {d.status for d in by_patient.values()} == {"done"}
    outcomes = sorted(d.outcomes["email"]["status"] for d in by_patient.values())
    assert outcomes == ["failed", "sent", "sent", "sent"]
    [failed] = [d for d in by_patient.values() if d.outcomes["email"]["status"] == "failed"]
    assert failed.outcomes["email"] == {"status": "failed", "reason": "invalid_address"}
    assert len(notifications(app)) == 4


def test_the_scheduler_command_survives_an_unsendable_address(app, accounts, clock, smtp_server):
    app.config.update(mail_config(smtp_server(Inbox())))
    strange = accounts.signed_in(timezone="Europe/Berlin")
    store_email(app, strange.user.id, UNSENDABLE[0])
    add_rule(strange, channels=["email"])
    result = app.test_cli_runner().invoke(
        args=["scheduler", "tick", "--at", "2026-12-01T19:00:00Z"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("claimed 1, sent 0, failed 1")


def test_a_second_snooze_replaces_the_first(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    add_rule(client)
    run(app, utc(2026, 12, 1, 19))
    [first] = notifications(app)
    clock.now = utc(2026, 12, 1, 19, 1)
    for minutes in range(5, 240, 1):  # 235 snoozes of one reminder, each a different time
        response = client.post(
            f"/api/v1/notifications/{first.id}/snooze", json={"minutes": minutes}
        )
        assert response.status_code == 200, response.json
    pending = [d for d in deliveries(app) if d.status == "pending"]
    assert [(d.reason, d.due_at) for d in pending] == [("snooze", utc(2026, 12, 1, 23))]
    assert run(app, utc(2026, 12, 1, 23)).sent == 1
    assert len(notifications(app)) == 2


class Silent:
    """A push service that takes connections and never answers: the endpoint from hell."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.origin = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)  # held open, never read, never answered

    def close(self):
        self.socket.close()
        for connection in self.connections:
            connection.close()


@pytest.mark.slow  # waits for the silent endpoints' deadline
def test_endpoints_that_never_answer_do_not_hold_up_another_patients_reminders(
    app, accounts, clock, service, database_url
):
    silent = Silent()
    try:
        attacker = accounts.signed_in(timezone="Europe/Berlin")
        victim = accounts.signed_in(timezone="Europe/Berlin")
        add_rule(attacker, channels=["in_app", "push"])
        add_rule(victim, channels=["in_app", "push"])
        subscribe(app, victim, service)
        with app.app_context():
            keys = service.subscribe(SimpleNamespace(public_key=None))["keys"]
            db.session.add_all(
                PushSubscription(patient_id=uuid.UUID(attacker.user.id),
                                 endpoint=f"{silent.origin}/never/{n}", **keys)
                for n in range(9)
            )  # fmt: skip
            db.session.commit()

        started = time.monotonic()
        seen = {}

        def watch():
            # Another connection, as a patient's phone would read the inbox while the tick runs.
            engine = create_engine(database_url)
            with engine.connect() as connection:
                while time.monotonic() - started < 30:
                    count = connection.execute(select(func.count()).select_from(Notification))
                    if count.scalar() == 2 and "inbox" not in seen:
                        seen["inbox"] = time.monotonic() - started
                    if service.received and "push" not in seen:
                        seen["push"] = time.monotonic() - started
                    if len(seen) == 2:
                        break
                    connection.rollback()
                    time.sleep(0.05)
            engine.dispose()

        watcher = threading.Thread(target=watch)
        watcher.start()
        run(app, utc(2026, 12, 1, 19))
        took = time.monotonic() - started
        watcher.join()
    finally:
        silent.close()

    assert seen["inbox"] < 3, seen  # both inbox entries, before any network
    assert seen["push"] < 3, seen  # the victim's phone buzzed while the silent ones hung
    assert took < 15, took  # every send ended within its deadline, all at once
    assert len(silent.connections) == 9
    outcomes = {str(d.rule_id): d.outcomes["push"] for d in deliveries(app)}
    assert sorted(o["status"] for o in outcomes.values()) == ["retrying", "sent"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Delivery)) == 2


def test_a_claim_being_sent_keeps_its_lease_and_is_not_taken_over(
    app, accounts, clock, service, monkeypatch
):
    lease = timedelta(seconds=1)
    monkeypatch.setattr(claims, "LEASE", lease)
    monkeypatch.setattr(sending, "LEASE", lease)
    monkeypatch.setattr(sending, "HEARTBEAT", 0.05)
    client = accounts.signed_in(timezone="Europe/Berlin")
    add_rule(client, channels=["push"])
    subscribe(app, client, service)
    service.delay = 3  # the push takes 3 s: three times the lease
    due = utc(2026, 12, 1, 19)
    sender = threading.Thread(target=run, args=(app, due))
    sender.start()
    time.sleep(2)
    with app.app_context():  # another scheduler, 2.5 s after the claim by the tick's clock
        started = time.monotonic()
        taken = claims.claim_pending(due + timedelta(seconds=2.5))
        db.session.commit()
        waited = time.monotonic() - started
    sender.join()
    assert waited < 0.5  # the sending tick holds no lock on the database
    assert taken == []
    assert len(service.received) == 1
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.outcomes) == ("done", {"push": {"status": "sent"}})
