"""Procedure response: pain before and after each procedure, against its goal (DESIGN §4).

With D the procedure's local date, the baseline is the mean daily pain of D-14 .. D-1 (>= 4
logged days) and each window after it is read against that baseline: ``relief_percent`` =
(baseline - mean) / baseline x 100 and ``response`` is the IMMPACT classification of the two
means (Dworkin 2008; Farrar 2001, :func:`.pain.immpact_response`).

The goal that decides the next step, per kind:

- ``medial_branch_block``: ``same_day`` >= 80 %. Medial branch blocks are diagnostic; the facet
  joint coverage criteria ask for >= 80 % relief before radiofrequency ablation (Medicare LCDs
  "Facet Joint Interventions for Pain Management", 2021, e.g. L38765; ASIPP, Manchikanti 2020).
- ``nerve_block``: ``same_day`` >= 50 %, the usual bar of a positive diagnostic block and
  IMMPACT's "substantial" relief.
- ``scs_trial``: ``trial`` >= 50 %, the usual bar for a permanent implant (Neuromodulation
  Foundation practice parameters for spinal cord stimulation; Shanthanna 2023).
- ``radiofrequency_ablation``, ``scs_implant``, ``drg_stimulator``,
  ``peripheral_nerve_stimulator``, ``surgery``: ``month_6`` >= 50 %, lasting substantial relief.
- every other kind (injections, regenerative therapies, ``other``): ``month_3`` >= 50 %.
"""

import bisect
import statistics
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .common import MIN_LOGGED_DAYS, PainPoint, at_least, round1
from .pain import daily_pain, immpact_response, mean_daily_pain, percent_change

#: the summary lists procedures of this many days up to the period's end
PROCEDURE_DAYS = 365
_BASELINE_DAYS = 14
_MIN_BASELINE_DAYS = 4  # a baseline needs at least this many logged days
_SAME_DAY_HOURS = 6
_TRIAL_KIND = "scs_trial"
#: The windows counted in local days after D, as (name, first day, last day).
_DAY_WINDOWS = (
    ("week_1", 1, 7),
    ("weeks_2_3", 8, 21),
    ("month_3", 76, 104),
    ("month_6", 166, 194),
)
_SUBSTANTIAL = 50  # per cent: IMMPACT's substantial relief
#: The goal of each kind as (window, relief percent); any other kind has _DEFAULT_GOAL.
_GOALS = {
    "medial_branch_block": ("same_day", 80),
    "nerve_block": ("same_day", _SUBSTANTIAL),
    _TRIAL_KIND: ("trial", _SUBSTANTIAL),
    "radiofrequency_ablation": ("month_6", _SUBSTANTIAL),
    "scs_implant": ("month_6", _SUBSTANTIAL),
    "drg_stimulator": ("month_6", _SUBSTANTIAL),
    "peripheral_nerve_stimulator": ("month_6", _SUBSTANTIAL),
    "surgery": ("month_6", _SUBSTANTIAL),
}
_DEFAULT_GOAL = ("month_3", _SUBSTANTIAL)


class ProcedurePoint(NamedTuple):
    """One procedure as the analytics read it."""

    id: uuid.UUID
    kind: str
    performed_at: datetime  # timezone-aware
    trial_ends_at: datetime | None  # scs_trial only
    reported_relief_percent: int | None
    level: str | None = None
    body_sites: tuple = ()  # of {"site", "side"} dicts, passed through


def procedure_responses(
    procedures: Iterable[ProcedurePoint],
    pain: Iterable[PainPoint],
    tz: ZoneInfo,
    last_day: date,
) -> list[dict]:
    """Return the response of each procedure of the 365 local days up to ``last_day``, newest first.

    A procedure counts when its local date D (``performed_at`` in ``tz``) lies in
    ``last_day - 364 .. last_day``; ties of ``performed_at`` are ordered by id, newest first too.
    ``pain`` may be the whole diary: only entries with ``local_date <= last_day`` count, because
    the summary shows the diary as it stood at its period's end. A window reaching past
    ``last_day`` is not yet over and is listed with what it has so far.

    - ``baseline_mean``: mean daily pain (a day's mean intensity) of D-14 .. D-1, >= 4 logged days.
    - ``windows``, all listed in this order, each ``{window, from, to, mean, days_logged,
      relief_percent, response}``:
      ``same_day`` is the mean of the entries (not of daily pain) recorded from ``performed_at``
      to 6 real hours after it, both inclusive, >= 1 entry; ``from`` is D, ``to`` the local date
      6 hours after, ``days_logged`` the distinct local days of those entries. The 6 hours are
      counted on instants, so a night of a clock change still gets exactly 6 hours.
      ``trial`` (``scs_trial`` only) is D+1 .. the local date of ``trial_ends_at``; ``week_1``
      D+1 .. D+7, ``weeks_2_3`` D+8 .. D+21, ``month_3`` D+76 .. D+104, ``month_6`` D+166 ..
      D+194. Each of those is the mean daily pain of its logged days, >= 3 logged days.
    - ``relief_percent`` = (baseline - mean) / baseline x 100 on the rounded means shown, None
      without both or with a baseline of 0; ``response`` = ``immpact_response(baseline, mean)``,
      IMMPACT (Dworkin 2008; Farrar 2001); with a baseline of 0: "worse" at >= 2 points up, else
      "none".
    - ``goal`` = ``{window, relief_percent}`` of the kind: ``medial_branch_block`` ``same_day``
      >= 80 (facet-joint coverage criteria: Medicare LCDs 2021; ASIPP, Manchikanti 2020),
      ``nerve_block`` ``same_day`` >= 50, ``scs_trial`` ``trial`` >= 50 (the usual bar for a
      permanent implant), ablation, implants and surgery ``month_6`` >= 50, any other kind
      ``month_3`` >= 50 (module docstring). ``goal_met`` = relief >= that percent once the window
      has a relief figure, None before (or without a baseline).

    Means are rounded to one decimal; a figure without enough data is None, never 0. A time
    without a zone raises ValueError: local days and the 6 hours need instants.
    """
    first_day = last_day - timedelta(days=PROCEDURE_DAYS - 1)
    kept = [p for p in procedures if first_day <= _local_date(p.performed_at, tz) <= last_day]
    if not kept:
        return []
    entries = sorted(
        ((_instant(point.recorded_at), point) for point in pain if point.local_date <= last_day),
        key=lambda pair: pair[0],
    )
    daily = daily_pain(point for _, point in entries)
    kept.sort(key=lambda p: (_instant(p.performed_at), p.id), reverse=True)
    return [_response(procedure, entries, daily, tz) for procedure in kept]


def _response(procedure: ProcedurePoint, entries: list, daily: dict, tz: ZoneInfo) -> dict:
    performed_on = _local_date(procedure.performed_at, tz)
    baseline_days = (_after(performed_on, -_BASELINE_DAYS), _after(performed_on, -1))
    baseline = round1(mean_daily_pain(daily, *baseline_days, _MIN_BASELINE_DAYS))
    spans = [
        (name, _after(performed_on, first), _after(performed_on, last))
        for name, first, last in _DAY_WINDOWS
    ]
    if procedure.kind == _TRIAL_KIND:
        ends = procedure.trial_ends_at
        ends_on = None if ends is None else _local_date(ends, tz)
        spans.insert(0, ("trial", _after(performed_on, 1), ends_on))
    windows = [_same_day(procedure.performed_at, entries, tz, baseline)]
    windows += [_day_window(name, first, last, daily, baseline) for name, first, last in spans]
    goal_window, goal_percent = _GOALS.get(procedure.kind, _DEFAULT_GOAL)
    relief = next(w["relief_percent"] for w in windows if w["window"] == goal_window)
    return {
        "procedure_id": procedure.id,
        "kind": procedure.kind,
        "performed_at": procedure.performed_at,
        "trial_ends_at": procedure.trial_ends_at,
        "level": procedure.level,
        "body_sites": procedure.body_sites,
        "baseline_mean": baseline,
        "windows": windows,
        "goal": {"window": goal_window, "relief_percent": goal_percent},
        "goal_met": None if relief is None else at_least(relief, goal_percent),
        "reported_relief_percent": procedure.reported_relief_percent,
    }


def _same_day(performed_at: datetime, entries: list, tz: ZoneInfo, baseline: float | None) -> dict:
    # Entries are keyed by their UTC instant: aware datetimes of one zone compare by wall clock,
    # and adding 6 hours to a wall clock across a clock change gives 5 or 7 real hours.
    start = _instant(performed_at)
    end = start + timedelta(hours=_SAME_DAY_HOURS)
    low = bisect.bisect_left(entries, start, key=lambda pair: pair[0])
    high = bisect.bisect_right(entries, end, key=lambda pair: pair[0])
    within = [point for _, point in entries[low:high]]
    mean = round1(statistics.fmean(p.intensity for p in within)) if within else None
    days = len({point.local_date for point in within})
    return _window(
        "same_day", _local_date(performed_at, tz), _local_date(end, tz), mean, days, baseline
    )


def _day_window(
    name: str, first: date, last: date | None, daily: dict, baseline: float | None
) -> dict:
    # A trial without an end (which the records refuse) has no days to read.
    days = 0 if last is None else sum(1 for day in daily if first <= day <= last)
    mean = None if last is None else round1(mean_daily_pain(daily, first, last, MIN_LOGGED_DAYS))
    return _window(name, first, last, mean, days, baseline)


def _window(
    name: str, first: date, last: date | None, mean: float | None, days: int, baseline: float | None
) -> dict:
    change = percent_change(baseline, mean)
    return {
        "window": name,
        "from": first,
        "to": last,
        "mean": mean,
        "days_logged": days,
        "relief_percent": None if change is None else round1(-change),
        "response": immpact_response(baseline, mean),
    }


def _after(day: date, days: int) -> date:
    return day + timedelta(days=days)


def _instant(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no time zone: procedures are read on instants")
    return moment.astimezone(UTC)


def _local_date(moment: datetime, tz: ZoneInfo) -> date:
    return _instant(moment).astimezone(tz).date()
