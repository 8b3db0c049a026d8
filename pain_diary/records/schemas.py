"""Schemas of pain entries, sleep entries and therapy sessions, and of their summary sections."""

from datetime import time, timedelta

import marshmallow as ma
from marshmallow import fields, validate

from ..fields import Figure, Instant, Int, Note, not_in_future, one_of
from ..sync.fields import RecordSchema

BODY_SITES = (
    "head", "jaw", "neck", "shoulder", "upper_back", "mid_back", "lower_back", "chest", "abdomen",
    "pelvis", "hip", "buttock", "arm", "elbow", "wrist_hand", "thigh", "knee", "leg",
    "ankle_foot", "other",
)  # fmt: skip
SIDES = ("left", "right", "both", "center")
QUALITIES = (
    "aching", "burning", "stabbing", "shooting", "throbbing", "tingling", "numb", "cramping",
    "dull", "sharp", "radiating", "stiff",
)  # fmt: skip
MODALITIES = (
    "vr", "mindfulness", "acupuncture", "cbt", "physiotherapy", "exercise", "tens", "massage",
    "other",
)  # fmt: skip


class BodySiteSchema(ma.Schema):
    site = fields.String(required=True, validate=one_of(BODY_SITES))
    intensity = Int(0, 10, allow_none=True)
    side = fields.String(allow_none=True, validate=one_of(SIDES))


class PainEntrySchema(RecordSchema):
    recorded_at = Instant(required=True, validate=not_in_future)
    intensity = Int(0, 10, required=True, metadata={"description": "NRS 0 (no pain) to 10."})
    body_sites = fields.List(fields.Nested(BodySiteSchema), validate=validate.Length(max=12))
    qualities = fields.List(
        fields.String(validate=one_of(QUALITIES)), validate=validate.Length(max=12)
    )
    enjoyment_interference = Int(0, 10, allow_none=True)
    activity_interference = Int(0, 10, allow_none=True)
    tags = fields.List(
        fields.String(validate=validate.Length(1, 40)), validate=validate.Length(max=10)
    )
    note = Note()
    local_date = fields.Date(dump_only=True)


class SleepEntrySchema(RecordSchema):
    """Consensus Sleep Diary (Carney 2012); the derived figures are computed on write."""

    night_of = fields.Date(
        required=True,
        metadata={
            "description": "The evening the night starts: the local date of in_bed_at, or the "
            "day before it for a bedtime before noon (in bed at 00:30 on 2 January: 1 January)."
        },
    )
    in_bed_at = Instant(required=True)
    tried_to_sleep_at = Instant(required=True)
    final_awakening_at = Instant(required=True)
    out_of_bed_at = Instant(
        required=True,
        validate=not_in_future,
        metadata={
            "description": "in_bed_at, tried_to_sleep_at, final_awakening_at and out_of_bed_at "
            "in that order, each not before the one before; out of bed after in bed, at most "
            "24 hours later."
        },
    )
    sleep_latency_minutes = Int(0, None, required=True)
    wake_after_sleep_onset_minutes = Int(
        0,
        None,
        required=True,
        metadata={
            "description": "With sleep_latency_minutes, at most the minutes from "
            "tried_to_sleep_at to final_awakening_at."
        },
    )
    awakenings = Int(0, 50, allow_none=True)
    quality = Int(1, 5, allow_none=True, metadata={"description": "1 very poor … 5 very good."})
    note = Note()
    time_in_bed_minutes = fields.Integer(dump_only=True)
    total_sleep_minutes = fields.Integer(dump_only=True)
    sleep_efficiency = fields.Float(dump_only=True)

    ORDER = ("in_bed_at", "tried_to_sleep_at", "final_awakening_at", "out_of_bed_at")
    #: A bedtime before this local time may belong to the evening before (after midnight, or
    #: after a night shift); from it on, the night is the one of that same date.
    SMALL_HOURS_END = time(12)

    @ma.validates_schema
    def check_the_night(self, data, **kwargs):
        """The night of the bedtime, times in order, at most 24 h in bed, latency + WASO fit."""
        self.check_night_of(data["night_of"], data["in_bed_at"])
        for earlier, later in zip(self.ORDER, self.ORDER[1:], strict=False):
            if data[later] < data[earlier]:
                label = earlier.removesuffix("_at").replace("_", " ")
                raise ma.ValidationError(f"Must not be before {label}.", later)
        if data["out_of_bed_at"] == data["in_bed_at"]:
            raise ma.ValidationError("Must be after in bed.", "out_of_bed_at")
        if data["out_of_bed_at"] - data["in_bed_at"] > timedelta(hours=24):
            raise ma.ValidationError("Time in bed must not exceed 24 hours.", "out_of_bed_at")
        window = (data["final_awakening_at"] - data["tried_to_sleep_at"]).total_seconds() / 60
        awake = data["sleep_latency_minutes"] + data["wake_after_sleep_onset_minutes"]
        if awake > window:
            raise ma.ValidationError(
                "Sleep latency plus wake after sleep onset must fit between trying to sleep "
                "and the final awakening.",
                "wake_after_sleep_onset_minutes",
            )

    def check_night_of(self, night_of, in_bed_at):
        """``night_of`` is the bedtime's local date, or the day before for one before noon.

        Local means the offset sent with ``in_bed_at``: the patient's wall clock when they went
        to bed, whatever their account's timezone says now (travel, a later change of zone).
        """
        bed_date = in_bed_at.date()
        nights = {bed_date}
        if in_bed_at.time() < self.SMALL_HOURS_END:
            nights.add(bed_date - timedelta(days=1))
        if night_of not in nights:
            raise ma.ValidationError(
                f"Must be the date you went to bed ({bed_date.isoformat()}), "
                "or the day before for a bedtime before noon.",
                "night_of",
            )


class TherapySessionSchema(RecordSchema):
    modality = fields.String(required=True, validate=one_of(MODALITIES))
    started_at = Instant(required=True, validate=not_in_future)
    duration_minutes = Int(1, 600, required=True)
    pain_before = Int(0, 10, allow_none=True)
    pain_after = Int(0, 10, allow_none=True)
    program = fields.String(allow_none=True, validate=validate.Length(max=120))
    note = Note()
    local_date = fields.Date(dump_only=True)


class SiteCountSchema(ma.Schema):
    site = fields.String()
    count = fields.Integer()


class QualityCountSchema(ma.Schema):
    quality = fields.String()
    count = fields.Integer()


class PainSummarySchema(ma.Schema):
    entries = fields.Integer()
    days_logged = fields.Integer()
    mean = Figure("Mean of daily pain (0-10) over logged days.")
    min = Figure()
    max = Figure()
    baseline_mean = Figure("First 7 days of the period; needs 3 logged days.")
    recent_mean = Figure("Last 7 days of the period; needs 3 logged days.")
    change_points = Figure()
    change_percent = Figure()
    response = fields.String(
        allow_none=True,
        metadata={"description": "IMMPACT: substantial, moderate, minimal, none or worse."},
    )
    trend_per_week = Figure("Least-squares slope of daily pain, points per week.")
    peg = Figure("PEG (Krebs 2009) over entries with both interference items.")
    top_sites = fields.List(fields.Nested(SiteCountSchema))
    top_qualities = fields.List(fields.Nested(QualityCountSchema))


class CorrelationSchema(ma.Schema):
    spearman_rho = Figure("Sleep minutes vs next-day pain; null below 10 pairs.")
    n = fields.Integer()


class SleepSummarySchema(ma.Schema):
    nights = fields.Integer()
    mean_total_sleep_minutes = Figure()
    mean_sleep_efficiency = Figure()
    mean_sleep_latency_minutes = Figure()
    mean_wake_after_sleep_onset_minutes = Figure()
    mean_quality = Figure()
    pain_correlation = fields.Nested(CorrelationSchema)


class ModalitySchema(ma.Schema):
    modality = fields.String()
    sessions = fields.Integer()
    minutes = fields.Integer()
    mean_pain_change = Figure("Mean of pain after - before (negative = relief).")
    rated_sessions = fields.Integer()


class TherapySummarySchema(ma.Schema):
    sessions = fields.Integer()
    minutes = fields.Integer()
    by_modality = fields.List(fields.Nested(ModalitySchema))


#: The summary's ``pain``, ``sleep`` and ``therapy`` sections.
PAIN_SECTION = fields.Nested(PainSummarySchema)
SLEEP_SECTION = fields.Nested(SleepSummarySchema)
THERAPY_SECTION = fields.Nested(TherapySummarySchema)
