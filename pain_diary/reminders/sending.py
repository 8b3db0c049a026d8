"""Push and email for the claims a tick opened: all at once, each within a deadline.

Sends run on a pool of threads, so that no endpoint or mail server holds up another patient's
reminder by more than a send's own deadline (DESIGN §5); the threads only talk to the network,
and this module's caller's thread records each delivery's outcome as soon as all its sends are
back. A send that fails in any way is that delivery's failure alone. While sends are under way
the claims' lease is moved on, so that no other scheduler takes them up meanwhile.
"""

import logging
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import time as clock_time
from datetime import timedelta

from sqlalchemy import delete, update

from ..extensions import db
from .channels.email import EmailFailed, reminder_email, send_email
from .channels.push import send_push
from .claims import LEASE, extend_lease
from .messages import push_payload
from .models import Delivery, PushSubscription

log = logging.getLogger(__name__)

#: Sends at once: enough that a few endpoints that never answer leave the others a free hand.
WORKERS = 16
#: Waits before the next try of a failed push or email: 1, 2, 4, 8 then 15 minutes.
RETRY_BACKOFF = tuple(timedelta(minutes=m) for m in (1, 2, 4, 8, 15))
#: Failures that a later try cannot mend: recorded at once rather than retried.
FINAL = frozenset(
    {"invalid_address", "invalid_subscription", "invalid_endpoint", "forbidden_address"}
)
#: How often the lease of the claims still being sent is moved on.
HEARTBEAT = LEASE.total_seconds() / 4


@dataclass
class Outgoing:
    """A claim opened with push or email left to send, and what sending it needs."""

    claim: object
    patient: object  # id, email, display_name, timezone, quiet hours
    channels: list  # "push", "email"
    subscriptions: list  # the patient's push subscriptions (plain rows)
    inbox_id: object  # the in-app notification a push names, or None
    clock: clock_time  # the local time of the occurrence ("Time for your 20:00 medication")
    reminder: object  # its record type's declaration (sync.registry.Reminder): page, headline
    outcomes: dict
    answers: dict = field(default_factory=dict)  # channel -> [(subscription id, outcome)]
    waiting: int = 0


class Lease:
    """Moves on the lease of the claims this process still holds, every ``HEARTBEAT``.

    The tick's clock may be one it was given (``--at``): the lease runs from that instant plus
    the time the tick has taken so far.
    """

    def __init__(self, now):
        self.now = now
        self.started = self.beat = time.monotonic()

    def keep(self, claim_ids):
        if claim_ids and time.monotonic() - self.beat > HEARTBEAT:
            self.beat = time.monotonic()
            elapsed = timedelta(seconds=self.beat - self.started)
            extend_lease(claim_ids, self.now + elapsed + LEASE)
            db.session.commit()


def send_all(outgoing, settings, lease, report):
    """Send every channel of ``outgoing`` concurrently; record each delivery when it is done."""
    if not outgoing:
        return
    now = lease.now
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="send") as pool:
        futures = {}
        for item in outgoing:
            for job, subscription_id in _jobs(item, settings):
                futures[pool.submit(_safely, job)] = (item, subscription_id)
                item.waiting += 1
        unfinished = {item.claim.id: item for item in outgoing}
        while futures:
            done, _ = wait(futures, timeout=HEARTBEAT, return_when=FIRST_COMPLETED)
            finished = []
            for future in done:
                item, subscription_id = futures.pop(future)
                channel, answer = future.result()
                item.answers.setdefault(channel, []).append((subscription_id, answer))
                item.waiting -= 1
                if not item.waiting:
                    finished.append(unfinished.pop(item.claim.id))
            if finished:
                _record(finished, settings, now, report)
            lease.keep(list(unfinished))


def _jobs(item, settings):
    """``(callable, subscription id)`` for each send of ``item``: one per browser, one email."""
    claim, config = item.claim, settings.config
    if "push" in item.channels:
        payload = push_payload(item.reminder, item.clock, claim.id, item.inbox_id)
        for subscription in item.subscriptions:
            target = {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            }

            def push(target=target):
                return "push", _push_outcome(send_push(
                    target, payload, keys=settings.keys, subject=config["VAPID_SUBJECT"],
                    ttl=int(settings.grace.total_seconds()), topic=claim.id.hex,
                    allow_private=config["PUSH_ALLOW_HTTP"],
                ))  # fmt: skip

            yield push, subscription.id
    if "email" in item.channels:
        patient = item.patient
        subject, text, html = reminder_email(
            config, patient.display_name, item.reminder.headline(item.clock)
        )

        def email():
            try:
                send_email(config, patient.email, subject, text, html)
            except EmailFailed as failure:
                return "email", {"status": "failed", "reason": failure.reason}
            return "email", {"status": "sent"}

        yield email, None


def _push_outcome(answer):
    if answer.status == "failed":
        return {"status": "failed", "reason": answer.reason}
    return {"status": answer.status}  # sent, or gone: the subscription is to be deleted


def _safely(job):
    """Run one send; whatever goes wrong in it is that send's failure, never the tick's."""
    try:
        return job()
    except Exception as error:
        # The type alone: a message could quote an address or an endpoint.
        log.error("a reminder send failed: %s", type(error).__name__)
        return job.__name__, {"status": "failed", "reason": "internal_error"}


def _record(finished, settings, now, report):
    """Write the outcomes of the deliveries whose sends are all back, in one transaction."""
    updates, gone = [], set()
    for item in finished:
        claim, outcomes, retry_at = item.claim, item.outcomes, None
        for channel, answers in item.answers.items():
            gone.update(sid for sid, answer in answers if answer["status"] == "gone")
            outcome = _channel_outcome(answers)
            if outcome["status"] == "failed":
                log.warning("%s for delivery %s failed: %s", channel, claim.id, outcome["reason"])
            if outcome["status"] == "failed":
                outcome, retry_at = _retry(outcome, claim, settings, now, retry_at)
            outcomes[channel] = outcome
        done = retry_at is None
        updates.append({
            "id": claim.id, "outcomes": outcomes, "status": "done" if done else "pending",
            "send_at": retry_at or claim.due_at, "attempts": claim.attempts + (not done),
            "finished_at": now if done else None,
        })  # fmt: skip
        if done:
            report.count(outcomes)
    db.session.execute(update(Delivery), updates)
    if gone:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
    db.session.commit()


def _channel_outcome(answers):
    """One channel's outcome from its sends: sent if any browser got it."""
    outcomes = [answer for _, answer in answers]
    if any(outcome["status"] == "sent" for outcome in outcomes):
        return {"status": "sent"}
    failures = [outcome for outcome in outcomes if outcome["status"] == "failed"]
    if failures:
        return failures[0]
    return {"status": "skipped", "reason": "subscription_gone"}


def _retry(outcome, claim, settings, now, retry_at):
    """A failed channel is tried again later while the reminder is within its grace period."""
    if outcome["reason"] in FINAL:
        return outcome, retry_at
    attempt = min(claim.attempts, len(RETRY_BACKOFF) - 1)
    again = now + RETRY_BACKOFF[attempt]
    if again > claim.due_at + settings.grace:
        return outcome, retry_at
    return {**outcome, "status": "retrying"}, min(retry_at or again, again)
