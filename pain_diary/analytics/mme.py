"""Morphine milligram equivalents (MME) from the CDC 2022 conversion factors (DESIGN §4).

Source: Dowell D, et al. CDC Clinical Practice Guideline for Prescribing Opioids for Pain —
United States, 2022. MMWR Recomm Rep 2022;71(No. RR-3), Table 1.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo

from pain_diary.localtime import local_date

MME_TABLE_VERSION = "CDC-2022"

# MME per mg of the oral dose; transdermal fentanyl per mcg/hour of the patch.
CONVERSION_FACTORS = MappingProxyType(
    {
        "codeine": 0.15,
        "hydrocodone": 1.0,
        "hydromorphone": 5.0,
        "methadone": 4.7,
        "morphine": 1.0,
        "oxycodone": 1.5,
        "oxymorphone": 3.0,
        "tapentadol": 0.4,
        "tramadol": 0.2,
        "fentanyl_transdermal": 2.4,
    }
)

FENTANYL_PATCH = "fentanyl_transdermal"
FENTANYL_PATCH_DAYS = 3  # the application day and the 2 local days after (DESIGN §4)

CDC_CAVEAT = (
    "MME (morphine milligram equivalents) describes total opioid exposure; it is not for "
    "converting one opioid into another or for calculating doses when switching opioids "
    "(CDC 2022)."
)

_MG_PER_UNIT = MappingProxyType({"mg": 1.0, "mcg": 0.001, "g": 1000.0})
_UNIT_WORDS = MappingProxyType(
    {
        "tablet": "a count of tablets", "capsule": "a count of capsules",
        "patch": "a count of patches", "puff": "a count of puffs", "drop": "a count of drops",
        "unit": "a count of units", "ml": "a volume (ml)", "mcg_per_hour": "a patch rate",
    }
)  # fmt: skip


class TakenOpioidDose(NamedTuple):
    """One taken dose of a medication, with the amount actually taken."""

    ingredient: str | None
    amount: float
    unit: str
    taken_at: datetime


def _table_key(ingredient: str | None) -> str:
    return (ingredient or "").strip().lower()


def is_opioid(ingredient: str | None) -> bool:
    """Whether the ingredient is a key of the CDC 2022 MME table (case and spaces ignored)."""
    return _table_key(ingredient) in CONVERSION_FACTORS


def unconvertible_unit(ingredient: str | None, unit: str) -> str | None:
    """Say why an opioid's dose in ``unit`` has no MME, or None when it converts (or no opioid).

    A CDC 2022 factor applies to a mass (mg, mcg, g) or, for ``fentanyl_transdermal``, to the
    patch rate in mcg/hour; a count of tablets or a volume carries no strength to multiply.
    """
    key = _table_key(ingredient)
    if key not in CONVERSION_FACTORS or dose_in_mg(1, unit, key) is not None:
        return None
    if key == FENTANYL_PATCH:
        return "MME of a fentanyl patch is computed from its rate: give the dose in mcg_per_hour."
    return (
        f"MME cannot be computed from {_UNIT_WORDS.get(unit, unit)}: give this opioid's dose "
        "as a mass (mg, mcg or g)."
    )


def dose_in_mg(amount: float, unit: str, ingredient: str | None = None) -> float | None:
    """Return the dose in the unit its CDC 2022 factor applies to, or None if it has none.

    mg = amount × (1 for mg, 0.001 for mcg, 1000 for g). A ``fentanyl_transdermal`` patch is
    rated in mcg/hour, the unit of its factor, so its ``mcg_per_hour`` amount is returned as-is
    (and a patch in any other unit cannot be converted). Counted units (tablet, ml, patch, ...)
    carry no strength and give None.
    """
    if _table_key(ingredient) == FENTANYL_PATCH:
        return float(amount) if unit == "mcg_per_hour" else None
    mg_per_unit = _MG_PER_UNIT.get(unit)
    return None if mg_per_unit is None else float(amount) * mg_per_unit


def daily_mme(taken_doses: Iterable[TakenOpioidDose], tz: ZoneInfo) -> dict[date, float]:
    """Return the MME of each local day that has any: Σ amount (mg) × CDC 2022 factor.

    A dose counts on the local date of ``taken_at``; a fentanyl patch counts its full
    mcg/hour × 2.4 on its application day and on each of the 2 local days after, so load doses
    from two days before a period to see patches applied just before it. Doses of non-opioids
    and doses whose unit cannot be converted (:func:`dose_in_mg`) are left out. Values are not
    rounded.
    """
    totals: defaultdict[date, float] = defaultdict(float)
    for dose in taken_doses:
        key = _table_key(dose.ingredient)
        amount = dose_in_mg(dose.amount, dose.unit, key)
        if key not in CONVERSION_FACTORS or amount is None:
            continue
        mme = amount * CONVERSION_FACTORS[key]
        taken_on = local_date(dose.taken_at, tz)
        for offset in range(FENTANYL_PATCH_DAYS if key == FENTANYL_PATCH else 1):
            totals[taken_on + timedelta(days=offset)] += mme
    return dict(totals)


def mme_summary(
    daily: dict[date, float], first_day: date, last_day: date
) -> dict[str, float | int | None]:
    """Summarise daily MME over the local dates ``first_day``..``last_day`` (DESIGN §4).

    average_daily = Σ daily MME / days in the period (days without opioid count 0);
    days_with_opioid = the days of the period with daily MME > 0;
    average_on_opioid_days = Σ daily MME / days_with_opioid, the figure to say in words: a
    patient on 15 MME a day since yesterday is on 15 MME/day, not on 0.2 over 90 days;
    max_daily = the highest daily MME; days_at_or_over_50 / _90 count days at or over the CDC 2022
    thresholds, comparing each day's MME as shown (one decimal). When no opioid counts on any day
    of the period (none taken, or the patient has no opioid: pass an empty mapping), the averages
    and max_daily are None and the counts 0.

    :raise ValueError: when ``last_day`` is before ``first_day``.
    """
    if last_day < first_day:
        raise ValueError("the period ends before it starts")
    days = (last_day - first_day).days + 1
    in_period = [daily.get(first_day + timedelta(days=n), 0.0) for n in range(days)]
    shown = [round(mme, 1) for mme in in_period]
    # A day's MME is never negative: > 0 is "an opioid counts on it", however small the dose.
    days_with_opioid = sum(mme > 0 for mme in in_period)
    total = sum(in_period)
    return {
        "average_daily": round(total / days, 1) if days_with_opioid else None,
        "average_on_opioid_days": round(total / days_with_opioid, 1) if days_with_opioid else None,
        "days_with_opioid": days_with_opioid,
        "max_daily": max(shown) if days_with_opioid else None,
        "days_at_or_over_50": sum(mme >= 50 for mme in shown),
        "days_at_or_over_90": sum(mme >= 90 for mme in shown),
    }
