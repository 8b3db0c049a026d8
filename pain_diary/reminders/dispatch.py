"""One scheduler tick: claim what is due, open it, send it, record the outcome.

A claim is opened in the claim's own transaction (DESIGN §5): checked still wanted (not late,
not logged already, not a follow-up of a rule since turned off), its in-app notification
written, the channels that will not be used recorded with their reason (quiet hours, nothing
configured, no subscription) and its follow-ups queued. So the inbox never waits for a network
and never loses a reminder to a crash. Push and email go out after that commit, all of the
tick's at once (``sending.py``), each delivery's outcome recorded as soon as it is known.

Each delivery records per channel ``sent``, ``skipped`` (with the reason) or ``failed``; while
it is claimed, a channel still to send is ``sending`` (or ``retrying`` between two tries).
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
from ..medications.queries import medication_labels
from ..sync.registry import registry
from ..types import utcnow
from . import claims as claiming
from .channels.email import email_configured
from .messages import inbox_entry
from .models import Delivery, Notification, PushSubscription
from .schedule import in_quiet_hours, wall_clock
from .sending import Lease, Outgoing, send_all
from .vapid import vapid_keys

log = logging.getLogger(__name__)

NETWORK_CHANNELS = ("push", "email")
#: The channel states of a claim that still has to send on that channel.
UNSENT = ("sending", "retrying")


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


@dataclass
class Settings:
    """What a tick reads of the configuration once: the grace period, keys, mail."""

    config: dict
    grace: timedelta
    keys: object  # the VAPID key pair, or None: push is not configured
    email_on: bool


def tick(now=None):
    """Send every reminder due at ``now`` (default: the clock) and return what happened."""
    now = now or utcnow()
    config = current_app.config
    settings = Settings(
        config=config,
        grace=timedelta(minutes=config["REMINDER_GRACE_MINUTES"]),
        keys=vapid_keys(config, current_app.instance_path),
        email_on=email_configured(config),
    )
    report, lease = TickReport(), Lease(now)
    outgoing = []
    while (claimed := claiming.claim_due_rules(now, settings.grace)) is not None:
        batch, late = claimed
        if late:  # missed by more than the grace period: recorded, not sent
            report.skipped["late"] = report.skipped.get("late", 0) + late
        outgoing += open_claims(batch, settings, now, report)
        lease.keep([item.claim.id for item in outgoing])
    while True:
        batch = claiming.claim_pending(now)
        outgoing += open_claims(batch, settings, now, report)  # commits, even an empty claim:
        if not batch:  # on SQLite its UPDATE holds the write lock until then
            break
        lease.keep([item.claim.id for item in outgoing])
    send_all(outgoing, settings, lease, report)
    return report


def already_logged(batch, patients, reminders):
    """DESIGN §5: the claims whose entry is in the diary already, one statement per kind.

    Each record type's reminder says what answers it (sync.registry.Reminder): a pain check-in
    a pain entry on the local day of its occurrence, a sleep diary the night that ended (the
    evening before), a dose its dose event.
    """
    wanted = {kind: {} for kind, reminder in reminders.items() if reminder.answered}
    for claim in batch:
        rule = claim.rule
        if rule.kind not in wanted:
            continue
        day = local_date(claim.occurrence_at, ZoneInfo(patients[rule.patient_id].timezone))
        key = reminders[rule.kind].answered.key(rule, claim.occurrence_at, day)
        wanted[rule.kind].setdefault(key, []).append(claim.id)
    return {
        claim_id
        for kind, keys in wanted.items()
        if keys
        for key in reminders[kind].answered.found(keys)
        for claim_id in keys[key]
    }


class _Batch:
    """What opening a batch of claims reads once: the patients, their browsers, the inbox."""

    def __init__(self, batch):
        patient_ids = {claim.rule.patient_id for claim in batch}
        self.patients = recipients(patient_ids)
        self.subscriptions = {}
        s = PushSubscription
        statement = select(s.id, s.patient_id, s.endpoint, s.p256dh, s.auth).where(
            s.patient_id.in_(patient_ids)
        )
        for subscription in plain_rows(statement):
            self.subscriptions.setdefault(subscription.patient_id, []).append(subscription)
        fresh = [claim for claim in batch if not claim.outcomes]
        self.reminders = {reminder.kind: reminder for reminder in registry().parts("reminders")}
        self.logged = already_logged(fresh, self.patients, self.reminders)
        self.labels = medication_labels(
            {c.rule.medication_id for c in fresh if c.rule.medication_id}
        )
        # A retry, or a claim taken up after a crash, sends the notification written at first.
        opened = [claim.id for claim in batch if claim.outcomes]
        statement = select(Notification.delivery_id, Notification.id).where(
            Notification.delivery_id.in_(opened)
        )
        self.inbox_ids = dict(db.session.execute(statement).all()) if opened else {}
        self.notifications = []


def open_claims(batch, settings, now, report):
    """Open each claim of ``batch`` and commit the claim's transaction; return what to send."""
    if not batch:
        db.session.commit()
        return []
    report.claimed += len(batch)
    context = _Batch(batch)
    updates, outgoing = [], []
    for claim in batch:
        try:
            outcomes, sending = _open(claim, context, settings, now)
        except Exception as error:  # one reminder's data must not stop the others
            log.error("opening delivery %s failed: %s", claim.id, type(error).__name__)
            outcomes = _everywhere(claim.rule.channels, "failed", "internal_error")
            sending = None
        if sending:
            outgoing.append(sending)
        else:
            report.count(outcomes)
        updates.append({
            "id": claim.id, "outcomes": outcomes, "status": "sending" if sending else "done",
            "finished_at": None if sending else now,
        })  # fmt: skip
    db.session.execute(update(Delivery), updates)
    if context.notifications:
        db.session.execute(insert(Notification), context.notifications)
    db.session.commit()
    return outgoing


def _everywhere(channels, status, reason):
    return {channel: {"status": status, "reason": reason} for channel in channels}


def _skip_reason(claim, context, settings, now):
    """Why a claim opened for the first time is not sent at all, or None."""
    if now - claim.due_at > settings.grace:
        return "late"
    if claim.reason == "follow_up" and not claim.rule.enabled:
        return "rule_disabled"
    if claim.id in context.logged:
        return "already_logged"
    return None


def _open(claim, context, settings, now):
    """Decide a claim's channels: ``(outcomes, the Outgoing to send or None)``."""
    rule = claim.rule
    patient = context.patients[rule.patient_id]
    clock = wall_clock(claim.occurrence_at, ZoneInfo(rule.timezone)).time()
    outcomes = dict(claim.outcomes)
    inbox_id = context.inbox_ids.get(claim.id)
    if not outcomes:  # opened for the first time
        if reason := _skip_reason(claim, context, settings, now):
            return _everywhere(rule.channels, "skipped", reason), None
        if "in_app" in rule.channels:
            inbox_id = _write_inbox_entry(claim, context, clock, now)
            outcomes["in_app"] = {"status": "sent"}
        outcomes.update({c: {"status": "sending"} for c in rule.channels if c in NETWORK_CHANNELS})
        if claim.reason == "scheduled":
            _queue_follow_ups(claim, now)
    unsent = [name for name, outcome in outcomes.items() if outcome["status"] in UNSENT]
    quiet = in_quiet_hours(
        now, ZoneInfo(patient.timezone), patient.quiet_hours_start, patient.quiet_hours_end
    )
    subscriptions = context.subscriptions.get(patient.id, [])
    for name in unsent:
        if reason := _unusable(name, claim, settings, now, quiet, subscriptions):
            outcomes[name] = {"status": "skipped", "reason": reason}
    channels = [name for name in unsent if outcomes[name]["status"] in UNSENT]
    if not channels:
        return outcomes, None
    reminder = context.reminders[rule.kind]
    return outcomes, Outgoing(
        claim, patient, channels, subscriptions, inbox_id, clock, reminder, outcomes
    )


def _unusable(channel, claim, settings, now, quiet, subscriptions):
    """Why ``channel`` is not sent now, or None."""
    if now - claim.due_at > settings.grace:  # a retry or a claim taken up too late
        return "late"
    if quiet:
        return "quiet_hours"
    if channel == "email":
        return None if settings.email_on else "email_not_configured"
    if settings.keys is None:
        return "push_not_configured"
    return None if subscriptions else "no_subscription"


def _write_inbox_entry(claim, context, clock, now):
    rule = claim.rule
    reminder = context.reminders[rule.kind]
    title, body = inbox_entry(reminder, clock, context.labels.get(rule.medication_id))
    notification_id = uuid.uuid4()
    context.notifications.append({
        "id": notification_id, "patient_id": rule.patient_id, "rule_id": rule.id,
        "delivery_id": claim.id, "kind": rule.kind, "title": title, "body": body,
        "url": reminder.url, "due_at": claim.occurrence_at, "created_at": now,
        "read_at": None, "snoozed_until": None,
    })  # fmt: skip
    return notification_id


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


def snooze(notification, minutes, now=None):
    """Send the notification's reminder once more in ``minutes``; mark it read. No commit.

    A reminder has one pending snooze at most: a second one replaces the first.
    """
    now = now or utcnow()
    until = now + timedelta(minutes=minutes)
    if notification.rule_id is not None:
        d = Delivery
        db.session.execute(
            delete(d).where(
                d.rule_id == notification.rule_id,
                d.occurrence_at == notification.due_at,
                d.reason == "snooze",
                d.status == "pending",
            )
        )
        claiming.queue(notification.rule_id, notification.patient_id, [until],
                       notification.due_at, "snooze", now)  # fmt: skip
    notification.read_at = notification.read_at or now
    notification.snoozed_until = until
    return until
