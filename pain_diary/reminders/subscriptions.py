"""What other features do to a patient's push subscriptions: signing out forgets the browser's."""

from sqlalchemy import delete

from ..extensions import db
from .models import PushSubscription


def forget_browser(user, endpoint):
    """Delete ``user``'s subscription with the push ``endpoint`` of the browser signing out.

    The next person to sign in on that browser then gets none of ``user``'s reminders. Another
    patient's subscription is never deleted this way (it moves to someone only when posted
    from their own session); the caller commits.
    """
    if endpoint:
        statement = delete(PushSubscription).where(
            PushSubscription.patient_id == user.id, PushSubscription.endpoint == endpoint
        )
        db.session.execute(statement)
