"""Medication adherence: scheduled doses against dose events (DESIGN §4 "Adherence", §5)."""

from bisect import bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from pain_diary.localtime import as_utc, local_date, occurrences

DoseStatus = Literal["taken", "skipped", "missed", "pending"]

MISSED_AFTER = timedelta(hours=2)
ON_TIME_WINDOW = timedelta(minutes=60)
_COUNTED = ("scheduled", "taken", "taken_on_time", "skipped", "missed")


@dataclass(frozen=True)
class Schedule:
    """Local clock times, on some weekdays (0 = Monday; None or empty = every day)."""

    times: list[time]
    days_of_week: list[int] | None = None


@dataclass(frozen=True)
class MedicationPlan:
    """A medication as adherence sees it; no schedule means taken as needed."""

    medication_id: Hashable
    name: str
    schedule: Schedule | None
    start_date: date
    end_date: date | None = None


class DoseRecord(NamedTuple):
    """A dose event, taken or skipped; ``scheduled_for`` is None for an as-needed dose."""

    medication_id: Hashable
    status: Literal["taken", "skipped"]
    scheduled_for: datetime | None
    taken_at: datetime | None
    id: Hashable | None = None


def scheduled_doses(
    plan: MedicationPlan, tz: ZoneInfo, first_day: date, last_day: date, now: datetime
) -> list[datetime]:
    """Return the plan's scheduled doses that have fallen due (due ≤ now), in UTC.

    DESIGN §4: the schedule expanded at the patient's local times, within the medication's
    start/end dates and the local dates ``first_day``..``last_day``, up to now.
    """
    now = as_utc(now)
    last_day = min(last_day, local_date(now, tz))
    expanded = _expanded(plan, tz, first_day, last_day)  # sorted
    return list(expanded[: bisect_right(expanded, now)])


def dose_status(due: datetime, event: DoseRecord | None, now: datetime) -> DoseStatus:
    """Return what became of a scheduled dose (DESIGN §4, §5).

    The dose event's status when there is one; ``missed`` once now ≥ due + 2 hours without one;
    ``pending`` before that.
    """
    if event is not None:
        return event.status
    return "missed" if now - due >= MISSED_AFTER else "pending"  # aware: any timezone works


def taken_on_time(event: DoseRecord) -> bool:
    """Whether a dose was taken on time: |taken_at − scheduled_for| ≤ 60 minutes (DESIGN §4)."""
    if event.status != "taken" or event.taken_at is None or event.scheduled_for is None:
        return False
    return abs(event.taken_at - event.scheduled_for) <= ON_TIME_WINDOW


def medication_adherence(
    plans: Iterable[MedicationPlan],
    doses: Iterable[DoseRecord],
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
    now: datetime,
) -> dict:
    """Return overall and per-medication adherence over the local dates ``first_day``..``last_day``.

    adherence_percent = taken / (taken + skipped + missed) × 100, one decimal, None when nothing
    was taken, skipped or missed (DESIGN §4). ``scheduled`` counts every dose that fell due,
    pending ones included. The overall figure pools the scheduled doses of all medications.
    Items follow the order of ``plans``; a medication taken as needed, or not active on any day
    of the period, has no item.
    """
    events = _events_by_scheduled_dose(doses)
    items = []
    for plan in plans:
        if plan.schedule is None or not _active_within(plan, first_day, last_day):
            continue
        counts = Counter()
        due_doses = scheduled_doses(plan, tz, first_day, last_day, now)
        for due in due_doses:
            event = events.get((plan.medication_id, due))
            counts[dose_status(due, event, now)] += 1
            if event is not None and taken_on_time(event):
                counts["taken_on_time"] += 1
        counts["scheduled"] = len(due_doses)
        items.append(
            {
                "medication_id": plan.medication_id,
                "name": plan.name,
                **{key: counts[key] for key in _COUNTED},
                "adherence_percent": _adherence_percent(counts),
            }
        )
    overall = {key: sum(item[key] for item in items) for key in ("taken", "skipped", "missed")}
    return {"adherence_percent": _adherence_percent(overall), "items": items}


def as_needed_use(
    plans: Iterable[MedicationPlan],
    doses: Iterable[DoseRecord],
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
) -> list[dict]:
    """Return how each as-needed (rescue) medication was used over ``first_day``..``last_day``.

    ``doses`` = taken doses whose ``taken_at`` falls on a local date of the period; ``days_used`` =
    the distinct local dates among them. Every as-needed medication active on a day of the period
    has an item, an unused one with 0 and 0: a prescribed rescue medication left untouched tells
    the clinician something too. Items follow the order of ``plans``.
    """
    rescue = [plan for plan in plans if plan.schedule is None]
    days_taken: dict[Hashable, list[date]] = {plan.medication_id: [] for plan in rescue}
    for dose in doses:
        if dose.status != "taken" or dose.taken_at is None or dose.medication_id not in days_taken:
            continue
        day = local_date(dose.taken_at, tz)
        if first_day <= day <= last_day:
            days_taken[dose.medication_id].append(day)
    return [
        {
            "medication_id": plan.medication_id,
            "name": plan.name,
            "doses": len(days_taken[plan.medication_id]),
            "days_used": len(set(days_taken[plan.medication_id])),
        }
        for plan in rescue
        if days_taken[plan.medication_id] or _active_within(plan, first_day, last_day)
    ]


def doses_for_day(
    plans: Iterable[MedicationPlan],
    doses: Iterable[DoseRecord],
    tz: ZoneInfo,
    day: date,
    now: datetime,
) -> list[dict]:
    """Return the local ``day``'s scheduled doses, due or still to come, for a checklist.

    Each is ``{medication_id, name, scheduled_for, status, dose_event_id, taken_at}`` with the
    status of :func:`dose_status` (a dose later today is ``pending``) and the matching event's id
    and time taken, or None;
    sorted by time, then name.
    """
    events = _events_by_scheduled_dose(doses)
    checklist = []
    for plan in plans:
        if plan.schedule is None:
            continue
        for due in _expanded(plan, tz, day, day):
            event = events.get((plan.medication_id, due))
            checklist.append(
                {
                    "medication_id": plan.medication_id,
                    "name": plan.name,
                    "scheduled_for": due,
                    "status": dose_status(due, event, now),
                    "dose_event_id": event.id if event is not None else None,
                    "taken_at": event.taken_at if event is not None else None,
                }
            )
    return sorted(checklist, key=lambda dose: (dose["scheduled_for"], dose["name"]))


def _expanded(
    plan: MedicationPlan, tz: ZoneInfo, first_day: date, last_day: date
) -> Sequence[datetime]:
    """Every scheduled dose of the plan on the local dates that are both in range and active."""
    if plan.schedule is None:
        return ()
    first_day = max(first_day, plan.start_date)
    last_day = min(last_day, plan.end_date or last_day)
    schedule = plan.schedule
    return occurrences(schedule.times, schedule.days_of_week, first_day, last_day, tz)


def _active_within(plan: MedicationPlan, first_day: date, last_day: date) -> bool:
    return plan.start_date <= last_day and (plan.end_date is None or plan.end_date >= first_day)


def _events_by_scheduled_dose(doses: Iterable[DoseRecord]) -> dict:
    """Index dose events by (medication, scheduled instant in UTC); a taken event wins a tie."""
    events = {}
    for dose in doses:
        if dose.scheduled_for is None:
            continue
        key = (dose.medication_id, as_utc(dose.scheduled_for))
        if key not in events or dose.status == "taken":
            events[key] = dose
    return events


def _adherence_percent(counts: Mapping[str, int]) -> float | None:
    counted = counts["taken"] + counts["skipped"] + counts["missed"]
    return round(counts["taken"] / counted * 100, 1) if counted else None
