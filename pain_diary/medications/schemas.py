"""Schemas of medications, dose events and the day's dose checklist."""

import re

import marshmallow as ma
from marshmallow import fields, validate

from ..analytics.mme import CDC_CAVEAT, is_opioid, unconvertible_unit
from ..fields import (
    Figure,
    Instant,
    Int,
    LocalDate,
    LocalTime,
    Note,
    WholeMatch,
    not_in_future,
    one_of,
    page_limit,
)
from ..sync.fields import RecordSchema

DOSE_UNITS = (
    "mg", "mcg", "g", "ml", "mcg_per_hour", "unit", "tablet", "capsule", "puff", "drop", "patch",
)  # fmt: skip
ROUTES = (
    "oral", "sublingual", "transdermal", "topical", "injection", "inhaled", "rectal", "other",
)  # fmt: skip
# The largest single doses in any unit are tens of thousands (50,000 IU of vitamin D weekly,
# common in chronic pain); above this an amount is a typing slip, and it keeps every MME sum far
# inside what the rounding and the charts handle. Non-finite numbers are refused by Float itself.
MAX_DOSE_AMOUNT = 100_000


def dose_amount_range():
    return validate.Range(
        min=0, max=MAX_DOSE_AMOUNT, min_inclusive=False, error="Must be above 0 and at most {max}."
    )


RXNORM_CODE = re.compile(r"^[0-9]{1,12}$")


class ScheduleSchema(ma.Schema):
    times = fields.List(
        LocalTime(),
        required=True,
        validate=validate.Length(1, 12),
    )
    days_of_week = fields.List(
        Int(0, 6),
        allow_none=True,
        validate=validate.Length(1, 7),
        metadata={"description": "0 = Monday … 6 = Sunday; null or absent = every day."},
    )

    @ma.post_load
    def normalise(self, data, **kwargs):
        days = data.get("days_of_week")
        return {
            "times": sorted(set(data["times"])),
            "days_of_week": sorted(set(days)) if days else None,
        }


class MedicationSchema(RecordSchema):
    name = fields.String(required=True, validate=validate.Length(1, 120))
    ingredient = fields.String(
        allow_none=True,
        validate=validate.Length(1, 80),
        metadata={
            "description": "A key of the CDC 2022 MME table (e.g. oxycodone) marks an opioid."
        },
    )
    rxnorm_code = fields.String(
        allow_none=True,
        validate=WholeMatch(RXNORM_CODE, error="Must be an RxNorm concept id: 1 to 12 digits."),
        metadata={"description": "RxNorm concept id (RXCUI), e.g. 1049621; FHIR codes it."},
    )
    dose_amount = fields.Float(
        required=True, validate=dose_amount_range(), metadata={"exclusiveMinimum": True}
    )
    dose_unit = fields.String(required=True, validate=one_of(DOSE_UNITS))
    route = fields.String(allow_none=True, validate=one_of(ROUTES))
    schedule = fields.Nested(
        ScheduleSchema,
        allow_none=True,
        metadata={"description": "Required unless as_needed; null or absent when as_needed."},
    )
    as_needed = fields.Boolean(load_default=False)
    start_date = LocalDate(required=True)
    end_date = LocalDate(allow_none=True, metadata={"description": "Not before start_date."})
    note = Note()
    is_opioid = fields.Function(lambda medication: is_opioid(medication.ingredient), dump_only=True)

    @ma.validates_schema
    def check_plan(self, data, **kwargs):
        if data.get("as_needed") and data.get("schedule"):
            raise ma.ValidationError(
                "Leave the schedule empty for an as-needed medication.", "schedule"
            )
        if not data.get("as_needed") and not data.get("schedule"):
            raise ma.ValidationError("Give a schedule, or set as_needed.", "schedule")
        if data.get("end_date") and data["end_date"] < data["start_date"]:
            raise ma.ValidationError("Must not be before the start date.", "end_date")

    @ma.validates_schema
    def check_opioid_unit(self, data, **kwargs):
        """An opioid's dose must convert to MME, or it would count 0 MME without a word."""
        if problem := unconvertible_unit(data.get("ingredient"), data.get("dose_unit", "")):
            raise ma.ValidationError(problem, "dose_unit")


class DoseEventSchema(RecordSchema):
    medication_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=one_of(("taken", "skipped")))
    scheduled_for = Instant(
        allow_none=True,
        metadata={"description": "null for an as-needed dose; required when skipped."},
    )
    taken_at = Instant(
        allow_none=True,
        validate=not_in_future,
        metadata={"description": "Required when taken; null or absent when skipped."},
    )
    amount = fields.Float(
        allow_none=True,
        validate=dose_amount_range(),
        metadata={
            "description": "Defaults to the medication's dose_amount.",
            "exclusiveMinimum": True,
        },
    )
    skip_reason = fields.String(allow_none=True, validate=validate.Length(max=200))
    dose_unit = fields.String(dump_only=True)
    local_date = fields.Date(dump_only=True)

    @ma.validates_schema
    def check_status(self, data, **kwargs):
        if data["status"] == "taken" and not data.get("taken_at"):
            raise ma.ValidationError("Required when the dose was taken.", "taken_at")
        if data["status"] == "skipped":
            if data.get("taken_at"):
                raise ma.ValidationError("Leave empty for a skipped dose.", "taken_at")
            if not data.get("scheduled_for"):
                raise ma.ValidationError("Required when a dose is skipped.", "scheduled_for")


class MedicationQuerySchema(ma.Schema):
    limit = page_limit()
    cursor = fields.String(validate=validate.Length(max=200))


class MedicationItemSchema(ma.Schema):
    """A figure of one medication, named as the patient named it."""

    medication_id = fields.UUID()
    name = fields.String()


class AdherenceItemSchema(MedicationItemSchema):
    scheduled = fields.Integer()
    taken = fields.Integer()
    taken_on_time = fields.Integer()
    skipped = fields.Integer()
    missed = fields.Integer()
    adherence_percent = Figure()


class AsNeededItemSchema(MedicationItemSchema):
    class Meta:
        description = (
            "An as-needed (rescue) medication over the period: its taken doses and the distinct "
            "local days with at least one. Every as-needed medication active in the period is "
            "listed, an unused one with 0 doses."
        )

    doses = fields.Integer()
    days_used = fields.Integer()


class MmeSchema(ma.Schema):
    class Meta:
        description = f"Morphine milligram equivalents (CDC 2022). {CDC_CAVEAT}"

    average_daily = Figure(
        "Σ daily MME / days in the period (days without an opioid count 0); null without any."
    )
    average_on_opioid_days = Figure(
        "Σ daily MME / days_with_opioid: the figure to say MME in words with (a patient who "
        "started an opioid yesterday is on that day's dose, not on a 90-day average); null "
        "without any."
    )
    days_with_opioid = fields.Integer(
        metadata={"description": "Days of the period with a daily MME above 0."}
    )
    max_daily = Figure()
    days_at_or_over_50 = fields.Integer()
    days_at_or_over_90 = fields.Integer()


class MedicationSummarySchema(ma.Schema):
    adherence_percent = Figure()
    items = fields.List(fields.Nested(AdherenceItemSchema))
    as_needed = fields.List(fields.Nested(AsNeededItemSchema))
    mme = fields.Nested(MmeSchema)


#: The summary's ``medications`` section.
SECTION = fields.Nested(MedicationSummarySchema)


class TodayDoseSchema(MedicationItemSchema):
    dose_amount = fields.Float()
    dose_unit = fields.String()
    scheduled_for = fields.DateTime()
    status = fields.String(metadata={"description": "taken, skipped, pending or missed"})
    dose_event_id = fields.UUID(allow_none=True)
    taken_at = fields.DateTime(allow_none=True)


class TodaySchema(ma.Schema):
    date = fields.Date()
    doses = fields.List(fields.Nested(TodayDoseSchema))
