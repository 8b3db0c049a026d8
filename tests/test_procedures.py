"""Procedures through the API: DESIGN §3's field rules, sync, the clinician's read, the export
and the summary's ``procedures`` read from the whole diary (the rules themselves are pinned on
the pure function in test_procedure_response.py)."""

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from pain_diary.procedures.models import Procedure

from .helpers import assert_invalid, in_minutes
from .test_care import link

URL = "/api/v1/procedures"
BERLIN = ZoneInfo("Europe/Berlin")  # the factories' timezone
# As DESIGN.md §3 lists them, so that a drift in the app shows up here.
KINDS = [
    "epidural_steroid_injection", "facet_joint_injection", "medial_branch_block",
    "radiofrequency_ablation", "nerve_block", "trigger_point_injection",
    "botulinum_toxin_injection", "prp_injection", "stem_cell_injection", "prolotherapy",
    "scs_trial", "scs_implant", "drg_stimulator", "peripheral_nerve_stimulator", "surgery",
    "other",
]  # fmt: skip


def local(days_ago, hhmm="10:00"):
    """The instant the patient's clock showed ``hhmm`` ``days_ago`` days ago."""
    day = datetime.now(BERLIN).date() - timedelta(days=days_ago)
    return datetime.combine(day, time.fromisoformat(hhmm), BERLIN)


def procedure(**changes):
    """A medial branch block at L4-L5 on the right, ten days ago."""
    return {
        "kind": "medial_branch_block",
        "performed_at": local(10, "09:30").isoformat(),
        "body_sites": [{"site": "lower_back", "side": "right"}],
        "level": "L4-L5",
        "provider": "Dr Osei, Pain Clinic",
        **changes,
    }


def trial(days=7, minutes=0, **changes):
    """A stimulator trial from 08:00 twenty days ago, ``days`` and ``minutes`` long."""
    start = local(20, "08:00")
    ends_at = start + timedelta(days=days, minutes=minutes)
    return procedure(**{
        "kind": "scs_trial", "performed_at": start.isoformat(),
        "trial_ends_at": ends_at.isoformat(), **changes,
    })  # fmt: skip


def stored(app, db):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Procedure))


def test_a_full_procedure_is_stored_and_read_back(patient):
    body = procedure(reported_relief_percent=70, note="Numb for an hour, then much easier.")
    created = patient.post(URL, json=body)
    assert created.status_code == 201, created.json
    record = created.json
    for name in ("kind", "body_sites", "level", "provider", "reported_relief_percent", "note"):
        assert record[name] == body[name]
    assert datetime.fromisoformat(record["performed_at"]) == local(10, "09:30")
    assert record["trial_ends_at"] is None
    assert record["local_date"] == local(10).date().isoformat()
    assert patient.get(f"{URL}/{record['id']}").json == record


def test_a_procedure_needs_only_its_kind_and_when(patient):
    created = patient.post(URL, json={"kind": "prp_injection", "performed_at": in_minutes(-60)})
    assert created.status_code == 201, created.json
    assert created.json["body_sites"] == [] and created.json["level"] is None


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_the_design_is_accepted(patient, kind):
    body = trial(kind=kind) if kind == "scs_trial" else procedure(kind=kind)
    assert patient.post(URL, json=body).status_code == 201


def test_a_trial_of_exactly_30_days_is_accepted(patient):
    response = patient.post(URL, json=trial(days=30))
    assert response.status_code == 201, response.json
    assert datetime.fromisoformat(response.json["trial_ends_at"]) == local(20, "08:00") + timedelta(
        days=30
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (procedure(kind="spinal_tap"), "kind"),
        (procedure(kind=None), "kind"),
        ({"performed_at": in_minutes(-5)}, "kind"),
        (procedure(performed_at=None), "performed_at"),
        # Made when the test runs: ten minutes from collection may be in the past by then.
        (lambda: procedure(performed_at=in_minutes(10)), "performed_at"),
        (procedure(performed_at="yesterday"), "performed_at"),
        # trial_ends_at: only and always for a stimulator trial, after it, at most 30 days
        (trial(trial_ends_at=None), "trial_ends_at"),
        (procedure(trial_ends_at=local(9).isoformat()), "trial_ends_at"),
        (trial(days=0), "trial_ends_at"),
        (trial(days=-1), "trial_ends_at"),
        (trial(days=30, minutes=1), "trial_ends_at"),
        (procedure(body_sites=[{"site": "lower_back"}] * 5), "body_sites"),
        (procedure(body_sites=[{"site": "spleen"}]), "body_sites.0.site"),
        (procedure(body_sites=[{"site": "knee", "side": "up"}]), "body_sites.0.side"),
        (procedure(body_sites=[{"side": "left"}]), "body_sites.0.site"),
        (procedure(level="L" * 41), "level"),
        (procedure(provider="P" * 121), "provider"),
        (procedure(reported_relief_percent=101), "reported_relief_percent"),
        (procedure(reported_relief_percent=-1), "reported_relief_percent"),
        (procedure(reported_relief_percent=50.5), "reported_relief_percent"),
        (procedure(note="n" * 2001), "note"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_refused_body_names_its_field_and_stores_nothing(patient, app, db, body, field):
    body = body() if callable(body) else body
    assert_invalid(patient.post(URL, json=body), field)
    assert_invalid(patient.put(f"{URL}/{uuid.uuid4()}", json=body), field)
    assert stored(app, db) == 0


def test_a_refused_edit_leaves_the_stored_procedure_as_it_was(patient):
    record = patient.post(URL, json=trial()).json
    refused = patient.put(f"{URL}/{record['id']}", json={**trial(days=31), "version": 1})
    assert_invalid(refused, "trial_ends_at")
    assert patient.get(f"{URL}/{record['id']}").json == record


def test_a_procedure_syncs_offline_once_and_a_replay_changes_nothing(patient, app, db):
    operation = {"op": "put", "collection": "procedures", "id": str(uuid.uuid4()),
                 "body": procedure()}  # fmt: skip
    first = patient.post("/api/v1/sync", json={"operations": [operation]})
    again = patient.post("/api/v1/sync", json={"operations": [operation]})
    assert first.json["results"][0]["status"] == 201, first.json
    assert again.json["results"][0]["status"] == 200, again.json
    assert stored(app, db) == 1


def test_a_linked_clinician_reads_the_procedures_and_the_read_is_audited(patient, clinician):
    record = patient.post(URL, json=procedure()).json
    path = f"/api/v1/patients/{patient.user.id}/procedures"
    assert clinician.get(path).status_code == 404
    link(patient, clinician)
    read = clinician.get(path)
    assert read.status_code == 200
    assert [item["id"] for item in read.json["items"]] == [record["id"]]
    trail = patient.get("/api/v1/audit-events").json["items"]
    assert "procedures" in {event["resource"] for event in trail}


def test_the_export_holds_the_procedures(patient):
    record = patient.post(URL, json=trial(note="Leads out on day 7.")).json
    exported = patient.get("/api/v1/export?format=json").json
    assert [(p["id"], p["kind"], p["note"]) for p in exported["procedures"]] == [
        (record["id"], "scs_trial", "Leads out on day 7.")
    ]


def log_pain(patient, days_ago, intensity, hhmm="12:00"):
    body = {"recorded_at": local(days_ago, hhmm).isoformat(), "intensity": intensity}
    assert patient.post("/api/v1/pain-entries", json=body).status_code == 201


def test_the_summary_measures_a_procedure_of_the_periods_first_week_from_before_it(patient):
    # Baseline 6/10 on the 14 days before the block (before this 30-day period began), then 2/10
    # in the hours after it and 3/10 over its first week.
    for days_ago in range(33, 40):
        log_pain(patient, days_ago, 6)
    performed_at = local(28, "09:00")
    log_pain(patient, 28, 2, "11:00")
    for days_ago in range(21, 27):
        log_pain(patient, days_ago, 3)
    block = procedure(
        performed_at=performed_at.isoformat(), reported_relief_percent=80, note="Felt it at once."
    )
    assert patient.post(URL, json=block).status_code == 201

    summary = patient.get("/api/v1/summary").json
    [measured] = summary["procedures"]
    assert measured["kind"] == "medial_branch_block"
    assert measured["baseline_mean"] == 6.0
    windows = {window["window"]: window for window in measured["windows"]}
    assert windows["same_day"]["mean"] == 2.0
    assert windows["same_day"]["relief_percent"] == pytest.approx(66.7)
    assert windows["week_1"]["mean"] == 3.0 and windows["week_1"]["days_logged"] == 6
    assert windows["week_1"]["response"] == "substantial"
    assert measured["goal"] == {"window": "same_day", "relief_percent": 80.0}
    assert measured["goal_met"] is False  # 66.7 % is short of the block's 80 %
    assert measured["reported_relief_percent"] == 80
    assert {"kind": "procedures", "text": "Felt it at once."}.items() <= summary["notes"][0].items()


def test_the_summary_lists_the_years_procedures_newest_first(patient):
    older = patient.post(URL, json=procedure(performed_at=local(300).isoformat())).json
    newer = patient.post(URL, json=trial()).json
    patient.post(URL, json=procedure(performed_at=local(400).isoformat()))  # over a year ago
    listed = patient.get("/api/v1/summary").json["procedures"]
    assert [p["procedure_id"] for p in listed] == [newer["id"], older["id"]]
    assert all(p["baseline_mean"] is None for p in listed)  # no pain logged: null, never 0
