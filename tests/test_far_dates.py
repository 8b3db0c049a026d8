"""Dates a patient chooses stay where the computations on them hold (DESIGN §6).

Local dates are refused (422, naming the field) outside the years 1900 to 2199, the years every
instant is refused outside of. A rule stored before that (9999-12-31) has no next occurrence
rather than an OverflowError: a change of timezone, or a new rule, still answers.
"""

import uuid
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from pain_diary.extensions import db
from pain_diary.localtime import at_local_time
from pain_diary.medications.models import Medication
from pain_diary.reminders.models import ReminderRule
from pain_diary.reminders.schedule import Plan, next_occurrence

from .factories import MedicationBody
from .helpers import assert_invalid
from .test_sync import put, sync

RULES = "/api/v1/reminders"
# The zone whose local times come latest in UTC (UTC-12), and the one that comes earliest.
LATEST, EARLIEST = "Etc/GMT+12", "Pacific/Kiritimati"
APPOINTMENT = {"kind": "therapy", "times": ["23:00"], "channels": ["in_app"]}
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def move_to(client, timezone):
    response = client.patch("/api/v1/me", json={"timezone": timezone})
    assert response.status_code == 200, response.json
    return response


# Refused on the way in


@pytest.mark.parametrize("day", ["9999-12-31", "2200-01-01", "1899-12-31", "0001-01-01"])
def test_a_rule_date_out_of_range_is_refused_naming_it(patient, day):
    move_to(patient, LATEST)
    body = {**APPOINTMENT, "dates": ["2030-01-15", day]}
    assert_invalid(patient.post(RULES, json=body), "dates.1")
    rule = patient.post(RULES, json={**APPOINTMENT, "dates": ["2030-01-15"]}).json
    assert_invalid(patient.put(f"{RULES}/{rule['id']}", json=body), "dates.1")
    assert_invalid(patient.patch(f"{RULES}/{rule['id']}", json={"dates": [day]}), "dates.0")
    assert patient.get(f"{RULES}/{rule['id']}").json == rule


@pytest.mark.parametrize("timezone", [LATEST, EARLIEST])
def test_the_last_date_allowed_is_scheduled_in_every_timezone(patient, timezone):
    move_to(patient, timezone)
    created = patient.post(RULES, json={**APPOINTMENT, "dates": ["2199-12-31"]})
    assert created.status_code == 201, created.json
    expected = at_local_time(date(2199, 12, 31), time(23), ZoneInfo(timezone))
    assert created.json["next_due_at"] == expected.isoformat()


@pytest.mark.parametrize("field", ["start_date", "end_date"])
@pytest.mark.parametrize("day", ["9999-12-31", "2200-01-01", "0001-01-01"])
def test_a_medication_date_out_of_range_is_refused_naming_it(patient, field, day):
    body = MedicationBody(**{field: day})
    assert_invalid(patient.post("/api/v1/medications", json=body), field)
    assert_invalid(patient.put(f"/api/v1/medications/{uuid.uuid4()}", json=body), field)
    [result] = sync(patient, put("medications", str(uuid.uuid4()), body))
    assert (result["status"], list(result["error"]["fields"])) == (422, [field])
    assert patient.get("/api/v1/medications").json["items"] == []


def test_a_medication_of_the_last_years_allowed_takes_a_rule(patient):
    body = MedicationBody(start_date="1900-01-01", end_date="2199-12-31")
    medication = patient.post("/api/v1/medications", json=body)
    assert medication.status_code == 201, medication.json
    rule = {"kind": "medication", "medication_id": medication.json["id"], "channels": ["in_app"]}
    assert patient.post(RULES, json=rule).status_code == 201


# Stored before the bounds: no next occurrence, never a 500


def store_rule(app, patient, **fields):
    """A rule written straight to the table, as one stored before dates were bounded."""
    user_id = uuid.UUID(patient.get("/api/v1/me").json["id"])
    with app.app_context():
        rule = ReminderRule(
            patient_id=user_id,
            days_of_week=[],
            channels=["in_app"],
            enabled=True,
            timezone="Europe/Berlin",
            **fields,
        )
        db.session.add(rule)
        db.session.commit()
        return str(rule.id)


@pytest.mark.parametrize(
    ("fields", "next_due_at"),
    [
        pytest.param({"kind": "therapy", "times": ["23:00"], "dates": ["9999-12-31"]}, None,
                     id="appointment on 9999-12-31"),
        pytest.param({"kind": "pain_log", "times": ["12:00"], "first_day": date(9999, 12, 31)},
                     None, id="daily from 9999-12-31"),
        pytest.param({"kind": "pain_log", "times": ["23:59"], "first_day": date(9999, 12, 27)},
                     "9999-12-28T11:59:00+00:00", id="daily from 9999-12-27"),
    ],
)  # fmt: skip
def test_a_timezone_change_with_a_far_rule_stored_answers_200(app, patient, fields, next_due_at):
    rule_id = store_rule(app, patient, **fields)
    answer = move_to(patient, LATEST)
    assert answer.json["timezone"] == LATEST
    assert patient.get(f"{RULES}/{rule_id}").json["next_due_at"] == next_due_at
    move_to(patient, EARLIEST)  # and back to a zone where some occurrences fit again
    assert patient.get(f"{RULES}/{rule_id}").status_code == 200


def test_a_rule_for_a_medication_stored_to_start_on_9999_12_31_is_scheduled_as_far_as_it_goes(
    app, patient
):
    medication_id = patient.post("/api/v1/medications", json=MedicationBody()).json["id"]
    with app.app_context():
        db.session.get(Medication, uuid.UUID(medication_id)).start_date = date(9999, 12, 31)
        db.session.commit()
    move_to(patient, LATEST)
    rule = {"kind": "medication", "medication_id": medication_id, "channels": ["in_app"]}
    created = patient.post(RULES, json=rule)
    assert created.status_code == 201, created.json
    # 08:00 at UTC-12 is 20:00 UTC, the last occurrence a datetime holds; 20:00 is past it.
    assert created.json["next_due_at"] == "9999-12-31T20:00:00+00:00"
    move_to(patient, EARLIEST)


# next_occurrence at the edge of what a datetime holds


@pytest.mark.parametrize(
    ("plan", "timezone"),
    [
        pytest.param(Plan.of(["23:00"], dates=["9999-12-31"]), LATEST, id="the date's 23:00"),
        pytest.param(Plan.of(["12:00"], first_day=date.max), LATEST, id="daily from date.max"),
        # 9999-12-26 is the last Sunday a date holds.
        pytest.param(Plan.of(["08:00"], [6], first_day=date(9999, 12, 27)), "UTC",
                     id="Sundays after the last one"),
    ],
)  # fmt: skip
def test_an_occurrence_past_datetime_max_is_none(plan, timezone):
    assert next_occurrence(plan, ZoneInfo(timezone), NOW) is None


def test_the_last_occurrences_a_datetime_holds_are_found():
    tz = ZoneInfo(LATEST)
    # 9999-12-31 11:59 at UTC-12 is 23:59 UTC, the last minute; noon is past it.
    plan = Plan.of(["11:59", "12:00"], dates=["9999-12-31"])
    assert next_occurrence(plan, tz, NOW) == datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    daily = Plan.of(["12:00"], first_day=date(9999, 12, 27))
    assert next_occurrence(daily, tz, NOW) == datetime(9999, 12, 28, 0, 0, tzinfo=UTC)
    last = datetime(9999, 12, 31, 0, 0, tzinfo=UTC)  # the 30th's noon in the zone
    assert next_occurrence(daily, tz, last) is None
    assert next_occurrence(daily, tz, datetime(9999, 12, 31, 23, 59, tzinfo=UTC)) is None
