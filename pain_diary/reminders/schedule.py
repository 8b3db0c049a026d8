"""When a rule falls due: pure functions of its times, its days and the patient's timezone.

DESIGN §5. Occurrences are placed with :func:`pain_diary.localtime.at_local_time`: a local time
inside a spring-forward gap falls due at the first valid minute after it, one that happens twice
at a fall-back falls due once, at its first occurrence.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..localtime import as_utc, at_local_time, local_date

# Days looked at from the day before ``after``: a weekly rule falls due within the next 8 days,
# and a change of timezone may skip one more.
_HORIZON = 10


@dataclass(frozen=True)
class Plan:
    """A rule's occurrences: local ``times`` on ``weekdays`` (0 = Monday) or on ``dates``.

    ``first_day`` and ``last_day`` bound them (a medication's start and end dates).
    """

    times: tuple[time, ...]
    weekdays: frozenset[int] = frozenset(range(7))
    dates: tuple[date, ...] | None = None
    first_day: date | None = None
    last_day: date | None = None

    @classmethod
    def of(cls, times, days_of_week=None, dates=None, first_day=None, last_day=None):
        """A plan from stored values: ``"HH:MM"`` and ``"YYYY-MM-DD"`` strings (JSON), weekdays
        (empty = every day)."""
        return cls(
            times=tuple(sorted({time.fromisoformat(t) for t in times})),
            weekdays=frozenset(days_of_week or range(7)),
            dates=tuple(sorted({_day(d) for d in dates})) if dates else None,
            first_day=first_day,
            last_day=last_day,
        )

    def covers(self, day):
        if (self.first_day and day < self.first_day) or (self.last_day and day > self.last_day):
            return False
        return day in self.dates if self.dates else day.weekday() in self.weekdays

    def days_from(self, day):
        """The candidate days from ``day`` on, in order; finite for dates, a week otherwise."""
        if self.dates:
            return [d for d in self.dates if d >= day]
        return [day + timedelta(days=n) for n in range(min(_HORIZON, (date.max - day).days + 1))]


def plan_of(rule):
    """The plan of a stored rule: a ReminderRule, or a row with the same columns."""
    return Plan.of(rule.times, rule.days_of_week, rule.dates, rule.first_day, rule.last_day)


def _day(value):
    return value if isinstance(value, date) else date.fromisoformat(value)


def next_occurrence(plan, tz: ZoneInfo, after: datetime, wall_after: datetime | None = None):
    """The first instant (UTC) the plan falls due strictly after ``after``, or None.

    ``wall_after`` (a naive local date and time) also skips every occurrence whose wall clock is
    not later than it: after a change of timezone, the reminder of a wall-clock time already sent
    in the old zone is not sent again in the new one.

    An occurrence past the last instant a datetime holds (9999-12-31 in a zone behind UTC, from
    a date stored before dates were bounded) is no occurrence: None, never an OverflowError.
    """
    after = as_utc(after)
    # The day before too: a time pushed over midnight by a gap belongs to the day it was set for.
    start = local_date(after, tz) - timedelta(days=1)
    if plan.last_day and start > plan.last_day:
        return None
    try:
        for day in plan.days_from(max(start, plan.first_day or start)):
            if not plan.covers(day):
                continue
            for hhmm in plan.times:
                due = at_local_time(day, hhmm, tz)
                if due > after and (wall_after is None or datetime.combine(day, hhmm) > wall_after):
                    return due
    except OverflowError:
        return None  # days and times come in order: every later one is past the limit too
    return None  # the dates are past, or the last day is


def wall_clock(instant: datetime, tz: ZoneInfo) -> datetime:
    """The naive local date and time the patient's clock showed at ``instant``."""
    return as_utc(instant).astimezone(tz).replace(tzinfo=None)


def in_quiet_hours(instant: datetime, tz: ZoneInfo, start: str | None, end: str | None) -> bool:
    """Whether the local clock at ``instant`` is in ``[start, end)``; 22:00–07:00 spans midnight."""
    if start is None or end is None:
        return False
    clock = as_utc(instant).astimezone(tz).time().replace(second=0, microsecond=0)
    start, end = time.fromisoformat(start), time.fromisoformat(end)
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end
