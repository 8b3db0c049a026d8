"""POST /sync: queued offline operations applied in order, one result each (DESIGN §3)."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pain_diary.medications.models import DoseEvent, Medication
from pain_diary.records.models import PainEntry

from .factories import DoseEventBody

PAIN = {"recorded_at": "2026-11-20T09:00:00+01:00", "intensity": 5}
MEDICATION = {
    "name": "Oxycodone 5",
    "ingredient": "oxycodone",
    "dose_amount": 5,
    "dose_unit": "mg",
    "schedule": {"times": ["08:00", "20:00"]},
    "start_date": "2026-11-01",
}


def new_id():
    return str(uuid.uuid4())


def put(collection, record_id, body):
    return {"op": "put", "collection": collection, "id": record_id, "body": body}


def delete(collection, record_id):
    return {"op": "delete", "collection": collection, "id": record_id}


def sync(client, *operations):
    """Send one batch and return its results, checking there is one per operation."""
    response = client.post("/api/v1/sync", json={"operations": list(operations)})
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert len(results) == len(operations)
    return results


def statuses(results):
    return [result["status"] for result in results]


def row_counts(app, db):
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (PainEntry, Medication, DoseEvent)
        }


def test_each_result_names_its_operation_and_carries_the_record(patient):
    entry_id = new_id()
    [result] = sync(patient, put("pain-entries", entry_id, PAIN))
    assert {key: result[key] for key in ("op", "collection", "id", "status", "error")} == {
        "op": "put",
        "collection": "pain-entries",
        "id": entry_id,
        "status": 201,
        "error": None,
    }
    assert result["record"] == patient.get(f"/api/v1/pain-entries/{entry_id}").json
    assert (result["record"]["intensity"], result["record"]["version"]) == (5, 1)


def test_operations_apply_in_order_and_a_put_after_a_delete_answers_410(patient):
    entry_id = new_id()
    results = sync(
        patient,
        put("pain-entries", entry_id, PAIN),
        put("pain-entries", entry_id, {**PAIN, "intensity": 7}),
        delete("pain-entries", entry_id),
        put("pain-entries", entry_id, PAIN),
    )
    assert statuses(results) == [201, 200, 204, 410]
    assert results[1]["record"]["intensity"] == 7
    assert results[2]["record"] is None and results[2]["error"] is None
    assert results[3]["record"] is None
    assert (results[3]["error"]["status"], results[3]["error"]["code"]) == (410, "gone")

    assert patient.get("/api/v1/pain-entries").json["items"] == []
    [replayed] = sync(patient, put("pain-entries", entry_id, PAIN))
    assert replayed["status"] == 410


def test_a_dose_can_refer_to_a_medication_created_earlier_in_the_batch(patient):
    medication_id, dose_id = new_id(), new_id()
    results = sync(
        patient,
        put("medications", medication_id, MEDICATION),
        put("medication-doses", dose_id, DoseEventBody(medication_id=medication_id)),
    )
    assert statuses(results) == [201, 201]
    assert results[1]["record"]["medication_id"] == medication_id
    assert (results[1]["record"]["amount"], results[1]["record"]["dose_unit"]) == (5, "mg")


def test_a_dose_queued_before_its_medication_is_refused_because_order_matters(app, db, patient):
    medication_id = new_id()
    results = sync(
        patient,
        put("medication-doses", new_id(), DoseEventBody(medication_id=medication_id)),
        put("medications", medication_id, MEDICATION),
    )
    assert statuses(results) == [422, 201]
    assert list(results[0]["error"]["fields"]) == ["medication_id"]
    assert row_counts(app, db)["medication_doses"] == 0


def bad_operations(others_entry_id, medication_id):
    """(operation, status, code, named fields) for each kind of bad operation.

    ``others_entry_id`` is another patient's pain entry; ``medication_id`` is the patient's
    medication whose 08:00 dose on 20 November has been logged already.
    """
    return {
        "invalid body": (
            put("pain-entries", new_id(), {**PAIN, "intensity": 11}),
            422, "validation_error", ["intensity"],
        ),
        "missing body": (
            put("pain-entries", new_id(), None),
            422, "validation_error", ["intensity", "recorded_at"],
        ),
        "unknown collection": (
            put("blood-pressure", new_id(), PAIN), 422, "validation_error", ["collection"]
        ),
        "id not a uuid": (
            put("pain-entries", "not-a-uuid", PAIN), 422, "validation_error", ["id"]
        ),
        "unknown op": (
            {**put("pain-entries", new_id(), PAIN), "op": "patch"},
            422, "validation_error", ["op"],
        ),
        "body id differs": (
            put("pain-entries", new_id(), {**PAIN, "id": new_id()}),
            422, "validation_error", ["id"],
        ),
        "put of another patient's id": (
            put("pain-entries", others_entry_id, {**PAIN, "intensity": 0}), 404, "not_found", None
        ),
        "delete of another patient's id": (
            delete("pain-entries", others_entry_id), 404, "not_found", None
        ),
        "delete of an unknown id": (delete("pain-entries", new_id()), 404, "not_found", None),
        "second event for a scheduled dose": (
            put("medication-doses", new_id(), DoseEventBody(medication_id=medication_id)),
            409, "conflict", ["scheduled_for"],
        ),
    }  # fmt: skip


BAD_OPERATIONS = list(bad_operations(None, None))


@pytest.mark.parametrize("case", BAD_OPERATIONS)
def test_a_bad_operation_is_reported_and_does_not_stop_the_others(accounts, patient, case):
    owner = accounts.signed_in()
    others_entry_id = new_id()
    assert owner.put(f"/api/v1/pain-entries/{others_entry_id}", json=PAIN).status_code == 201
    medication_id, first_dose_id = new_id(), new_id()
    sync(
        patient,
        put("medications", medication_id, MEDICATION),
        put("medication-doses", first_dose_id, DoseEventBody(medication_id=medication_id)),
    )
    bad, status, code, fields = bad_operations(others_entry_id, medication_id)[case]
    before_id, after_id = new_id(), new_id()

    results = sync(
        patient,
        put("pain-entries", before_id, PAIN),
        bad,
        put("pain-entries", after_id, {**PAIN, "intensity": 3}),
    )

    assert statuses(results) == [201, status, 201]
    error = results[1]["error"]
    assert (results[1]["record"], error["status"], error["code"]) == (None, status, code)
    assert isinstance(error["message"], str) and error["message"]
    assert (sorted(error["fields"]) if "fields" in error else None) == fields
    assert patient.get(f"/api/v1/pain-entries/{before_id}").json["intensity"] == 5
    assert patient.get(f"/api/v1/pain-entries/{after_id}").json["intensity"] == 3
    assert owner.get(f"/api/v1/pain-entries/{others_entry_id}").json["intensity"] == 5
    assert len(patient.get("/api/v1/medication-doses").json["items"]) == 1


@pytest.mark.parametrize("junk", ["junk", None, 5, ["put"]])
def test_an_operation_that_is_not_an_object_fails_alone(patient, junk):
    entry_id = new_id()
    results = sync(patient, junk, put("pain-entries", entry_id, PAIN))
    assert statuses(results) == [422, 201]
    assert results[0]["error"]["code"] == "validation_error"
    assert "id" not in results[0]
    assert patient.get(f"/api/v1/pain-entries/{entry_id}").status_code == 200


def test_a_stale_version_in_a_batch_answers_409_with_the_stored_record(patient):
    entry_id = new_id()
    sync(
        patient,
        put("pain-entries", entry_id, PAIN),
        put("pain-entries", entry_id, {**PAIN, "intensity": 6}),
    )
    [stale] = sync(patient, put("pain-entries", entry_id, {**PAIN, "intensity": 9, "version": 1}))
    assert (stale["status"], stale["error"]["code"]) == (409, "version_conflict")
    assert stale["error"]["current"]["intensity"] == 6
    assert patient.get(f"/api/v1/pain-entries/{entry_id}").json["intensity"] == 6


def test_replaying_a_whole_batch_creates_nothing_twice(app, db, patient):
    medication_id = new_id()
    batch = [
        put("pain-entries", new_id(), PAIN),
        put("pain-entries", new_id(), {**PAIN, "intensity": 2}),
        put("medications", medication_id, MEDICATION),
        put("medication-doses", new_id(), DoseEventBody(medication_id=medication_id)),
    ]
    first = sync(patient, *batch)
    assert statuses(first) == [201, 201, 201, 201]
    counts = row_counts(app, db)
    assert counts == {"pain_entries": 2, "medications": 1, "medication_doses": 1}

    replay = sync(patient, *batch)

    assert statuses(replay) == [200, 200, 200, 200]
    assert [result["record"] for result in replay] == [result["record"] for result in first]
    assert row_counts(app, db) == counts


def test_an_operation_applied_twice_in_one_batch_creates_one_row(app, db, patient):
    operation = put("pain-entries", new_id(), PAIN)
    assert statuses(sync(patient, operation, operation)) == [201, 200]
    assert row_counts(app, db)["pain_entries"] == 1


def test_two_hundred_operations_are_accepted(app, db, patient):
    batch = [put("pain-entries", new_id(), PAIN) for _ in range(200)]
    assert set(statuses(sync(patient, *batch))) == {201}
    assert row_counts(app, db)["pain_entries"] == 200


@pytest.mark.parametrize(
    "operations",
    [
        pytest.param([], id="empty"),
        pytest.param([put("pain-entries", str(uuid.uuid4()), PAIN)] * 201, id="201 operations"),
        pytest.param(None, id="null"),
        pytest.param("put everything", id="not a list"),
    ],
)
def test_a_batch_that_is_empty_or_too_long_is_refused_whole(app, db, patient, operations):
    response = patient.post("/api/v1/sync", json={"operations": operations})
    assert response.status_code == 422, response.json
    assert list(response.json["error"]["fields"]) == ["operations"]
    assert row_counts(app, db)["pain_entries"] == 0


def test_a_batch_without_operations_is_refused(patient):
    response = patient.post("/api/v1/sync", json={})
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["operations"]


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("clinician", 403)])
def test_only_a_signed_in_patient_may_sync(app, db, client, accounts, role, status):
    asker = accounts.signed_in(role=role) if role else client
    response = asker.post(
        "/api/v1/sync", json={"operations": [put("pain-entries", new_id(), PAIN)]}
    )
    assert response.status_code == status
    assert response.json["error"]["status"] == status
    assert row_counts(app, db)["pain_entries"] == 0


# In a fresh interpreter: import the given modules first, build the app on a new SQLite database
# by the migrations, register and sign in a patient, and answer what /sync made of the batch.
FRESH_SYNC = """
import importlib, json, sys
import flask_migrate
for module in sys.argv[1:]:
    importlib.import_module(module)
from pain_diary import create_app
given = json.load(sys.stdin)
app = create_app(given["config"])
with app.app_context():
    flask_migrate.upgrade()
client = app.test_client()
account = {"email": "ann@example.org", "password": "a sturdy passphrase"}
profile = {"display_name": "Ann", "timezone": "Europe/Berlin"}
client.post("/api/v1/auth/register", json={**account, **profile})
signed_in = client.post("/api/v1/auth/login", json=account)
client.environ_base["HTTP_X_CSRFTOKEN"] = signed_in.json["csrf_token"]
answer = client.post("/api/v1/sync", json={"operations": given["operations"]})
print(json.dumps({"status": answer.status_code, "body": answer.json}))
"""
SLEEP = {
    "night_of": "2026-11-19",
    "in_bed_at": "2026-11-19T22:30:00+01:00",
    "tried_to_sleep_at": "2026-11-19T23:00:00+01:00",
    "final_awakening_at": "2026-11-20T06:30:00+01:00",
    "out_of_bed_at": "2026-11-20T07:00:00+01:00",
    "sleep_latency_minutes": 20,
    "wake_after_sleep_onset_minutes": 40,
}
THERAPY = {"modality": "vr", "started_at": "2026-11-20T10:00:00+01:00", "duration_minutes": 20}


@pytest.mark.parametrize(
    "first_imports",
    [
        pytest.param((), id="only pain_diary"),
        pytest.param(("pain_diary.medications.routes",), id="medications first"),
        pytest.param(
            ("pain_diary.sync.routes", "pain_diary.records.collections"), id="the kernel first"
        ),
    ],
)
def test_sync_knows_every_collection_whatever_was_imported_first(
    tmp_path, base_config, first_imports
):
    medication_id = new_id()
    operations = [
        put("pain-entries", new_id(), PAIN),
        put("sleep-entries", new_id(), SLEEP),
        put("therapy-sessions", new_id(), THERAPY),
        put("medications", medication_id, MEDICATION),
        put("medication-doses", new_id(), DoseEventBody(medication_id=medication_id)),
    ]
    config = {
        **base_config,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite'}",
        "INSTANCE_PATH": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", FRESH_SYNC, *first_imports],
        input=json.dumps({"config": config, "operations": operations}),
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
        check=True,
    )
    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer["status"] == 200, answer
    results = answer["body"]["results"]
    assert [result["error"] for result in results] == [None] * 5
    assert [(result["collection"], result["status"]) for result in results] == [
        (operation["collection"], 201) for operation in operations
    ]
