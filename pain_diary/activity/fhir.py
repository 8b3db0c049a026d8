"""A day's steps as a FHIR R4 Observation (DESIGN §4): LOINC 41950-7, per day in ``/d``."""

from datetime import datetime, time, timedelta

from ..analytics.activity import ActivityRecord, day_figures
from ..fhir.bundle import observation
from ..fhir.codes import LOINC, OBSERVATION_CATEGORY, UCUM, concept

ONE_DAY = timedelta(days=1)
STEPS = (LOINC, "41950-7", "Number of steps in 24 hour Measured")


def steps_resources(records, bundle):
    """One Observation per day's figure with steps (the day's figure rule of DESIGN §3)."""
    stored = {(day.date, day.source): day for day in records["activity_days"]}
    figures = day_figures(
        ActivityRecord(day.date, day.source, day.steps, day.active_minutes)
        for day in stored.values()
    )
    for day, figure in figures.items():
        if figure.steps is not None:
            record = stored[(day, figure.source)]
            bundle.add(record.id, _steps(record, bundle))


def _steps(record, bundle):
    """The local day as its period, from its midnight to the next."""
    start, end = (
        datetime.combine(d, time(), bundle.tz) for d in (record.date, record.date + ONE_DAY)
    )
    steps = observation(bundle, STEPS, record.updated_at)
    return steps | {
        "category": [concept(OBSERVATION_CATEGORY, "activity", "Activity")],
        "effectivePeriod": {"start": bundle.time(start), "end": bundle.time(end)},
        "valueQuantity": {"value": record.steps, "unit": "/d", "system": UCUM, "code": "/d"},
    }
