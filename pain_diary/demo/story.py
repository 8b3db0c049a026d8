"""The demo patient's story: which days they logged, how they slept and how much it hurt.

Everything a day holds comes from random streams seeded by the day's place in the story, so the
same story is told on every run and a later run only adds the days that have passed since.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..localtime import at_local_time

STORY_DAYS = 120
SEED = "pain-diary-demo-1"
ID_NAMESPACE = uuid.UUID("5f0c2b1e-8d2a-4c4e-9a57-3a1d6f0e7b42")

START_PAIN, END_PAIN = 6.9, 4.4  # NRS: a ≥ 30 % improvement over the 120 days, then it holds
USUAL_SLEEP = 390  # minutes; shorter nights make the next day worse...
PAIN_PER_HOUR_LOST = 0.7  # ...by this much per hour below the usual
# Days (counted from the first day) the patient logged nothing: three single days and one
# three-day gap about six weeks before the end.
GAP_DAYS = frozenset({17, 46, 78, 79, 80, 103})
FLARE_DAYS = {63: 1.8, 64: 1.3, 65: 0.7}  # after a day of gardening
# A diagnostic medial branch block on day 20 (its relief lasts hours: procedures.py), and a
# week's spinal cord stimulator trial from day 96 that about halves the pain while the leads
# are in, inside the last 30 days, so that the default charts mark it.
BLOCK_DAY = 20
TRIAL_DAY, TRIAL_DAYS = 96, 7
TRIAL_PAIN_SHARE = 0.45
RADIATING_FROM, RADIATING_TO = 0.5, 0.2  # share of days the pain runs down the leg


@dataclass(frozen=True)
class Day:
    """One local day of the story and what drives its records."""

    date: date
    index: int
    logged: bool
    sleep_minutes: int  # total sleep of the night before
    pain: float  # the day's pain level (NRS) before moment-to-moment variation
    radiating: bool

    @property
    def weekend(self):
        return self.date.weekday() >= 5

    def random(self, kind):
        """Return this day's random stream for one kind of record, the same on every run."""
        return stream(kind, self.index)


@dataclass(frozen=True)
class Story:
    """The demo patient's days up to now, with their clock and calendar."""

    patient_id: uuid.UUID
    tz: ZoneInfo
    now: datetime
    days: list[Day]

    def record_id(self, *parts):
        return record_id(self.patient_id, *parts)

    def at(self, day, hhmm, minutes=0):
        """Return the instant ``minutes`` after the local clock shows ``hhmm`` on ``day``."""
        return at_local_time(day, time.fromisoformat(hhmm), self.tz) + timedelta(minutes=minutes)

    def local_iso(self, instant):
        """Write an instant as a phone in the patient's timezone sends it."""
        return instant.astimezone(self.tz).isoformat(timespec="seconds")

    def happened(self, instant):
        return instant <= self.now

    def saved_at(self, instant, rng, minutes=(1, 10)):
        """Return when the phone saved a record of ``instant``: a little later, not after now."""
        return min(self.now, instant + timedelta(minutes=rng.randint(*minutes)))


def record_id(patient_id, *parts):
    """Return the fixed id of one demo record, so that a rerun replays it instead of adding."""
    return uuid.uuid5(ID_NAMESPACE, "/".join(map(str, (patient_id, *parts))))


def tell(patient_id, tz, now, first_day, today):
    """Return the story from ``first_day`` to ``today``: pain eases over 120 days, then holds;
    the stimulator trial's week about halves it."""
    days = []
    for index in range((today - first_day).days + 1):
        rng = stream("day", index)
        progress = min(index / (STORY_DAYS - 1), 1.0)
        sleep = _total_sleep(rng, progress)
        pain = (
            START_PAIN
            - (START_PAIN - END_PAIN) * progress
            + PAIN_PER_HOUR_LOST * (USUAL_SLEEP - sleep) / 60
            + FLARE_DAYS.get(index, 0.0)
            + rng.gauss(0, 0.4)
        )
        if TRIAL_DAY < index <= TRIAL_DAY + TRIAL_DAYS:
            pain *= TRIAL_PAIN_SHARE
        radiating = rng.random() < RADIATING_FROM - (RADIATING_FROM - RADIATING_TO) * progress
        days.append(
            Day(
                date=first_day + timedelta(days=index),
                index=index,
                logged=index not in GAP_DAYS,
                sleep_minutes=sleep,
                pain=clamp(pain, 0, 10),
                radiating=radiating or index in FLARE_DAYS,
            )
        )
    return Story(patient_id, tz, now, days)


def _total_sleep(rng, progress):
    """Draw a night's total sleep: about 6.5 hours, a little more as the pain eases; some short."""
    minutes = rng.gauss(USUAL_SLEEP + 25 * progress, 30)
    if rng.random() < 0.17 - 0.07 * progress:
        minutes -= rng.uniform(80, 140)  # pain kept them awake
    return round(clamp(minutes, 220, 520))


def stream(kind, number):
    """Return the random stream of one kind of thing at one place in the story."""
    return random.Random(f"{SEED}/{kind}/{number}")


def clamp(value, low, high):
    return max(low, min(high, value))


def nrs(value):
    """Round to a 0–10 numeric rating."""
    return int(clamp(round(value), 0, 10))
