"""What the summary reads of the patients' activity days: plain rows, one statement for many."""

from sqlalchemy import String, cast, select

from ..database import plain_rows
from .models import ActivityDay


def activity_of_patients(patient_ids, first_day, last_day):
    """Rows of ``(patient_id, date, source, steps, active_minutes)`` of the days given, the
    patient id as text."""
    a = ActivityDay
    return plain_rows(
        select(cast(a.patient_id, String), a.date, a.source, a.steps, a.active_minutes)
        .where(a.patient_id.in_(patient_ids), a.date >= first_day, a.date <= last_day)
        .order_by(a.date),
        named=False,
    )  # fmt: skip
