"""Schemas of reminder rules, the inbox and push subscriptions (DESIGN §5)."""

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

from ..fields import Int, LocalDate, LocalTime, ReadBackSchema, one_of, page_limit
from .channels.addresses import address_problem
from .channels.push import endpoint_problem, subscription_keys_problem
from .models import CHANNELS, KINDS

MAX_TIMES = 8
MAX_DATES = 50


class StoredDate(LocalDate):
    """A local date, stored in the rule's JSON as its ISO text: dumped as stored."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj, **kwargs)


def distinct(values):
    if len(set(values)) != len(values):
        raise ma.ValidationError("Must not repeat a value.")


class FollowUpSchema(ma.Schema):
    every_minutes = Int(5, 120, required=True)
    max = Int(1, 6, required=True, metadata={"description": "At most this many repeats."})


class RuleSchema(ReadBackSchema):
    id = fields.UUID(dump_only=True)
    kind = fields.String(required=True, validate=one_of(KINDS))
    medication_id = fields.UUID(
        allow_none=True, metadata={"description": "Required for kind medication: one of yours."}
    )
    times = fields.List(
        LocalTime(),
        validate=validate.Length(1, MAX_TIMES),
        metadata={"description": "Local times; for a medication rule, its schedule's (read-only)."},
    )
    days_of_week = fields.List(
        Int(0, 6),
        validate=[validate.Length(max=7), distinct],
        metadata={"description": "0 = Monday … 6 = Sunday; empty = every day."},
    )
    dates = fields.List(
        StoredDate(),
        allow_none=True,
        validate=[validate.Length(1, MAX_DATES), distinct],
        metadata={"description": "Local dates (appointments), instead of days_of_week."},
    )
    channels = fields.List(
        fields.String(validate=one_of(CHANNELS)),
        required=True,
        validate=[validate.Length(1, len(CHANNELS)), distinct],
    )
    enabled = fields.Boolean(load_default=True)
    follow_up = fields.Nested(
        FollowUpSchema,
        allow_none=True,
        metadata={"description": "Medication rules only: repeat until the dose is logged."},
    )
    next_due_at = fields.DateTime(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    @ma.validates_schema
    def check_kind(self, data, partial, **kwargs):
        kind = data.get("kind")
        if kind == "medication":
            if data.get("medication_id") is None and not partial:
                raise ma.ValidationError("Required for a medication reminder.", "medication_id")
            if data.get("dates"):
                raise ma.ValidationError("A medication reminder follows its schedule.", "dates")
        elif kind is not None:
            if data.get("medication_id") is not None:
                raise ma.ValidationError("Only for a medication reminder.", "medication_id")
            if data.get("follow_up") is not None:
                raise ma.ValidationError("Only for a medication reminder.", "follow_up")
            if not data.get("times") and not partial:
                raise ma.ValidationError("Give 1 to 8 local times.", "times")
        if data.get("dates") and data.get("days_of_week"):
            raise ma.ValidationError("Give days_of_week or dates, not both.", "dates")

    @ma.post_load
    def normalise(self, data, **kwargs):
        if "times" in data:
            data["times"] = sorted(set(data["times"]))
        if "days_of_week" in data:
            data["days_of_week"] = sorted(data["days_of_week"] or [])
        if data.get("dates"):
            data["dates"] = sorted(d.isoformat() for d in data["dates"])
        return data


class RuleUpdateSchema(RuleSchema):
    """PATCH: send only what changes; the rule it makes is checked whole."""


class NotificationSchema(ma.Schema):
    id = fields.UUID()
    rule_id = fields.UUID(allow_none=True)
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    due_at = fields.DateTime()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    snoozed_until = fields.DateTime(allow_none=True)
    url = fields.String()


class NotificationPageSchema(ma.Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    next_cursor = fields.String(allow_none=True)


class InboxQuerySchema(ma.Schema):
    unread = fields.Boolean(load_default=False)
    limit = page_limit()
    cursor = fields.String(validate=validate.Length(max=200))


class SnoozeSchema(ma.Schema):
    minutes = Int(5, 240, required=True)


class PushKeysSchema(ma.Schema):
    p256dh = fields.String(required=True, validate=validate.Length(1, 200))
    auth = fields.String(required=True, validate=validate.Length(1, 100))


class PushSubscriptionSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    endpoint = fields.String(
        required=True, validate=validate.Length(1, 2048),
        metadata={"description": "An https:// URL whose host resolves to public addresses only."},
    )  # fmt: skip
    keys = fields.Nested(PushKeysSchema, required=True, load_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    @ma.validates("endpoint")
    def check_endpoint(self, endpoint, **kwargs):
        # PUSH_ALLOW_HTTP lifts the address rule with the scheme's: tests and local development.
        allow_http = current_app.config["PUSH_ALLOW_HTTP"]
        problem = endpoint_problem(endpoint, allow_http)
        if problem is None and not allow_http:
            problem = address_problem(endpoint)
        if problem:
            raise ma.ValidationError(f"The endpoint {problem}.")

    @ma.validates_schema
    def check_keys(self, data, **kwargs):
        if "keys" in data and (problem := subscription_keys_problem(data["keys"])):
            raise ma.ValidationError(f"The keys {problem}.", "keys")


class PublicKeySchema(ma.Schema):
    public_key = fields.String(
        metadata={"description": "VAPID: base64url, uncompressed P-256 point."}
    )
