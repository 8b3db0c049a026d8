"""Dose events: whose medication, which scheduled dose, and what the server fills in (DESIGN §3)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from pain_diary.medications.models import DoseEvent

from .factories import DoseEventBody, MedicationBody

# Daily at 08:00 and 20:00 local time from 1 November 2026 (Europe/Berlin is UTC+1 then).
TWICE_DAILY = MedicationBody(
    name="Oxycodone 5",
    ingredient="oxycodone",
    dose_amount=5,
    dose_unit="mg",
    route="oral",
    schedule={"times": ["08:00", "20:00"]},
    start_date="2026-11-01",
)
AS_NEEDED = {**TWICE_DAILY, "name": "Oxycodone 5 as needed", "schedule": None, "as_needed": True}
DUE = "2026-11-20T08:00:00+01:00"
TAKEN = DoseEventBody(status="taken", scheduled_for=DUE, taken_at="2026-11-20T08:10:00+01:00")


def create_medication(client, body=TWICE_DAILY):
    medication_id = str(uuid.uuid4())
    response = client.put(f"/api/v1/medications/{medication_id}", json=body)
    assert response.status_code == 201, response.json
    return medication_id


def put_dose(client, medication_id, dose_id=None, **fields):
    body = {"medication_id": medication_id, **fields}
    return client.put(f"/api/v1/medication-doses/{dose_id or uuid.uuid4()}", json=body)


def stored_doses(app, db):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(DoseEvent))


def refused_fields(response, status=422):
    assert response.status_code == status, response.json
    assert response.json["error"]["status"] == status
    return response.json["error"]["fields"]


@pytest.fixture
def medication_id(patient):
    return create_medication(patient)


def test_a_taken_scheduled_dose_is_stored_with_the_medications_amount_and_unit(
    patient, medication_id
):
    dose_id = str(uuid.uuid4())
    response = put_dose(patient, medication_id, dose_id, **TAKEN)
    assert response.status_code == 201, response.json
    dose = response.json
    assert (dose["id"], dose["medication_id"], dose["status"]) == (dose_id, medication_id, "taken")
    assert datetime.fromisoformat(dose["scheduled_for"]) == datetime(2026, 11, 20, 7, tzinfo=UTC)
    assert (dose["amount"], dose["dose_unit"]) == (5, "mg")
    assert dose["local_date"] == "2026-11-20"
    assert patient.get(f"/api/v1/medication-doses/{dose_id}").json == dose


@pytest.mark.parametrize(
    ("ingredient", "dose_amount", "dose_unit"),
    [
        ("oxycodone", 5, "mg"),
        ("fentanyl_transdermal", 12, "mcg_per_hour"),
        ("paracetamol", 2, "tablet"),  # an opioid needs a mass unit: see test_medications
        ("paracetamol", 0.5, "ml"),
    ],
)
def test_a_dose_without_an_amount_takes_the_medications_dose_and_unit(
    patient, ingredient, dose_amount, dose_unit
):
    body = {
        **AS_NEEDED,
        "ingredient": ingredient,
        "dose_amount": dose_amount,
        "dose_unit": dose_unit,
    }
    medication_id = create_medication(patient, body)
    response = put_dose(patient, medication_id, status="taken", taken_at=TAKEN["taken_at"])
    assert response.status_code == 201, response.json
    assert (response.json["amount"], response.json["dose_unit"]) == (dose_amount, dose_unit)


def test_an_explicit_amount_is_kept_and_the_unit_is_still_the_medications(patient, medication_id):
    response = put_dose(patient, medication_id, **TAKEN, amount=2.5)
    assert response.status_code == 201, response.json
    assert (response.json["amount"], response.json["dose_unit"]) == (2.5, "mg")


def test_the_client_cannot_choose_the_dose_unit(patient, medication_id):
    response = put_dose(patient, medication_id, **TAKEN, dose_unit="g")
    assert response.status_code == 201
    assert response.json["dose_unit"] == "mg"  # the medication's, whatever the client sent


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param(
            {"status": "taken", "scheduled_for": DUE}, "taken_at", id="taken, no taken_at"
        ),
        pytest.param({"status": "skipped"}, "scheduled_for", id="skipped, no scheduled_for"),
        pytest.param({**TAKEN, "status": "skipped"}, "taken_at", id="skipped with a taken_at"),
        pytest.param({**TAKEN, "status": "lost"}, "status", id="unknown status"),
        pytest.param({"scheduled_for": DUE}, "status", id="no status"),
        pytest.param({**TAKEN, "amount": 0}, "amount", id="amount 0"),
        pytest.param({**TAKEN, "skip_reason": "x" * 201}, "skip_reason", id="long skip_reason"),
        pytest.param({**TAKEN, "taken_at": "2026-11-20T08:10:00"}, "taken_at", id="naive"),
    ],
)
def test_a_dose_breaking_a_field_rule_is_refused_and_not_stored(
    app, db, patient, medication_id, fields, field
):
    response = put_dose(patient, medication_id, **fields)
    assert list(refused_fields(response)) == [field]
    assert stored_doses(app, db) == 0


def test_a_skipped_dose_needs_no_taken_at(patient, medication_id):
    response = put_dose(
        patient, medication_id, status="skipped", scheduled_for=DUE, skip_reason="Felt drowsy"
    )
    assert response.status_code == 201, response.json
    assert (response.json["taken_at"], response.json["skip_reason"]) == (None, "Felt drowsy")
    assert response.json["local_date"] == "2026-11-20"


@pytest.mark.parametrize(
    ("taken_at", "status"),
    [
        pytest.param(timedelta(minutes=-1), 201, id="a minute ago"),
        pytest.param(timedelta(minutes=4), 201, id="within the 5-minute clock slack"),
        pytest.param(timedelta(minutes=10), 422, id="10 minutes ahead"),
        pytest.param(timedelta(days=1), 422, id="tomorrow"),
    ],
)
def test_a_dose_taken_in_the_future_is_refused(patient, taken_at, status):
    medication_id = create_medication(patient, AS_NEEDED)
    moment = (datetime.now(UTC) + taken_at).isoformat()
    response = put_dose(patient, medication_id, status="taken", taken_at=moment)
    assert response.status_code == status, response.json
    if status == 422:
        assert list(response.json["error"]["fields"]) == ["taken_at"]


def test_a_dose_of_another_patients_medication_is_refused_and_not_stored(
    app, db, patient, accounts
):
    theirs = create_medication(accounts.signed_in())
    response = put_dose(patient, theirs, **TAKEN)
    assert list(refused_fields(response)) == ["medication_id"]
    assert stored_doses(app, db) == 0


def test_a_dose_of_a_medication_that_does_not_exist_is_refused(app, db, patient):
    response = put_dose(patient, str(uuid.uuid4()), **TAKEN)
    assert list(refused_fields(response)) == ["medication_id"]
    assert stored_doses(app, db) == 0


@pytest.mark.parametrize(
    ("scheduled_for", "accepted"),
    [
        pytest.param("2026-11-20T08:00:00+01:00", True, id="08:00 local"),
        pytest.param("2026-11-20T07:00:00Z", True, id="08:00 local written in UTC"),
        pytest.param("2026-11-20T20:00:00+01:00", True, id="20:00 local"),
        pytest.param("2026-11-20T09:00:00+01:00", False, id="09:00 local"),
        pytest.param("2026-11-20T08:00:00Z", False, id="08:00 UTC is 09:00 local"),
        pytest.param("2026-11-20T08:00:30+01:00", False, id="half a minute off"),
        pytest.param("2026-10-31T08:00:00+01:00", False, id="the day before start_date"),
    ],
)
def test_scheduled_for_must_be_a_scheduled_instant_in_the_patients_local_time(
    patient, medication_id, scheduled_for, accepted
):
    response = put_dose(patient, medication_id, status="skipped", scheduled_for=scheduled_for)
    if accepted:
        assert response.status_code == 201, response.json
    else:
        assert list(refused_fields(response)) == ["scheduled_for"]


@pytest.mark.parametrize(
    ("timezone", "scheduled_for", "accepted"),
    [
        ("America/New_York", "2026-11-20T08:00:00-05:00", True),
        ("America/New_York", "2026-11-20T08:00:00+01:00", False),
        ("Asia/Tokyo", "2026-11-20T08:00:00+09:00", True),
        ("Asia/Tokyo", "2026-11-20T08:00:00+01:00", False),
    ],
)
def test_the_schedule_is_read_in_the_patients_own_timezone(
    accounts, timezone, scheduled_for, accepted
):
    patient = accounts.signed_in(timezone=timezone)
    response = put_dose(
        patient, create_medication(patient), status="skipped", scheduled_for=scheduled_for
    )
    assert response.status_code == (201 if accepted else 422), response.json


@pytest.mark.parametrize(
    ("scheduled_for", "accepted"),
    [
        pytest.param("2026-11-23T08:00:00+01:00", True, id="monday"),
        pytest.param("2026-11-25T08:00:00+01:00", True, id="wednesday"),
        pytest.param("2026-11-24T08:00:00+01:00", False, id="tuesday"),
    ],
)
def test_scheduled_for_must_fall_on_a_scheduled_weekday(patient, scheduled_for, accepted):
    mondays_and_wednesdays = {
        **TWICE_DAILY,
        "schedule": {"times": ["08:00"], "days_of_week": [0, 2]},
    }
    medication_id = create_medication(patient, mondays_and_wednesdays)
    response = put_dose(patient, medication_id, status="skipped", scheduled_for=scheduled_for)
    assert response.status_code == (201 if accepted else 422), response.json


def test_scheduled_for_after_the_end_date_is_refused(patient):
    medication_id = create_medication(patient, {**TWICE_DAILY, "end_date": "2026-11-19"})
    last_day = put_dose(
        patient, medication_id, status="skipped", scheduled_for="2026-11-19T20:00:00+01:00"
    )
    assert last_day.status_code == 201, last_day.json
    after = put_dose(patient, medication_id, status="skipped", scheduled_for=DUE)
    assert list(refused_fields(after)) == ["scheduled_for"]


def test_an_as_needed_dose_has_no_scheduled_for(patient):
    medication_id = create_medication(patient, AS_NEEDED)
    refused = put_dose(patient, medication_id, **TAKEN)
    assert list(refused_fields(refused)) == ["scheduled_for"]

    accepted = put_dose(patient, medication_id, status="taken", taken_at=TAKEN["taken_at"])
    assert accepted.status_code == 201, accepted.json
    assert accepted.json["scheduled_for"] is None
    assert (accepted.json["amount"], accepted.json["local_date"]) == (5, "2026-11-20")


@pytest.mark.parametrize(
    "second",
    [
        pytest.param({"status": "skipped", "scheduled_for": DUE}, id="skipped after taken"),
        pytest.param({**TAKEN, "scheduled_for": "2026-11-20T07:00:00Z"}, id="same instant in UTC"),
    ],
)
def test_a_second_event_for_the_same_scheduled_dose_is_a_409(
    app, db, patient, medication_id, second
):
    first_id = str(uuid.uuid4())
    assert put_dose(patient, medication_id, first_id, **TAKEN).status_code == 201
    response = put_dose(patient, medication_id, **second)
    assert list(refused_fields(response, 409)) == ["scheduled_for"]
    assert response.json["error"]["code"] == "conflict"
    assert response.json["error"]["existing_id"] == first_id
    assert stored_doses(app, db) == 1


def test_the_other_scheduled_dose_of_the_same_day_is_not_a_clash(patient, medication_id):
    assert put_dose(patient, medication_id, **TAKEN).status_code == 201
    evening = put_dose(
        patient, medication_id, status="skipped", scheduled_for="2026-11-20T20:00:00+01:00"
    )
    assert evening.status_code == 201, evening.json


def test_editing_the_event_of_a_scheduled_dose_is_not_a_clash(patient, medication_id):
    dose_id = str(uuid.uuid4())
    skipped = put_dose(patient, medication_id, dose_id, status="skipped", scheduled_for=DUE)
    assert skipped.status_code == 201, skipped.json
    taken = put_dose(patient, medication_id, dose_id, **TAKEN)
    assert taken.status_code == 200, taken.json
    assert (taken.json["status"], taken.json["version"]) == ("taken", 2)


def test_deleting_a_medication_removes_its_doses(app, db, patient, medication_id):
    dose_id = str(uuid.uuid4())
    assert put_dose(patient, medication_id, dose_id, **TAKEN).status_code == 201
    other_medication = create_medication(patient, AS_NEEDED)
    kept = put_dose(patient, other_medication, status="taken", taken_at=TAKEN["taken_at"])
    assert kept.status_code == 201

    assert patient.delete(f"/api/v1/medications/{medication_id}").status_code == 204

    # The doses went with their medication and stay deleted, like any deleted record.
    assert patient.get(f"/api/v1/medication-doses/{dose_id}").status_code == 410
    assert patient.delete(f"/api/v1/medication-doses/{dose_id}").status_code == 204
    # A phone replaying the dose gets 410 (gone), not a complaint about its medication.
    assert put_dose(patient, medication_id, dose_id, **TAKEN).status_code == 410
    remaining = patient.get("/api/v1/medication-doses").json["items"]
    assert [dose["id"] for dose in remaining] == [kept.json["id"]]
    assert stored_doses(app, db) == 1


# 29 March 2026: Europe/Berlin springs forward from 02:00 CET straight to 03:00 CEST;
# 25 October 2026: it falls back from 03:00 CEST to 02:00 CET, so 02:30 happens twice.
NIGHTLY_0230 = {**TWICE_DAILY, "schedule": {"times": ["02:30"]}, "start_date": "2026-03-01"}


@pytest.mark.parametrize(
    ("scheduled_for", "accepted"),
    [
        pytest.param("2026-03-29T03:00:00+02:00", True, id="03:00 CEST, the first valid minute"),
        pytest.param("2026-03-29T01:00:00Z", True, id="the same instant in UTC"),
        pytest.param("2026-03-29T02:30:00+01:00", False, id="02:30 CET, a time the day lacks"),
        pytest.param("2026-03-29T03:30:00+02:00", False, id="03:30 CEST"),
        pytest.param("2026-03-28T02:30:00+01:00", True, id="02:30 CET the day before"),
        pytest.param("2026-03-30T02:30:00+02:00", True, id="02:30 CEST the day after"),
        pytest.param("2026-10-25T02:30:00+02:00", True, id="fall back: the first 02:30"),
        pytest.param("2026-10-25T02:30:00+01:00", False, id="fall back: the second 02:30"),
    ],
)
def test_a_dose_due_in_a_dst_transition_falls_due_once_at_a_real_local_time(
    patient, scheduled_for, accepted
):
    medication_id = create_medication(patient, NIGHTLY_0230)
    response = put_dose(patient, medication_id, status="skipped", scheduled_for=scheduled_for)
    if accepted:
        assert response.status_code == 201, response.json
    else:
        assert list(refused_fields(response)) == ["scheduled_for"]


@pytest.mark.parametrize(
    ("amount", "status"), [(100_000, 201), (100_000.5, 422), (1e20, 422), (0, 422)]
)
def test_a_dose_amount_is_bounded_like_the_medications(patient, medication_id, amount, status):
    response = put_dose(patient, medication_id, **TAKEN, amount=amount)
    assert response.status_code == status, response.json
    if status == 422:
        assert refused_fields(response) == {"amount": ["Must be above 0 and at most 100000."]}
