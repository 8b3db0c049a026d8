"""Pain figures: daily pain, window means, IMMPACT response, trend, PEG, top sites (DESIGN §4)."""

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from .common import (
    MIN_LOGGED_DAYS,
    ONE_DAY,
    WINDOW_DAYS,
    PainPoint,
    at_least,
    check_period,
    round1,
)

TOP_COUNT = 5


class PainComparison(NamedTuple):
    """Mean daily pain of the last ``recent_days`` up to a day against the ``prior_days`` before.

    Its ``words`` are how a page names the comparison, so that a figure and its label come from
    one definition.
    """

    recent_days: int
    prior_days: int

    @property
    def words(self) -> str:
        return f"last {self.recent_days} days vs the {self.prior_days} days before"


#: The comparison of the ``pain_worsening`` flag and of the clinicians' list (DESIGN §4, §7).
RECENT_VS_PRIOR = PainComparison(WINDOW_DAYS, 2 * WINDOW_DAYS)


class PainChange(NamedTuple):
    """The mean daily pain of a :class:`PainComparison`'s recent days against its prior days."""

    recent_mean: float | None
    prior_mean: float | None
    change_points: float | None
    change_percent: float | None


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


def recent_pain_change(
    daily_pain_by_day: Mapping[date, float],
    end: date,
    min_logged_days: int = MIN_LOGGED_DAYS,
    comparison: PainComparison = RECENT_VS_PRIOR,
) -> PainChange:
    """Compare mean daily pain of the recent days up to ``end`` with the prior days before them.

    The days are ``comparison``'s: by default :data:`RECENT_VS_PRIOR`, the 7 days up to ``end``
    against the 14 days before them ("last 7 days vs the 14 days before").

    The means are rounded for display (each window needs ``min_logged_days`` logged days, else
    None); ``change_points`` = recent - prior and ``change_percent`` = change / prior x 100 are
    taken on the rounded means and left unrounded, None without both means (percent: or when
    prior is 0). The comparison of the ``pain_worsening`` flag and of the dashboard row.
    """
    recent_start = end - timedelta(days=comparison.recent_days - 1)
    prior_start = recent_start - timedelta(days=comparison.prior_days)
    prior_end = recent_start - ONE_DAY
    recent = round1(mean_daily_pain(daily_pain_by_day, recent_start, end, min_logged_days))
    prior = round1(mean_daily_pain(daily_pain_by_day, prior_start, prior_end, min_logged_days))
    change = None if recent is None or prior is None else recent - prior
    return PainChange(recent, prior, change, percent_change(prior, recent))


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
    if at_least(reduction, 50):
        return "substantial"
    if at_least(reduction, 30) or at_least(-change, 2):
        return "moderate"
    if at_least(reduction, 10):
        return "minimal"
    if at_least(percent, 30) or at_least(change, 2):
        return "worse"
    return "none"


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
    check_period(first_day, last_day)
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
