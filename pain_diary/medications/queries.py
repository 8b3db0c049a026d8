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


def dose_records(patient_id, first_day, last_day):
    events = db.session.scalars(
        select(DoseEvent).where(
            DoseEvent.patient_id == patient_id,
            DoseEvent.local_date >= first_day,
            DoseEvent.local_date <= last_day,
        )
    )
    return [
        DoseRecord(e.medication_id, e.status, e.scheduled_for, e.taken_at, e.id) for e in events
    ]
