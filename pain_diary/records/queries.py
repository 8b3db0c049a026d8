"""Pain entries, nights and therapy sessions as plain rows, for the packages that read the diary.

Rows, not ORM objects: a two-year diary is thousands of them; a row is read by name
(``row.intensity``). The ``*_of_patients`` variants read many patients in one statement, for the
clinicians' list: ``patient_ids`` is a subquery (or a list) of ids; their rows are tuples of the
columns their docstring lists, to unpack, and start with the patient's id as text, cast by the
database: a dict key without a UUID object per row.
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


def pain_entries(patient_id, first_day, last_day):
    """The patient's pain entries of the local dates ``first_day``..``last_day``."""
    e = PainEntry
    return plain_rows(
        select(e.local_date, e.intensity, e.recorded_at, e.created_at, e.enjoyment_interference,
               e.activity_interference, e.body_sites, e.qualities)
        .where(e.patient_id == patient_id, e.local_date >= first_day, e.local_date <= last_day)
    )  # fmt: skip


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


def nights(patient_id, first_day, last_day):
    """The patient's sleep entries of the nights ``first_day``..``last_day``."""
    s = SleepEntry
    return plain_rows(
        select(*_NIGHT).where(s.patient_id == patient_id, s.night_of >= first_day,
                              s.night_of <= last_day)
    )  # fmt: skip


def therapy_sessions(patient_id, first_day, last_day):
    """The patient's therapy sessions of the local dates ``first_day``..``last_day``."""
    t = TherapySession
    return plain_rows(
        select(t.modality, t.duration_minutes, t.pain_before, t.pain_after)
        .where(t.patient_id == patient_id, t.local_date >= first_day, t.local_date <= last_day)
    )  # fmt: skip


#: The records whose notes a summary quotes: the collection, the instant a note belongs to (a
#: night's is its end, as History dates it) and the local date that places it in a period.
_NOTED = (
    ("pain-entries", PainEntry, PainEntry.recorded_at, PainEntry.local_date),
    ("sleep-entries", SleepEntry, SleepEntry.out_of_bed_at, SleepEntry.night_of),
    ("therapy-sessions", TherapySession, TherapySession.started_at, TherapySession.local_date),
)
_BLANKS = " \t\r\n\f\v"


def notes(patient_id, first_day, last_day, count):
    """The ``count`` latest notes of each collection of ``first_day..last_day``, newest first.

    Rows of ``(local_date, recorded_at, kind, text)``, ``kind`` the collection; notes of only
    blanks are left out. Notes are health data: never log them.
    """
    rows = []
    for kind, model, instant, day in _NOTED:
        latest = plain_rows(
            select(day, instant, model.note)
            .where(model.patient_id == patient_id, day >= first_day, day <= last_day,
                   func.rtrim(model.note, _BLANKS) != "")
            .order_by(instant.desc())
            .limit(count),
            named=False,
        )  # fmt: skip
        rows += [(local_date, at, kind, text) for local_date, at, text in latest]
    return rows


def daily_pain_of_patients(patient_ids, since):
    """Per patient and local date from ``since`` on: the intensities' sum, count and last entry.

    Rows of ``(patient_id, local_date, intensity_sum, entries, last_recorded_at)``.
    """
    e = PainEntry
    return plain_rows(
        select(cast(e.patient_id, String).label("patient_id"), e.local_date,
               func.sum(e.intensity).label("intensity_sum"), func.count().label("entries"),
               func.max(e.recorded_at).label("last_recorded_at"))
        .where(e.patient_id.in_(patient_ids), e.local_date >= since)
        .group_by(e.patient_id, e.local_date),
        named=False,
    )  # fmt: skip


def last_pain_entries(patient_ids):
    """Per patient, when their last pain entry was recorded: ``(patient_id, last_recorded_at)``."""
    e = PainEntry
    return plain_rows(
        select(cast(e.patient_id, String).label("patient_id"),
               func.max(e.recorded_at).label("last_recorded_at"))
        .where(e.patient_id.in_(patient_ids))
        .group_by(e.patient_id),
        named=False,
    )  # fmt: skip


def nights_of_patients(patient_ids, first_day, last_day):
    """The patients' sleep entries of the nights ``first_day``..``last_day``.

    Rows of ``patient_id`` and then the columns of :func:`nights`, in that order.
    """
    s = SleepEntry
    return plain_rows(
        select(cast(s.patient_id, String).label("patient_id"), *_NIGHT)
        .where(s.patient_id.in_(patient_ids), s.night_of >= first_day, s.night_of <= last_day),
        named=False,
    )  # fmt: skip
