"""The attention flags of DESIGN §4 "Flags", with their thresholds."""

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from .common import (
    MIN_LOGGED_DAYS,
    WINDOW_DAYS,
    SleepNight,
    at_least,
    round1,
    round_half_up,
)
from .pain import RECENT_VS_PRIOR, recent_pain_change

ALERT, WARNING = "alert", "warning"


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


def flags(
    daily_pain_by_day: Mapping[date, float],
    period_end: date,
    sleep_nights: Iterable[SleepNight],
    *,
    adherence_14d_percent: float | None = None,
    scheduled_14d: int = 0,
    mme_7d_average: float | None = None,
    mme_7d_on_opioid_days: float | None = None,
    mme_7d_opioid_days: int = 0,
    diary_start: date | None = None,
    thresholds: FlagThresholds = DEFAULT_FLAG_THRESHOLDS,
) -> list[dict]:
    """Return the attention flags ``{code, severity, message}`` at ``period_end``, alerts first.

    - ``pain_worsening`` (alert): mean daily pain of the last 7 days vs the 14 days before them is
      up >= 2 points or >= 30 %; each window needs >= 3 logged days.
    - ``low_adherence`` (warning): adherence over the last 14 days < 80 % with >= 5 scheduled doses.
    - ``high_mme`` (warning >= 50, alert >= 90): 7-day average daily MME (CDC 2022); its message
      also gives the average over the week's ``mme_7d_opioid_days`` days with an opioid
      (``mme_7d_on_opioid_days``), the figure DESIGN §4 says MME in words with.
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
        _high_mme(mme_7d_average, mme_7d_on_opioid_days, mme_7d_opioid_days, thresholds),
        _logging_gap(daily_pain_by_day, period_end, diary_start, thresholds),
        _poor_sleep(sleep_nights, period_end, thresholds),
    ]
    return sorted((flag for flag in found if flag), key=lambda flag: flag["severity"] != ALERT)


def _flag(code: str, severity: str, message: str) -> dict:
    return {"code": code, "severity": severity, "message": message}


def _pain_worsening(daily: Mapping[date, float], end: date, t: FlagThresholds) -> dict | None:
    compared = recent_pain_change(daily, end, t.worsening_min_logged_days)
    change, percent = compared.change_points, compared.change_percent
    if change is None:
        return None
    if not (at_least(change, t.worsening_points) or at_least(percent, t.worsening_percent)):
        return None
    size = f"{round1(change):.1f} points"
    size += f" ({round_half_up(percent, 0):.0f} %)" if percent is not None else " (from 0.0)"
    return _flag("pain_worsening", ALERT, f"Pain up {size} over the {RECENT_VS_PRIOR.words}")


def _low_adherence(percent: float | None, scheduled: int, t: FlagThresholds) -> dict | None:
    shown = round1(percent)
    if shown is None or scheduled < t.adherence_min_scheduled or shown >= t.adherence_percent:
        return None
    return _flag(
        "low_adherence",
        WARNING,
        f"Medication adherence {shown:.1f} % over the last 14 days ({scheduled} scheduled doses)",
    )


def _high_mme(
    average: float | None, on_opioid_days: float | None, opioid_days: int, t: FlagThresholds
) -> dict | None:
    shown = round1(average)
    if shown is None or shown < t.mme_warning:
        return None
    severity, limit = (ALERT, t.mme_alert) if shown >= t.mme_alert else (WARNING, t.mme_warning)
    message = (
        f"Opioid dose averages {shown:.1f} MME/day over the last 7 days (at or above {limit:g})"
    )
    if on_opioid_days is not None and opioid_days:
        days = f"{opioid_days} day{'s' if opioid_days != 1 else ''}"
        message += f": {round1(on_opioid_days):.1f} MME/day on the {days} with an opioid"
    return _flag(
        "high_mme",
        severity,
        f"{message}; MME flags risk and is not for converting one opioid into another (CDC 2022)",
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
