"""Physical activity over a period (DESIGN §3 Activity day, §4 Activity).

A day may have figures from several sources (typed by hand, a phone's export, a watch's). The
day's figure is the ``manual`` record when there is one (the patient corrected it), else the
source with the most steps that day: a phone and a watch count the same steps, so the larger is
the better estimate, as Apple Health's own de-duplication would keep. The figures of one source
are kept together, never mixed.

``pain_correlation`` is Spearman's rho between a day's steps and the next local day's daily
pain, over the pairs where both exist and the pain day lies in the period: overdoing it on a
good day and paying for it the next is what pacing treats (Andrews 2012). Like sleep's, it is
None below 10 pairs; ``n`` always counts them.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from statistics import fmean
from typing import NamedTuple

from .common import check_period, round1
from .sleep import next_day_pain_correlation

MANUAL = "manual"


class ActivityRecord(NamedTuple):
    """One source's figures of one local day."""

    date: date
    source: str
    steps: int | None
    active_minutes: int | None


def day_figures(records: Iterable[ActivityRecord]) -> dict[date, ActivityRecord]:
    """The day's figure of each day: the manual record, else the source with the most steps."""

    def rank(record):
        return (record.source == MANUAL, record.steps is not None, record.steps or 0,
                record.active_minutes or 0, record.source)  # fmt: skip

    chosen = {}
    for record in records:
        if record.date not in chosen or rank(record) > rank(chosen[record.date]):
            chosen[record.date] = record
    return dict(sorted(chosen.items()))


def activity_summary(
    records: Iterable[ActivityRecord],
    daily_pain_by_day: Mapping[date, float],
    first_day: date,
    last_day: date,
) -> dict:
    """``days`` with a figure, ``mean_steps`` (over days with steps), ``mean_active_minutes``
    (over days with minutes) and ``pain_correlation`` of ``first_day``..``last_day``."""
    check_period(first_day, last_day)
    days = {
        day: figure for day, figure in day_figures(records).items() if first_day <= day <= last_day
    }
    steps = [figure.steps for figure in days.values() if figure.steps is not None]
    minutes = [f.active_minutes for f in days.values() if f.active_minutes is not None]
    return {
        "days": len(days),
        "mean_steps": round1(fmean(steps)) if steps else None,
        "mean_active_minutes": round1(fmean(minutes)) if minutes else None,
        "pain_correlation": next_day_pain_correlation(
            ((day, f.steps) for day, f in days.items() if f.steps is not None),
            daily_pain_by_day,
            last_day,
        ),
    }
