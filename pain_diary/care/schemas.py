"""Schemas of invitations, care links and audit events."""

import marshmallow as ma
from marshmallow import fields, validate

from ..fields import Instant, page_limit


class InvitationSchema(ma.Schema):
    code = fields.String(dump_only=True, metadata={"description": "8 characters, single use."})
    expires_at = fields.DateTime(dump_only=True)


class RedeemSchema(ma.Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=20))


class PersonSchema(ma.Schema):
    id = fields.UUID()
    display_name = fields.String()
    email = fields.String()


class CareLinkSchema(ma.Schema):
    id = fields.UUID()
    patient = fields.Nested(PersonSchema)
    clinician = fields.Nested(PersonSchema)
    created_at = fields.DateTime()


class AuditEventSchema(ma.Schema):
    id = fields.UUID()
    at = fields.DateTime()
    actor_id = fields.UUID()
    actor_name = fields.Function(
        lambda event: event.actor.display_name if event.actor else None, allow_none=True
    )
    patient_id = fields.UUID()
    action = fields.String()
    resource = fields.String()
    outcome = fields.String(metadata={"description": "allowed or denied"})
    ip = fields.String(allow_none=True)


class AuditEventPageSchema(ma.Schema):
    items = fields.List(fields.Nested(AuditEventSchema))
    next_cursor = fields.String(allow_none=True)


class AuditQuerySchema(ma.Schema):
    limit = page_limit()
    cursor = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "The next_cursor of the page before."},
    )
    before = Instant(metadata={"description": "Only events before this instant."})
