"""Medications: the field rules of DESIGN §3 and the opioid mark from the MME table."""

import json
import uuid

import pytest

from .factories import MedicationBody

IBUPROFEN = MedicationBody()


def put_medication(client, body):
    return client.put(f"/api/v1/medications/{uuid.uuid4()}", json=body)


def refused_fields(response):
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert (error["status"], error["code"]) == (422, "validation_error")
    return error["fields"]


def test_a_valid_medication_is_stored_and_read_back(patient):
    medication_id = str(uuid.uuid4())
    created = patient.put(f"/api/v1/medications/{medication_id}", json=IBUPROFEN)
    assert created.status_code == 201, created.json
    read = patient.get(f"/api/v1/medications/{medication_id}")
    assert read.status_code == 200
    assert read.json == created.json
    assert read.json["id"] == medication_id
    assert read.json["version"] == 1
    assert read.json["schedule"] == IBUPROFEN["schedule"]
    assert read.json["as_needed"] is False


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"name": ...}, "name", id="name missing"),
        pytest.param({"name": ""}, "name", id="name empty"),
        pytest.param({"name": "x" * 121}, "name", id="name of 121 characters"),
        pytest.param({"dose_amount": ...}, "dose_amount", id="dose_amount missing"),
        pytest.param({"dose_amount": 0}, "dose_amount", id="dose_amount 0"),
        pytest.param({"dose_amount": -1}, "dose_amount", id="dose_amount -1"),
        pytest.param({"dose_unit": ...}, "dose_unit", id="dose_unit missing"),
        pytest.param({"dose_unit": "pill"}, "dose_unit", id="dose_unit not in the list"),
        pytest.param({"route": "nasal"}, "route", id="route not in the list"),
        pytest.param({"start_date": ...}, "start_date", id="start_date missing"),
        pytest.param({"end_date": "2026-10-31"}, "end_date", id="end_date before start_date"),
        pytest.param({"schedule": ...}, "schedule", id="no schedule and not as needed"),
        pytest.param({"schedule": None}, "schedule", id="null schedule and not as needed"),
        pytest.param({"as_needed": True}, "schedule", id="as needed with a schedule"),
    ],
)
def test_a_medication_breaking_a_field_rule_is_refused_naming_the_field(patient, changes, field):
    response = put_medication(patient, MedicationBody(**changes))
    assert list(refused_fields(response)) == [field]


@pytest.mark.parametrize("clock", ["24:00", "8:00", "08:60", "08:00:00", "noon", "", "08:00\n"])
def test_a_schedule_time_that_is_not_hh_mm_is_refused(patient, clock):
    body = MedicationBody(schedule={"times": ["20:00", clock]})
    assert list(refused_fields(put_medication(patient, body))) == ["schedule.times.1"]


def test_a_schedule_needs_at_least_one_time(patient):
    body = MedicationBody(schedule={"times": []})
    assert list(refused_fields(put_medication(patient, body))) == ["schedule.times"]


@pytest.mark.parametrize("day", [-1, 7])
def test_a_weekday_outside_0_to_6_is_refused(patient, day):
    body = MedicationBody(schedule={"times": ["08:00"], "days_of_week": [0, day]})
    assert list(refused_fields(put_medication(patient, body))) == ["schedule.days_of_week.1"]


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"name": "x"}, id="name of 1 character"),
        pytest.param({"name": "x" * 120}, id="name of 120 characters"),
        pytest.param({"dose_amount": 0.25}, id="fractional dose_amount"),
        pytest.param({"dose_unit": "mcg_per_hour", "route": "transdermal"}, id="patch units"),
        pytest.param({"dose_unit": "puff", "route": "inhaled"}, id="inhaler"),
        pytest.param({"route": None}, id="no route"),
        pytest.param({"schedule": {"times": ["00:00", "23:59"]}}, id="first and last minute"),
        pytest.param({"schedule": {"times": ["08:00"], "days_of_week": [0, 6]}}, id="mon, sun"),
        pytest.param({"schedule": None, "as_needed": True}, id="as needed, no schedule"),
        pytest.param({"schedule": ..., "as_needed": True}, id="as needed, schedule left out"),
        pytest.param({"end_date": "2026-11-01"}, id="ends the day it starts"),
        pytest.param({"end_date": None}, id="open-ended"),
    ],
)
def test_a_medication_within_the_rules_is_accepted(patient, changes):
    response = put_medication(patient, MedicationBody(**changes))
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("unit", ["mg", "mcg", "g", "ml", "unit", "tablet", "capsule", "drop"])
def test_every_listed_dose_unit_is_accepted(patient, unit):
    response = put_medication(patient, MedicationBody(dose_unit=unit))
    assert response.status_code == 201, response.json
    assert response.json["dose_unit"] == unit


@pytest.mark.parametrize(
    "route", ["oral", "sublingual", "transdermal", "topical", "injection", "rectal", "other"]
)
def test_every_listed_route_is_accepted(patient, route):
    response = put_medication(patient, MedicationBody(route=route))
    assert response.status_code == 201, response.json
    assert response.json["route"] == route


def test_an_as_needed_medication_is_stored_without_a_schedule(patient):
    response = put_medication(patient, MedicationBody(schedule=None, as_needed=True))
    assert response.status_code == 201, response.json
    assert (response.json["schedule"], response.json["as_needed"]) == (None, True)


@pytest.mark.parametrize(
    ("ingredient", "dose_unit", "opioid"),
    [
        ("oxycodone", "mg", True),
        ("fentanyl_transdermal", "mcg_per_hour", True),
        ("ibuprofen", "mg", False),
        (None, "mg", False),
    ],
)
def test_is_opioid_follows_the_mme_table(patient, ingredient, dose_unit, opioid):
    response = put_medication(patient, MedicationBody(ingredient=ingredient, dose_unit=dose_unit))
    assert response.status_code == 201, response.json
    assert response.json["is_opioid"] is opioid


def test_is_opioid_is_set_by_the_server_not_the_client(patient):
    # Sent back as read, a server-set field is ignored: ibuprofen stays a non-opioid.
    response = put_medication(patient, MedicationBody(is_opioid=True))
    assert response.status_code == 201
    assert response.json["is_opioid"] is False


def test_another_patients_medication_answers_404_and_stays_theirs(patient, accounts):
    owner = accounts.signed_in()
    medication_id = str(uuid.uuid4())
    assert owner.put(f"/api/v1/medications/{medication_id}", json=IBUPROFEN).status_code == 201

    assert patient.get(f"/api/v1/medications/{medication_id}").status_code == 404
    taken_over = patient.put(
        f"/api/v1/medications/{medication_id}", json=MedicationBody(name="Mine")
    )
    assert taken_over.status_code == 404
    assert patient.get("/api/v1/medications").json["items"] == []
    assert owner.get(f"/api/v1/medications/{medication_id}").json["name"] == IBUPROFEN["name"]


COUNT_OR_VOLUME = "MME cannot be computed from"


@pytest.mark.parametrize(
    ("ingredient", "dose_unit", "says"),
    [
        ("tramadol", "tablet", f"{COUNT_OR_VOLUME} a count of tablets"),
        ("Oxycodone ", "capsule", f"{COUNT_OR_VOLUME} a count of capsules"),
        ("morphine", "ml", f"{COUNT_OR_VOLUME} a volume (ml)"),
        ("morphine", "mcg_per_hour", f"{COUNT_OR_VOLUME} a patch rate"),
        ("fentanyl_transdermal", "mg", "give the dose in mcg_per_hour"),
        ("fentanyl_transdermal", "patch", "give the dose in mcg_per_hour"),
    ],
)
def test_an_opioid_in_a_unit_without_mme_is_refused_saying_why(
    patient, ingredient, dose_unit, says
):
    response = put_medication(patient, MedicationBody(ingredient=ingredient, dose_unit=dose_unit))
    (message,) = refused_fields(response)["dose_unit"]
    assert says in message
    assert patient.get("/api/v1/medications").json["items"] == []


@pytest.mark.parametrize(
    ("ingredient", "dose_unit"),
    [
        ("tramadol", "mg"),
        ("hydromorphone", "mcg"),
        ("codeine", "g"),
        ("fentanyl_transdermal", "mcg_per_hour"),
        ("paracetamol", "tablet"),  # not in the MME table: any unit
        (None, "patch"),
    ],
)
def test_an_opioid_in_a_unit_with_mme_and_any_other_medication_are_accepted(
    patient, ingredient, dose_unit
):
    response = put_medication(patient, MedicationBody(ingredient=ingredient, dose_unit=dose_unit))
    assert response.status_code == 201, response.json


def test_sync_refuses_an_opioid_counted_in_tablets_like_put(patient):
    operation = {
        "op": "put",
        "collection": "medications",
        "id": str(uuid.uuid4()),
        "body": MedicationBody(ingredient="tramadol", dose_unit="tablet"),
    }
    response = patient.post("/api/v1/sync", json={"operations": [operation]})
    assert response.status_code == 200, response.json
    (result,) = response.json["results"]
    assert result["status"] == 422
    assert (result["error"]["status"], result["error"]["code"]) == (422, "validation_error")
    assert list(result["error"]["fields"]) == ["dose_unit"]
    assert "a count of tablets" in result["error"]["fields"]["dose_unit"][0]


@pytest.mark.parametrize("amount", [100_000.01, 1e20, 1e308])
def test_a_dose_amount_over_100000_is_refused(patient, amount):
    response = put_medication(patient, MedicationBody(dose_amount=amount))
    assert refused_fields(response) == {"dose_amount": ["Must be above 0 and at most 100000."]}


def test_a_dose_amount_of_100000_is_accepted(patient):
    # 50,000 IU of vitamin D is a common weekly dose; the bound leaves room above it.
    response = put_medication(patient, MedicationBody(dose_amount=100_000, dose_unit="unit"))
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_non_finite_dose_amount_is_refused(patient, literal):
    body = json.dumps(MedicationBody(dose_amount=0)).replace(
        '"dose_amount": 0', f'"dose_amount": {literal}'
    )
    response = patient.put(
        f"/api/v1/medications/{uuid.uuid4()}", data=body, content_type="application/json"
    )
    assert list(refused_fields(response)) == ["dose_amount"]


def test_the_openapi_document_shows_the_dose_bounds(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    for schema, field in (("Medication", "dose_amount"), ("DoseEvent", "amount")):
        bounds = schemas[schema]["properties"][field]
        assert (bounds["minimum"], bounds["maximum"]) == (0, 100_000), schema
        assert bounds["exclusiveMinimum"] is True
