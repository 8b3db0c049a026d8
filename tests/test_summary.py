"""GET /summary: the §4 contract computed from a real diary, end to end."""

import logging
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pain_diary.accounts.models import User
from pain_diary.analytics import FlagThresholds
from pain_diary.insights.summary import flag_thresholds
from pain_diary.localtime import local_date
from pain_diary.medications.models import DoseEvent, Medication

PERIOD = "?from=2026-10-01&to=2026-10-14"
BERLIN = ZoneInfo("Europe/Berlin")


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
    # 2 x 5 mg oxycodone x 1.5 = 15 MME on Oct 13; 15 / 14 days = 1.07; 15 on its 1 day
    assert medications["mme"] == {
        "average_daily": 1.1, "average_on_opioid_days": 15.0, "days_with_opioid": 1,
        "max_daily": 15.0, "days_at_or_over_50": 0, "days_at_or_over_90": 0,
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


def berlin_days_ago(days, hour=12):
    """An ISO instant at ``hour`` local time in Europe/Berlin, ``days`` before its today."""
    today = datetime.now(BERLIN).date()
    return datetime.combine(today - timedelta(days=days), time(hour), tzinfo=BERLIN).isoformat()


def test_as_needed_medications_show_their_doses_and_days_used(diary):
    unused = put(diary, "medications", {
        "name": "Tramadol 50 mg", "ingredient": "tramadol", "dose_amount": 50,
        "dose_unit": "mg", "as_needed": True, "start_date": "2026-09-01",
    })  # fmt: skip
    medications = {m["name"]: m["id"] for m in diary.get("/api/v1/medications").json["items"]}
    as_needed = diary.get(f"/api/v1/summary{PERIOD}").json["medications"]["as_needed"]
    # Two oxycodone doses on Oct 13: 2 doses, 1 day; the scheduled naproxen is not listed.
    assert as_needed == [
        {"medication_id": medications["Oxycodone 5 mg"], "name": "Oxycodone 5 mg", "doses": 2,
         "days_used": 1},
        {"medication_id": unused["id"], "name": "Tramadol 50 mg", "doses": 0, "days_used": 0},
    ]  # fmt: skip


def test_a_patient_registered_today_has_no_gap_before_the_account(patient):
    summary = patient.get("/api/v1/summary").json
    # One day of diary (today), not yet logged: 0 %, 1 day; no flag for a 1-day-old diary.
    assert summary["completion"] == {
        "percent_days_logged": 0.0, "longest_gap_days": 1, "late_entries": 0,
    }  # fmt: skip
    assert summary["flags"] == []

    put(patient, "pain-entries", {"recorded_at": datetime.now(UTC).isoformat(), "intensity": 4})
    summary = patient.get("/api/v1/summary").json
    assert summary["completion"] == {
        "percent_days_logged": 100.0, "longest_gap_days": 0, "late_entries": 0,
    }  # fmt: skip
    assert summary["flags"] == []


def test_a_back_dated_first_entry_starts_the_diary_before_the_account(patient):
    put(patient, "pain-entries", {"recorded_at": berlin_days_ago(5), "intensity": 4})
    summary = patient.get("/api/v1/summary").json
    # The diary runs from 5 days ago: 1 of 6 days logged = 16.7 %; the 5 days since are a gap.
    assert summary["completion"]["percent_days_logged"] == 16.7
    assert summary["completion"]["longest_gap_days"] == 5
    assert summary["flags"] == [
        {"code": "logging_gap", "severity": "warning",
         "message": "No pain entry in the last 5 days"},
    ]  # fmt: skip


def test_an_opioid_started_yesterday_is_15_mme_a_day_not_a_90_day_average(patient):
    oxycodone = put(patient, "medications", {
        "name": "Oxycodone 10 mg", "ingredient": "oxycodone", "dose_amount": 10,
        "dose_unit": "mg", "as_needed": True, "start_date": "2026-01-01",
    })  # fmt: skip
    today = datetime.now(BERLIN).date()
    midnight = datetime.combine(today, time(0), tzinfo=BERLIN)
    this_morning = max(midnight, datetime.now(BERLIN) - timedelta(minutes=1))
    for taken_at in (berlin_days_ago(1), this_morning.isoformat()):
        put(patient, "medication-doses", {
            "medication_id": oxycodone["id"], "status": "taken", "taken_at": taken_at,
        })  # fmt: skip
    period = {"from": (today - timedelta(days=89)).isoformat(), "to": today.isoformat()}

    mme = patient.get("/api/v1/summary", query_string=period).json["medications"]["mme"]

    # 10 mg x 1.5 = 15 MME yesterday and today: 30 / 90 = 0.3 over the period, 15 on its days.
    assert mme == {
        "average_daily": 0.3, "average_on_opioid_days": 15.0, "days_with_opioid": 2,
        "max_daily": 15.0, "days_at_or_over_50": 0, "days_at_or_over_90": 0,
    }  # fmt: skip
    html = patient.get("/api/v1/summary.html", query_string=period).get_data(as_text=True)
    assert "Opioids on 2 of 90 days: 15.0 MME/day on those days (highest 15.0)" in html
    assert "0.3<small>" not in html and "0.3 MME" not in html


def sleep_night(night_of, note):
    """A night in Berlin from 23:00 to 07:00 the morning after, with ``note``."""
    morning = date.fromisoformat(night_of) + timedelta(days=1)
    return {
        "night_of": night_of, "in_bed_at": f"{night_of}T23:00:00+02:00",
        "tried_to_sleep_at": f"{night_of}T23:00:00+02:00",
        "final_awakening_at": f"{morning}T07:00:00+02:00",
        "out_of_bed_at": f"{morning}T07:00:00+02:00", "sleep_latency_minutes": 20,
        "wake_after_sleep_onset_minutes": 30, "note": note,
    }  # fmt: skip


def test_the_summary_quotes_the_period_s_20_latest_notes_newest_first(patient, clinician, caplog):
    caplog.set_level(logging.DEBUG)
    written = []  # (instant, kind, text) of the notes the period holds

    def pain_note(at, text):
        put(patient, "pain-entries", {"recorded_at": at, "intensity": 5, "note": text})
        if text.strip():
            written.append((datetime.fromisoformat(at), "pain-entries", text))

    for day in range(1, 15):
        pain_note(f"2026-10-{day:02d}T08:00:00+02:00", f"Morning {day}")
    for day in range(1, 8):
        pain_note(f"2026-10-{day:02d}T20:00:00+02:00", f"Evening {day}")
    pain_note("2026-10-13T19:00:00+02:00", "Flare after gardening.\nIce helped.  ")
    pain_note("2026-10-14T10:00:00+02:00", "")  # empty: not a note
    pain_note("2026-10-14T11:00:00+02:00", "  \n ")  # blanks only: not a note either
    put(patient, "pain-entries", {
        "recorded_at": "2026-10-15T09:00:00+02:00", "intensity": 4, "note": "After the period",
    })  # fmt: skip
    put(patient, "pain-entries", {
        "recorded_at": "2026-09-30T09:00:00+02:00", "intensity": 4, "note": "Before the period",
    })  # fmt: skip
    put(patient, "sleep-entries", sleep_night("2026-10-13", "Woke with back pain."))
    written.append((datetime.fromisoformat("2026-10-14T07:00:00+02:00"), "sleep-entries",
                    "Woke with back pain."))  # fmt: skip
    put(patient, "therapy-sessions", {
        "modality": "physiotherapy", "started_at": "2026-10-12T15:00:00+02:00",
        "duration_minutes": 45, "note": "Sore after the new exercises.",
    })  # fmt: skip
    written.append((datetime.fromisoformat("2026-10-12T15:00:00+02:00"), "therapy-sessions",
                    "Sore after the new exercises."))  # fmt: skip

    notes = patient.get(f"/api/v1/summary{PERIOD}").json["notes"]

    newest = sorted(written, reverse=True)[:20]
    assert len(written) == 24 and len(notes) == 20
    assert [
        (datetime.fromisoformat(note["recorded_at"]), note["kind"], note["text"]) for note in notes
    ] == newest
    assert notes[0]["text"] == "Morning 14" and notes[1]["kind"] == "sleep-entries"
    assert "Flare after gardening.\nIce helped.  " in [note["text"] for note in notes]  # verbatim
    assert {"Morning 1", "Evening 1", "Morning 2", "Evening 2"}.isdisjoint(
        note["text"] for note in notes
    )  # the oldest four of the 24

    # The linked clinician reads the same words: the JSON, the printable page, the clinic's page.
    put(patient, "pain-entries", {
        "recorded_at": berlin_days_ago(2), "intensity": 6, "note": "Stiff after the drive.",
    })  # fmt: skip
    code = patient.post("/api/v1/care-team/invitations").json["code"]
    clinician.post("/api/v1/care-team/links", json={"code": code})
    shared = clinician.get(f"/api/v1/patients/{patient.user.id}/summary{PERIOD}").json
    assert shared["notes"] == notes
    printable = clinician.get(f"/api/v1/patients/{patient.user.id}/summary.html{PERIOD}")
    assert "<q>Flare after gardening.\nIce helped.  </q>" in printable.get_data(as_text=True)
    page = clinician.get(f"/clinic/patients/{patient.user.id}").get_data(as_text=True)
    assert "In the patient's words" in page and "<q>Stiff after the drive.</q>" in page
    # Notes are health data: no log line carries one.
    quoted = ("gardening", "Morning", "Stiff after")
    assert not [r for r in caplog.records if any(q in r.getMessage() for q in quoted)]


def test_a_summary_without_notes_has_an_empty_list(diary):
    summary = diary.get(f"/api/v1/summary{PERIOD}").json
    assert summary["notes"] == []


def poison(app, db, patient, amount=1e20):
    """A morphine dose of ``amount`` mg written straight to the database, past validation."""
    with app.app_context():
        user = db.session.get(User, uuid.UUID(patient.user.id))
        morphine = Medication(
            patient_id=user.id, name="Morphine", ingredient="morphine", dose_amount=amount,
            dose_unit="mg", as_needed=True, start_date=date(2026, 1, 1),
        )  # fmt: skip
        db.session.add(morphine)
        db.session.flush()
        taken_at = datetime.now(UTC) - timedelta(days=1)
        db.session.add(
            DoseEvent(
                patient_id=user.id, medication_id=morphine.id, status="taken", taken_at=taken_at,
                amount=amount, dose_unit="mg", occurred_at=taken_at,
                local_date=local_date(taken_at, user.tz),
            )
        )  # fmt: skip
        db.session.commit()


def test_a_summary_with_a_dose_stored_before_the_bounds_still_answers(app, db, patient):
    poison(app, db, patient)
    response = patient.get("/api/v1/summary")
    assert response.status_code == 200, response.json
    mme = response.json["medications"]["mme"]
    assert (mme["max_daily"], mme["days_at_or_over_90"]) == (1e20, 1)
    assert mme["average_daily"] == pytest.approx(1e20 / 30)
    assert response.json["medications"]["as_needed"][0]["doses"] == 1
    # A patient registered today: high_mme (an alert) and no logging_gap.
    assert [(f["code"], f["severity"]) for f in response.json["flags"]] == [("high_mme", "alert")]
    assert patient.get("/api/v1/summary.html").status_code == 200


def test_flag_thresholds_default_to_the_contract(app):
    assert flag_thresholds(app.config) == FlagThresholds()


class TestConfiguredThresholds:
    @pytest.fixture
    def config(self):
        return {"FLAG_HIGH_MME_WARNING": 10.0, "FLAG_LOGGING_GAP_DAYS": 6}

    def test_a_changed_threshold_changes_the_flags(self, patient):
        put(patient, "pain-entries", {"recorded_at": berlin_days_ago(5), "intensity": 4})
        rescue = put(patient, "medications", {
            "name": "Oxycodone 40 mg", "ingredient": "oxycodone", "dose_amount": 40,
            "dose_unit": "mg", "as_needed": True, "start_date": "2026-01-01",
        })  # fmt: skip
        put(patient, "medication-doses", {
            "medication_id": rescue["id"], "status": "taken", "taken_at": berlin_days_ago(2),
        })  # fmt: skip
        # 40 mg x 1.5 = 60 MME in the week: 8.6 a day, under 10; a second day makes 17.1.
        flags = patient.get("/api/v1/summary").json["flags"]
        assert flags == []  # 5 days without an entry: under the 6 configured
        put(patient, "medication-doses", {
            "medication_id": rescue["id"], "status": "taken", "taken_at": berlin_days_ago(1),
        })  # fmt: skip
        (flag,) = patient.get("/api/v1/summary").json["flags"]
        assert (flag["code"], flag["severity"]) == ("high_mme", "warning")
        assert "17.1 MME/day" in flag["message"] and "at or above 10" in flag["message"]
