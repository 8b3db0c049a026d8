"""Local calendar helpers: a patient's day and clock times in their IANA timezone.

Instants are aware datetimes in UTC; "a day" is a local calendar day (DESIGN §1), and local
times that daylight saving time skips or repeats follow the rule of DESIGN §5.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_ONE_MINUTE = timedelta(minutes=1)


def as_utc(instant: datetime) -> datetime:
    """Return an aware instant in UTC; a naive one is refused rather than guessed at.

    :raise ValueError: when ``instant`` has no timezone.
    """
    if instant.tzinfo is UTC:  # as the database returns them: nothing to convert
        return instant
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: all instants must be aware")
    return instant.astimezone(UTC)


def part_of_day(clock: time) -> str:
    """ "morning" before noon, "afternoon" before 17:00, then "evening"."""
    if clock.hour < 12:
        return "morning"
    return "afternoon" if clock.hour < 17 else "evening"


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """Return the calendar date the patient's clock showed at ``instant``."""
    return as_utc(instant).astimezone(tz).date()


@lru_cache(maxsize=65536)
def at_local_time(day: date, hhmm: time, tz: ZoneInfo) -> datetime:
    """Return the UTC instant at which the local clock in ``tz`` shows ``hhmm`` on ``day``.

    DESIGN §5: a local time that does not exist (spring forward gap) resolves to the first valid
    minute after the gap; one that happens twice (fall back) resolves once, to the first
    occurrence (PEP 495 ``fold=0``).
    """
    wall = datetime.combine(day, hhmm.replace(tzinfo=None, fold=0), tzinfo=tz)
    while not _exists(wall):
        wall += _ONE_MINUTE  # wall-clock arithmetic: walks through the gap a minute at a time
    return wall.astimezone(UTC)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the local ``day`` as a half-open UTC interval ``[start, end)``.

    The day runs from its first local midnight to the next day's, so DST days last 23 or 25 hours;
    where a transition skips midnight itself, the day starts at its first valid minute.
    """
    return at_local_time(day, time(0), tz), at_local_time(day + timedelta(days=1), time(0), tz)


def occurrences(
    times: Iterable[time],
    days_of_week: Iterable[int] | None,
    first_day: date,
    last_day: date,
    tz: ZoneInfo,
) -> tuple[datetime, ...]:
    """Return every UTC instant (sorted, no duplicates) the local ``times`` fall due.

    Only weekdays in ``days_of_week`` count (0 = Monday; None or empty = every day), between
    ``first_day`` and ``last_day`` inclusive. Each time is placed with :func:`at_local_time`, so
    two times inside one DST gap fall due once, at the end of the gap.
    """
    # Many patients share a schedule, a timezone and "the last 14 days": expand each once.
    return _occurrences(tuple(times), frozenset(days_of_week or range(7)), first_day, last_day, tz)


@lru_cache(maxsize=4096)
def _occurrences(times, weekdays, first_day, last_day, tz):
    due = set()
    day = first_day
    while day <= last_day:
        if day.weekday() in weekdays:
            due.update(at_local_time(day, hhmm, tz) for hhmm in times)
        day += timedelta(days=1)
    return tuple(sorted(due))


def _exists(wall: datetime) -> bool:
    """Whether a wall-clock time survives a round trip through UTC (false inside a DST gap)."""
    round_trip = wall.astimezone(UTC).astimezone(wall.tzinfo)
    return round_trip.replace(tzinfo=None) == wall.replace(tzinfo=None)
