"""Load a patient's diary for a period as the plain data the analytics work on."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..extensions import db
from ..medications.adherence import DoseRecord, MedicationPlan
from ..medications.mme import FENTANYL_PATCH_DAYS, TakenOpioidDose, is_opioid
from ..medications.models import DoseEvent
from ..medications.queries import medication_plans, patient_medications
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


def load_diary(patient, first_day, last_day):
    """Query the patient's records that a summary of the period (and its flags) can use."""
    since = min(first_day, last_day - FLAG_LOOKBACK)
    diary = Diary(tz=patient.tz, first_day=first_day, last_day=last_day)
    pid = patient.id
    diary.pain = [
        PainPoint(e.local_date, e.intensity, e.recorded_at, e.created_at,
                  e.enjoyment_interference, e.activity_interference,
                  tuple(s["site"] for s in e.body_sites), tuple(e.qualities))
        for e in db.session.scalars(
            select(PainEntry).where(PainEntry.patient_id == pid, PainEntry.local_date >= since,
                                    PainEntry.local_date <= last_day)
        )
    ]  # fmt: skip
    diary.sleep = [
        SleepNight(s.night_of, s.total_sleep_minutes, s.sleep_efficiency,
                   s.sleep_latency_minutes, s.wake_after_sleep_onset_minutes, s.quality)
        for s in db.session.scalars(
            select(SleepEntry).where(SleepEntry.patient_id == pid, SleepEntry.night_of >= since,
                                     SleepEntry.night_of <= last_day)
        )
    ]  # fmt: skip
    diary.therapy = [
        TherapyPoint(s.modality, s.duration_minutes, s.pain_before, s.pain_after)
        for s in db.session.scalars(
            select(TherapySession).where(
                TherapySession.patient_id == pid,
                TherapySession.local_date >= first_day,
                TherapySession.local_date <= last_day,
            )
        )
    ]
    medications = patient_medications(pid)
    diary.plans = medication_plans(medications)
    opioids = {m.id: m.ingredient for m in medications if is_opioid(m.ingredient)}
    # A fentanyl patch applied before the period still counts on its first days.
    events = db.session.scalars(
        select(DoseEvent).where(
            DoseEvent.patient_id == pid,
            DoseEvent.local_date >= since - timedelta(days=FENTANYL_PATCH_DAYS),
            DoseEvent.local_date <= last_day + timedelta(days=1),
        )
    ).all()
    diary.doses = [
        DoseRecord(e.medication_id, e.status, e.scheduled_for, e.taken_at, e.id) for e in events
    ]
    diary.opioid_doses = [
        TakenOpioidDose(opioids[e.medication_id], e.amount, e.dose_unit, e.taken_at)
        for e in events
        if e.status == "taken" and e.medication_id in opioids
    ]
    return diary
