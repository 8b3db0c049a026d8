"""How long the scheduler keeps what it did: deliveries a month, the inbox three months.

Without a sweep the delivery table grows by every reminder of every patient (two a day each by
default). A finished delivery older than ``DELIVERIES_KEPT`` can no longer be claimed again:
its rule's next occurrence moved past it long ago. Pending ones (follow-ups, snoozes, retries)
are never swept.
"""

from datetime import timedelta

from sqlalchemy import delete

from ..extensions import db
from .models import Delivery, Notification

DELIVERIES_KEPT = timedelta(days=30)
NOTIFICATIONS_KEPT = timedelta(days=90)


def sweep(now):
    """Delete finished deliveries and notifications past their keeping time; return how many."""
    deliveries = db.session.execute(
        delete(Delivery).where(
            Delivery.created_at < now - DELIVERIES_KEPT, Delivery.status == "done"
        )
    ).rowcount
    notifications = db.session.execute(
        delete(Notification).where(Notification.created_at < now - NOTIFICATIONS_KEPT)
    ).rowcount
    db.session.commit()
    return deliveries, notifications
