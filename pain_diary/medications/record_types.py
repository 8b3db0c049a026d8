"""Medications and their doses as the rest of the app sees them (DESIGN §1)."""

from ..charts import adherence
from ..sync.registry import Chart, Export, RecordType, Reminder
from . import queries
from .collections import medication_doses, medications
from .fhir import medication_resources
from .schemas import DOSE_UNITS, ROUTES

MEDICATIONS = RecordType(
    "medications",
    collections=(medications, medication_doses),
    exports=(
        Export(
            "medications",
            medications,
            "One row per medication: rxnorm_code (the RxNorm concept id, if given), dose amount "
            "and unit, route, schedule {times, days_of_week (0 = Monday)} or as_needed, start "
            "and end dates; is_opioid from the CDC table.",
        ),
        Export(
            "medication_doses",
            medication_doses,
            "One row per dose taken or skipped: medication_id (the id column of "
            "medications.csv), scheduled_for (empty for as-needed doses), taken_at, amount, "
            "skip_reason.",
        ),
    ),
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
            "medication", "Medication", "/today#medications", "Medication", queries.answered_doses
        ),
    ),
    history=(("doses", "Doses", "medication-doses"),),
    editable=("medication-doses",),
)
