"""Reminders API: rules, the inbox, Web Push subscriptions and the VAPID public key.

Every route is the signed-in patient's own; another patient's rule, notification or
subscription answers 404, like one that does not exist.
"""

from functools import wraps

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import func, select

from ..accounts.auth import patient_required
from ..errors import ApiError, ErrorSchema, flatten_messages
from ..extensions import db
from ..medications.collections import medication_doses, take_scheduled_dose
from ..paging import page
from ..types import utcnow
from .dispatch import snooze
from .models import Notification, PushSubscription, ReminderRule
from .rules import apply, patient_rules, reminded_dose
from .schemas import (
    InboxQuerySchema,
    NotificationPageSchema,
    NotificationSchema,
    PublicKeySchema,
    PushSubscriptionSchema,
    RuleSchema,
    RuleUpdateSchema,
    SnoozeSchema,
)
from .vapid import vapid_keys

bp = Blueprint("reminders", __name__, url_prefix="/api/v1", description="Reminders and the inbox.")

#: Rules a patient may have: more is a client looping, not a person.
MAX_RULES = 50
#: Browsers a patient receives push reminders on (DESIGN §5): each send is a request out.
MAX_SUBSCRIPTIONS = 10
#: A PUT replaces the whole rule: what it leaves out is reset to these.
RULE_DEFAULTS = {"medication_id": None, "days_of_week": [], "dates": None, "follow_up": None}
#: What a client writes of a rule.
WRITABLE = ("kind", "medication_id", "times", "days_of_week", "dates", "channels", "enabled",
            "follow_up")  # fmt: skip
rule_schema = RuleSchema()
# Partial at the top level only: a follow_up that is sent is sent whole.
rule_update_schema = RuleUpdateSchema(partial=WRITABLE)


def owned(model, url_name, as_name):
    """Give the view the patient's own ``model`` named by ``url_name`` in the URL, as ``as_name``.

    Another patient's answers 404 like one that does not exist, and before the body is read,
    so that not even a 422 hints that it exists.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            item = db.session.get(model, kwargs.pop(url_name))
            if item is None or item.patient_id != current_user.id:
                raise ApiError(404, "Not found.")
            return view(*args, **kwargs, **{as_name: item})

        return wrapped

    return decorator


def _defaults(kind):
    # A medication rule's weekdays are its medication's: leaving them out keeps them.
    if kind == "medication":
        return {k: v for k, v in RULE_DEFAULTS.items() if k != "days_of_week"}
    return RULE_DEFAULTS


def _check_merged(rule, data):
    """Check a PATCH as the whole rule it makes: days and dates, follow_up of a kind."""
    merged = {k: v for k, v in rule_schema.dump(rule).items() if k in WRITABLE} | data
    try:
        rule_schema.load(merged)
    except ma.ValidationError as error:
        raise ApiError(
            422, "The request has invalid fields.", fields=flatten_messages(error.messages)
        ) from None


def _saved(rule):
    rule.version = (rule.version or 0) + 1
    rule.updated_at = utcnow()
    db.session.commit()
    return rule


@bp.route("/reminders")
class Rules(MethodView):
    decorators = [patient_required]

    @bp.response(200, RuleSchema(many=True))
    def get(self):
        """The signed-in patient's reminder rules, oldest first."""
        return patient_rules(current_user.id)

    @bp.arguments(RuleSchema)
    @bp.response(201, RuleSchema)
    def post(self, data):
        """Add a reminder rule; its first occurrence is computed at once."""
        count = select(func.count()).where(ReminderRule.patient_id == current_user.id)
        if db.session.scalar(count) >= MAX_RULES:
            raise ApiError(409, f"At most {MAX_RULES} reminders; remove one first.")
        rule = ReminderRule(patient_id=current_user.id, version=0, **RULE_DEFAULTS)
        apply(rule, data, current_user)
        db.session.add(rule)
        return _saved(rule)


@bp.route("/reminders/<uuid:rule_id>")
class Rule(MethodView):
    decorators = [owned(ReminderRule, "rule_id", "rule"), patient_required]  # the last runs first

    @bp.response(200, RuleSchema)
    def get(self, rule):
        """One reminder rule."""
        return rule

    @bp.arguments(RuleSchema)
    @bp.response(200, RuleSchema)
    def put(self, data, rule):
        """Replace a reminder rule."""
        apply(rule, _defaults(data["kind"]) | data, current_user)
        return _saved(rule)

    @bp.arguments(rule_update_schema)
    @bp.response(200, RuleSchema)
    def patch(self, data, rule):
        """Change some fields of a reminder rule (enabled, times, channels...)."""
        _check_merged(rule, data)
        apply(rule, data, current_user)
        return _saved(rule)

    @bp.response(204)
    def delete(self, rule):
        """Remove a reminder rule; what it already sent stays in the inbox."""
        db.session.delete(rule)
        db.session.commit()


@bp.route("/notifications")
class Inbox(MethodView):
    decorators = [patient_required]

    @bp.arguments(InboxQuerySchema, location="query")
    @bp.response(200, NotificationPageSchema)
    def get(self, query):
        """The in-app inbox, newest first; ``unread=true`` for the unread ones only."""
        statement = select(Notification).where(Notification.patient_id == current_user.id)
        if query["unread"]:
            statement = statement.where(Notification.read_at.is_(None))
        return page(statement, Notification.created_at, Notification.id, query)


#: The patient's own notification, named by the URL (the last decorator runs first).
OWN_NOTIFICATION = [owned(Notification, "notification_id", "notification"), patient_required]


@bp.route("/notifications/<uuid:notification_id>")
class InboxItem(MethodView):
    decorators = OWN_NOTIFICATION

    @bp.response(200, NotificationSchema)
    def get(self, notification):
        """One notification of the inbox (a service worker reads the one it shows)."""
        return notification


@bp.route("/notifications/<uuid:notification_id>/read")
class Read(MethodView):
    decorators = OWN_NOTIFICATION

    @bp.response(200, NotificationSchema)
    def post(self, notification):
        """Mark a notification read (again: no change)."""
        notification.read_at = notification.read_at or utcnow()
        db.session.commit()
        return notification


@bp.route("/notifications/<uuid:notification_id>/snooze")
class Snooze(MethodView):
    decorators = OWN_NOTIFICATION

    @bp.arguments(SnoozeSchema)
    @bp.response(200, NotificationSchema)
    def post(self, data, notification):
        """Remind again in ``minutes`` (5–240), on the rule's channels; marks it read."""
        if notification.rule_id is None:
            raise ApiError(410, "This reminder was removed; there is nothing to snooze.")
        snooze(notification, data["minutes"])
        db.session.commit()
        return notification


@bp.route("/notifications/<uuid:notification_id>/taken")
class Taken(MethodView):
    decorators = OWN_NOTIFICATION

    @bp.response(201, medication_doses.schema)
    @bp.alt_response(200, schema=medication_doses.schema, description="Logged before: as it was.")
    @bp.alt_response(409, schema=ErrorSchema, description="Not a medication reminder.")
    @bp.alt_response(410, schema=ErrorSchema, description="The reminder or the dose is gone.")
    def post(self, notification):
        """Log the dose a medication reminder asked about as taken now; marks it read.

        No body. The dose of (the rule's medication, ``due_at``): new (201), a skipped one now
        taken under its id (200), or one taken already, unchanged (200).
        """
        medication_id, scheduled_for = reminded_dose(notification)
        dose, created = take_scheduled_dose(current_user, medication_id, scheduled_for)
        notification.read_at = notification.read_at or utcnow()
        db.session.commit()
        return dose, 201 if created else 200


@bp.route("/push/public-key")
class PublicKey(MethodView):
    decorators = [patient_required]

    @bp.response(200, PublicKeySchema)
    @bp.alt_response(503, schema=ErrorSchema, description="No VAPID key: push_not_configured.")
    def get(self):
        """The VAPID public key a browser subscribes with (applicationServerKey)."""
        keys = vapid_keys(current_app.config, current_app.instance_path)
        if keys is None:
            raise ApiError(
                503, "Push is not set up on this server (flask push keygen).",
                code="push_not_configured",
            )  # fmt: skip
        return {"public_key": keys.public_key}


@bp.route("/push-subscriptions")
class Subscriptions(MethodView):
    decorators = [patient_required]

    @bp.response(200, PushSubscriptionSchema(many=True))
    def get(self):
        """The browsers the signed-in patient receives push reminders on."""
        statement = select(PushSubscription).where(PushSubscription.patient_id == current_user.id)
        return db.session.scalars(statement.order_by(PushSubscription.created_at)).all()

    @bp.arguments(PushSubscriptionSchema)
    @bp.response(201, PushSubscriptionSchema)
    @bp.alt_response(200, schema=PushSubscriptionSchema, description="Known endpoint: updated.")
    @bp.alt_response(409, schema=ErrorSchema, description="Already 10 other browsers.")
    def post(self, data):
        """Subscribe this browser: the PushSubscription's endpoint and keys."""
        endpoint, keys = data["endpoint"], data["keys"]
        statement = select(PushSubscription).where(PushSubscription.endpoint == endpoint)
        subscription = db.session.scalar(statement)
        moving_in = subscription is None or subscription.patient_id != current_user.id
        mine = select(func.count()).where(PushSubscription.patient_id == current_user.id)
        if moving_in and db.session.scalar(mine) >= MAX_SUBSCRIPTIONS:
            raise ApiError(409, f"At most {MAX_SUBSCRIPTIONS} browsers; turn one off first.")
        status = 200
        if subscription is None:
            subscription = PushSubscription(endpoint=endpoint)
            db.session.add(subscription)
            status = 201
        # A browser another account subscribed before is now this patient's: whoever signed in
        # on it last receives its notifications.
        subscription.patient_id = current_user.id
        subscription.p256dh, subscription.auth = keys["p256dh"], keys["auth"]
        subscription.updated_at = utcnow()
        db.session.commit()
        return subscription, status


@bp.route("/push-subscriptions/<uuid:subscription_id>")
class Subscription(MethodView):
    decorators = [owned(PushSubscription, "subscription_id", "subscription"), patient_required]

    @bp.response(204)
    def delete(self, subscription):
        """Stop push reminders on that browser."""
        db.session.delete(subscription)
        db.session.commit()
