"""Therapy sessions: the field rules of DESIGN.md §3 and the local date the server derives."""

from datetime import datetime

import pytest

from .factories import TherapySessionBody
from .helpers import assert_invalid, in_minutes

URL = "/api/v1/therapy-sessions"

# As DESIGN.md §3 lists them, so that a drift in the app shows up here.
MODALITIES = [
    "vr", "mindfulness", "acupuncture", "cbt", "physiotherapy", "exercise", "tens", "massage",
    "other",
]  # fmt: skip


def test_a_full_session_is_stored_and_read_back(patient):
    body = TherapySessionBody(
        pain_before=7, pain_after=4, program="Beach walk (level 2)", note="Calmer afterwards."
    )
    created = patient.post(URL, json=body)
    assert created.status_code == 201, created.json
    session = created.json
    for name in ("modality", "duration_minutes", "pain_before", "pain_after", "program", "note"):
        assert session[name] == body[name]
    assert datetime.fromisoformat(session["started_at"]) == datetime.fromisoformat(
        body["started_at"]
    )
    assert session["local_date"] == "2024-03-10"
    assert session["version"] == 1
    assert patient.get(f"{URL}/{session['id']}").json == session


def test_optional_fields_default_to_nothing(patient):
    session = patient.post(URL, json=TherapySessionBody()).json
    assert session["pain_before"] is None and session["pain_after"] is None
    assert session["program"] is None and session["note"] is None


@pytest.mark.parametrize("field", ["modality", "started_at", "duration_minutes"])
def test_required_fields(patient, field):
    body = TherapySessionBody()
    del body[field]
    assert_invalid(patient.post(URL, json=body), field)


@pytest.mark.parametrize("modality", MODALITIES)
def test_every_modality_of_the_design_is_accepted(patient, modality):
    response = patient.post(URL, json=TherapySessionBody(modality=modality))
    assert response.status_code == 201, response.json
    assert response.json["modality"] == modality


@pytest.mark.parametrize("modality", ["yoga", "VR", "", None, 1])
def test_an_unknown_modality_is_refused(patient, modality):
    assert_invalid(patient.post(URL, json=TherapySessionBody(modality=modality)), "modality")


@pytest.mark.parametrize("minutes", [1, 600])
def test_duration_accepts_1_to_600_minutes(patient, minutes):
    response = patient.post(URL, json=TherapySessionBody(duration_minutes=minutes))
    assert response.status_code == 201, response.json
    assert response.json["duration_minutes"] == minutes


@pytest.mark.parametrize("minutes", [0, 601, -5, 20.5, "20", None])
def test_duration_outside_1_to_600_whole_minutes_is_refused(patient, minutes):
    body = TherapySessionBody(duration_minutes=minutes)
    assert_invalid(patient.post(URL, json=body), "duration_minutes")


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
@pytest.mark.parametrize("value", [0, 10, None])
def test_pain_before_and_after_accept_0_to_10_or_nothing(patient, field, value):
    response = patient.post(URL, json=TherapySessionBody(**{field: value}))
    assert response.status_code == 201, response.json
    assert response.json[field] == value


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
@pytest.mark.parametrize("value", [-1, 11, 3.5, "3"])
def test_pain_before_and_after_refuse_anything_else(patient, field, value):
    assert_invalid(patient.post(URL, json=TherapySessionBody(**{field: value})), field)


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        pytest.param("program", "p" * 120, True, id="program-120-characters"),
        pytest.param("program", "p" * 121, False, id="program-121-characters"),
        pytest.param("program", 42, False, id="program-not-text"),
        pytest.param("note", "n" * 2000, True, id="note-2000-characters"),
        pytest.param("note", "n" * 2001, False, id="note-2001-characters"),
    ],
)
def test_program_and_note_lengths(patient, field, value, accepted):
    response = patient.post(URL, json=TherapySessionBody(**{field: value}))
    if accepted:
        assert response.status_code == 201, response.json
        assert response.json[field] == value
    else:
        assert_invalid(response, field)


@pytest.mark.parametrize("started_at", ["2024-03-10T18:00:00", "2024-03-10", "after dinner", None])
def test_started_at_must_be_a_datetime_with_offset(patient, started_at):
    assert_invalid(patient.post(URL, json=TherapySessionBody(started_at=started_at)), "started_at")


def test_started_at_more_than_5_minutes_ahead_is_refused(patient):
    body = TherapySessionBody(started_at=in_minutes(10))
    assert_invalid(patient.post(URL, json=body), "started_at")


def test_started_at_a_few_minutes_ahead_is_tolerated(patient):
    response = patient.post(URL, json=TherapySessionBody(started_at=in_minutes(4)))
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(
    ("timezone", "started_at", "local_date"),
    [
        # 23:30 UTC is 00:30 the next day in Berlin (UTC+1 in March) ...
        ("Europe/Berlin", "2024-03-09T23:30:00Z", "2024-03-10"),
        # ... and 18:30 the same day in New York (UTC-5).
        ("America/New_York", "2024-03-09T23:30:00Z", "2024-03-09"),
        # The offset written in the body does not decide the date, the patient's timezone does.
        ("Europe/Berlin", "2024-03-09T18:30:00-05:00", "2024-03-10"),
    ],
)
def test_local_date_is_the_date_on_the_patients_clock(accounts, timezone, started_at, local_date):
    patient = accounts.signed_in(role="patient", timezone=timezone)
    response = patient.post(URL, json=TherapySessionBody(started_at=started_at))
    assert response.status_code == 201, response.json
    assert response.json["local_date"] == local_date
