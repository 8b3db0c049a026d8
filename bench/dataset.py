"""The insights benchmark's data: two years of one patient's diary, and 1,000 linked patients.

Rows go straight into the tables with SQLAlchemy core, in chunks: storing them one PUT at a time
would take minutes. Each column holds what the API would have stored: local dates in the
patient's timezone, the sleep diary's derived figures (the app's own `derive_sleep`), doses at
the exact instants their schedule falls due. Nothing lies in the future of `now`; a missed dose
is one with no event.
"""

import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from pain_diary import create_app
from pain_diary.accounts.models import User
from pain_diary.care.models import CareLink
from pain_diary.extensions import db
from pain_diary.localtime import at_local_time, local_date
from pain_diary.medications.models import DoseEvent, Medication
from pain_diary.records.collections import derive_sleep
from pain_diary.records.models import PainEntry, SleepEntry, TherapySession

from .harness import Instance

TIMEZONE = "Europe/Berlin"
TZ = ZoneInfo(TIMEZONE)
DIARY_DAYS = 730
THERAPY_SESSIONS = 200
DASHBOARD_PATIENTS = 1000
DASHBOARD_PAIN_DAYS = 21
DASHBOARD_SLEEP_NIGHTS = 7
DASHBOARD_DOSE_DAYS = 14
CHUNK = 5000
# Parents before children, for the foreign keys.
TABLES = (User, CareLink, Medication, PainEntry, SleepEntry, TherapySession, DoseEvent)

PAIN_TIMES = (time(7, 45), time(13, 0), time(20, 30))
SITES = ("lower_back", "hip", "leg", "neck", "shoulder")
QUALITIES = (
    ["aching"],
    ["aching", "stiff"],
    ["dull"],
    ["sharp", "radiating"],
    ["burning", "shooting"],
    ["aching", "dull"],
    ["stiff"],
)
# modality, local start, minutes, program, usual relief in NRS points
THERAPIES = (
    ("physiotherapy", time(10, 30), 45, "Praxis Lindner", 1),
    ("exercise", time(17, 0), 30, "Back school", 1),
    ("mindfulness", time(21, 45), 15, "Body scan", 1),
    ("vr", time(18, 30), 20, "EaseVR", 2),
    ("tens", time(19, 0), 30, None, 1),
    ("cbt", time(9, 0), 50, "Pain coping", 0),
)


@dataclass(frozen=True)
class Prescription:
    name: str
    ingredient: str
    dose_amount: float
    times: tuple[time, ...]
    skip_reason: str


NAPROXEN = Prescription("Naproxen 500 mg", "naproxen", 500, (time(8), time(20)), "Stomach upset")
TRAMADOL = Prescription(
    "Tramadol 50 mg", "tramadol", 50, (time(8), time(14), time(20)), "Felt drowsy"
)


@dataclass(frozen=True)
class Course:
    """How one dashboard patient's last weeks went: what makes their flags differ."""

    pain: float  # usual daily pain, NRS
    recent_rise: float  # added over the last 7 days: worsening pain
    taken_share: float  # of scheduled doses; the rest split between skipped and missed
    silent_days: int  # days without an entry up to today: a logging gap


def app_config(inst: Instance) -> dict:
    """Configure the app on the instance's database, as its gunicorn workers are."""
    return {
        "SQLALCHEMY_DATABASE_URI": inst.env["DATABASE_URL"],
        "INSTANCE_PATH": str(inst.path),
        "SECRET_KEY": inst.env["SECRET_KEY"],
        "RATELIMIT_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }


def populate(
    inst: Instance, patient_email: str, clinician_email: str, now: datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Give the patient two years of diary and the clinician 1,000 patients; count their rows."""
    app = create_app(app_config(inst))
    with app.app_context():
        patient = db.session.scalar(select(User).where(User.email == patient_email))
        clinician_id = db.session.scalar(select(User.id).where(User.email == clinician_email))
        rows = DiaryRows(now, random.Random(2024))
        rows.two_year_diary(patient.id)
        diary = rows.counts()
        rows.dashboard_patients(clinician_id, patient.password_hash)
        dashboard = rows.counts() - diary
        with db.engine.begin() as connection:
            for model in TABLES:
                table_rows = rows.tables[model]
                for start in range(0, len(table_rows), CHUNK):
                    connection.execute(insert(model.__table__), table_rows[start : start + CHUNK])
        db.session.remove()
        db.engine.dispose()
    return dict(diary), dict(dashboard)


class DiaryRows:
    """Rows for each table, made as the app would store them as of `now`."""

    def __init__(self, now: datetime, rng: random.Random):
        self.now = now
        self.today = local_date(now, TZ)
        self.rng = rng
        self.tables: dict[type, list[dict]] = defaultdict(list)

    def counts(self) -> Counter:
        return Counter({model.__tablename__: len(self.tables[model]) for model in TABLES})

    def two_year_diary(self, patient_id: uuid.UUID) -> None:
        """730 days of 3 pain entries and a night each, 2 scheduled medications, 200 sessions."""
        days = [self.today - timedelta(days=n) for n in range(DIARY_DAYS - 1, -1, -1)]
        # A slow wave of better and worse months, so trends and the charts have a shape.
        pain = {day: 5 + 1.5 * _wave(i, 90) + self.rng.gauss(0, 0.7) for i, day in enumerate(days)}
        for day in days:
            self.pain_entries(patient_id, day, pain[day])
            self.night(patient_id, day - timedelta(days=1), pain[day])
        for prescription in (NAPROXEN, TRAMADOL):
            self.medication(patient_id, prescription, days, taken_share=0.9)
        # Sessions end before today, so none is still running.
        session_days = sorted(self.rng.sample(days[:-1], THERAPY_SESSIONS))
        for n, day in enumerate(session_days):
            self.therapy_session(patient_id, day, THERAPIES[n % len(THERAPIES)], pain[day])

    def dashboard_patients(self, clinician_id: uuid.UUID, password_hash: str) -> None:
        """1,000 patients linked to the clinician, each with their last three weeks."""
        joined = self.now - timedelta(days=60)
        for n in range(DASHBOARD_PATIENTS):
            patient_id = uuid.uuid4()
            self.tables[User].append(
                {
                    "id": patient_id,
                    "email": f"patient{n:04d}@bench.example.org",
                    "password_hash": password_hash,
                    "display_name": f"Patient {n:04d}",
                    "role": "patient",
                    "timezone": TIMEZONE,
                    "is_disabled": False,
                    "created_at": joined,
                }
            )
            self.tables[CareLink].append(
                {
                    "id": uuid.uuid4(),
                    "patient_id": patient_id,
                    "clinician_id": clinician_id,
                    "created_at": joined + timedelta(minutes=n),
                    "revoked_at": None,
                }
            )
            self.recent_weeks(patient_id, self.course())

    def course(self) -> Course:
        rng = self.rng
        return Course(
            pain=rng.uniform(2, 8),
            recent_rise=rng.choice((0, 0, 0, 0, 1.5, 2.5)),
            taken_share=rng.choice((0.95, 0.9, 0.9, 0.75, 0.5)),
            silent_days=rng.choice((0,) * 9 + (rng.randint(3, 6),)),
        )

    def recent_weeks(self, patient_id: uuid.UUID, course: Course) -> None:
        """21 days of pain and 7 nights (up to their last entry), 14 days of one medication."""
        for n in range(DASHBOARD_PAIN_DAYS):  # n: days before the last logged day
            pain = course.pain + (course.recent_rise if n < 7 else 0) + self.rng.gauss(0, 0.6)
            day = self.today - timedelta(days=course.silent_days + n)
            self.pain_entries(patient_id, day, pain)
            if n < DASHBOARD_SLEEP_NIGHTS:
                self.night(patient_id, day - timedelta(days=1), pain)
        days = [self.today - timedelta(days=n) for n in range(DASHBOARD_DOSE_DAYS - 1, -1, -1)]
        prescription = TRAMADOL if self.rng.random() < 0.25 else NAPROXEN
        self.medication(patient_id, prescription, days, course.taken_share)

    def pain_entries(self, patient_id: uuid.UUID, day: date, pain: float) -> None:
        """A morning, midday and evening entry; the evening one with the PEG items."""
        rng = self.rng
        for slot, hhmm in enumerate(PAIN_TIMES):
            recorded_at = _at(day, hhmm, TZ) + timedelta(minutes=rng.randint(-20, 40))
            if recorded_at > self.now:
                continue
            intensity = _nrs(pain + rng.gauss(0, 0.6))
            evening = slot == len(PAIN_TIMES) - 1
            sites = [{"site": "lower_back", "side": "center", "intensity": intensity}]
            if rng.random() < 0.3:
                site = rng.choice(SITES[1:])
                sites.append({"site": site, "side": "left", "intensity": _nrs(intensity - 1)})
            self.record(
                PainEntry,
                patient_id,
                self._saved(recorded_at),
                recorded_at=recorded_at,
                local_date=local_date(recorded_at, TZ),
                intensity=intensity,
                body_sites=sites,
                qualities=rng.choice(QUALITIES),
                enjoyment_interference=_nrs(intensity + rng.gauss(0, 1)) if evening else None,
                activity_interference=_nrs(intensity + rng.gauss(0, 1)) if evening else None,
                tags=[],
                note=None,
            )

    def night(self, patient_id: uuid.UUID, night_of: date, pain: float) -> None:
        """One Consensus Sleep Diary night: shorter and more broken on worse days."""
        rng = self.rng
        in_bed = _at(night_of, time(22, 45), TZ) + timedelta(minutes=rng.randint(-30, 45))
        tried = in_bed + timedelta(minutes=rng.randint(5, 25))
        latency = rng.randint(5, 20) + round(3 * max(pain - 4, 0))
        waso = rng.randint(10, 30) + round(6 * max(pain - 4, 0))
        total_sleep = round(_clamp(rng.gauss(430 - 15 * pain, 30), 180, 540))
        final_awakening = tried + timedelta(minutes=latency + total_sleep + waso)
        out_of_bed = final_awakening + timedelta(minutes=rng.randint(5, 25))
        if out_of_bed > self.now:
            return
        values = {
            "night_of": night_of,
            "in_bed_at": in_bed,
            "tried_to_sleep_at": tried,
            "final_awakening_at": final_awakening,
            "out_of_bed_at": out_of_bed,
            "sleep_latency_minutes": latency,
            "wake_after_sleep_onset_minutes": waso,
            "awakenings": max(1, round(waso / 15)),
            "quality": int(_clamp(round(total_sleep / 90) - 1, 1, 5)),
            "note": None,
        }
        values |= derive_sleep(values, None)
        self.record(SleepEntry, patient_id, self._saved(out_of_bed), **values)

    def medication(
        self, patient_id: uuid.UUID, prescription: Prescription, days: list[date], taken_share
    ) -> None:
        """The medication, started on the first day, and an event for most due doses."""
        medication_id = uuid.uuid4()
        started = _at(days[0], time(7), TZ)
        self.record(
            Medication,
            patient_id,
            min(started, self.now),
            id=medication_id,
            name=prescription.name,
            ingredient=prescription.ingredient,
            dose_amount=prescription.dose_amount,
            dose_unit="mg",
            route="oral",
            schedule={
                "times": [t.strftime("%H:%M") for t in prescription.times],
                "days_of_week": None,
            },
            as_needed=False,
            start_date=days[0],
            end_date=None,
            note=None,
        )
        skipped_share = (1 - taken_share) / 2
        for day in days:
            for hhmm in prescription.times:
                due = _at(day, hhmm, TZ)
                if due > self.now:
                    continue
                roll = self.rng.random()
                if roll < taken_share:
                    taken_at = min(due + timedelta(minutes=self.rng.randint(-15, 50)), self.now)
                    status, occurred_at, skip_reason = "taken", taken_at, None
                elif roll < taken_share + skipped_share:
                    taken_at = None
                    status, occurred_at, skip_reason = "skipped", due, prescription.skip_reason
                else:
                    continue  # missed: nothing was logged
                self.record(
                    DoseEvent,
                    patient_id,
                    self._saved(occurred_at),
                    medication_id=medication_id,
                    status=status,
                    scheduled_for=due,
                    taken_at=taken_at,
                    amount=prescription.dose_amount,
                    dose_unit="mg",
                    skip_reason=skip_reason,
                    occurred_at=occurred_at,
                    local_date=local_date(occurred_at, TZ),
                )

    def therapy_session(self, patient_id: uuid.UUID, day: date, therapy, pain: float) -> None:
        modality, hhmm, minutes, program, relief = therapy
        started_at = _at(day, hhmm, TZ) + timedelta(minutes=self.rng.randint(-10, 10))
        pain_before = _nrs(pain + self.rng.gauss(0, 0.5))
        self.record(
            TherapySession,
            patient_id,
            self._saved(started_at + timedelta(minutes=minutes)),
            modality=modality,
            started_at=started_at,
            local_date=local_date(started_at, TZ),
            duration_minutes=minutes,
            pain_before=pain_before,
            pain_after=_nrs(pain_before - relief - self.rng.choice((0, 0, 1))),
            program=program,
            note=None,
        )

    def record(self, model, patient_id: uuid.UUID, saved_at: datetime, **values) -> None:
        """A row with the columns every synced record has, saved (created) at `saved_at`."""
        self.tables[model].append(
            {
                "id": uuid.uuid4(),
                "patient_id": patient_id,
                "version": 1,
                "created_at": saved_at,
                "updated_at": saved_at,
            }
            | values
        )

    def _saved(self, instant: datetime) -> datetime:
        """When the phone synced a record: a few minutes after the fact, never after now."""
        return min(instant + timedelta(minutes=self.rng.randint(1, 15)), self.now)


@lru_cache(maxsize=8192)
def _at(day: date, hhmm: time, tz: ZoneInfo) -> datetime:
    """`at_local_time`, once per day and clock time: the 1,000 patients share them."""
    return at_local_time(day, hhmm, tz)


def _wave(day_index: int, period_days: int) -> float:
    """A triangle wave in -1..1: months that get better, then worse."""
    phase = (day_index % period_days) / period_days
    return 4 * abs(phase - 0.5) - 1


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _nrs(value: float) -> int:
    """A 0–10 numeric rating scale score."""
    return int(_clamp(round(value), 0, 10))
