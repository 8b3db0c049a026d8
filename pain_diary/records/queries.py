"""Pain entries, nights and therapy sessions as plain rows, for the packages that read the diary.

Rows, not ORM objects: a two-year diary is thousands of them. The ``*_of_patients`` queries read
one patient or many in one statement (a clinician's list): ``patient_ids`` is a subquery (or a
list) of ids. Their rows are tuples to unpack, of the columns their docstring lists, and start
with the patient's id as text, cast by the database: a dict key without a UUID object per row.
"""

from sqlalchemy import String, cast, func, select, tuple_

from ..database import plain_rows
from ..extensions import db
from .models import PainEntry, SleepEntry, TherapySession

_NIGHT = (
    SleepEntry.night_of, SleepEntry.total_sleep_minutes, SleepEntry.sleep_efficiency,
    SleepEntry.sleep_latency_minutes, SleepEntry.wake_after_sleep_onset_minutes,
    SleepEntry.quality,
)  # fmt: skip


def _key(model):
    return cast(model.patient_id, String).label("patient_id")


def logged_pain_on(patient_id, day):
    """Whether the patient logged pain on their local day ``day``: one patient-day index lookup."""
    statement = (
        select(PainEntry.id)
        .where(PainEntry.patient_id == patient_id, PainEntry.local_date == day)
        .limit(1)
    )
    return db.session.scalar(statement) is not None


def logged_days(patient_days):
    """Which ``(patient_id, local_date)`` pairs have a pain entry: one statement for them all."""
    return _pairs_present(PainEntry.patient_id, PainEntry.local_date, patient_days)


def logged_nights(patient_nights):
    """Which ``(patient_id, night_of)`` pairs have a sleep entry: one statement for them all."""
    return _pairs_present(SleepEntry.patient_id, SleepEntry.night_of, patient_nights)


def _pairs_present(patient_column, day_column, pairs):
    if not pairs:
        return set()
    # A row-value IN: both databases search the patient-day index for each pair.
    statement = (
        select(patient_column, day_column)
        .where(tuple_(patient_column, day_column).in_(list(pairs)))
        .distinct()
    )
    return set(map(tuple, db.session.execute(statement)))


def first_pain_day(patient_id):
    """The local date of the patient's first pain entry, or None: one patient-day index lookup."""
    return db.session.scalar(
        select(func.min(PainEntry.local_date)).where(PainEntry.patient_id == patient_id)
    )


def first_pain_day_column(patient_id):
    """:func:`first_pain_day` as a column of a statement over patients (``patient_id`` a column)."""
    return (
        select(func.min(PainEntry.local_date))
        .where(PainEntry.patient_id == patient_id)
        .scalar_subquery()
        .label("first_pain_day")
    )


def last_pain_entry_column(patient_id, since):
    """When the patient last recorded pain, as a column of a statement over patients.

    The entries of the local dates from ``since`` on are looked at first: an index range for
    each patient. Only a patient without any reads their whole history (the database
    evaluates the second look-up only when the first finds nothing).
    """
    e = PainEntry
    recent = select(func.max(e.recorded_at)).where(
        e.patient_id == patient_id, e.local_date >= since
    )
    ever = select(func.max(e.recorded_at)).where(e.patient_id == patient_id)
    return func.coalesce(recent.scalar_subquery(), ever.scalar_subquery()).label("last_pain_at")


def pain_entries_of_patients(patient_ids, first_day, last_day):
    """The patients' pain entries of the local dates ``first_day``..``last_day``.

    Rows of ``(patient_id, local_date, intensity, recorded_at, created_at,
    enjoyment_interference, activity_interference, body_sites, qualities)``.
    """
    e = PainEntry
    return plain_rows(
        select(_key(e), e.local_date, e.intensity, e.recorded_at, e.created_at,
               e.enjoyment_interference, e.activity_interference, e.body_sites, e.qualities)
        .where(e.patient_id.in_(patient_ids), e.local_date >= first_day,
               e.local_date <= last_day),
        named=False,
    )  # fmt: skip


def daily_pain_of_patients(patient_ids, first_day, last_day):
    """Per patient and local date of ``first_day``..``last_day``: the intensities' sum and count.

    Rows of ``(patient_id, local_date, intensity_sum, entries)``, each patient's days in order:
    the sums are exact (integers), daily pain is then Σ/n.
    """
    e = PainEntry
    return plain_rows(
        select(_key(e), e.local_date, func.sum(e.intensity).label("intensity_sum"),
               func.count().label("entries"))
        .where(e.patient_id.in_(patient_ids), e.local_date >= first_day,
               e.local_date <= last_day)
        .group_by(e.patient_id, e.local_date)
        .order_by(e.patient_id, e.local_date),
        named=False,
    )  # fmt: skip


def nights_of_patients(patient_ids, first_day, last_day):
    """The patients' sleep entries of the nights ``first_day``..``last_day``.

    Rows of ``(patient_id, night_of, total_sleep_minutes, sleep_efficiency,
    sleep_latency_minutes, wake_after_sleep_onset_minutes, quality)``.
    """
    s = SleepEntry
    return plain_rows(
        select(_key(s), *_NIGHT)
        .where(s.patient_id.in_(patient_ids), s.night_of >= first_day, s.night_of <= last_day),
        named=False,
    )  # fmt: skip


def therapy_sessions_of_patients(patient_ids, first_day, last_day):
    """The patients' therapy sessions of the local dates ``first_day``..``last_day``.

    Rows of ``(patient_id, local_date, modality, duration_minutes, pain_before, pain_after)``.
    """
    t = TherapySession
    return plain_rows(
        select(_key(t), t.local_date, t.modality, t.duration_minutes, t.pain_before,
               t.pain_after)
        .where(t.patient_id.in_(patient_ids), t.local_date >= first_day,
               t.local_date <= last_day),
        named=False,
    )  # fmt: skip
