"""Claiming what falls due: each (rule, due instant) once, however many schedulers run.

A rule is claimed by moving its ``next_due_at`` from the value read to the next occurrence with a
compare-and-set UPDATE, first in its transaction (on SQLite a write transaction that read first
could not take the lock once another process wrote); the deliveries are inserted in that same
transaction, unique per (rule, due instant). Whoever loses the UPDATE changes nothing. A
follow-up, snooze or retry is a ``pending`` delivery, claimed by moving it to ``sending``.

A claimed delivery holds a lease: its ``send_at`` is moved ``LEASE`` ahead, and the process
sending it moves it on while it works. One left ``sending`` by a process that died is claimed
again once its lease has run out, and its unsent channels are sent then (DESIGN §5).

Nothing here commits: the caller writes the in-app notifications in the claim's transaction.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..database import plain_rows
from ..extensions import db
from .models import Delivery, ReminderRule
from .schedule import next_occurrence, plan_of

#: Rules claimed per transaction: the tick loops until nothing is due.
BATCH = 500
#: Missed occurrences recorded per rule and tick after a long downtime; the rest are passed over.
BACKLOG = 50
#: The smallest step of a datetime: the occurrence exactly at the grace period's edge is in it.
_INSTANT = timedelta(microseconds=1)
#: How long a claim is its process's alone: after that a later tick takes up what it left unsent.
LEASE = timedelta(minutes=2)

_RULE_COLUMNS = (
    ReminderRule.id, ReminderRule.patient_id, ReminderRule.kind, ReminderRule.medication_id,
    ReminderRule.times, ReminderRule.days_of_week, ReminderRule.dates, ReminderRule.first_day,
    ReminderRule.last_day, ReminderRule.channels, ReminderRule.follow_up, ReminderRule.timezone,
    ReminderRule.enabled, ReminderRule.next_due_at,
)  # fmt: skip


@dataclass
class Claim:
    """A delivery this process claimed and now sends, with what it needs of the rule."""

    id: object
    rule: object
    due_at: datetime
    occurrence_at: datetime
    reason: str  # scheduled, follow_up or snooze
    attempts: int = 0
    outcomes: dict = field(default_factory=dict)  # per channel; empty until opened
    next_due_at: datetime | None = None  # the rule's next occurrence after this one


def _insert(rows, take_over_pending=False):
    """INSERT delivery rows, leaving out any whose (rule, due instant) exists already.

    With ``take_over_pending``, a row that is still ``pending`` at that instant (a snooze or a
    follow-up ending on the rule's next occurrence) becomes the new row instead: one reminder
    at that instant, not a second one, nor a claim of a row that was never written. Returns the
    ``{(rule_id, due_at): id}`` of the rows written.
    """
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = Delivery.__table__
    statement = dialect.insert(table)
    if take_over_pending:
        statement = statement.on_conflict_do_update(
            index_elements=["rule_id", "due_at"],
            set_={name: statement.excluded[name] for name in _TAKEN_OVER},
            where=table.c.status == "pending",
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["rule_id", "due_at"])
    written = db.session.execute(
        statement.returning(table.c.id, table.c.rule_id, table.c.due_at), rows
    )
    return {(row.rule_id, row.due_at): row.id for row in written}


#: What a scheduled occurrence writes over a pending row of the same instant; its id stays.
_TAKEN_OVER = ("occurrence_at", "reason", "status", "send_at", "attempts", "outcomes",
               "created_at", "finished_at")  # fmt: skip


def _missed(rule, now, grace):
    """The rule's occurrences from ``next_due_at`` up to ``now`` and the one after them.

    After a long downtime only the first ``BACKLOG`` are listed (recorded late) and the rest are
    passed over, except those still within the grace period, however long the downtime: the
    reminder that fell due a minute ago is sent.
    """
    plan, tz = plan_of(rule), ZoneInfo(rule.timezone)
    due, missed = rule.next_due_at, []
    while due is not None and due <= now:
        if len(missed) == BACKLOG:  # months of downtime: recorded in part, not a flood
            recent = max(missed[-1], now - grace - _INSTANT)
            due = next_occurrence(plan, tz, recent)
            while due is not None and due <= now:
                missed.append(due)
                due = next_occurrence(plan, tz, due)
            break
        missed.append(due)
        due = next_occurrence(plan, tz, due)
    return missed, due


_rules = ReminderRule.__table__
#: Built once: a Core statement with bound parameters skips the ORM's per-call coercions.
_MOVE = (
    update(_rules)
    .where(_rules.c.id == bindparam("rule_id"), _rules.c.next_due_at == bindparam("read"))
    .values(next_due_at=bindparam("following"), last_due_at=bindparam("last"))
)


def claim_due_rules(now, grace):
    """Claim the rules due at ``now``; return the claims to send (late ones are recorded).

    Returns ``(claims, late)``, or None when nothing was due; ``claims`` may be empty when
    another scheduler won them all. ``late`` counts occurrences recorded as skipped. No commit.
    """
    rows = plain_rows(
        select(*_RULE_COLUMNS)
        .where(ReminderRule.next_due_at <= now)
        .order_by(ReminderRule.next_due_at)
        .limit(BATCH)
    )
    db.session.rollback()  # end the read: the claim's transaction starts with its UPDATE
    if not rows:
        return None
    claims, deliveries, late_count = [], [], 0
    connection = db.session.connection()
    for rule in sorted(rows, key=lambda rule: rule.id):  # one lock order for every scheduler
        missed, following = _missed(rule, now, grace)
        moved = connection.execute(
            _MOVE,
            {
                "rule_id": rule.id,
                "read": rule.next_due_at,
                "following": following,
                "last": missed[-1],
            },
        )
        if moved.rowcount != 1:
            continue  # another scheduler claimed it, or the patient just changed it
        for due in missed:
            late = now - due > grace
            delivery = _delivery_row(rule, due, due, "scheduled", now, late)
            deliveries.append(delivery)
            late_count += late
            if not late:
                claims.append(Claim(delivery["id"], rule, due, due, "scheduled",
                                    next_due_at=following))  # fmt: skip
    written = _insert(deliveries, take_over_pending=True) if deliveries else {}
    for claim in claims:  # the id of a pending row taken over, or none: another one sends it
        claim.id = written.get((claim.rule.id, claim.due_at))
    return [claim for claim in claims if claim.id is not None], late_count


def _delivery_row(rule, due_at, occurrence_at, reason, now, late):
    outcomes = {channel: {"status": "skipped", "reason": "late"} for channel in rule.channels}
    return {
        "id": uuid.uuid4(),
        "rule_id": rule.id,
        "patient_id": rule.patient_id,
        "due_at": due_at,
        "occurrence_at": occurrence_at,
        "reason": reason,
        "status": "done" if late else "sending",
        "send_at": due_at if late else now + LEASE,
        "attempts": 0,
        "outcomes": outcomes if late else {},
        "created_at": now,
        "finished_at": now if late else None,
    }


def queue(rule_id, patient_id, due_instants, occurrence_at, reason, now):
    """Add pending deliveries of a rule at ``due_instants`` (follow-ups, a snooze); no commit.

    An instant the rule already has a delivery for is left out: one reminder at a time.
    """
    rows = [
        {"id": uuid.uuid4(), "rule_id": rule_id, "patient_id": patient_id, "due_at": due,
         "occurrence_at": occurrence_at, "reason": reason, "status": "pending", "send_at": due,
         "attempts": 0, "outcomes": {}, "created_at": now, "finished_at": None}
        for due in due_instants
    ]  # fmt: skip
    if rows:
        _insert(rows)


def claim_pending(now):
    """Claim what waits and whose time has come: follow-ups, snoozes, retries, and deliveries
    whose process died while sending them (their lease ran out). No commit.
    """
    d = Delivery
    ready = (d.status.in_(("pending", "sending")), d.send_at <= now)
    waiting = select(d.id).where(*ready).order_by(d.send_at).limit(BATCH)
    claimed = db.session.execute(
        update(d)
        .where(d.id.in_(waiting.scalar_subquery()), *ready)
        .values(status="sending", send_at=now + LEASE)
        .returning(d.id, d.rule_id, d.due_at, d.occurrence_at, d.reason, d.attempts, d.outcomes)
        .execution_options(synchronize_session=False)
    ).all()
    rules = {}
    if claimed:
        statement = select(*_RULE_COLUMNS).where(ReminderRule.id.in_({r.rule_id for r in claimed}))
        rules = {rule.id: rule for rule in plain_rows(statement)}
    return [
        Claim(row.id, rules[row.rule_id], row.due_at, row.occurrence_at, row.reason,
              row.attempts, row.outcomes or {})
        for row in claimed
    ]  # fmt: skip


def extend_lease(claim_ids, until):
    """Keep the claims this process is still sending its own until ``until``. No commit."""
    for start in range(0, len(claim_ids), BATCH):  # SQLite takes some 32,000 parameters at most
        db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(claim_ids[start : start + BATCH]), Delivery.status == "sending")
            .values(send_at=until)
            .execution_options(synchronize_session=False)
        )
