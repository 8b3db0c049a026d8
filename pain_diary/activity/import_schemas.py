"""What the API says of an import (DESIGN §3 Activity imports)."""

import marshmallow as ma
from marshmallow import fields

STATUSES = ("queued", "running", "done", "failed")
FORMATS = ("apple_health_zip", "apple_health_xml", "google_fit_csv", "csv")


class ImportAcceptedSchema(ma.Schema):
    class Meta:
        description = "The upload is stored; the worker process parses it within seconds."

    id = fields.UUID()
    status = fields.String(metadata={"enum": ["queued"]})
    bytes = fields.Integer(metadata={"description": "The file's size."})


class ImportSchema(ma.Schema):
    id = fields.UUID()
    status = fields.String(metadata={"enum": list(STATUSES)})
    format = fields.String(
        allow_none=True, metadata={"enum": list(FORMATS), "description": "Once recognised."}
    )
    bytes = fields.Integer(metadata={"description": "The file's size."})
    bytes_read = fields.Integer(metadata={"description": "How far the worker has read it."})
    days_written = fields.Integer(
        allow_none=True, metadata={"description": "Days added or changed, once done."}
    )
    error = fields.String(
        allow_none=True, metadata={"description": "Why it failed, naming the line or element."}
    )
    devices = fields.List(
        fields.String(), allow_none=True, metadata={"description": "The sources the file named."}
    )


#: The multipart body of POST /activity-imports, for the document: the view streams it itself.
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "Apple Health export.zip or export.xml, Google Fit's "
                        "Daily activity metrics.csv, or a CSV date,steps,active_minutes.",
                    }
                },
            }
        }
    },
}
