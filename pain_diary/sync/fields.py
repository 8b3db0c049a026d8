"""What the schema of every synced record carries besides its own fields (DESIGN.md §3)."""

from marshmallow import fields

from ..fields import Int, ReadBackSchema


class RecordSchema(ReadBackSchema):
    """What every synced record carries besides its own fields."""

    id = fields.UUID(metadata={"description": "Client-created UUID (optional on POST)."})
    version = Int(
        1, None, metadata={"description": "The version last read; a stale one answers 409."}
    )
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
