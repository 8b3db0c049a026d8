"""Medications and dose events as the plain data adherence and MME work on.

The ``*_of_patients`` variants read one patient or many in one statement (a clinician's list):
``patient_ids`` is a subquery (or a list) of ids, and ids come as text, cast by the database:
dict keys without a UUID object per row.
"""

from datetime import time
from functools import lru_cache

from sqlalchemy import String, cast, select, tuple_

from ..analytics.adherence import DoseRecord, MedicationPlan, Schedule
from ..database import plain_rows
from ..extensions import db
from .models import DoseEvent, Medication


def patient_medications(patient_id):
    return db.session.scalars(
        select(Medication).where(Medication.patient_id == patient_id).order_by(Medication.name)
    ).all()


def medication_plans(medications):
    """The medications (ORM objects or plain rows) as adherence takes them."""
    return [
        MedicationPlan(
            medication_id=m.id,
            name=m.name,
            schedule=Schedule(
                times=_clock_times(tuple(m.schedule["times"])),
                days_of_week=m.schedule["days_of_week"],
            ) if m.schedule else None,
            start_date=m.start_date,
            end_date=m.end_date,
        )
        for m in medications
    ]  # fmt: skip


@lru_cache(maxsize=1024)
def _clock_times(times):
    # Parsed once for the many patients who share them (a clinic's list reads a plan each);
    # the list is shared by those plans' schedules: read it, never change it.
    return [time.fromisoformat(t) for t in times]


def dose_events(patient_id, first_day, last_day):
    """The patient's dose events filed on the local dates ``first_day``..``last_day``.

    Plain rows, not ORM objects (a long summary reads thousands): the fields of a
    :class:`DoseRecord` and the ``amount`` and ``dose_unit`` that MME needs.
    """
    e = DoseEvent
    return plain_rows(
        select(e.medication_id, e.status, e.scheduled_for, e.taken_at, e.id, e.amount,
               e.dose_unit)
        .where(e.patient_id == patient_id, e.local_date >= first_day, e.local_date <= last_day)
    )  # fmt: skip


def dose_record(event):
    """A row of :func:`dose_events` as adherence takes it."""
    return DoseRecord(
        event.medication_id, event.status, event.scheduled_for, event.taken_at, event.id
    )


def dose_records(patient_id, first_day, last_day):
    """The dose events of :func:`dose_events` as adherence takes them."""
    return [dose_record(event) for event in dose_events(patient_id, first_day, last_day)]


def medications_of_patients(patient_ids, text_ids=False):
    """The patients' medications by name: what :func:`medication_plans`, MME and a regimen read.

    Named rows of ``patient_id`` (text), ``id`` (the UUID, as a summary names the medication),
    ``key`` (the id as text, as :func:`dose_events_of_patients` names it), ``name``,
    ``ingredient``, ``dose_amount``, ``dose_unit``, ``route``, ``schedule``, ``start_date`` and
    ``end_date``. With ``text_ids``, ``id`` is the text too: a clinicians' list matches tens of
    thousands of doses to their plans by it, and a UUID hashes through a Python call.
    """
    m = Medication
    key = cast(m.id, String)
    return plain_rows(
        select(cast(m.patient_id, String).label("patient_id"),
               key.label("id") if text_ids else m.id, key.label("key"), m.name, m.ingredient,
               m.dose_amount, m.dose_unit, m.route, m.schedule, m.start_date, m.end_date)
        .where(m.patient_id.in_(patient_ids))
        .order_by(m.name)
    )  # fmt: skip


def dose_events_of_patients(patient_ids, first_day, last_day):
    """The patients' dose events filed on ``first_day``..``last_day``, to unpack as tuples.

    Rows of ``(medication_id, status, scheduled_for, taken_at, amount, dose_unit)``, the id as
    text: tens of thousands for a clinician's list.
    """
    e = DoseEvent
    return plain_rows(
        select(cast(e.medication_id, String).label("medication_id"), e.status, e.scheduled_for,
               e.taken_at, e.amount, e.dose_unit)
        .where(e.patient_id.in_(patient_ids), e.local_date >= first_day,
               e.local_date <= last_day),
        named=False,
    )  # fmt: skip


def medication_of(patient_id, medication_id):
    """The patient's medication ``medication_id``, or None (also when it is someone else's)."""
    medication = db.session.get(Medication, medication_id)
    return medication if medication is not None and medication.patient_id == patient_id else None


def scheduled_dose(record_id):
    """``(medication_id, scheduled_for)`` of the dose event ``record_id``; None if not scheduled."""
    e = DoseEvent
    statement = select(e.medication_id, e.scheduled_for).where(e.id == record_id)
    row = db.session.execute(statement).first()
    return (row.medication_id, row.scheduled_for) if row and row.scheduled_for else None


def answered_doses(doses):
    """Which ``(medication_id, scheduled_for)`` doses have a dose event: one statement."""
    if not doses:
        return set()
    e = DoseEvent
    statement = select(e.medication_id, e.scheduled_for).where(
        tuple_(e.medication_id, e.scheduled_for).in_(list(doses))
    )
    return set(map(tuple, db.session.execute(statement)))


def medication_labels(medication_ids):
    """``{id: "Oxycodone 5 mg"}``: how the in-app inbox names a dose."""
    if not medication_ids:
        return {}
    m = Medication
    statement = select(m.id, m.name, m.dose_amount, m.dose_unit).where(m.id.in_(medication_ids))
    return {
        row.id: f"{row.name} {row.dose_amount:g} {row.dose_unit.replace('_', ' ')}"
        for row in plain_rows(statement)
    }
