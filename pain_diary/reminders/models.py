"""Reminder rules, the deliveries the scheduler claims, the in-app inbox and push subscriptions."""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, user_reference, utcnow, uuid_primary_key

KINDS = ("pain_log", "sleep_log", "medication", "therapy")
CHANNELS = ("in_app", "push", "email")


class ReminderRule(db.Model):
    """When to remind a patient of what, and how.

    A medication rule keeps a copy of its medication's times, weekdays and dates, refreshed when
    the medication is saved, so the scheduler reads rules alone. ``next_due_at`` is the next
    occurrence (None when disabled or when no occurrence is left); ``timezone`` is the zone it
    was computed in, so that a change of zone can be told from the wall clock of ``last_due_at``.
    """

    __tablename__ = "reminder_rules"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    patient_id: Mapped[uuid.UUID] = user_reference()
    kind: Mapped[str] = mapped_column(String(20))
    medication_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("medications.id", ondelete="CASCADE"), index=True
    )
    times: Mapped[list] = mapped_column(JSON)
    days_of_week: Mapped[list] = mapped_column(JSON, default=list)
    dates: Mapped[list | None] = mapped_column(JSON)
    first_day: Mapped[date | None]
    last_day: Mapped[date | None]
    channels: Mapped[list] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(default=True)
    follow_up: Mapped[dict | None] = mapped_column(JSON)
    timezone: Mapped[str] = mapped_column(String(64))
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(db.Model):
    """One send of a rule, keyed by the instant it is due: claimed once, whoever claims it.

    ``occurrence_at`` is the scheduled occurrence a follow-up or a snooze belongs to (the dose
    it asks about); for the occurrence itself it equals ``due_at``. ``status`` is ``pending``
    (a follow-up, snooze or retry waiting for ``send_at``), ``sending`` (claimed; ``send_at`` is
    then the end of the claim's lease) or ``done``; ``outcomes`` holds per channel
    ``{"status": sent | skipped | failed, "reason": ...}``, and ``sending`` or ``retrying`` for a
    channel not sent yet.
    """

    __tablename__ = "reminder_deliveries"
    __table_args__ = (
        UniqueConstraint("rule_id", "due_at"),
        Index("ix_reminder_deliveries_status_send_at", "status", "send_at"),
        Index("ix_reminder_deliveries_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_primary_key()
    rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reminder_rules.id", ondelete="CASCADE"))
    patient_id: Mapped[uuid.UUID] = user_reference()
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcomes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Notification(db.Model):
    """An entry of the in-app inbox; behind sign-in, so it may name the medication."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_patient_created", "patient_id", "created_at"),
        Index("ix_notifications_patient_unread", "patient_id", "read_at"),  # the unread count
        Index("ix_notifications_created_at", "created_at"),  # the retention sweep
    )

    id: Mapped[uuid.UUID] = uuid_primary_key()
    patient_id: Mapped[uuid.UUID] = user_reference(index=False)
    rule_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reminder_rules.id", ondelete="SET NULL"), index=True
    )
    delivery_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reminder_deliveries.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PushSubscription(db.Model):
    """A browser's Web Push subscription; the endpoint is a capability URL, never logged."""

    __tablename__ = "push_subscriptions"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    patient_id: Mapped[uuid.UUID] = user_reference()
    endpoint: Mapped[str] = mapped_column(String(2048), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
