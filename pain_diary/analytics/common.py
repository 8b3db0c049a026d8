"""What the analytics share: the records they take, their windows, and display rounding.

Figures are rounded for display with :func:`round1` (correlations with :func:`round2`); a figure
without enough data is None, never 0. Clinical thresholds are applied to the rounded figures, so
the label a clinician reads next to a number ("moderate" beside "-2.0 points") always agrees
with it.
"""

import math
import sys
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import NamedTuple

WINDOW_DAYS = 7  # baseline, recent and "last 7 days / nights" windows
MIN_LOGGED_DAYS = 3  # a window mean needs at least this many logged days
ONE_DAY = timedelta(days=1)
_EPSILON = 1e-9  # binary float noise: 4.7 - 6.7 must still count as a 2-point change
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


def round1(value: float | None) -> float | None:
    """Round to one decimal, halves away from zero (2.25 -> 2.3, as by hand).

    Any finite float rounds, however large; None, infinities and NaN give None.
    """
    return round_half_up(value, 1)


def round2(value: float | None) -> float | None:
    """Round to two decimals, halves away from zero; used for correlations."""
    return round_half_up(value, 2)


@lru_cache(maxsize=4096)  # a dashboard rounds the same few means thousands of times
def round_half_up(value: float | None, places: int) -> float | None:
    """Round to ``places`` decimals, halves away from zero; None when there is no figure."""
    if value is None or not math.isfinite(value):
        return None  # a figure that cannot be computed is null, never a crash
    # Clean binary noise first (2.2499999999999996 is a computed 2.25), then round half up.
    cleaned = Decimal(value).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN, context=_WIDE)
    rounded = cleaned.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP, context=_WIDE)
    return float(rounded) + 0.0  # + 0.0 turns -0.0 into 0.0


def at_least(value: float | None, threshold: float) -> bool:
    """Tell whether ``value`` reaches ``threshold``, binary float noise forgiven."""
    return value is not None and value >= threshold - _EPSILON


def check_period(first_day: date, last_day: date) -> None:
    """Refuse a period that ends before it starts, with a ValueError."""
    if last_day < first_day:
        raise ValueError(f"period ends ({last_day}) before it starts ({first_day})")
