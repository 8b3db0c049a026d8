"""Write an import's days: each (date, source) replaced, never added twice.

A day whose figures are already the stored ones is left alone, version and all, so importing
the same file again changes nothing. The caller commits: the days go with the import's result.
"""

import uuid

from sqlalchemy import select

from ..extensions import db
from ..types import utcnow
from .models import ActivityDay


def write_days(patient_id, import_id, figures):
    """Insert or update the patient's days of ``figures.source``; return how many changed."""
    stored = {
        day.date: day
        for day in db.session.scalars(
            select(ActivityDay).where(
                ActivityDay.patient_id == patient_id, ActivityDay.source == figures.source
            )
        )
    }
    now = utcnow()
    written = 0
    for date, (steps, minutes) in figures.days.items():
        day = stored.get(date)
        if day is None:
            db.session.add(
                ActivityDay(
                    id=uuid.uuid4(), patient_id=patient_id, date=date, source=figures.source,
                    steps=steps, active_minutes=minutes, import_id=import_id, version=1,
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
        elif (day.steps, day.active_minutes) != (steps, minutes):
            day.steps, day.active_minutes, day.import_id = steps, minutes, import_id
            day.version += 1
            day.updated_at = now
        else:
            continue
        written += 1
    db.session.flush()
    return written
