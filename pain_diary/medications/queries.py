"""Load medications and dose events as the plain data adherence and MME work on."""

from datetime import time

from sqlalchemy import select

from ..extensions import db
from .adherence import DoseRecord, MedicationPlan, Schedule
from .models import DoseEvent, Medication


def patient_medications(patient_id):
    return db.session.scalars(
        select(Medication).where(Medication.patient_id == patient_id).order_by(Medication.name)
    ).all()


def medication_plans(medications):
    return [
        MedicationPlan(
            medication_id=m.id,
            name=m.name,
            schedule=Schedule(
                times=[time.fromisoformat(t) for t in m.schedule["times"]],
                days_of_week=m.schedule["days_of_week"],
            ) if m.schedule else None,
            start_date=m.start_date,
            end_date=m.end_date,
        )
        for m in medications
    ]  # fmt: skip


def dose_events(patient_id, first_day, last_day):
    """The patient's dose events filed on the local dates ``first_day``..``last_day``.

    Plain rows, not ORM objects (a long summary reads thousands): each begins with the fields of
    a :class:`DoseRecord` and adds the ``amount`` and ``dose_unit`` that MME needs.
    """
    e = DoseEvent
    statement = select(
        e.medication_id, e.status, e.scheduled_for, e.taken_at, e.id, e.amount, e.dose_unit
    ).where(e.patient_id == patient_id, e.local_date >= first_day, e.local_date <= last_day)
    return db.session.connection().execute(statement).all()


def dose_records(patient_id, first_day, last_day):
    """The dose events of :func:`dose_events` as adherence takes them."""
    return [DoseRecord(*event[:5]) for event in dose_events(patient_id, first_day, last_day)]
