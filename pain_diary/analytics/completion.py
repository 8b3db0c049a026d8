"""Diary completion: days logged, the longest gap, and entries made late (Stone 2002)."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from .common import PainPoint, check_period, round1

LATE_ENTRY_AFTER = timedelta(hours=24)


def completion(
    points: Iterable[PainPoint],
    first_day: date,
    last_day: date,
    today: date,
    diary_start: date | None = None,
) -> dict:
    """Measure how completely the diary was kept over the period, counted up to ``today``.

    Days count from max(``first_day``, ``diary_start``): the days before the diary began (the
    earlier of the account's creation and the first entry, DESIGN §4) are not gaps.
    ``percent_days_logged`` = days with >= 1 entry / those days up to min(``last_day``,
    ``today``) x 100; ``longest_gap_days`` = longest run of those days without an entry, including
    a run at the start or end; both None when the period, or the diary, has not begun by then.
    ``late_entries`` = entries in the period created more than 24 h after ``recorded_at``
    (exactly 24 h is on time): retrospective recall is less reliable (Stone 2002).
    """
    check_period(first_day, last_day)
    entries = [point for point in points if first_day <= point.local_date <= last_day]
    late = sum(
        1 for p in entries if _as_utc(p.created_at) - _as_utc(p.recorded_at) > LATE_ENTRY_AFTER
    )
    start = max(first_day, diary_start or first_day)
    end = min(last_day, today)
    if end < start:
        return {"percent_days_logged": None, "longest_gap_days": None, "late_entries": late}
    logged = {p.local_date for p in entries if start <= p.local_date <= end}
    days = (end - start).days + 1
    longest = run = 0
    for offset in range(days):
        run = 0 if start + timedelta(days=offset) in logged else run + 1
        longest = max(longest, run)
    return {
        "percent_days_logged": round1(len(logged) / days * 100),
        "longest_gap_days": longest,
        "late_entries": late,
    }


def _as_utc(instant: datetime) -> datetime:
    # Subtracting two datetimes that share a ZoneInfo compares wall clocks and is an hour off
    # across a DST change; in UTC it is the real elapsed time.
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: all instants must be aware")
    return instant.astimezone(UTC)
