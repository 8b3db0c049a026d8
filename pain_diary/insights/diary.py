"""Load a patient's diary for a period as the plain data the analytics work on."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from ..analytics import NOTES_COUNT, PainPoint, PatientNote, SleepNight, TherapyPoint
from ..analytics.adherence import DoseRecord, MedicationPlan
from ..analytics.mme import FENTANYL_PATCH_DAYS, TakenOpioidDose, is_opioid
from ..localtime import local_date
from ..medications import queries as medications
from ..records import queries as records

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
    #: The period's latest notes of each collection (never logged: they are health data).
    notes: list[PatientNote] = field(default_factory=list)
    #: The diary's first local day: the earlier of the account's creation and the first entry.
    started_on: date | None = None


PARTS = frozenset({"pain", "sleep", "therapy", "medications", "notes", "started_on"})


def load_diary(patient, first_day, last_day, parts=PARTS):
    """Query what a summary of the period (and its flags) uses; ``parts`` narrows it for a chart.

    Plain rows, not ORM objects: a two-year diary is thousands of them.
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
    if "notes" in parts:
        rows = records.notes(patient.id, first_day, last_day, NOTES_COUNT)
        diary.notes = [PatientNote(*row) for row in rows]
    if "started_on" in parts:
        diary.started_on = diary_start(patient)
    return diary


def diary_start(patient):
    """The earlier of the local date the account was created and its first pain entry's date.

    Completion and the logging_gap flag count from it (DESIGN §4): no gap before the diary began.
    One lookup in the patient-day index.
    """
    first_entry = records.first_pain_day(patient.id)
    created = local_date(patient.created_at, patient.tz)
    return created if first_entry is None else min(created, first_entry)


def _pain_point(row):
    """A row of :func:`records.queries.pain_entries` as the analytics take it."""
    return PainPoint(
        row.local_date, row.intensity, row.recorded_at, row.created_at,
        row.enjoyment_interference, row.activity_interference,
        tuple(site["site"] for site in row.body_sites), tuple(row.qualities),
    )  # fmt: skip


def _sleep_night(row):
    """A row of a nights query as the analytics take it."""
    return SleepNight(
        row.night_of, row.total_sleep_minutes, row.sleep_efficiency, row.sleep_latency_minutes,
        row.wake_after_sleep_onset_minutes, row.quality,
    )  # fmt: skip


def _pain(pid, since, last_day):
    return [_pain_point(row) for row in records.pain_entries(pid, since, last_day)]


def _sleep(pid, since, last_day):
    return [_sleep_night(row) for row in records.nights(pid, since, last_day)]


def _therapy(pid, first_day, last_day):
    return [
        TherapyPoint(row.modality, row.duration_minutes, row.pain_before, row.pain_after)
        for row in records.therapy_sessions(pid, first_day, last_day)
    ]


def _medications(diary, pid, since, last_day):
    prescribed = medications.patient_medications(pid)
    diary.plans = medications.medication_plans(prescribed)
    opioids = {m.id: m.ingredient for m in prescribed if is_opioid(m.ingredient)}
    # A fentanyl patch applied before the period still counts on its first days.
    events = medications.dose_events(
        pid, since - timedelta(days=FENTANYL_PATCH_DAYS), last_day + timedelta(days=1)
    )
    diary.doses = [medications.dose_record(event) for event in events]
    diary.opioid_doses = [
        TakenOpioidDose(opioids[e.medication_id], e.amount, e.dose_unit, e.taken_at)
        for e in events
        if e.status == "taken" and e.medication_id in opioids
    ]
