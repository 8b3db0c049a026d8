"""`flask demo` fills the demo diary with 120 days that hold together, read through the API."""

import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from pain_diary.demo import fill_diary
from pain_diary.localtime import local_date, occurrences

from .factories import UserFactory

COLLECTIONS = (
    "pain-entries", "sleep-entries", "medications", "medication-doses", "therapy-sessions",
    "procedures", "activity-days",
)  # fmt: skip


def run_demo(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def read_all(client, collection):
    """Every record of a collection, page by page."""
    return read_pages(client, collection, {"limit": 500})


def read_pages(client, collection, query):
    items = []
    while True:
        response = client.get(f"/api/v1/{collection}", query_string=query)
        assert response.status_code == 200, response.json
        items += response.json["items"]
        if response.json["next_cursor"] is None:
            return items
        query = {**query, "cursor": response.json["next_cursor"]}


def read_diary(client):
    return {collection: read_all(client, collection) for collection in COLLECTIONS}


def instant(text):
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def demo(runner, app):
    """Run `flask demo`, sign in with the printed patient credentials and read the diary."""
    output = run_demo(runner)
    _, email, _, password = next(
        line.split() for line in output.splitlines() if line.startswith("patient ")
    )
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.json
    tz = ZoneInfo(login.json["user"]["timezone"])
    now = datetime.now(UTC)
    today = local_date(now, tz)
    return SimpleNamespace(
        client=client, output=output, tz=tz, now=now, today=today, **{
            collection.replace("-", "_"): items
            for collection, items in read_diary(client).items()
        }
    )  # fmt: skip


def daily_pain(entries):
    by_day = defaultdict(list)
    for entry in entries:
        by_day[date.fromisoformat(entry["local_date"])].append(entry["intensity"])
    return {day: statistics.mean(intensities) for day, intensities in by_day.items()}


def test_demo_logs_pain_on_most_days_easing_by_a_third_and_worse_after_short_nights(demo):
    first_day = demo.today - timedelta(days=119)
    daily = daily_pain(demo.pain_entries)
    assert len([day for day in daily if first_day <= day <= demo.today]) >= 100
    first_weeks = [pain for day, pain in daily.items() if (day - first_day).days < 14]
    last_weeks = [pain for day, pain in daily.items() if (demo.today - day).days < 14]
    assert statistics.mean(first_weeks) >= 1.3 * statistics.mean(last_weeks)
    assert all(instant(e["recorded_at"]) <= demo.now for e in demo.pain_entries)
    evenings = [e for e in demo.pain_entries if e["activity_interference"] is not None]
    assert len(evenings) >= 90
    assert {"lower_back", "leg"} <= {s["site"] for e in demo.pain_entries for s in e["body_sites"]}

    sleep_then_pain = [
        (night["total_sleep_minutes"], daily[date.fromisoformat(night["night_of"]) + timedelta(1)])
        for night in demo.sleep_entries
        if date.fromisoformat(night["night_of"]) + timedelta(1) in daily
    ]
    after_short = [pain for minutes, pain in sleep_then_pain if minutes < 330]
    after_long = [pain for minutes, pain in sleep_then_pain if minutes >= 420]
    assert statistics.mean(after_short) > statistics.mean(after_long) + 0.5


def test_demo_sleeps_most_nights_with_a_consistent_sleep_diary(demo):
    nights = demo.sleep_entries
    assert len({night["night_of"] for night in nights}) >= 100
    for night in nights:
        times = [instant(night[f"{name}_at"]) for name in ("in_bed", "out_of_bed")]
        assert times[1] <= demo.now
        assert night["time_in_bed_minutes"] == (times[1] - times[0]).total_seconds() / 60
    efficiencies = [night["sleep_efficiency"] for night in nights]
    assert sum(75 <= efficiency <= 92 for efficiency in efficiencies) >= 0.8 * len(nights)


def test_demo_medications_have_taken_skipped_and_missed_doses(demo):
    medications = {medication["name"]: medication for medication in demo.medications}
    assert len(medications) == 3
    assert [m["name"] for m in medications.values() if m["as_needed"]] == ["Oxycodone 5 mg"]
    scheduled = [m for m in medications.values() if not m["as_needed"]]
    assert [m["name"] for m in scheduled if m["is_opioid"]] == ["Tramadol 50 mg"]
    doses = demo.medication_doses
    assert {dose["status"] for dose in doses} == {"taken", "skipped"}
    assert all(instant(d["taken_at"]) <= demo.now for d in doses if d["taken_at"])
    assert any(d["scheduled_for"] is None for d in doses), "no as-needed dose"

    missed = 0
    for medication in scheduled:
        due = occurrences(
            [time.fromisoformat(hhmm) for hhmm in medication["schedule"]["times"]],
            medication["schedule"]["days_of_week"],
            date.fromisoformat(medication["start_date"]),
            demo.today,
            demo.tz,
        )
        logged = [
            instant(dose["scheduled_for"])
            for dose in doses
            if dose["medication_id"] == medication["id"] and dose["scheduled_for"]
        ]
        assert set(logged) <= {when for when in due if when <= demo.now}
        missed += sum(when not in logged for when in due if when <= demo.now - timedelta(hours=2))
    assert missed >= 1
    late = [
        d for d in doses
        if d["status"] == "taken" and d["scheduled_for"]
        and instant(d["taken_at"]) - instant(d["scheduled_for"]) > timedelta(minutes=60)
    ]  # fmt: skip
    assert late


def test_demo_therapy_of_three_modalities_eases_pain(demo):
    by_modality = defaultdict(list)
    for session in demo.therapy_sessions:
        assert instant(session["started_at"]) <= demo.now
        by_modality[session["modality"]].append(session["pain_after"] - session["pain_before"])
    assert set(by_modality) == {"physiotherapy", "vr", "mindfulness"}
    assert len(by_modality["physiotherapy"]) >= 15
    for changes in by_modality.values():
        assert statistics.mean(changes) < 0


def test_running_demo_again_adds_and_changes_nothing(demo, runner):
    output = run_demo(runner)
    assert "created 0 pain entries" in output
    again = read_diary(demo.client)
    for collection, items in again.items():
        before = getattr(demo, collection.replace("-", "_"))
        assert len(items) == len(before), collection
        assert {item["version"] for item in items} == {1}, collection


def test_a_run_days_later_continues_the_same_story(app, db):
    now = datetime.now(UTC)
    with app.app_context():
        patient = UserFactory()
        first_story, first_run = fill_diary(patient, now - timedelta(days=10))
        story, later_run = fill_diary(patient, now)
    assert story.days[0].date == first_story.days[0].date
    assert len(story.days) == 130
    assert sum(later_run.kept.values()) == sum(first_run.created.values())
    assert 10 <= later_run.created["pain-entries"] <= 11 * 3
    assert later_run.created["medications"] == 0


def test_the_demo_clinician_reads_the_demo_patients_summary(demo, app):
    _, email, _, password = next(
        line.split() for line in demo.output.splitlines() if line.startswith("clinician ")
    )
    clinician = app.test_client()
    clinician.post("/api/v1/auth/login", json={"email": email, "password": password})
    (row,) = clinician.get("/api/v1/patients").json
    summary = clinician.get(f"/api/v1/patients/{row['patient_id']}/summary")
    assert summary.status_code == 200
    assert summary.json["pain"]["entries"] > 0


def test_demo_has_a_medial_branch_block_and_a_stimulator_trial_with_pain_around_them(demo):
    procedures = {procedure["kind"]: procedure for procedure in demo.procedures}
    assert set(procedures) == {"medial_branch_block", "scs_trial"}
    trial = procedures["scs_trial"]
    assert instant(trial["trial_ends_at"]) - instant(trial["performed_at"]) == timedelta(days=7)
    # The trial is inside the last 30 days, so the default charts mark it.
    assert (demo.today - date.fromisoformat(trial["local_date"])).days < 30

    section = demo.client.get("/api/v1/summary").json["procedures"]
    assert [item["kind"] for item in section] == ["scs_trial", "medial_branch_block"]
    shown_trial, block = section
    windows = {window["window"]: window for window in block["windows"]}
    assert 6 <= block["baseline_mean"] <= 7.5
    assert windows["same_day"]["mean"] <= 2.5 and windows["week_1"]["relief_percent"] < 20
    assert block["goal_met"] is False  # about 70 % relief: short of the block's 80 %
    trial_window = next(window for window in shown_trial["windows"] if window["window"] == "trial")
    assert 40 <= trial_window["relief_percent"] <= 65 and shown_trial["goal_met"] is True
    assert (block["reported_relief_percent"], shown_trial["reported_relief_percent"]) == (80, 60)


def test_the_demo_summary_and_pain_chart_show_the_procedures(demo):
    html = demo.client.get("/api/v1/summary.html").get_data(as_text=True)
    assert 'id="procedures"' in html
    text = " ".join(html.split())
    assert "Spinal cord stimulator trial" in text and "Medial branch block" in text
    assert "Trial goal: ≥ 50&nbsp;% relief</b> — met," in text
    assert "Goal: ≥ 80&nbsp;% relief the same day</b> — not met," in text
    svg = demo.client.get("/api/v1/charts/pain.svg").get_data(as_text=True)
    assert 'id="procedure-marks"' in svg and ">Spinal cord stimulator trial</text>" in svg


def test_demo_walks_more_on_the_easier_days_and_most_before_the_flare(demo):
    days = {date.fromisoformat(day["date"]): day for day in demo.activity_days}
    assert len(days) >= 100 and {day["source"] for day in days.values()} == {"manual"}
    assert max(days) < demo.today  # today's steps are not in yet
    daily = daily_pain(demo.pain_entries)
    easier = [days[day]["steps"] for day in days if daily.get(day, 10) <= 4.5]
    harder = [days[day]["steps"] for day in days if daily.get(day, 0) >= 6.5]
    assert statistics.mean(easier) > statistics.mean(harder) + 1_000
    gardening = max(days, key=lambda day: days[day]["steps"])
    assert daily[gardening + timedelta(days=1)] >= daily[gardening] + 1  # the flare after it

    section = demo.client.get("/api/v1/summary").json["activity"]
    assert section["days"] >= 25 and 4_000 <= section["mean_steps"] <= 9_000
    assert section["pain_correlation"]["spearman_rho"] < 0
