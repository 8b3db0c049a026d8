"""Notification actions (a service worker's "Taken" on a medication reminder) and one inbox item.

``POST /notifications/<id>/taken`` writes through the medication-doses collection: one event per
scheduled dose, whatever the number of taps, and a skipped dose becomes taken under its own id.
"""

import threading
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import requests

from pain_diary.accounts.models import User
from pain_diary.extensions import db
from pain_diary.medications import collections
from pain_diary.medications.collections import medication_doses
from pain_diary.reminders.dispatch import tick
from pain_diary.sync.store import load_body

from .server import running_server
from .test_reminders_api import add_medication, assert_not_found, notifications

NOTIFICATIONS = "/api/v1/notifications"
DOSES = "/api/v1/medication-doses"
# 08:00 in Berlin on 1 March 2030, the medication's first day: the reminder's due instant.
DUE = "2030-03-01T07:00:00+00:00"


def medication_reminder(app, client):
    """Let the scheduler send the in-app reminder of a medication's first 08:00 dose."""
    medication_id = add_medication(client, start_date="2030-03-01")
    body = {"kind": "medication", "medication_id": medication_id, "channels": ["in_app"]}
    rule = client.post("/api/v1/reminders", json=body)
    assert rule.status_code == 201, rule.json
    assert rule.json["next_due_at"] == DUE
    with app.app_context():
        assert tick(datetime.fromisoformat(DUE)).sent == 1
    [item] = client.get(NOTIFICATIONS).json["items"]
    assert (item["kind"], item["due_at"], item["read_at"]) == ("medication", DUE, None)
    return SimpleNamespace(
        id=item["id"], item=item, medication_id=medication_id, rule_id=rule.json["id"]
    )


def taken(client, reminder, **kwargs):
    return client.post(f"{NOTIFICATIONS}/{reminder.id}/taken", **kwargs)


def dose_events(client):
    response = client.get(DOSES)
    assert response.status_code == 200, response.json
    return response.json["items"]


def notification(client, reminder):
    response = client.get(f"{NOTIFICATIONS}/{reminder.id}")
    assert response.status_code == 200, response.json
    return response.json


def assert_refused(response, status, words):
    assert response.status_code == status, response.json
    error = response.json["error"]
    assert error["status"] == status
    assert error["code"] == {409: "conflict", 410: "gone"}[status]
    assert words in error["message"]


# Taken


@pytest.mark.parametrize("body", [None, {}], ids=["no body", "{}"])
def test_taken_logs_the_reminded_dose_once_as_taken_now(app, patient, body):
    reminder = medication_reminder(app, patient)
    before = datetime.now(UTC).replace(microsecond=0)
    response = taken(patient, reminder, json=body)
    assert response.status_code == 201, response.json
    dose = response.json
    assert (dose["medication_id"], dose["scheduled_for"]) == (reminder.medication_id, DUE)
    assert (dose["status"], dose["version"], dose["amount"]) == ("taken", 1, 400)
    assert before <= datetime.fromisoformat(dose["taken_at"]) <= datetime.now(UTC)
    assert dose_events(patient) == [dose]
    assert patient.get(f"{DOSES}/{dose['id']}").json == dose
    assert notification(patient, reminder)["read_at"] is not None


def test_taken_twice_answers_the_same_event_unchanged(app, patient):
    reminder = medication_reminder(app, patient)
    first = taken(patient, reminder)
    assert first.status_code == 201, first.json
    read_at = notification(patient, reminder)["read_at"]
    again = taken(patient, reminder, json={})
    assert again.status_code == 200, again.json
    assert again.json == first.json  # same id, same taken_at, same version
    assert dose_events(patient) == [first.json]
    assert notification(patient, reminder)["read_at"] == read_at


def test_a_dose_logged_in_the_diary_first_is_answered_as_it_was(app, patient):
    reminder = medication_reminder(app, patient)
    logged = patient.post(DOSES, json={
        "medication_id": reminder.medication_id, "status": "taken", "scheduled_for": DUE,
        "taken_at": "2026-01-01T07:05:00+00:00",
    })  # fmt: skip
    assert logged.status_code == 201, logged.json
    answer = taken(patient, reminder)
    assert answer.status_code == 200, answer.json
    assert answer.json == logged.json
    assert dose_events(patient) == [logged.json]
    assert notification(patient, reminder)["read_at"] is not None


def test_taken_after_a_skip_makes_that_same_event_taken(app, patient):
    reminder = medication_reminder(app, patient)
    skipped_id = str(uuid.uuid4())
    skipped = patient.put(f"{DOSES}/{skipped_id}", json={
        "medication_id": reminder.medication_id, "status": "skipped", "scheduled_for": DUE,
        "skip_reason": "nausea",
    })  # fmt: skip
    assert skipped.status_code == 201, skipped.json
    before = datetime.now(UTC).replace(microsecond=0)
    answer = taken(patient, reminder)
    assert answer.status_code == 200, answer.json
    dose = answer.json
    assert (dose["id"], dose["status"], dose["version"]) == (skipped_id, "taken", 2)
    assert (dose["scheduled_for"], dose["skip_reason"]) == (DUE, None)
    assert before <= datetime.fromisoformat(dose["taken_at"]) <= datetime.now(UTC)
    assert dose_events(patient) == [dose]
    assert notification(patient, reminder)["read_at"] is not None


def test_a_deleted_dose_event_stays_deleted_and_taken_logs_a_new_one(app, patient):
    reminder = medication_reminder(app, patient)
    first = taken(patient, reminder).json
    assert patient.delete(f"{DOSES}/{first['id']}").status_code == 204
    again = taken(patient, reminder)
    assert again.status_code == 201, again.json
    assert again.json["id"] != first["id"]
    assert patient.get(f"{DOSES}/{first['id']}").status_code == 410
    assert dose_events(patient) == [again.json]


# Taken: the race of two taps, both of which found no event before either wrote


def the_other_tap(app, patient, reminder):
    """Log the dose taken from another request's session, committed at once."""
    with app.app_context():
        user = db.session.get(User, uuid.UUID(patient.user.id))
        body = load_body(medication_doses, {
            "medication_id": reminder.medication_id, "status": "taken", "scheduled_for": DUE,
            "taken_at": datetime.now(UTC).isoformat(),
        })  # fmt: skip
        record, created = real_put_record(medication_doses, user, uuid.uuid4(), body)
        assert created
        return str(record.id)


real_put_record = collections.put_record


def test_a_tap_that_loses_the_race_before_its_check_answers_the_winners_event(
    app, patient, monkeypatch
):
    reminder = medication_reminder(app, patient)
    winner = []

    def put_record_after_the_other_tap(*args):
        if not winner:  # the other tap commits between this one's look-up and its write
            winner.append(the_other_tap(app, patient, reminder))
        return real_put_record(*args)

    monkeypatch.setattr(collections, "put_record", put_record_after_the_other_tap)
    answer = taken(patient, reminder)
    assert answer.status_code == 200, answer.json
    assert answer.json["id"] == winner[0]
    assert [dose["id"] for dose in dose_events(patient)] == winner


def test_a_tap_that_loses_the_race_at_the_unique_constraint_answers_the_winners_event(
    app, patient, monkeypatch
):
    reminder = medication_reminder(app, patient)
    winner = []
    check = medication_doses.conflicts

    def clash_check_then_the_other_tap(values, user, record_id):
        check(values, user, record_id)
        if not winner:  # after this tap's check, before its INSERT: only the constraint sees it
            winner.append(None)  # the other tap's own check runs this too
            winner[0] = the_other_tap(app, patient, reminder)

    monkeypatch.setattr(medication_doses, "conflicts", clash_check_then_the_other_tap)
    answer = taken(patient, reminder)
    assert answer.status_code == 200, answer.json
    assert answer.json["id"] == winner[0]
    assert [dose["id"] for dose in dose_events(patient)] == winner


@pytest.mark.slow  # starts gunicorn
def test_taps_at_once_on_a_real_server_leave_one_dose_event(app, patient, accounts, base_config):
    reminder = medication_reminder(app, patient)
    headers = {"Authorization": f"Bearer {accounts.token(patient.user)}"}
    taps = 8
    start = threading.Barrier(taps)
    answers = []

    def tap(server_url):
        with requests.Session() as session:
            start.wait()
            url = f"{server_url}{NOTIFICATIONS}/{reminder.id}/taken"
            response = session.post(url, headers=headers, timeout=30)
        answers.append((response.status_code, response.json()))

    with running_server(base_config, workers=2, threads=4) as server:
        threads = [threading.Thread(target=tap, args=(server.url,)) for _ in range(taps)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(status for status, _ in answers) == [200] * (taps - 1) + [201], answers
    [event] = dose_events(patient)
    assert all(body == event for _, body in answers)


# Taken: refusals, each changing nothing


def test_a_reminder_that_is_not_for_a_medication_is_a_conflict(app, patient):
    notifications(app, patient, ["08:00"])
    [item] = patient.get(NOTIFICATIONS).json["items"]
    refused = patient.post(f"{NOTIFICATIONS}/{item['id']}/taken")
    assert_refused(refused, 409, "not for a medication")
    assert patient.get(NOTIFICATIONS).json["items"] == [item]
    assert dose_events(patient) == []


def test_a_removed_reminder_is_gone(app, patient):
    reminder = medication_reminder(app, patient)
    assert patient.delete(f"/api/v1/reminders/{reminder.rule_id}").status_code == 204
    assert_refused(taken(patient, reminder), 410, "removed")
    assert notification(patient, reminder)["read_at"] is None
    assert dose_events(patient) == []


def test_a_deleted_medication_takes_its_reminder_with_it(app, patient):
    reminder = medication_reminder(app, patient)
    assert patient.delete(f"/api/v1/medications/{reminder.medication_id}").status_code == 204
    assert_refused(taken(patient, reminder), 410, "removed")
    assert notification(patient, reminder)["rule_id"] is None
    assert dose_events(patient) == []


@pytest.mark.parametrize(
    "change",
    [
        {"schedule": {"times": ["09:00", "20:00"]}},
        {"end_date": "2030-02-28", "start_date": "2030-02-01"},
    ],
    ids=["moved to 09:00", "ended the day before"],
)
def test_a_dose_the_medication_no_longer_schedules_is_gone(app, patient, change):
    reminder = medication_reminder(app, patient)
    url = f"/api/v1/medications/{reminder.medication_id}"
    medication = patient.get(url).json
    edited = patient.put(url, json={**medication, **change})
    assert edited.status_code == 200, edited.json
    assert_refused(taken(patient, reminder), 410, "no longer on the medication's schedule")
    assert notification(patient, reminder)["read_at"] is None
    assert dose_events(patient) == []


def test_another_patients_notification_is_not_found(app, patient, accounts):
    other = accounts.signed_in()
    reminder = medication_reminder(app, other)
    assert_not_found(taken(patient, reminder))
    assert_not_found(patient.get(f"{NOTIFICATIONS}/{reminder.id}"))
    assert notification(other, reminder) == reminder.item
    assert dose_events(other) == []


def test_an_unknown_notification_is_not_found(patient):
    url = f"{NOTIFICATIONS}/{uuid.uuid4()}"
    assert_not_found(patient.get(url))
    assert_not_found(patient.post(f"{url}/taken"))


# One inbox item


def test_a_notification_is_read_alone_as_the_inbox_lists_it(app, patient):
    reminder = medication_reminder(app, patient)
    assert notification(patient, reminder) == reminder.item
    assert "Ibuprofen 400" in reminder.item["body"]  # behind sign-in, the inbox names it
    assert patient.post(f"{NOTIFICATIONS}/{reminder.id}/read").status_code == 200
    [listed] = patient.get(NOTIFICATIONS).json["items"]
    assert notification(patient, reminder) == listed
    assert listed["read_at"] is not None
