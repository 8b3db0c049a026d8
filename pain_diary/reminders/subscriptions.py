"""What other features do to a patient's push subscriptions: signing out forgets the browser's."""

from sqlalchemy import delete

from ..extensions import db
from .models import PushSubscription


def forget_browser(user, push_endpoint, **extra):
    """Delete ``user``'s subscription with the ``push_endpoint`` of the browser signing out.

    The next person to sign in on that browser then gets none of ``user``'s reminders. Another
    patient's subscription is never deleted this way (it moves to someone only when posted
    from their own session); the sender of signals.signed_out commits.
    """
    if push_endpoint:
        statement = delete(PushSubscription).where(
            PushSubscription.patient_id == user.id, PushSubscription.endpoint == push_endpoint
        )
        db.session.execute(statement)
