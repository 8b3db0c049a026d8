"""Reminders end to end through ``tick(now)``: Web Push to a local push service, email over SMTP.

The push service is real (tests/push_service.py: it checks the VAPID signature and decrypts the
message with the browser's key) and so is the SMTP server (aiosmtpd): what they receive is
what a phone or a mailbox would.
"""

import email
import email.policy
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pain_diary.extensions import db
from pain_diary.reminders.dispatch import tick
from pain_diary.reminders.models import Delivery, Notification, PushSubscription
from pain_diary.reminders.vapid import vapid_keys

from . import push_service, test_email_channel
from .factories import MedicationBody
from .test_email_channel import Inbox, RefusingInbox, mail_config

service = push_service.service  # the fixture: a local push service for each test
smtp_server = test_email_channel.smtp_server  # the fixture: aiosmtpd servers for each test

SUBJECT = "mailto:reminders@pain-diary.example"
# A name and a dose figure that appear nowhere else (a UUID has no dot).
DRUG, INGREDIENT, AMOUNT = "Oxynorm", "oxycodone", "7.5"
DUE = datetime(2030, 3, 1, 7, tzinfo=UTC)  # 08:00 in Berlin on the medication's first day
GRACE = timedelta(minutes=30)


@pytest.fixture
def vapid_pem():
    return push_service.vapid_private_pem()


@pytest.fixture
def config(tmp_path, vapid_pem):
    return {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "VAPID_PRIVATE_KEY": vapid_pem,
        "VAPID_SUBJECT": SUBJECT,
        "PUSH_ALLOW_HTTP": True,
        "MAIL_SERVER": None,
        "PUBLIC_URL": "https://diary.example",
    }


def medication_rule(client, channels):
    """A reminder of the 08:00 and 20:00 doses of a medication started on 1 March 2030."""
    medication = client.post(
        "/api/v1/medications",
        json=MedicationBody(
            name=DRUG, ingredient=INGREDIENT, dose_amount=7.5, start_date="2030-03-01"
        ),
    )
    assert medication.status_code == 201, medication.json
    body = {"kind": "medication", "medication_id": medication.json["id"], "channels": channels}
    rule = client.post("/api/v1/reminders", json=body)
    assert rule.status_code == 201, rule.json
    assert rule.json["next_due_at"] == DUE.isoformat()
    return rule.json


def subscribe(client, app, service):
    """Subscribe ``client``'s browser to the local push service, as a browser does."""
    subscription = service.subscribe(vapid_keys(app.config, app.instance_path))
    response = client.post("/api/v1/push-subscriptions", json=subscription)
    assert response.status_code == 201, response.json
    return subscription


def run_tick(app, now):
    with app.app_context():
        return tick(now)


def deliveries(app):
    with app.app_context():
        rows = db.session.scalars(select(Delivery).order_by(Delivery.due_at)).all()
        db.session.expunge_all()
        return rows


def inbox(app):
    with app.app_context():
        rows = db.session.scalars(select(Notification)).all()
        db.session.expunge_all()
        return rows


# Web Push


def test_a_due_reminder_reaches_the_browser_signed_and_without_health_data(app, patient, service):
    subscribe(patient, app, service)
    medication_rule(patient, ["in_app", "push"])
    report = run_tick(app, DUE)

    assert (report.claimed, report.sent, report.failed) == (1, 1, 0)
    [delivery] = deliveries(app)
    [notification] = inbox(app)
    [request] = service.received
    assert request.message == {
        "kind": "medication",
        "title": "Pain Diary",
        "body": "Time for your 08:00 medication",
        "url": "/today#medications",
        "tag": str(delivery.id),
        "notification_id": str(notification.id),
    }
    sent = json.dumps(request.message)
    for health_data in (DRUG, INGREDIENT, AMOUNT, "mg"):
        assert health_data not in sent
    assert DRUG in notification.body  # the inbox, behind sign-in, names it
    assert request.headers["Topic"] == delivery.id.hex
    assert request.headers["TTL"] == str(int(GRACE.total_seconds()))
    assert request.claims["aud"] == service.origin
    assert request.claims["sub"] == SUBJECT
    assert delivery.status == "done"
    assert delivery.outcomes == {"in_app": {"status": "sent"}, "push": {"status": "sent"}}


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_says_is_gone_is_deleted(app, patient, service, status):
    subscribe(patient, app, service)
    medication_rule(patient, ["in_app", "push"])
    service.status = status
    run_tick(app, DUE)

    assert len(service.received) == 1
    [delivery] = deliveries(app)
    assert delivery.outcomes["push"] == {"status": "skipped", "reason": "subscription_gone"}
    assert patient.get("/api/v1/push-subscriptions").json == []
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []


def test_a_failing_push_service_is_retried_with_backoff_then_recorded_as_failed(
    app, patient, service
):
    subscribe(patient, app, service)
    medication_rule(patient, ["in_app", "push"])
    service.status = 500
    run_tick(app, DUE)
    [delivery] = deliveries(app)
    assert delivery.outcomes == {
        "in_app": {"status": "sent"},
        "push": {"status": "retrying", "reason": "http_500"},
    }
    assert delivery.status == "pending"

    tries = [DUE]
    while (pending := deliveries(app)[0]).status == "pending":
        assert run_tick(app, pending.send_at - timedelta(seconds=1)).claimed == 0
        tries.append(pending.send_at)
        run_tick(app, pending.send_at)

    assert [t - DUE for t in tries] == [timedelta(minutes=m) for m in (0, 1, 3, 7, 15, 30)]
    assert len(service.received) == len(tries)
    [delivery] = deliveries(app)
    assert delivery.outcomes == {
        "in_app": {"status": "sent"},
        "push": {"status": "failed", "reason": "http_500"},
    }
    assert delivery.finished_at == DUE + GRACE
    assert len(inbox(app)) == 1  # the retries are push's: the inbox has the reminder once
    assert {r.message["tag"] for r in service.received} == {str(delivery.id)}


def test_a_retried_push_still_names_the_inbox_notification(app, patient, service):
    subscribe(patient, app, service)
    medication_rule(patient, ["in_app", "push"])
    service.status = 500
    run_tick(app, DUE)
    run_tick(app, DUE + timedelta(minutes=1))

    [notification] = inbox(app)
    ids = [request.message["notification_id"] for request in service.received]
    assert ids == [str(notification.id)] * 2


# Email


def test_an_email_reminder_has_the_headline_and_the_settings_link_only(app, patient, smtp_server):
    mailbox = Inbox()
    app.config.update(mail_config(smtp_server(mailbox)))
    medication_rule(patient, ["email"])
    report = run_tick(app, DUE)

    assert (report.claimed, report.sent) == (1, 1)
    [envelope] = mailbox.envelopes
    assert envelope.rcpt_tos == [patient.user.email]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Time for your 08:00 medication"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "https://diary.example/reminders" in text
    assert '<a href="https://diary.example/reminders">' in html
    raw = envelope.content.decode()
    for health_data in (DRUG, INGREDIENT, AMOUNT):
        assert health_data not in raw
    [delivery] = deliveries(app)
    assert delivery.outcomes == {"email": {"status": "sent"}}
    assert inbox(app) == []


def test_without_a_mail_server_email_is_skipped(app, patient):
    medication_rule(patient, ["in_app", "email"])
    report = run_tick(app, DUE)

    [delivery] = deliveries(app)
    assert delivery.outcomes == {
        "in_app": {"status": "sent"},
        "email": {"status": "skipped", "reason": "email_not_configured"},
    }
    assert (report.sent, report.failed) == (1, 0)


# Logs


@pytest.mark.parametrize(
    ("push_status", "mailbox"), [(201, Inbox), (500, RefusingInbox)], ids=["sent", "failed"]
)
def test_a_tick_logs_no_medication_and_no_endpoint(
    app, patient, service, smtp_server, caplog, push_status, mailbox
):
    app.config.update(mail_config(smtp_server(mailbox())))
    subscription = subscribe(patient, app, service)
    medication_rule(patient, ["in_app", "push", "email"])
    service.status = push_status
    caplog.set_level(logging.DEBUG)
    run_tick(app, DUE)

    assert len(service.received) == 1
    # The SMTP server under test is not the app: what it logs of a session is its own.
    records = [r for r in caplog.records if not r.name.startswith("mail.log")]
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in records)
    token = subscription["endpoint"].rpartition("/")[2]
    for secret in (DRUG, INGREDIENT, AMOUNT, subscription["endpoint"], token):
        assert secret not in logged
    failures = [r for r in records if r.name == "pain_diary.reminders.sending"]
    assert len(failures) == (0 if push_status == 201 else 2)


def test_the_inbox_notification_is_written_once_whatever_the_channels(app, patient, service):
    subscribe(patient, app, service)
    rule = medication_rule(patient, ["in_app", "push"])
    run_tick(app, DUE)
    run_tick(app, DUE)

    [notification] = inbox(app)
    assert (str(notification.rule_id), notification.due_at) == (rule["id"], DUE)
    assert len(service.received) == 1
    assert uuid.UUID(service.received[0].message["tag"]) == notification.delivery_id
