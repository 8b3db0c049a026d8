"""One id in two collections, and failures nobody foresaw, stay inside one operation (DESIGN §6).

A tombstone belongs to its collection: deleting a pain entry does not delete, block or refuse a
sleep entry that happens to carry the same UUID. Whatever goes wrong inside one /sync operation
answers that operation alone; the others keep their results and their writes.
"""

import logging
import uuid

import pytest
from sqlalchemy.exc import IntegrityError

from pain_diary.sync.registry import registered_collections

from .test_sync import PAIN, SLEEP, delete, put, statuses, sync


@pytest.fixture
def shared_id():
    return str(uuid.uuid4())


def test_one_id_put_into_two_collections_and_deleted_from_both_answers_per_operation(
    patient, shared_id
):
    after = str(uuid.uuid4())
    results = sync(
        patient,
        put("pain-entries", shared_id, PAIN),
        put("sleep-entries", shared_id, SLEEP),
        delete("pain-entries", shared_id),
        delete("sleep-entries", shared_id),
        delete("sleep-entries", shared_id),
        put("pain-entries", after, PAIN),
    )
    assert statuses(results) == [201, 201, 204, 204, 204, 201]
    for collection in ("pain-entries", "sleep-entries"):
        assert patient.get(f"/api/v1/{collection}/{shared_id}").status_code == 410
        assert patient.delete(f"/api/v1/{collection}/{shared_id}").status_code == 204
    assert patient.get(f"/api/v1/pain-entries/{after}").status_code == 200


def test_deleting_the_same_id_from_a_second_collection_works_outside_sync(patient, shared_id):
    assert patient.put(f"/api/v1/pain-entries/{shared_id}", json=PAIN).status_code == 201
    assert patient.put(f"/api/v1/sleep-entries/{shared_id}", json=SLEEP).status_code == 201
    assert patient.delete(f"/api/v1/pain-entries/{shared_id}").status_code == 204

    assert patient.get(f"/api/v1/sleep-entries/{shared_id}").status_code == 200
    assert patient.delete(f"/api/v1/sleep-entries/{shared_id}").status_code == 204
    assert patient.get(f"/api/v1/sleep-entries/{shared_id}").status_code == 410
    assert patient.put(f"/api/v1/sleep-entries/{shared_id}", json=SLEEP).status_code == 410


def test_an_id_deleted_in_one_collection_does_not_block_another(patient, shared_id):
    assert patient.put(f"/api/v1/pain-entries/{shared_id}", json=PAIN).status_code == 201
    assert patient.delete(f"/api/v1/pain-entries/{shared_id}").status_code == 204

    created = patient.put(f"/api/v1/sleep-entries/{shared_id}", json=SLEEP)
    assert created.status_code == 201, created.json
    assert patient.put(f"/api/v1/pain-entries/{shared_id}", json=PAIN).status_code == 410
    [replayed] = sync(patient, put("sleep-entries", shared_id, SLEEP))
    assert replayed["status"] == 200


def test_another_patients_tombstone_still_hides_its_id(accounts, patient, shared_id):
    owner = accounts.signed_in()
    assert owner.put(f"/api/v1/pain-entries/{shared_id}", json=PAIN).status_code == 201
    assert owner.delete(f"/api/v1/pain-entries/{shared_id}").status_code == 204

    assert patient.put(f"/api/v1/pain-entries/{shared_id}", json=PAIN).status_code == 404
    assert patient.delete(f"/api/v1/pain-entries/{shared_id}").status_code == 404
    assert patient.put(f"/api/v1/sleep-entries/{shared_id}", json=SLEEP).status_code == 201


SECRET_NOTE = "took the leftover pills from my brother"


@pytest.mark.parametrize(
    ("failure", "status", "code"),
    [
        pytest.param(IntegrityError("INSERT", {}, Exception(SECRET_NOTE)), 409, "conflict",
                     id="integrity error"),
        pytest.param(RuntimeError(SECRET_NOTE), 500, "internal_error", id="anything else"),
    ],
)  # fmt: skip
def test_an_unexpected_failure_inside_one_operation_answers_for_it_alone(
    app, patient, monkeypatch, caplog, failure, status, code
):
    with app.app_context():
        pain = registered_collections()["pain-entries"]
    derive = pain.derive

    def failing_derive(values, user):
        if values.get("note") == SECRET_NOTE:
            raise failure
        return derive(values, user)

    monkeypatch.setattr(pain, "derive", failing_derive)
    before, failing, after = (str(uuid.uuid4()) for _ in range(3))
    with caplog.at_level(logging.DEBUG):
        results = sync(
            patient,
            put("pain-entries", before, PAIN),
            put("pain-entries", failing, {**PAIN, "note": SECRET_NOTE}),
            put("pain-entries", after, {**PAIN, "intensity": 3}),
        )

    assert statuses(results) == [201, status, 201]
    assert results[1]["record"] is None
    assert (results[1]["error"]["status"], results[1]["error"]["code"]) == (status, code)
    assert results[1]["id"] == failing
    assert patient.get(f"/api/v1/pain-entries/{failing}").status_code == 404
    assert patient.get(f"/api/v1/pain-entries/{after}").json["intensity"] == 3
    assert SECRET_NOTE not in caplog.text
    if status == 500:
        assert "RuntimeError" in caplog.text  # logged by kind and place
