"""The inbox as the rest of the app sees it: the unread count every patient page shows, and a
medication reminder read once its dose is answered, wherever that happened.

The count reads the patient's unread notifications alone, from ``ix_notifications_patient_unread``
(patient_id, read_at) without the table. The web pages import this module for the count, which
connects the receiver whenever the app is built.
"""

from sqlalchemy import func, select, update

from ..extensions import db
from ..medications.queries import scheduled_dose
from ..signals import record_saved
from ..types import utcnow
from .models import Notification, ReminderRule


def unread_count(patient_id):
    """How many of the patient's reminders are unread."""
    statement = select(func.count()).where(
        Notification.patient_id == patient_id, Notification.read_at.is_(None)
    )
    return db.session.scalar(statement)


@record_saved.connect_via("medication-doses")
def read_when_answered(collection, patient_id, record_id, **extra):
    """DESIGN §7: a reminder is read when answered, on Today, from the inbox or from the outbox.

    Every reminder of that dose (the first one, its follow-ups and snoozes share ``due_at``).
    """
    dose = scheduled_dose(record_id)
    if dose is None:
        return
    medication_id, scheduled_for = dose
    rules = select(ReminderRule.id).where(
        ReminderRule.patient_id == patient_id, ReminderRule.medication_id == medication_id
    )
    db.session.execute(
        update(Notification)
        .where(
            Notification.patient_id == patient_id,
            Notification.rule_id.in_(rules),
            Notification.due_at == scheduled_for,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
