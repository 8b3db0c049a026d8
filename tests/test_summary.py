"""GET /summary: the §4 contract computed from a real diary, end to end."""

import uuid

import pytest

PERIOD = "?from=2026-10-01&to=2026-10-14"


def put(client, collection, body):
    response = client.put(f"/api/v1/{collection}/{uuid.uuid4()}", json=body)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def diary(patient):
    """Two weeks in Europe/Berlin whose every figure is computed by hand below."""
    pain = [
        ("2026-10-01T08:00:00+02:00", 6),
        ("2026-10-01T20:00:00+02:00", 8),  # Oct 1: daily pain (6 + 8) / 2 = 7
        ("2026-10-01T22:30:00+00:00", 7),  # 00:30 on Oct 2 in Berlin: Oct 2 = 7
        ("2026-10-03T09:00:00+02:00", 6),  # Oct 3 = 6
        ("2026-10-12T09:00:00+02:00", 4),
        ("2026-10-13T09:00:00+02:00", 4),
        ("2026-10-14T09:00:00+02:00", 3),
        ("2026-10-15T09:00:00+02:00", 9),  # after the period: not counted
    ]
    for recorded_at, intensity in pain:
        put(patient, "pain-entries", {"recorded_at": recorded_at, "intensity": intensity})
    daily = put(patient, "medications", {
        "name": "Naproxen 500 mg", "dose_amount": 500, "dose_unit": "mg",
        "schedule": {"times": ["08:00"]}, "start_date": "2026-10-12",
    })  # fmt: skip
    put(patient, "medication-doses", {
        "medication_id": daily["id"], "status": "taken",
        "scheduled_for": "2026-10-12T08:00:00+02:00", "taken_at": "2026-10-12T08:20:00+02:00",
    })  # fmt: skip
    put(patient, "medication-doses", {
        "medication_id": daily["id"], "status": "skipped",
        "scheduled_for": "2026-10-13T08:00:00+02:00", "skip_reason": "nausea",
    })  # fmt: skip
    # Oct 14 08:00 has no event: missed.
    rescue = put(patient, "medications", {
        "name": "Oxycodone 5 mg", "ingredient": "oxycodone", "dose_amount": 5,
        "dose_unit": "mg", "as_needed": True, "start_date": "2026-10-01",
    })  # fmt: skip
    for taken_at in ("2026-10-13T10:00:00+02:00", "2026-10-13T18:00:00+02:00"):
        put(patient, "medication-doses", {
            "medication_id": rescue["id"], "status": "taken", "taken_at": taken_at,
        })  # fmt: skip
    put(patient, "therapy-sessions", {
        "modality": "cbt", "started_at": "2026-10-05T15:00:00+02:00", "duration_minutes": 50,
        "pain_before": 6, "pain_after": 4,
    })  # fmt: skip
    return patient


def test_pain_figures_follow_the_contract(diary):
    pain = diary.get(f"/api/v1/summary{PERIOD}").json["pain"]
    assert (pain["entries"], pain["days_logged"]) == (7, 6)
    # daily pain 7, 7, 6, 4, 4, 3: mean 31 / 6 = 5.17
    assert (pain["mean"], pain["min"], pain["max"]) == (5.2, 3.0, 7.0)
    # baseline (Oct 1-7) 20 / 3 = 6.67; recent (Oct 8-14) 11 / 3 = 3.67
    assert (pain["baseline_mean"], pain["recent_mean"]) == (6.7, 3.7)
    # -3.0 points, -3.0 / 6.7 = -44.8 %: at least 30 % or 2 points, under 50 %
    assert (pain["change_points"], pain["change_percent"]) == (-3.0, -44.8)
    assert pain["response"] == "moderate"
    assert pain["trend_per_week"] < 0


def test_adherence_counts_missed_doses_and_mme_counts_as_needed_opioids(diary):
    medications = diary.get(f"/api/v1/summary{PERIOD}").json["medications"]
    (naproxen,) = medications["items"]
    assert (naproxen["scheduled"], naproxen["taken"], naproxen["skipped"], naproxen["missed"]) == (
        3, 1, 1, 1,
    )  # fmt: skip
    assert naproxen["taken_on_time"] == 1
    assert naproxen["adherence_percent"] == medications["adherence_percent"] == 33.3
    # 2 x 5 mg oxycodone x 1.5 = 15 MME on Oct 13; 15 / 14 days = 1.07
    assert medications["mme"] == {
        "average_daily": 1.1, "max_daily": 15.0, "days_at_or_over_50": 0,
        "days_at_or_over_90": 0,
    }  # fmt: skip


def test_therapy_completion_and_missing_sleep(diary):
    summary = diary.get(f"/api/v1/summary{PERIOD}").json
    assert summary["period"] == {"from": "2026-10-01", "to": "2026-10-14", "days": 14}
    assert summary["therapy"]["by_modality"] == [
        {"modality": "cbt", "sessions": 1, "minutes": 50, "mean_pain_change": -2.0,
         "rated_sessions": 1},
    ]  # fmt: skip
    # 6 of 14 days logged; Oct 4-11 is the longest gap (8 days)
    assert summary["completion"]["percent_days_logged"] == 42.9
    assert summary["completion"]["longest_gap_days"] == 8
    sleep = summary["sleep"]
    assert sleep["nights"] == 0
    assert sleep["mean_sleep_efficiency"] is None and sleep["mean_total_sleep_minutes"] is None
    codes = {flag["code"] for flag in summary["flags"]}
    assert "pain_worsening" not in codes


def test_the_linked_clinician_sees_the_same_summary(diary, clinician):
    code = diary.post("/api/v1/care-team/invitations").json["code"]
    clinician.post("/api/v1/care-team/links", json={"code": code})
    own = diary.get(f"/api/v1/summary{PERIOD}").json
    shared = clinician.get(f"/api/v1/patients/{diary.user.id}/summary{PERIOD}").json
    assert shared == own


def test_an_empty_diary_gives_nulls_not_zeros(patient):
    summary = patient.get("/api/v1/summary").json
    assert summary["period"]["days"] == 30
    assert summary["pain"]["mean"] is None and summary["pain"]["response"] is None
    assert summary["medications"]["adherence_percent"] is None
    assert summary["medications"]["mme"]["average_daily"] is None


def test_a_backwards_period_is_a_422_naming_to(patient):
    response = patient.get("/api/v1/summary?from=2026-10-14&to=2026-10-01")
    assert response.status_code == 422
    assert "to" in response.json["error"]["fields"]
