"""Activity days through the API (DESIGN §3 Activity day) and the summary's ``activity`` (§4)."""

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from pain_diary.activity.models import ActivityDay
from pain_diary.analytics.activity import ActivityRecord, activity_summary, day_figures

from .helpers import assert_invalid
from .test_care import link

URL = "/api/v1/activity-days"
BERLIN = ZoneInfo("Europe/Berlin")  # the factories' timezone


def today():
    return datetime.now(BERLIN).date()


def day(days_ago=1, **changes):
    return {"date": (today() - timedelta(days=days_ago)).isoformat(), "steps": 4210, **changes}


def stored(app, db):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ActivityDay))


def imported(app, db, patient, days_ago, source, steps, minutes=None):
    """A day an import wrote (the worker writes these; the API writes only manual days)."""
    with app.app_context():
        db.session.add(ActivityDay(
            patient_id=uuid.UUID(patient.user.id), date=today() - timedelta(days=days_ago),
            source=source, steps=steps, active_minutes=minutes,
        ))  # fmt: skip
        db.session.commit()


def test_a_day_typed_by_hand_is_the_patients_manual_figure(patient):
    created = patient.post(URL, json=day(active_minutes=35, source="apple_health"))
    assert created.status_code == 201, created.json
    record = created.json
    assert (record["steps"], record["active_minutes"]) == (4210, 35)
    assert record["source"] == "manual"  # a patient's own write, whatever it says
    assert record["import_id"] is None
    assert patient.get(f"{URL}/{record['id']}").json == record


def test_today_is_accepted_and_tomorrow_refused(patient, app, db):
    assert patient.post(URL, json=day(0)).status_code == 201
    assert_invalid(patient.post(URL, json=day(-1)), "date")
    assert stored(app, db) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (day(steps=150_001), "steps"),
        (day(steps=-1), "steps"),
        (day(active_minutes=1_441), "active_minutes"),
        (day(steps=None), "steps"),  # neither figure
        ({"steps": 10}, "date"),
        (day(date="2026-02-30"), "date"),
    ],
    ids=["steps-high", "steps-negative", "minutes-high", "no-figure", "no-date", "bad-date"],
)
def test_a_refused_day_names_its_field_and_stores_nothing(patient, app, db, body, field):
    assert_invalid(patient.post(URL, json=body), field)
    assert stored(app, db) == 0


def test_a_second_manual_figure_for_a_day_answers_409_naming_the_first(patient):
    first = patient.post(URL, json=day()).json
    second = patient.post(URL, json=day(steps=900))
    assert second.status_code == 409, second.json
    assert second.json["error"]["existing_id"] == first["id"]
    assert patient.get(f"{URL}/{first['id']}").json["steps"] == 4210


def test_a_linked_clinician_reads_the_days_and_the_export_holds_them(patient, clinician):
    record = patient.post(URL, json=day()).json
    path = f"/api/v1/patients/{patient.user.id}/activity-days"
    assert clinician.get(path).status_code == 404
    link(patient, clinician)
    assert [item["id"] for item in clinician.get(path).json["items"]] == [record["id"]]
    exported = patient.get("/api/v1/export?format=json").json
    assert [row["id"] for row in exported["activity_days"]] == [record["id"]]


def test_the_summary_takes_the_manual_day_else_the_source_with_most_steps(patient, app, db):
    imported(app, db, patient, 3, "apple_health", 6000, 40)
    imported(app, db, patient, 3, "google_fit", 5500, 60)
    imported(app, db, patient, 2, "apple_health", 8000)
    patient.post(URL, json=day(2, steps=3000, active_minutes=None))  # the patient's correction
    activity = patient.get("/api/v1/summary").json["activity"]
    assert activity["days"] == 2
    assert activity["mean_steps"] == 4500.0  # (6000 + 3000) / 2
    assert activity["mean_active_minutes"] == 40.0  # the apple_health day's own minutes
    assert activity["pain_correlation"] == {"spearman_rho": None, "n": 0}


def test_the_fhir_bundle_has_one_steps_observation_per_days_figure(patient, app, db):
    imported(app, db, patient, 3, "apple_health", 6000)
    imported(app, db, patient, 3, "google_fit", 5500)
    patient.post(URL, json=day(2, steps=None, active_minutes=30))  # no steps: no Observation
    bundle = patient.get("/api/v1/export?format=fhir").json
    codes = [(e["resource"], e["resource"].get("code", {}).get("coding", [{}])[0].get("code"))
             for e in bundle["entry"]]  # fmt: skip
    steps = [resource for resource, code in codes if code == "41950-7"]
    assert len(steps) == 1
    (observation,) = steps
    assert observation["valueQuantity"] == {
        "value": 6000, "unit": "/d", "system": "http://unitsofmeasure.org", "code": "/d"
    }  # fmt: skip
    assert observation["category"][0]["coding"][0]["code"] == "activity"
    start = datetime.fromisoformat(observation["effectivePeriod"]["start"])
    end = datetime.fromisoformat(observation["effectivePeriod"]["end"])
    assert start.astimezone(BERLIN).date() == today() - timedelta(days=3)
    assert (start.astimezone(BERLIN).hour, end - start) == (0, timedelta(hours=24))


# The figures themselves ------------------------------------------------------------------


D = date(2026, 3, 2)


def rec(offset, source, steps, minutes=None):
    return ActivityRecord(D + timedelta(days=offset), source, steps, minutes)


def test_a_days_figure_is_one_sources_never_a_mix():
    figures = day_figures([rec(0, "apple_health", 9000, 10), rec(0, "google_fit", 8000, 50)])
    assert figures[D] == rec(0, "apple_health", 9000, 10)


def test_a_manual_day_wins_even_with_fewer_steps():
    figures = day_figures([rec(0, "apple_health", 9000), rec(0, "manual", 100)])
    assert figures[D].source == "manual"


def test_a_source_with_steps_wins_over_one_with_minutes_only():
    figures = day_figures([rec(0, "csv", None, 90), rec(0, "google_fit", 10, 5)])
    assert figures[D].source == "google_fit"


def test_steps_go_with_the_next_days_pain_from_ten_pairs():
    records = [rec(offset, "apple_health", 2000 + 500 * offset) for offset in range(12)]
    # More steps, more pain the next day: rho 1 over the days whose next day is in the period.
    pain = {D + timedelta(days=offset + 1): 2 + offset * 0.5 for offset in range(11)}
    summary = activity_summary(records, pain, D, D + timedelta(days=10))
    assert summary["pain_correlation"] == {"spearman_rho": 1.0, "n": 10}
    fewer = activity_summary(records, pain, D, D + timedelta(days=9))
    assert fewer["pain_correlation"] == {"spearman_rho": None, "n": 9}
    assert fewer["days"] == 10 and fewer["mean_steps"] == 4250.0


def test_no_figures_give_nulls_never_zero():
    summary = activity_summary([], {}, D, D + timedelta(days=29))
    assert summary == {
        "days": 0, "mean_steps": None, "mean_active_minutes": None,
        "pain_correlation": {"spearman_rho": None, "n": 0},
    }  # fmt: skip
