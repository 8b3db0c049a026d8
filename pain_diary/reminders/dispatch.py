"""One scheduler tick: claim what is due, check it is still wanted, send it, record the outcome.

Each delivery records per channel ``sent``, ``skipped`` (with the reason) or ``failed``. Push
and email go out after the claim has committed; a push service or mail server that fails is
tried again with backoff while the reminder is within the grace period, then recorded as failed.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, insert, select, update

from ..accounts.queries import recipients
from ..database import plain_rows
from ..extensions import db
from ..localtime import local_date
from ..medications.queries import answered_doses, medication_labels
from ..records.queries import logged_days, logged_nights
from ..types import utcnow
from . import claims as claiming
from .channels.email import EmailFailed, email_configured, reminder_email, send_email
from .channels.push import send_push
from .messages import URLS, headline, inbox_entry, push_payload
from .models import Delivery, Notification, PushSubscription
from .schedule import in_quiet_hours, wall_clock
from .vapid import vapid_keys

log = logging.getLogger(__name__)

#: Waits before the next try of a failed push or email: 1, 2, 4, 8 then 15 minutes.
RETRY_BACKOFF = tuple(timedelta(minutes=m) for m in (1, 2, 4, 8, 15))
NETWORK_CHANNELS = ("push", "email")


@dataclass
class TickReport:
    claimed: int = 0
    sent: int = 0
    skipped: dict = field(default_factory=dict)  # reason -> deliveries
    failed: int = 0

    def count(self, outcomes):
        statuses = {outcome["status"] for outcome in outcomes.values()}
        if "sent" in statuses:
            self.sent += 1
        elif "failed" in statuses:
            self.failed += 1
        elif statuses == {"skipped"}:
            reason = next(iter(outcomes.values()))["reason"]
            self.skipped[reason] = self.skipped.get(reason, 0) + 1


def tick(now=None):
    """Send every reminder due at ``now`` (default: the clock) and return what happened."""
    now = now or utcnow()
    grace = timedelta(minutes=current_app.config["REMINDER_GRACE_MINUTES"])
    report = TickReport()
    while (claimed := claiming.claim_due_rules(now, grace)) is not None:
        batch, late = claimed
        if late:  # missed by more than the grace period: recorded, not sent
            report.skipped["late"] = report.skipped.get("late", 0) + late
        deliver(batch, now, grace, report)
    while batch := claiming.claim_pending(now):
        deliver(batch, now, grace, report)
    return report


class _Channels:
    """What sending needs once per batch: keys, mail settings, the patients, their browsers."""

    def __init__(self, batch, grace):
        config = current_app.config
        patient_ids = {claim.rule.patient_id for claim in batch}
        self.config = config
        self.grace = grace
        self.patients = recipients(patient_ids)
        self.keys = vapid_keys(config, current_app.instance_path)
        self.email_on = email_configured(config)
        self.subscriptions = {}
        # Plain rows, not ORM objects: the rollback below would expire those, and reading their
        # endpoints would then open a transaction again for the whole time push is sent.
        s = PushSubscription
        statement = select(s.id, s.patient_id, s.endpoint, s.p256dh, s.auth).where(
            s.patient_id.in_(patient_ids)
        )
        for subscription in plain_rows(statement):
            self.subscriptions.setdefault(subscription.patient_id, []).append(subscription)
        medication_ids = {c.rule.medication_id for c in batch if c.rule.medication_id}
        self.labels = medication_labels(medication_ids)
        self.logged = already_logged(batch, self.patients)
        # A retry sends the push again with the inbox entry its first attempt wrote.
        retried = [claim.id for claim in batch if claim.attempts]
        statement = select(Notification.delivery_id, Notification.id).where(
            Notification.delivery_id.in_(retried)
        )
        self.inbox_ids = dict(db.session.execute(statement).all()) if retried else {}
        db.session.rollback()  # nothing is held open while the network is used
        self.gone = set()


def already_logged(batch, patients):
    """DESIGN §5: the claims whose entry is in the diary already, one statement per kind.

    A pain check-in is logged when the local day of its occurrence has a pain entry; a sleep
    diary when the night that ended (the evening before) has a sleep entry; a dose when it has
    a dose event.
    """
    wanted = {"pain_log": {}, "sleep_log": {}, "medication": {}}
    for claim in batch:
        rule = claim.rule
        if rule.kind not in wanted:
            continue
        day = local_date(claim.occurrence_at, ZoneInfo(patients[rule.patient_id].timezone))
        key = {
            "pain_log": (rule.patient_id, day),
            "sleep_log": (rule.patient_id, day - timedelta(days=1)),
            "medication": (rule.medication_id, claim.occurrence_at),
        }[rule.kind]
        wanted[rule.kind].setdefault(key, []).append(claim.id)
    found = (
        *(wanted["pain_log"][key] for key in logged_days(wanted["pain_log"])),
        *(wanted["sleep_log"][key] for key in logged_nights(wanted["sleep_log"])),
        *(wanted["medication"][key] for key in answered_doses(wanted["medication"])),
    )
    return {claim_id for claim_ids in found for claim_id in claim_ids}


def _everywhere(channels, reason):
    return {channel: {"status": "skipped", "reason": reason} for channel in channels}


def deliver(batch, now, grace, report):
    """Send each claim of ``batch`` and record every outcome in one transaction."""
    if not batch:
        return
    report.claimed += len(batch)
    channels = _Channels(batch, grace)
    updates, notifications, follow_ups = [], [], []
    for claim in batch:
        outcomes, notification, retry_at = _send(claim, channels, now)
        done = retry_at is None
        updates.append({
            "id": claim.id, "outcomes": outcomes, "status": "done" if done else "pending",
            "send_at": retry_at or claim.due_at, "attempts": claim.attempts + (not done),
            "finished_at": now if done else None,
        })  # fmt: skip
        if notification:
            notifications.append(notification)
        if done:
            report.count(outcomes)
        sent = any(outcome["status"] == "sent" for outcome in outcomes.values())
        if claim.reason == "scheduled" and not claim.attempts and sent:
            follow_ups.append(claim)
    db.session.execute(update(Delivery), updates)
    if notifications:
        db.session.execute(insert(Notification), notifications)
    if channels.gone:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(channels.gone)))
    for claim in follow_ups:
        _queue_follow_ups(claim, now)
    db.session.commit()


def _queue_follow_ups(claim, now):
    """Repeat a medication reminder until its dose is logged, never past the next dose's."""
    rule = claim.rule
    if rule.kind != "medication" or not rule.follow_up:
        return
    every = timedelta(minutes=rule.follow_up["every_minutes"])
    due = [claim.due_at + every * n for n in range(1, rule.follow_up["max"] + 1)]
    # Those already past were missed while the scheduler was down: the reminder just went out,
    # and sending them now, all at once with it, would be a flood.
    due = [instant for instant in due if instant > now]
    if claim.next_due_at is not None:
        due = [instant for instant in due if instant < claim.next_due_at]
    claiming.queue(rule.id, rule.patient_id, due, claim.occurrence_at, "follow_up", now)


def _send(claim, channels, now):
    """Send one claim on its channels: (outcomes, the inbox row or None, when to retry)."""
    rule = claim.rule
    patient = channels.patients[rule.patient_id]
    tz = ZoneInfo(patient.timezone)
    outcomes = dict(claim.outcomes or {})
    retrying = [name for name, outcome in outcomes.items() if outcome["status"] == "retrying"]
    if not retrying:
        if now - claim.due_at > channels.grace:
            return _everywhere(rule.channels, "late"), None, None
        if claim.reason == "follow_up" and not rule.enabled:
            return _everywhere(rule.channels, "rule_disabled"), None, None
        if claim.id in channels.logged:
            return _everywhere(rule.channels, "already_logged"), None, None
    clock = wall_clock(claim.occurrence_at, ZoneInfo(rule.timezone)).time()
    notification, inbox_id = None, channels.inbox_ids.get(claim.id)
    if "in_app" in rule.channels and not retrying:
        title, body = inbox_entry(rule.kind, clock, channels.labels.get(rule.medication_id))
        notification = {
            "id": uuid.uuid4(), "patient_id": rule.patient_id, "rule_id": rule.id,
            "delivery_id": claim.id, "kind": rule.kind, "title": title, "body": body,
            "url": URLS[rule.kind], "due_at": claim.occurrence_at, "created_at": now,
            "read_at": None, "snoozed_until": None,
        }  # fmt: skip
        outcomes["in_app"] = {"status": "sent"}
        inbox_id = notification["id"]
    quiet = in_quiet_hours(now, tz, patient.quiet_hours_start, patient.quiet_hours_end)
    retry_at = None
    for name in retrying or [c for c in rule.channels if c in NETWORK_CHANNELS]:
        if quiet:
            outcomes[name] = {"status": "skipped", "reason": "quiet_hours"}
            continue
        send = _push if name == "push" else _email
        outcome = send(claim, channels, patient, clock, inbox_id)
        if outcome["status"] == "failed":
            outcome, retry_at = _retry(outcome, claim, channels, now, retry_at)
        outcomes[name] = outcome
    return outcomes, notification, retry_at


def _retry(outcome, claim, channels, now, retry_at):
    """A failed channel is tried again later while the reminder is within its grace period."""
    attempt = min(claim.attempts, len(RETRY_BACKOFF) - 1)
    again = now + RETRY_BACKOFF[attempt]
    if again > claim.due_at + channels.grace:
        return outcome, retry_at
    return {**outcome, "status": "retrying"}, min(retry_at or again, again)


def _push(claim, channels, patient, clock, inbox_id):
    subscriptions = channels.subscriptions.get(patient.id, [])
    if channels.keys is None:
        return {"status": "skipped", "reason": "push_not_configured"}
    if not subscriptions:
        return {"status": "skipped", "reason": "no_subscription"}
    payload = push_payload(claim.rule.kind, clock, claim.id, inbox_id)
    failures = []
    for subscription in subscriptions:
        answer = send_push(
            {"endpoint": subscription.endpoint,
             "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
            payload,
            keys=channels.keys,
            subject=channels.config["VAPID_SUBJECT"],
            ttl=int(channels.grace.total_seconds()),
            topic=claim.id.hex,
        )  # fmt: skip
        if answer.status == "gone":
            channels.gone.add(subscription.id)
        elif answer.status == "failed":
            log.warning("push to subscription %s failed: %s", subscription.id, answer.reason)
            failures.append(answer.reason)
    sent = len(subscriptions) - len(failures) - sum(s.id in channels.gone for s in subscriptions)
    if sent:
        return {"status": "sent"}
    if failures:
        return {"status": "failed", "reason": failures[0]}
    return {"status": "skipped", "reason": "subscription_gone"}


def _email(claim, channels, patient, clock, inbox_id):
    if not channels.email_on:
        return {"status": "skipped", "reason": "email_not_configured"}
    subject, text, html = reminder_email(
        channels.config, patient.display_name, headline(claim.rule.kind, clock)
    )
    try:
        send_email(channels.config, patient.email, subject, text, html)
    except EmailFailed as failure:
        log.warning("reminder email for delivery %s failed: %s", claim.id, failure.reason)
        return {"status": "failed", "reason": failure.reason}
    return {"status": "sent"}


def snooze(notification, minutes, now=None):
    """Send the notification's reminder once more in ``minutes``; mark it read. No commit."""
    now = now or utcnow()
    until = now + timedelta(minutes=minutes)
    if notification.rule_id is not None:
        claiming.queue(notification.rule_id, notification.patient_id, [until],
                       notification.due_at, "snooze", now)  # fmt: skip
    notification.read_at = notification.read_at or now
    notification.snoozed_until = until
    return until
