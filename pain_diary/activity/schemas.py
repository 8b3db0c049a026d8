"""An activity day's fields and rules (DESIGN §3 Activity day)."""

import marshmallow as ma
from marshmallow import fields

from ..fields import Figure, Int, LocalDate
from ..sync.fields import RecordSchema

#: Where a day's figures come from: typed by hand, or the export an import read.
SOURCES = ("manual", "apple_health", "google_fit", "fitbit", "csv")
MANUAL = "manual"


class ActivityDaySchema(RecordSchema):
    date = LocalDate(required=True, metadata={"description": "A local date, not after today."})
    source = fields.String(
        dump_only=True,
        metadata={"description": f"One of {', '.join(SOURCES)}; a patient's own write is manual."},
    )
    steps = Int(0, 150_000, allow_none=True)
    active_minutes = Int(
        0, 1_440, allow_none=True, metadata={"description": "At least one of steps and this."}
    )
    import_id = fields.UUID(dump_only=True, allow_none=True)

    @ma.validates_schema
    def check_a_figure(self, data, **kwargs):
        if data.get("steps") is None and data.get("active_minutes") is None:
            raise ma.ValidationError("Give the steps, the active minutes or both.", "steps")


class StepsPainCorrelationSchema(ma.Schema):
    spearman_rho = Figure("Spearman's rho; null below 10 pairs.")
    n = fields.Integer()


class ActivitySummarySchema(ma.Schema):
    class Meta:
        description = (
            "Over the period's days with a day's figure (the manual record, else the source with "
            "the most steps): pain_correlation pairs a day's steps with the next day's pain."
        )

    days = fields.Integer()
    mean_steps = Figure("Over the days with steps.")
    mean_active_minutes = Figure("Over the days with active minutes.")
    pain_correlation = fields.Nested(StepsPainCorrelationSchema)


#: The summary's ``activity`` section.
SECTION = fields.Nested(ActivitySummarySchema)
