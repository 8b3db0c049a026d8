"""The procedure's fields and rules (DESIGN §3)."""

from datetime import timedelta

import marshmallow as ma
from marshmallow import fields, validate

from ..fields import Figure, Instant, Int, Note, not_in_future, one_of
from ..records.schemas import BODY_SITES, SIDES
from ..sync.fields import RecordSchema

KINDS = (
    "epidural_steroid_injection", "facet_joint_injection", "medial_branch_block",
    "radiofrequency_ablation", "nerve_block", "trigger_point_injection",
    "botulinum_toxin_injection", "prp_injection", "stem_cell_injection", "prolotherapy",
    "scs_trial", "scs_implant", "drg_stimulator", "peripheral_nerve_stimulator", "surgery",
    "other",
)  # fmt: skip
#: The one kind with a span: a stimulator trial, from the lead's placement to its removal.
TRIAL = "scs_trial"
LONGEST_TRIAL = timedelta(days=30)


class ProcedureSiteSchema(ma.Schema):
    site = fields.String(required=True, validate=one_of(BODY_SITES))
    side = fields.String(allow_none=True, validate=one_of(SIDES))


class ProcedureSchema(RecordSchema):
    kind = fields.String(required=True, validate=one_of(KINDS))
    performed_at = Instant(required=True, validate=not_in_future)
    trial_ends_at = Instant(
        allow_none=True,
        metadata={
            "description": "Only and always for scs_trial: after performed_at, at most 30 days "
            "later."
        },
    )
    body_sites = fields.List(fields.Nested(ProcedureSiteSchema), validate=validate.Length(max=4))
    level = fields.String(allow_none=True, validate=validate.Length(max=40))
    provider = fields.String(allow_none=True, validate=validate.Length(max=120))
    reported_relief_percent = Int(
        0,
        100,
        allow_none=True,
        metadata={"description": 'The patient\'s answer to "how much relief did it give?".'},
    )
    note = Note()
    local_date = fields.Date(dump_only=True)

    @ma.validates_schema
    def check_the_trial(self, data, **kwargs):
        """A stimulator trial has an end, after its start and at most 30 days later; nothing
        else has one."""
        ends_at = data.get("trial_ends_at")
        if data["kind"] != TRIAL:
            if ends_at is not None:
                raise ma.ValidationError("Only a stimulator trial (scs_trial) has an end.",
                                         "trial_ends_at")  # fmt: skip
            return
        if ends_at is None:
            raise ma.ValidationError("A stimulator trial needs its end.", "trial_ends_at")
        if ends_at <= data["performed_at"]:
            raise ma.ValidationError("Must be after performed_at.", "trial_ends_at")
        if ends_at - data["performed_at"] > LONGEST_TRIAL:
            raise ma.ValidationError("A trial lasts at most 30 days.", "trial_ends_at")


WINDOWS = ("same_day", "trial", "week_1", "weeks_2_3", "month_3", "month_6")


class WindowSchema(ma.Schema):
    window = fields.String(validate=validate.OneOf(WINDOWS))
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    mean = Figure("Mean daily pain of its logged days (>= 3); same_day: of its entries (>= 1).")
    days_logged = fields.Integer()
    relief_percent = Figure("(baseline - mean) / baseline x 100; null without both or at 0.")
    response = fields.String(allow_none=True, metadata={"description": "IMMPACT, as pain's."})


class GoalSchema(ma.Schema):
    window = fields.String(validate=validate.OneOf(WINDOWS))
    relief_percent = fields.Float()


class ProcedureResponseSchema(ma.Schema):
    class Meta:
        description = (
            "A procedure of the 365 days up to the period's end and the pain around it, from "
            "the whole diary up to the period's end (DESIGN §4 Procedures)."
        )

    procedure_id = fields.UUID()
    kind = fields.String(validate=validate.OneOf(KINDS))
    performed_at = fields.DateTime()
    trial_ends_at = fields.DateTime(allow_none=True)
    level = fields.String(allow_none=True)
    body_sites = fields.List(fields.Nested(ProcedureSiteSchema))
    baseline_mean = Figure("Mean daily pain of the 14 days before (>= 4 logged days).")
    windows = fields.List(fields.Nested(WindowSchema))
    goal = fields.Nested(GoalSchema)
    goal_met = fields.Boolean(allow_none=True)
    reported_relief_percent = fields.Integer(allow_none=True)


#: The summary's ``procedures`` section.
SECTION = fields.List(fields.Nested(ProcedureResponseSchema))
