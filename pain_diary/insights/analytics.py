"""Pain, sleep, therapy and diary-completion analytics for the clinician summary (DESIGN §4).

Pure functions over the small frozen dataclasses below: no Flask, no database. A loader turns
rows into ``PainPoint``, ``SleepNight`` and ``TherapyPoint``; medication adherence and MME are
computed in ``pain_diary.medications`` and reach :func:`flags` as plain numbers.

Figures are rounded for display with :func:`round1` (correlations with :func:`round2`); a figure
without enough data is None, never 0. Clinical thresholds are applied to the rounded figures, so the
label a clinician reads next to a number ("moderate" beside "-2.0 points") always agrees with it.
"""

import math
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import NamedTuple

WINDOW_DAYS = 7  # baseline, recent and "last 7 days / nights" windows
MIN_LOGGED_DAYS = 3  # a window mean needs at least this many logged days
MIN_CORRELATION_PAIRS = 10
MIN_RANKED_PAIRS = 3  # below this, any two distinct pairs correlate perfectly: not a finding
LATE_ENTRY_AFTER = timedelta(hours=24)
TOP_COUNT = 5
ALERT, WARNING = "alert", "warning"
_EPSILON = 1e-9  # binary float noise: 4.7 - 6.7 must still count as a 2-point change
_ONE_DAY = timedelta(days=1)
# Every digit of any finite float to 1e-9 (the default 28 digits stop at 1e19: a stored dose of
# 1e20 mg must still round, not raise).
_WIDE = Context(prec=sys.float_info.max_10_exp + 20)


class PainPoint(NamedTuple):
    """One pain entry; ``local_date`` is the patient's calendar day at ``recorded_at``."""

    local_date: date
    intensity: int
    recorded_at: datetime
    created_at: datetime
    enjoyment_interference: int | None = None
    activity_interference: int | None = None
    sites: tuple[str, ...] = ()
    qualities: tuple[str, ...] = ()


class SleepNight(NamedTuple):
    """One Consensus Sleep Diary night (Carney 2012), with its derived figures."""

    night_of: date
    total_sleep_minutes: int
    sleep_efficiency: float
    sleep_latency_minutes: int
    wake_after_sleep_onset_minutes: int
    quality: int | None


class TherapyPoint(NamedTuple):
    """One therapy session; pain ratings are optional 0-10 NRS scores."""

    modality: str
    duration_minutes: int
    pain_before: int | None = None
    pain_after: int | None = None


@dataclass(frozen=True)
class FlagThresholds:
    """Thresholds of the attention flags (DESIGN §4 "Flags"); the defaults are the contract's."""

    worsening_points: float = 2.0
    worsening_percent: float = 30.0
    worsening_min_logged_days: int = MIN_LOGGED_DAYS
    adherence_percent: float = 80.0
    adherence_min_scheduled: int = 5
    mme_warning: float = 50.0
    mme_alert: float = 90.0
    logging_gap_days: int = 3
    sleep_efficiency_percent: float = 85.0
    sleep_total_minutes: float = 360.0
    sleep_min_nights: int = 3


DEFAULT_FLAG_THRESHOLDS = FlagThresholds()


def round1(value: float | None) -> float | None:
    """Round to one decimal, halves away from zero (2.25 -> 2.3, as by hand).

    Any finite float rounds, however large; None, infinities and NaN give None.
    """
    return _round_half_up(value, 1)


def round2(value: float | None) -> float | None:
    """Round to two decimals, halves away from zero; used for correlations."""
    return _round_half_up(value, 2)


@lru_cache(maxsize=4096)  # a dashboard rounds the same few means thousands of times
def _round_half_up(value: float | None, places: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None  # a figure that cannot be computed is null, never a crash
    # Clean binary noise first (2.2499999999999996 is a computed 2.25), then round half up.
    cleaned = Decimal(value).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN, context=_WIDE)
    rounded = cleaned.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP, context=_WIDE)
    return float(rounded) + 0.0  # + 0.0 turns -0.0 into 0.0


def daily_pain(points: Iterable[PainPoint]) -> dict[date, float]:
    """Return daily pain = mean intensity of each local day's entries, keyed by day in order."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for point in points:
        by_day[point.local_date].append(point.intensity)
    return {day: statistics.fmean(values) for day, values in sorted(by_day.items())}


def mean_daily_pain(
    daily_pain_by_day: Mapping[date, float],
    first_day: date,
    last_day: date,
    min_logged_days: int = 1,
) -> float | None:
    """Return the mean daily pain of the logged days in ``first_day..last_day`` (unrounded).

    Each logged day weighs the same, however often it was logged; None with fewer than
    ``min_logged_days`` logged days in the window.
    """
    values = [pain for day, pain in daily_pain_by_day.items() if first_day <= day <= last_day]
    if not values or len(values) < min_logged_days:
        return None
    return statistics.fmean(values)


def percent_change(baseline: float | None, recent: float | None) -> float | None:
    """Return (recent - baseline) / baseline x 100; None without both or when baseline is 0."""
    if baseline is None or recent is None or baseline == 0:
        return None
    return (recent - baseline) / baseline * 100


def immpact_response(baseline: float | None, recent: float | None) -> str | None:
    """Classify a change in mean pain by the IMMPACT benchmarks (Dworkin 2008; Farrar 2001).

    Rules in order, reduction = (baseline - recent) / baseline x 100:
    reduction >= 50 % -> "substantial"; >= 30 % or >= 2 points -> "moderate"; >= 10 % ->
    "minimal"; increase >= 30 % or >= 2 points -> "worse"; otherwise "none". None without both.
    With a baseline of 0 the percentage is undefined and only the points rules apply: pain cannot
    fall below 0, so the answer is "worse" (>= 2 points up) or "none".
    """
    if baseline is None or recent is None:
        return None
    change = recent - baseline
    percent = percent_change(baseline, recent)
    reduction = None if percent is None else -percent
    if _at_least(reduction, 50):
        return "substantial"
    if _at_least(reduction, 30) or _at_least(-change, 2):
        return "moderate"
    if _at_least(reduction, 10):
        return "minimal"
    if _at_least(percent, 30) or _at_least(change, 2):
        return "worse"
    return "none"


def _at_least(value: float | None, threshold: float) -> bool:
    return value is not None and value >= threshold - _EPSILON


def pain_trend_per_week(daily_pain_by_day: Mapping[date, float], first_day: date) -> float | None:
    """Return the least-squares slope of daily pain against day number (``first_day`` = 0) x 7.

    Points per week; negative = improving. None with fewer than 2 logged days.
    """
    if len(daily_pain_by_day) < 2:
        return None
    day_numbers = [(day - first_day).days for day in daily_pain_by_day]
    slope = statistics.linear_regression(day_numbers, list(daily_pain_by_day.values())).slope
    return slope * 7


def pain_summary(points: Iterable[PainPoint], first_day: date, last_day: date) -> dict:
    """Summarise the pain entries whose local date lies in ``first_day..last_day`` (DESIGN §4).

    ``mean``/``min``/``max`` are over daily pain of the logged days. ``baseline_mean`` and
    ``recent_mean`` are the means over the first and last 7 days, each needing >= 3 logged days;
    ``change_points`` = recent - baseline and ``change_percent`` = change / baseline x 100, taken on
    the rounded means shown. In a period shorter than 14 days the two windows overlap, and a change
    between overlapping windows is not a change: the means are shown, change and response are None.
    ``peg`` = mean of (intensity + enjoyment + activity) / 3 over entries with both interference
    items (Krebs 2009). Top sites and qualities count the entries naming them: top 5, by count,
    then name.
    """
    _check_period(first_day, last_day)
    entries = [point for point in points if first_day <= point.local_date <= last_day]
    daily = daily_pain(entries)
    baseline_end = min(first_day + timedelta(days=WINDOW_DAYS - 1), last_day)
    recent_start = max(last_day - timedelta(days=WINDOW_DAYS - 1), first_day)
    baseline = round1(mean_daily_pain(daily, first_day, baseline_end, MIN_LOGGED_DAYS))
    recent = round1(mean_daily_pain(daily, recent_start, last_day, MIN_LOGGED_DAYS))
    comparable = baseline is not None and recent is not None and baseline_end < recent_start
    peg_scores = [
        (p.intensity + p.enjoyment_interference + p.activity_interference) / 3
        for p in entries
        if p.enjoyment_interference is not None and p.activity_interference is not None
    ]
    return {
        "entries": len(entries),
        "days_logged": len(daily),
        "mean": round1(statistics.fmean(daily.values())) if daily else None,
        "min": round1(min(daily.values())) if daily else None,
        "max": round1(max(daily.values())) if daily else None,
        "baseline_mean": baseline,
        "recent_mean": recent,
        "change_points": round1(recent - baseline) if comparable else None,
        "change_percent": round1(percent_change(baseline, recent)) if comparable else None,
        "response": immpact_response(baseline, recent) if comparable else None,
        "trend_per_week": round1(pain_trend_per_week(daily, first_day)),
        "peg": round1(statistics.fmean(peg_scores)) if peg_scores else None,
        "top_sites": _top_counts((p.sites for p in entries), "site"),
        "top_qualities": _top_counts((p.qualities for p in entries), "quality"),
    }


def _top_counts(names_per_entry: Iterable[Sequence[str]], key: str) -> list[dict]:
    # set(): an entry naming "knee" twice (left and right) is one entry with knee pain.
    counts = Counter(name for names in names_per_entry for name in set(names))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_COUNT]
    return [{key: name, "count": count} for name, count in ranked]


def spearman_rho(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Return Spearman's rho: Pearson's r of the ranks, tied values sharing their average rank.

    Unrounded. None with fewer than 3 pairs or when either side has fewer than 2 distinct values.

    :raise ValueError: when ``xs`` and ``ys`` differ in length.
    """
    if len(xs) != len(ys):
        raise ValueError("xs and ys must pair up")
    if len(xs) < MIN_RANKED_PAIRS or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    rho = statistics.correlation(_average_ranks(xs), _average_ranks(ys))
    return max(-1.0, min(1.0, rho))


def _average_ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def sleep_summary(
    nights: Iterable[SleepNight],
    daily_pain_by_day: Mapping[date, float],
    first_day: date,
    last_day: date,
) -> dict:
    """Summarise the Consensus Sleep Diary nights (Carney 2012) whose ``night_of`` is in the period.

    Plain means per night. ``pain_correlation`` is Spearman's rho between a night's total sleep
    minutes and the daily pain of the next local day (``night_of`` + 1), over the pairs where both
    exist and the pain day also lies in the period; rho is None below 10 pairs, ``n`` always counts.
    """
    _check_period(first_day, last_day)
    in_period = [night for night in nights if first_day <= night.night_of <= last_day]

    def mean_of(field: str) -> float | None:
        # Optional items (quality) average over the nights that answered them.
        values = [v for night in in_period if (v := getattr(night, field)) is not None]
        return round1(statistics.fmean(values)) if values else None

    pairs = [
        (night.total_sleep_minutes, daily_pain_by_day[night.night_of + _ONE_DAY])
        for night in in_period
        if night.night_of + _ONE_DAY <= last_day and night.night_of + _ONE_DAY in daily_pain_by_day
    ]
    rho = None
    if len(pairs) >= MIN_CORRELATION_PAIRS:
        sleep_minutes, next_day_pain = zip(*pairs, strict=True)
        rho = round2(spearman_rho(sleep_minutes, next_day_pain))
    return {
        "nights": len(in_period),
        "mean_total_sleep_minutes": mean_of("total_sleep_minutes"),
        "mean_sleep_efficiency": mean_of("sleep_efficiency"),
        "mean_sleep_latency_minutes": mean_of("sleep_latency_minutes"),
        "mean_wake_after_sleep_onset_minutes": mean_of("wake_after_sleep_onset_minutes"),
        "mean_quality": mean_of("quality"),
        "pain_correlation": {"spearman_rho": rho, "n": len(pairs)},
    }


def therapy_summary(sessions: Iterable[TherapyPoint]) -> dict:
    """Count therapy sessions and minutes, overall and per modality (most sessions, then name).

    ``mean_pain_change`` = mean of (pain_after - pain_before) over the modality's sessions rated
    both before and after (negative = relief); None when none is; ``rated_sessions`` counts those.
    """
    by_modality: dict[str, list[TherapyPoint]] = defaultdict(list)
    for session in sessions:
        by_modality[session.modality].append(session)
    rows = []
    for modality, group in by_modality.items():
        changes = [
            s.pain_after - s.pain_before
            for s in group
            if s.pain_before is not None and s.pain_after is not None
        ]
        rows.append(
            {
                "modality": modality,
                "sessions": len(group),
                "minutes": sum(s.duration_minutes for s in group),
                "mean_pain_change": round1(statistics.fmean(changes)) if changes else None,
                "rated_sessions": len(changes),
            }
        )
    rows.sort(key=lambda row: (-row["sessions"], row["modality"]))
    return {
        "sessions": sum(row["sessions"] for row in rows),
        "minutes": sum(row["minutes"] for row in rows),
        "by_modality": rows,
    }


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
    _check_period(first_day, last_day)
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


def flags(
    daily_pain_by_day: Mapping[date, float],
    period_end: date,
    sleep_nights: Iterable[SleepNight],
    *,
    adherence_14d_percent: float | None = None,
    scheduled_14d: int = 0,
    mme_7d_average: float | None = None,
    diary_start: date | None = None,
    thresholds: FlagThresholds = DEFAULT_FLAG_THRESHOLDS,
) -> list[dict]:
    """Return the attention flags ``{code, severity, message}`` at ``period_end``, alerts first.

    - ``pain_worsening`` (alert): mean daily pain of the last 7 days vs the 14 days before them is
      up >= 2 points or >= 30 %; each window needs >= 3 logged days.
    - ``low_adherence`` (warning): adherence over the last 14 days < 80 % with >= 5 scheduled doses.
    - ``high_mme`` (warning >= 50, alert >= 90): 7-day average daily MME (CDC 2022).
    - ``logging_gap`` (warning): no pain entry on the last >= 3 days up to ``period_end``, not
      counting days before ``diary_start`` (also raised when no entry is logged at all, once the
      diary is that old).
    - ``poor_sleep`` (warning): over nights whose ``night_of`` is in the last 7 days (>= 3 logged),
      mean sleep efficiency < 85 % or mean total sleep < 360 minutes.
    Figures are compared as rounded for display. Messages carry no patient identifiers.
    """
    found = [
        _pain_worsening(daily_pain_by_day, period_end, thresholds),
        _low_adherence(adherence_14d_percent, scheduled_14d, thresholds),
        _high_mme(mme_7d_average, thresholds),
        _logging_gap(daily_pain_by_day, period_end, diary_start, thresholds),
        _poor_sleep(sleep_nights, period_end, thresholds),
    ]
    return sorted((flag for flag in found if flag), key=lambda flag: flag["severity"] != ALERT)


def _flag(code: str, severity: str, message: str) -> dict:
    return {"code": code, "severity": severity, "message": message}


def _pain_worsening(daily: Mapping[date, float], end: date, t: FlagThresholds) -> dict | None:
    recent_start = end - timedelta(days=WINDOW_DAYS - 1)
    prior_start = recent_start - timedelta(days=2 * WINDOW_DAYS)
    prior_end = recent_start - _ONE_DAY
    recent = round1(mean_daily_pain(daily, recent_start, end, t.worsening_min_logged_days))
    prior = round1(mean_daily_pain(daily, prior_start, prior_end, t.worsening_min_logged_days))
    if recent is None or prior is None:
        return None
    change = recent - prior
    percent = percent_change(prior, recent)
    if not (_at_least(change, t.worsening_points) or _at_least(percent, t.worsening_percent)):
        return None
    size = f"{round1(change):.1f} points"
    size += f" ({_round_half_up(percent, 0):.0f} %)" if percent is not None else " (from 0.0)"
    return _flag(
        "pain_worsening", ALERT, f"Pain up {size} over the last 7 days vs the 14 days before"
    )


def _low_adherence(percent: float | None, scheduled: int, t: FlagThresholds) -> dict | None:
    shown = round1(percent)
    if shown is None or scheduled < t.adherence_min_scheduled or shown >= t.adherence_percent:
        return None
    return _flag(
        "low_adherence",
        WARNING,
        f"Medication adherence {shown:.1f} % over the last 14 days ({scheduled} scheduled doses)",
    )


def _high_mme(average: float | None, t: FlagThresholds) -> dict | None:
    shown = round1(average)
    if shown is None or shown < t.mme_warning:
        return None
    severity, limit = (ALERT, t.mme_alert) if shown >= t.mme_alert else (WARNING, t.mme_warning)
    return _flag(
        "high_mme",
        severity,
        f"Opioid dose averages {shown:.1f} MME/day over the last 7 days (at or above {limit:g}); "
        "MME flags risk and is not for converting one opioid into another (CDC 2022)",
    )


def _logging_gap(
    daily: Mapping[date, float], end: date, diary_start: date | None, t: FlagThresholds
) -> dict | None:
    logged = [day for day in daily if day <= end]
    if logged:
        gap = (end - max(logged)).days  # days after the last logged one, up to and including end
    elif diary_start is not None:
        gap = (end - diary_start).days + 1  # every day of the diary so far
    else:
        gap = None  # nothing logged, and no start to count from
    if gap is not None and gap < t.logging_gap_days:
        return None
    if not logged:
        return _flag("logging_gap", WARNING, "No pain entries logged")
    return _flag("logging_gap", WARNING, f"No pain entry in the last {gap} days")


def _poor_sleep(nights: Iterable[SleepNight], end: date, t: FlagThresholds) -> dict | None:
    start = end - timedelta(days=WINDOW_DAYS - 1)
    recent = [night for night in nights if start <= night.night_of <= end]
    if len(recent) < t.sleep_min_nights:
        return None
    efficiency = round1(statistics.fmean(night.sleep_efficiency for night in recent))
    total = round1(statistics.fmean(night.total_sleep_minutes for night in recent))
    problems = []
    if efficiency < t.sleep_efficiency_percent:
        problems.append(
            f"mean sleep efficiency {efficiency:.1f} % (below {t.sleep_efficiency_percent:g} %)"
        )
    if total < t.sleep_total_minutes:
        problems.append(f"mean total sleep {total:.1f} minutes (below {t.sleep_total_minutes:g})")
    if not problems:
        return None
    return _flag(
        "poor_sleep",
        WARNING,
        f"Poor sleep over the last 7 nights ({len(recent)} logged): " + "; ".join(problems),
    )


def _check_period(first_day: date, last_day: date) -> None:
    if last_day < first_day:
        raise ValueError(f"period ends ({last_day}) before it starts ({first_day})")
