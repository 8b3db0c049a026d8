"""A patient's reminder rules: the defaults, the medication's schedule, the next occurrence.

Every change that moves a rule's occurrences (its own edit, its medication's, the patient's
timezone) recomputes ``next_due_at`` in the same transaction: the scheduler trusts it.
"""

from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..errors import ApiError
from ..extensions import db
from ..medications.queries import medication_of
from ..types import utcnow
from .models import ReminderRule
from .schedule import next_occurrence, plan_of, wall_clock

#: DESIGN §5: what a new patient starts with, and may change.
DEFAULT_RULES = (
    {"kind": "pain_log", "times": ["20:00"], "channels": ["in_app", "push"]},
    {"kind": "sleep_log", "times": ["09:00"], "channels": ["in_app", "push"]},
)


def reschedule(rule, timezone, now=None):
    """Set ``next_due_at`` to the first occurrence after now in ``timezone`` (None if disabled).

    An occurrence already sent keeps its wall clock: one at or before it is not due again, so
    moving from Berlin to New York does not bring today's 20:00 a second time.
    """
    now = now or utcnow()
    wall_after = None
    if rule.last_due_at is not None:
        wall_after = wall_clock(rule.last_due_at, ZoneInfo(rule.timezone))
        now = max(now, rule.last_due_at)
    rule.timezone = timezone
    rule.next_due_at = (
        next_occurrence(plan_of(rule), ZoneInfo(timezone), now, wall_after)
        if rule.enabled and rule.times
        else None
    )


def follow_medication(rule, medication):
    """Copy the medication's schedule into its rule: times, weekdays and dates bounds."""
    schedule = medication.schedule or {}
    rule.times = list(schedule.get("times") or [])
    rule.days_of_week = list(schedule.get("days_of_week") or [])
    rule.dates = None
    rule.first_day, rule.last_day = medication.start_date, medication.end_date


def scheduled_medication(patient_id, medication_id):
    """The patient's medication with a schedule, or a 422 naming ``medication_id``."""
    medication = medication_of(patient_id, medication_id)
    if medication is None:
        problem = "No such medication."
    elif medication.schedule is None:
        problem = "This medication is taken as needed: it has no times to remind of."
    else:
        return medication
    raise ApiError(422, problem, fields={"medication_id": [problem]})


def apply(rule, data, user):
    """Write the validated ``data`` into ``rule`` and schedule it; medication rules follow it."""
    for name, value in data.items():
        setattr(rule, name, value)
    if rule.kind == "medication":
        medication = scheduled_medication(user.id, rule.medication_id)
        # Empty days and all seven say the same: every day.
        schedule = {
            "times": set(medication.schedule["times"]),
            "days_of_week": set(medication.schedule.get("days_of_week") or range(7)),
        }
        given = {"times": set(data.get("times") or ()),
                 "days_of_week": set(data.get("days_of_week") or range(7))}  # fmt: skip
        for name in ("times", "days_of_week"):
            if name in data and given[name] != schedule[name]:
                problem = "Comes from the medication's schedule: change it there."
                raise ApiError(422, problem, fields={name: [problem]})
        follow_medication(rule, medication)
    else:
        rule.medication_id = None
        rule.first_day = rule.last_day = None
    reschedule(rule, user.timezone)


def reminded_dose(notification):
    """The scheduled dose a notification reminded of: (medication id, due instant).

    :raise ApiError 409: not a medication reminder. 410: its rule was removed or changed kind.
    """
    if notification.kind != "medication":
        raise ApiError(409, "This reminder is not for a medication.")
    rule = db.session.get(ReminderRule, notification.rule_id) if notification.rule_id else None
    if rule is None:
        raise ApiError(410, "This reminder was removed; log the dose on the Today page.")
    if rule.kind != "medication" or rule.medication_id is None:
        raise ApiError(410, "This reminder is no longer for a medication; nothing was logged.")
    return rule.medication_id, notification.due_at


def patient_rules(patient_id, **where):
    statement = select(ReminderRule).where(ReminderRule.patient_id == patient_id)
    for name, value in where.items():
        statement = statement.where(getattr(ReminderRule, name) == value)
    return db.session.scalars(statement.order_by(ReminderRule.created_at, ReminderRule.id)).all()


def add_default_rules(user, **extra):
    """Give a new patient the default reminders (signals.user_created)."""
    if user.role != "patient":
        return
    for default in DEFAULT_RULES:
        rule = ReminderRule(patient_id=user.id, days_of_week=[], enabled=True, **default)
        reschedule(rule, user.timezone)
        db.session.add(rule)


def follow_timezone(user, previous, **extra):
    """Reschedule every rule in the patient's new timezone (signals.timezone_changed)."""
    for rule in patient_rules(user.id):
        reschedule(rule, user.timezone)


def follow_medication_edit(collection, patient_id, record_id, **extra):
    """Make a medication's rules follow its saved schedule (signals.record_saved)."""
    rules = patient_rules(patient_id, medication_id=record_id)
    if not rules:
        return
    medication = medication_of(patient_id, record_id)
    for rule in rules:
        follow_medication(rule, medication)
        if medication.schedule is None:
            rule.enabled = False  # now taken as needed: nothing to remind of
        reschedule(rule, rule.timezone)
