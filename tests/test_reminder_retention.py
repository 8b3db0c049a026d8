"""The scheduler's sweep: finished deliveries kept a month, notifications three months."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from pain_diary.reminders.models import Delivery, Notification, ReminderRule
from pain_diary.reminders.retention import sweep

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _delivery(rule, age, status="done"):
    at = NOW - age
    return Delivery(
        rule_id=rule.id, patient_id=rule.patient_id, due_at=at, occurrence_at=at,
        reason="scheduled", status=status, send_at=at, created_at=at,
    )  # fmt: skip


def _notification(rule, age):
    at = NOW - age
    return Notification(
        patient_id=rule.patient_id, rule_id=rule.id, kind="pain_log", title="Check-in",
        body="Time for your evening check-in.", url="/today", due_at=at, created_at=at,
    )  # fmt: skip


def test_sweep_deletes_what_is_past_its_keeping_time_and_keeps_the_rest(app, db, accounts):
    patient = accounts.create(role="patient")
    with app.app_context():
        rule = ReminderRule(
            patient_id=uuid.UUID(patient.id), kind="pain_log", times=["20:00"],
            channels=["in_app"], timezone="UTC",
        )  # fmt: skip
        db.session.add(rule)
        db.session.flush()
        db.session.add_all([
            _delivery(rule, timedelta(days=31)),  # swept
            _delivery(rule, timedelta(days=29)),
            _delivery(rule, timedelta(days=40), status="pending"),  # waiting: never swept
            _notification(rule, timedelta(days=91)),  # swept
            _notification(rule, timedelta(days=89)),
        ])  # fmt: skip
        db.session.commit()

        assert sweep(NOW) == (1, 1)
        assert sweep(NOW) == (0, 0)
        ages = sorted((NOW - at).days for at in db.session.scalars(select(Delivery.created_at)))
        assert ages == [29, 40]
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
