"""A row of the clinicians' list says what the patient's own summary says, on awkward diaries.

Both come from the one diary loader, the list reading many patients at once and only what its
flags look at: daily pain as the database's sums and counts, the last 7 nights, the fortnight's
doses, the week's opioid doses. Here the two are compared, patient by patient, on diaries that
cross a change of the clocks, in timezones far apart and off the hour, with fentanyl patches,
as-needed doses, a weekly schedule, a dose filed on the day before it was due, and a patient
quiet for over a month.
"""

import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_login import login_user
from sqlalchemy import insert

from pain_diary import analytics
from pain_diary.accounts.models import User
from pain_diary.care.models import CareLink
from pain_diary.insights import dashboard, reading
from pain_diary.insights.summary import DEFAULT_DAYS, flag_thresholds, fortnight_adherence
from pain_diary.localtime import at_local_time, local_date
from pain_diary.medications.models import DoseEvent, Medication
from pain_diary.records.models import PainEntry, SleepEntry

#: Europe's clocks went back on 25 October 2026 and America's on 1 November: both in the
#: 21 days before the first instant, Europe's spring change (29 March) before the second.
NOWS = [datetime(2026, 11, 3, 12, 0, tzinfo=UTC), datetime(2026, 4, 2, 23, 30, tzinfo=UTC)]
TIMEZONES = (
    "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kathmandu",
    "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/St_Johns",
)  # fmt: skip


class Records:
    """One patient's records, placed at local clock times of days before their local today."""

    def __init__(self, patient, now, rng):
        self.patient_id = uuid.UUID(patient.id)
        self.tz = ZoneInfo(patient.timezone)
        self.now = now
        self.today = local_date(now, self.tz)
        self.rng = rng
        self.rows = defaultdict(list)

    def at(self, days_ago, hhmm):
        return at_local_time(
            self.today - timedelta(days=days_ago), time.fromisoformat(hhmm), self.tz
        )

    def add(self, model, **values):
        self.rows[model].append({"patient_id": self.patient_id, **values})

    def pain(self, days, level, rise=0):
        """Three entries a day (the evening one with the PEG items), ``rise`` more this week."""
        for days_ago in days:
            for hhmm in ("00:10", "13:00", "23:50"):
                recorded_at = self.at(days_ago, hhmm)
                if recorded_at > self.now:
                    continue
                base = level + (rise if days_ago < 7 else 0)
                intensity = max(0, min(10, base + self.rng.choice((-1, 0, 0, 1, 2))))
                evening = hhmm == "23:50"
                self.add(
                    PainEntry, recorded_at=recorded_at, local_date=local_date(recorded_at, self.tz),
                    intensity=intensity, body_sites=[], qualities=[], tags=[],
                    enjoyment_interference=intensity if evening else None,
                    activity_interference=intensity if evening else None,
                )  # fmt: skip

    def night(self, days_ago, minutes_awake):
        in_bed = self.at(days_ago + 1, "22:30")
        out_of_bed = in_bed + timedelta(hours=8)
        if out_of_bed > self.now:
            return
        total = 480 - minutes_awake
        self.add(
            SleepEntry, night_of=self.today - timedelta(days=days_ago + 1), in_bed_at=in_bed,
            tried_to_sleep_at=in_bed, final_awakening_at=out_of_bed, out_of_bed_at=out_of_bed,
            sleep_latency_minutes=minutes_awake // 2,
            wake_after_sleep_onset_minutes=minutes_awake - minutes_awake // 2, awakenings=2,
            quality=3, time_in_bed_minutes=480, total_sleep_minutes=total,
            sleep_efficiency=round(total / 480 * 100, 1),
        )  # fmt: skip

    def medication(self, ingredient, amount, unit="mg", times=None, days=None, start=40, end=None):
        medication_id = uuid.uuid4()
        schedule = None if times is None else {"times": list(times), "days_of_week": days}
        self.add(
            Medication, id=medication_id, name=f"{ingredient} {amount:g}", ingredient=ingredient,
            dose_amount=amount, dose_unit=unit, route="oral", schedule=schedule,
            as_needed=schedule is None, start_date=self.today - timedelta(days=start),
            end_date=None if end is None else self.today - timedelta(days=end),
        )  # fmt: skip
        return medication_id, amount, unit

    def dose(self, medication, status, taken_at=None, scheduled_for=None):
        medication_id, amount, unit = medication
        occurred_at = taken_at or scheduled_for
        self.add(
            DoseEvent, medication_id=medication_id, status=status, scheduled_for=scheduled_for,
            taken_at=taken_at, amount=amount, dose_unit=unit, occurred_at=occurred_at,
            local_date=local_date(occurred_at, self.tz),
        )  # fmt: skip

    def scheduled(self, medication, times, taken_share, days_of_week=None, days=range(30)):
        """Answer most due doses: on time, late, early (filed the day before) or skipped."""
        due = set()
        for days_ago in days:
            day = self.today - timedelta(days=days_ago)
            if days_of_week and day.weekday() not in days_of_week:
                continue
            due.update(self.at(days_ago, hhmm) for hhmm in times)
        for scheduled_for in sorted(due):
            roll = self.rng.random()
            if scheduled_for > self.now or roll >= taken_share + (1 - taken_share) / 2:
                continue  # still to come, or missed
            if roll < taken_share:
                late = timedelta(minutes=self.rng.choice((-50, -5, 10, 45, 90, 200)))
                taken_at = min(scheduled_for + late, self.now)
                self.dose(medication, "taken", taken_at, scheduled_for)
            else:
                self.dose(medication, "skipped", scheduled_for=scheduled_for)


def awkward_diaries(records):
    """A different awkward diary for each patient (by their position), worked out to flag."""
    berlin, new_york, sydney, kathmandu, kiritimati, pago_pago, st_johns = records
    # Pain up this week; a fentanyl patch every third day (25 mcg/h: 60 MME a day) and
    # as-needed oxycodone (typed with a capital and a space); a dose at 02:30, which the change
    # of the clocks moves or repeats.
    berlin.pain(range(26), level=4, rise=3)
    patch = berlin.medication("fentanyl_transdermal", 25, unit="mcg_per_hour")
    for days_ago in (11, 8, 5, 2):
        berlin.dose(patch, "taken", taken_at=berlin.at(days_ago, "09:15"))
    rescue = berlin.medication("Oxycodone ", 5)
    for days_ago in (1, 1, 4, 9):
        berlin.dose(rescue, "taken", taken_at=berlin.at(days_ago, "21:40"))
    nightly = berlin.medication("pregabalin", 75, times=("02:30", "20:00"))
    berlin.scheduled(nightly, ("02:30", "20:00"), taken_share=0.6)
    for days_ago in range(7):
        berlin.night(days_ago, minutes_awake=130)
    # Better this week; a weekly schedule (Monday and Thursday) around America's change.
    new_york.pain(range(24), level=6, rise=-2)
    weekly = new_york.medication("methotrexate", 15, times=("01:30", "19:00"), days=[0, 3])
    new_york.scheduled(weekly, ("01:30", "19:00"), taken_share=0.9, days_of_week=(0, 3))
    tramadol = new_york.medication("tramadol", 100, times=("08:00", "14:00", "20:00"))
    new_york.scheduled(tramadol, ("08:00", "14:00", "20:00"), taken_share=0.7)
    for days_ago in range(1, 7, 2):
        new_york.night(days_ago, minutes_awake=40)
    # Logging stopped 5 days ago; a medication that started and stopped within the fortnight.
    sydney.pain(range(5, 27), level=5)
    short = sydney.medication("oxycodone", 20, times=("07:00", "19:00"), start=10, end=3)
    sydney.scheduled(short, ("07:00", "19:00"), taken_share=0.5, days=range(3, 11))
    # A quarter-hour timezone, every dose at 00:15 (a late one is filed on the next day, an
    # early one on the day before), hydromorphone's factor of 5.
    kathmandu.pain(range(0, 21, 2), level=3)
    hydromorphone = kathmandu.medication("hydromorphone", 4, times=("00:15",))
    kathmandu.scheduled(hydromorphone, ("00:15",), taken_share=0.8)
    # 14 hours ahead of UTC; pain only on three days of each window.
    kiritimati.pain((0, 3, 5, 8, 12, 19), level=7, rise=1)
    kiritimati.scheduled(kiritimati.medication("naproxen", 500, times=("12:00",)), ("12:00",), 1)
    # 11 hours behind UTC and quiet for over a month: the last entry is older than the list reads.
    pago_pago.pain((35, 36, 60), level=2)
    # Half an hour off the hour, with clocks that change too; a patch applied before the week.
    st_johns.pain(range(3, 30), level=8, rise=-1)
    st_patch = st_johns.medication("fentanyl_transdermal", 50, unit="mcg_per_hour")
    st_johns.dose(st_patch, "taken", taken_at=st_johns.at(7, "23:10"))
    for days_ago in range(0, 7):
        st_johns.night(days_ago, minutes_awake=20)


def clock_at(now):
    """A ``datetime`` whose ``now()`` is ``now``: the summary's own clock, stopped there."""

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return now.astimezone(tz) if tz else now.replace(tzinfo=None)

    return Clock


@pytest.mark.parametrize("now", NOWS, ids=["autumn", "spring"])
def test_each_row_agrees_with_the_patients_own_summary(app, db, accounts, monkeypatch, now):
    clinician = accounts.create(role="clinician")
    patients = [
        accounts.create(role="patient", timezone=tz, created_at=now - timedelta(days=90))
        for tz in TIMEZONES
    ]
    rng = random.Random(2026)
    records = [Records(patient, now, rng) for patient in patients]
    awkward_diaries(records)
    with app.app_context():
        for patient in patients:
            link = {"patient_id": uuid.UUID(patient.id), "clinician_id": uuid.UUID(clinician.id)}
            db.session.execute(insert(CareLink), [link])
        for model in (PainEntry, SleepEntry, Medication, DoseEvent):
            db.session.execute(insert(model), [row for r in records for row in r.rows[model]])
        db.session.commit()
    monkeypatch.setattr(reading, "datetime", clock_at(now))

    with app.test_request_context():
        reader = db.session.get(User, uuid.UUID(clinician.id))
        login_user(reader)
        thresholds = flag_thresholds(app.config)
        listed = {str(row["patient_id"]): row for row in dashboard.rows(reader, now, thresholds)}
        flagged = set()
        for patient, record in zip(patients, records, strict=True):
            user = db.session.get(User, uuid.UUID(patient.id))
            today = local_date(now, user.tz)
            period = {"from_": today - timedelta(days=DEFAULT_DAYS - 1), "to": today}
            diary, summary, summary_now = reading.summary_of(user, period)
            assert summary_now == now
            fortnight = fortnight_adherence(diary.plans, diary.doses, user.tz, today, now)
            change = analytics.recent_pain_change(analytics.daily_pain(diary.pain), today)

            row = listed[patient.id]
            assert row["flags"] == summary["flags"], patient.timezone
            assert row["pain_7d_mean"] == summary["pain"]["recent_mean"], patient.timezone
            assert row["pain_change_percent"] == analytics.round1(change.change_percent)
            assert row["adherence_percent"] == fortnight["adherence_percent"], patient.timezone
            entries = [entry["recorded_at"] for entry in record.rows[PainEntry]]
            assert row["last_entry_at"] == max(entries, default=None), patient.timezone
            flagged.update(flag["code"] for flag in row["flags"])

    # Not a comparison of empty rows: every flag is raised somewhere, and figures are given.
    assert flagged == {"pain_worsening", "low_adherence", "high_mme", "logging_gap", "poor_sleep"}
    assert sum(row["adherence_percent"] is not None for row in listed.values()) >= 4
    assert sum(row["pain_7d_mean"] is not None for row in listed.values()) >= 4
