"""Schemas every collection shares: the list query and page, and the /sync batch."""

import marshmallow as ma
from marshmallow import fields, validate

from ..fields import one_of, page_limit


def page_schema(collection):
    """The list answer of a collection: ``{"items": [...], "next_cursor": ...}``."""
    name = type(collection.schema).__name__.removesuffix("Schema") + "PageSchema"
    return type(name, (ma.Schema,), {
        "items": ma.fields.List(ma.fields.Nested(type(collection.schema))),
        "next_cursor": ma.fields.String(allow_none=True),
    })  # fmt: skip


class ListQuerySchema(ma.Schema):
    from_ = fields.Date(data_key="from", metadata={"description": "First local date, inclusive."})
    to = fields.Date(metadata={"description": "Last local date, inclusive; not before from."})
    limit = page_limit()
    cursor = fields.String(validate=validate.Length(max=200))

    @ma.validates_schema
    def check_range(self, data, **kwargs):
        if "from_" in data and "to" in data and data["to"] < data["from_"]:
            raise ma.ValidationError("Must not be before from.", "to")


class OperationSchema(ma.Schema):
    op = fields.String(required=True, validate=one_of(("put", "delete")))
    collection = fields.String(required=True)
    id = fields.UUID(required=True)
    body = fields.Dict(allow_none=True)


class SyncRequestSchema(ma.Schema):
    # Each operation is checked on its own (OperationSchema), so one bad one stops nothing.
    operations = fields.List(
        fields.Raw(allow_none=True),
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "Up to 200 queued operations, applied in order: {op: put or "
            "delete, collection: pain-entries, id: <uuid>, body: {...}}."
        },
    )


class SyncResultSchema(ma.Schema):
    op = fields.String()
    collection = fields.String()
    id = fields.String()
    status = fields.Integer(required=True)
    record = fields.Dict(allow_none=True)
    error = fields.Dict(allow_none=True)


class SyncResponseSchema(ma.Schema):
    results = fields.List(fields.Nested(SyncResultSchema))
