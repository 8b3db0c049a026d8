"""Sleep figures: Consensus Sleep Diary means (Carney 2012) and sleep against next-day pain."""

import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from .common import ONE_DAY, SleepNight, check_period, round1, round2

MIN_CORRELATION_PAIRS = 10
MIN_RANKED_PAIRS = 3  # below this, any two distinct pairs correlate perfectly: not a finding


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
    check_period(first_day, last_day)
    in_period = [night for night in nights if first_day <= night.night_of <= last_day]

    def mean_of(field: str) -> float | None:
        # Optional items (quality) average over the nights that answered them.
        values = [v for night in in_period if (v := getattr(night, field)) is not None]
        return round1(statistics.fmean(values)) if values else None

    return {
        "nights": len(in_period),
        "mean_total_sleep_minutes": mean_of("total_sleep_minutes"),
        "mean_sleep_efficiency": mean_of("sleep_efficiency"),
        "mean_sleep_latency_minutes": mean_of("sleep_latency_minutes"),
        "mean_wake_after_sleep_onset_minutes": mean_of("wake_after_sleep_onset_minutes"),
        "mean_quality": mean_of("quality"),
        "pain_correlation": next_day_pain_correlation(
            ((night.night_of, night.total_sleep_minutes) for night in in_period),
            daily_pain_by_day,
            last_day,
        ),
    }


def next_day_pain_correlation(
    values: Iterable[tuple[date, float]], daily_pain_by_day: Mapping[date, float], last_day: date
) -> dict:
    """``{spearman_rho, n}`` between each ``(day, value)`` and the daily pain of the next local
    day, over the pairs where both exist and the pain day is not after ``last_day``; rho is None
    below 10 pairs, ``n`` always counts them (sleep's and activity's correlations)."""
    pairs = [
        (value, daily_pain_by_day[day + ONE_DAY])
        for day, value in values
        if day + ONE_DAY <= last_day and day + ONE_DAY in daily_pain_by_day
    ]
    rho = None
    if len(pairs) >= MIN_CORRELATION_PAIRS:
        xs, next_day_pain = zip(*pairs, strict=True)
        rho = round2(spearman_rho(xs, next_day_pain))
    return {"spearman_rho": rho, "n": len(pairs)}
