"""Schemas of the summary (DESIGN.md §4), its query, charts and exports."""

from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from ..analytics import NOTES_COUNT, RECENT_VS_PRIOR
from ..fields import Figure

# A diary period lies well within these; the bounds keep date arithmetic in range.
DIARY_DATES = validate.Range(
    min=date(2000, 1, 1), max=date(2100, 12, 31), error="Must be between {min} and {max}."
)
# DIARY_DATES in JSON schema, which has no range for dates; the whole date, so that a generator
# drawing from the pattern draws dates.
DIARY_DATE_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


class PeriodQuerySchema(ma.Schema):
    from_ = fields.Date(
        data_key="from",
        validate=DIARY_DATES,
        metadata={
            "description": "First local date (default: 29 days before to), 2000-01-01 to "
            "2100-12-31.",
            "pattern": DIARY_DATE_PATTERN,
        },
    )
    to = fields.Date(
        validate=DIARY_DATES,
        metadata={
            "description": "Last local date (default: today), 2000-01-01 to 2100-12-31; not "
            "before from, and less than 1830 days after it.",
            "pattern": DIARY_DATE_PATTERN,
        },
    )


class ExportQuerySchema(ma.Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "fhir")))

    @ma.validates_schema(pass_original=True)
    def refuse_a_period(self, data, original, **kwargs):
        """An export holds every record: a period (or any other field) is refused, not ignored."""
        # Query strings are loaded with unknown=EXCLUDE, which a Meta option cannot override.
        if unknown := sorted(set(original) - {"format"}):
            message = "Unknown field: an export holds every record, whatever the period."
            raise ma.ValidationError({name: [message] for name in unknown})


class PeriodSchema(ma.Schema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    days = fields.Integer()


class NoteSchema(ma.Schema):
    class Meta:
        description = (
            "A note as the patient wrote it. The patient is told, next to each note field, that "
            "notes are shared with their care team."
        )


class CompletionSchema(ma.Schema):
    class Meta:
        description = (
            "Counted over the period's days up to today from the diary's start: the earlier of "
            "the account's creation and the first pain entry."
        )

    percent_days_logged = Figure()
    longest_gap_days = fields.Integer(allow_none=True)
    late_entries = fields.Integer()


class FlagSchema(ma.Schema):
    code = fields.String()
    severity = fields.String(validate=validate.OneOf(("alert", "warning")))
    message = fields.String()


def summary_schema(record_types):
    """The summary's schema for an app's ``record_types``, in the contract's order: the period,
    each record type's section, the notes of the collections declared noted, completion and
    flags."""
    sections = {kind.name: kind.summary.field for kind in record_types if kind.summary}
    noted = [noted.collection.name for kind in record_types for noted in kind.notes]
    note = NoteSchema.from_dict(
        {
            "recorded_at": fields.DateTime(
                metadata={
                    "description": "The moment the record is about: a pain entry's "
                    "recorded_at, the end of a night (out_of_bed_at), a therapy session's "
                    "started_at, a procedure's performed_at."
                }
            ),
            "kind": fields.String(
                validate=validate.OneOf(noted),
                metadata={"description": "The collection of the record the note belongs to."},
            ),
            "text": fields.String(),
        },
        name="NoteSchema",
    )
    notes = fields.List(
        fields.Nested(note),
        metadata={
            "description": f"The {NOTES_COUNT} most recent non-empty notes of the period's "
            f"records ({', '.join(noted)}), newest first."
        },
    )
    return ma.Schema.from_dict(
        {
            "period": fields.Nested(PeriodSchema),
            **sections,
            "notes": notes,
            "completion": fields.Nested(CompletionSchema),
            "flags": fields.List(fields.Nested(FlagSchema)),
        },
        name="SummarySchema",
    )


class DashboardRowSchema(ma.Schema):
    class Meta:
        description = (
            "One linked patient. When their records cannot be computed (bad stored data), the "
            "row is still listed with its id, name, link and last_entry_at, null figures and the "
            "single flag figures_unavailable (warning); the other rows are unaffected."
        )

    patient_id = fields.UUID()
    display_name = fields.String()
    link_id = fields.UUID()
    last_entry_at = fields.DateTime(allow_none=True)
    pain_7d_mean = Figure(
        f"Mean daily pain of the last {RECENT_VS_PRIOR.recent_days} days (3 logged days)."
    )
    pain_change_percent = Figure(
        f"Mean daily pain of the {RECENT_VS_PRIOR.words}: change / before × 100."
    )
    adherence_percent = Figure("Over the last 14 days.")
    flags = fields.List(fields.Nested(FlagSchema))
