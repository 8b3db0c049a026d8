"""Medications and their doses as the rest of the app sees them (DESIGN §1)."""

from ..analytics.adherence import as_needed_use, medication_adherence
from ..analytics.mme import daily_mme, mme_summary
from ..charts import adherence
from ..localtime import local_date
from ..sync.registry import Answered, Chart, RecordType, Reminder, Section
from . import queries
from .collections import medication_doses, medications
from .fhir import medication_resources
from .schemas import DOSE_UNITS, ROUTES, SECTION


def medications_section(diary, now):
    """Adherence per medication, as-needed use and MME over the period (DESIGN §4)."""
    first_day, last_day, tz = diary.first_day, diary.last_day, diary.tz
    section = medication_adherence(diary.plans, diary.doses, tz, first_day, last_day, now)
    section["as_needed"] = as_needed_use(diary.plans, diary.doses, tz, first_day, last_day)
    # Days still to come carry no doses yet: average over the days up to today.
    until = max(first_day, min(last_day, local_date(now, tz)))
    section["mme"] = mme_summary(daily_mme(diary.opioid_doses, tz), first_day, until)
    return section


def the_dose(rule, occurrence_at, day):
    """A dose reminder is answered by an event (taken or skipped) of that scheduled dose."""
    return rule.medication_id, occurrence_at


def dose_headline(clock):
    """Names no drug: a lock screen or an inbox provider may show it (DESIGN §5)."""
    return f"Time for your {clock:%H:%M} medication"


MEDICATIONS = RecordType(
    "medications",
    collections=(medications, medication_doses),
    summary=Section(medications_section, SECTION),
    charts=(
        Chart("adherence", "Medication adherence", adherence.draw, frozenset({"medications"})),
    ),
    fhir=medication_resources,
    vocabulary={"dose_units": DOSE_UNITS, "routes": ROUTES},
    labels={
        "mcg": "mcg",
        "mg": "mg",
        "g": "g",
        "ml": "ml",
        "mcg_per_hour": "mcg per hour",
        "fentanyl_transdermal": "Fentanyl patch",
    },  # fmt: skip
    reminders=(
        Reminder(
            "medication",
            "Medication",
            "/today#medications",
            "Medication",
            dose_headline,
            Answered(the_dose, queries.answered_doses),
        ),
    ),
    history=(("doses", "Doses", "medication-doses"),),
)
