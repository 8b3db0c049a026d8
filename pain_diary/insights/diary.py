"""Load a patient's diary for a period as the plain data the analytics work on."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..extensions import db
from ..localtime import local_date
from ..medications.adherence import DoseRecord, MedicationPlan
from ..medications.mme import FENTANYL_PATCH_DAYS, TakenOpioidDose, is_opioid
from ..medications.queries import dose_events, medication_plans, patient_medications
from ..records.models import PainEntry, SleepEntry, TherapySession
from .analytics import PainPoint, SleepNight, TherapyPoint

#: Flags look back 21 days (the last 7 against the 14 before) from the period's end.
FLAG_LOOKBACK = timedelta(days=20)


@dataclass
class Diary:
    """Everything a summary or chart of ``first_day``..``last_day`` needs, and no rows."""

    tz: ZoneInfo
    first_day: date
    last_day: date
    pain: list[PainPoint] = field(default_factory=list)
    sleep: list[SleepNight] = field(default_factory=list)
    therapy: list[TherapyPoint] = field(default_factory=list)
    plans: list[MedicationPlan] = field(default_factory=list)
    doses: list[DoseRecord] = field(default_factory=list)
    opioid_doses: list[TakenOpioidDose] = field(default_factory=list)
    #: The diary's first local day: the earlier of the account's creation and the first entry.
    started_on: date | None = None


PARTS = frozenset({"pain", "sleep", "therapy", "medications", "started_on"})


def load_diary(patient, first_day, last_day, parts=PARTS):
    """Query what a summary of the period (and its flags) uses; ``parts`` narrows it for a chart.

    Plain column tuples, not ORM objects: a two-year diary is thousands of rows.
    """
    diary = Diary(tz=patient.tz, first_day=first_day, last_day=last_day)
    since = min(first_day, last_day - FLAG_LOOKBACK)
    if "pain" in parts:
        diary.pain = _pain(patient.id, since, last_day)
    if "sleep" in parts:
        diary.sleep = _sleep(patient.id, since, last_day)
    if "therapy" in parts:
        diary.therapy = _therapy(patient.id, first_day, last_day)
    if "medications" in parts:
        _medications(diary, patient.id, since, last_day)
    if "started_on" in parts:
        diary.started_on = diary_start(patient)
    return diary


def diary_start(patient):
    """The earlier of the local date the account was created and its first pain entry's date.

    Completion and the logging_gap flag count from it (DESIGN §4): no gap before the diary began.
    One lookup in the patient-day index.
    """
    first_entry = db.session.scalar(
        select(func.min(PainEntry.local_date)).where(PainEntry.patient_id == patient.id)
    )
    created = local_date(patient.created_at, patient.tz)
    return created if first_entry is None else min(created, first_entry)


def plain_rows(statement):
    """Plain rows from the connection, fetched at once, without the ORM's per-row bookkeeping."""
    return db.session.connection().execute(statement).all()


def _rows(*columns, where):
    return plain_rows(select(*columns).where(*where))


def _pain(pid, since, last_day):
    e = PainEntry
    rows = _rows(
        e.local_date, e.intensity, e.recorded_at, e.created_at, e.enjoyment_interference,
        e.activity_interference, e.body_sites, e.qualities,
        where=(e.patient_id == pid, e.local_date >= since, e.local_date <= last_day),
    )  # fmt: skip
    return [
        PainPoint(*row[:6], tuple(site["site"] for site in row.body_sites), tuple(row.qualities))
        for row in rows
    ]


def _sleep(pid, since, last_day):
    s = SleepEntry
    rows = _rows(
        s.night_of, s.total_sleep_minutes, s.sleep_efficiency, s.sleep_latency_minutes,
        s.wake_after_sleep_onset_minutes, s.quality,
        where=(s.patient_id == pid, s.night_of >= since, s.night_of <= last_day),
    )  # fmt: skip
    return [SleepNight(*row) for row in rows]


def _therapy(pid, first_day, last_day):
    t = TherapySession
    rows = _rows(
        t.modality, t.duration_minutes, t.pain_before, t.pain_after,
        where=(t.patient_id == pid, t.local_date >= first_day, t.local_date <= last_day),
    )  # fmt: skip
    return [TherapyPoint(*row) for row in rows]


def _medications(diary, pid, since, last_day):
    medications = patient_medications(pid)
    diary.plans = medication_plans(medications)
    opioids = {m.id: m.ingredient for m in medications if is_opioid(m.ingredient)}
    # A fentanyl patch applied before the period still counts on its first days.
    events = dose_events(
        pid, since - timedelta(days=FENTANYL_PATCH_DAYS), last_day + timedelta(days=1)
    )
    diary.doses = [DoseRecord(*event[:5]) for event in events]
    diary.opioid_doses = [
        TakenOpioidDose(opioids[e.medication_id], e.amount, e.dose_unit, e.taken_at)
        for e in events
        if e.status == "taken" and e.medication_id in opioids
    ]
