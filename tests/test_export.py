"""The patient's own export: JSON as the API shows it, a zip of CSV files, and who may export."""

import csv
import io
import json
import uuid
import zipfile
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pain_diary.accounts.models import User
from pain_diary.insights import export, fhir

from .helpers import recorded_statements

BERLIN = ZoneInfo("Europe/Berlin")  # the factories' timezone
URL = "/api/v1/export"
API_PATHS = {
    "pain_entries": "pain-entries",
    "sleep_entries": "sleep-entries",
    "therapy_sessions": "therapy-sessions",
    "medications": "medications",
    "medication_doses": "medication-doses",
    "procedures": "procedures",
    "activity_days": "activity-days",
}


def ago(days=0, hours=0):
    return (datetime.now(BERLIN) - timedelta(days=days, hours=hours)).replace(microsecond=0)


def local(days_ago, hhmm):
    """The instant the patient's clock showed ``hhmm`` ``days_ago`` days ago."""
    day = datetime.now(BERLIN).date() - timedelta(days=days_ago)
    return datetime.combine(day, time.fromisoformat(hhmm), BERLIN)


def put(client, collection, body, record_id=None):
    record_id = record_id or str(uuid.uuid4())
    response = client.put(f"/api/v1/{collection}/{record_id}", json=body)
    assert response.status_code == 201, response.json
    return response.json


def log_diary(client):
    """A few days of everything a patient logs; the created records by export name."""
    today = datetime.now(BERLIN).date()
    pain = [
        put(client, "pain-entries", {
            "recorded_at": ago(days=1, hours=2).isoformat(), "intensity": 6,
            "body_sites": [{"site": "lower_back", "side": "left"}], "qualities": ["aching"],
            "enjoyment_interference": 5, "activity_interference": 6,
            "tags": ["gardening"], "note": "Worse after gardening",
        }),
        put(client, "pain-entries", {
            "recorded_at": ago(days=2).isoformat(), "intensity": 7,
            "body_sites": [{"site": "neck", "intensity": 5},
                           {"site": "knee", "intensity": 8, "side": "right"},
                           {"site": "wrist_hand"}],
        }),
        put(client, "pain-entries", {"recorded_at": ago(hours=3).isoformat(), "intensity": 3}),
    ]  # fmt: skip
    sleep = [
        put(client, "sleep-entries", {
            "night_of": (today - timedelta(days=3)).isoformat(),
            "in_bed_at": local(3, "22:30").isoformat(),
            "tried_to_sleep_at": local(3, "22:45").isoformat(),
            "final_awakening_at": local(2, "06:30").isoformat(),
            "out_of_bed_at": local(2, "07:00").isoformat(),
            "sleep_latency_minutes": 20, "wake_after_sleep_onset_minutes": 30,
            "awakenings": 2, "quality": 3,
        }),
    ]  # fmt: skip
    start = (today - timedelta(days=10)).isoformat()
    scheduled = put(client, "medications", {
        "name": "Ibuprofen 400", "dose_amount": 400, "dose_unit": "mg", "route": "oral",
        "schedule": {"times": ["08:00", "20:00"]}, "start_date": start,
    })  # fmt: skip
    as_needed = put(client, "medications", {
        "name": "Oxycodone 5", "ingredient": "oxycodone", "dose_amount": 5, "dose_unit": "mg",
        "route": "oral", "schedule": None, "as_needed": True, "start_date": start,
    })  # fmt: skip
    doses = [
        put(client, "medication-doses", {
            "medication_id": scheduled["id"], "status": "taken",
            "scheduled_for": local(1, "08:00").isoformat(),
            "taken_at": local(1, "08:10").isoformat(),
        }),
        put(client, "medication-doses", {
            "medication_id": scheduled["id"], "status": "skipped",
            "scheduled_for": local(1, "20:00").isoformat(), "skip_reason": "Felt sick",
        }),
        put(client, "medication-doses", {
            "medication_id": as_needed["id"], "status": "taken", "scheduled_for": None,
            "taken_at": ago(hours=5).isoformat(),
        }),
    ]  # fmt: skip
    therapy = [
        put(client, "therapy-sessions", {
            "modality": "cbt", "started_at": ago(days=1, hours=6).isoformat(),
            "duration_minutes": 50, "pain_before": 6, "pain_after": 4,
            "program": "Pain clinic group",
        }),
        put(client, "therapy-sessions", {
            "modality": "vr", "started_at": ago(days=2, hours=3).isoformat(),
            "duration_minutes": 20,
        }),
    ]  # fmt: skip
    procedures = [
        put(client, "procedures", {
            "kind": "scs_trial", "performed_at": local(9, "08:00").isoformat(),
            "trial_ends_at": local(2, "16:00").isoformat(), "level": "T9-T10",
            "body_sites": [{"site": "lower_back"}, {"site": "leg", "side": "left"}],
            "provider": "Spine unit", "reported_relief_percent": 60, "note": "Leads out",
        }),
    ]  # fmt: skip
    return {
        "pain_entries": pain,
        "sleep_entries": sleep,
        "therapy_sessions": therapy,
        "medications": [scheduled, as_needed],
        "medication_doses": doses,
        "procedures": procedures,
        "activity_days": [
            put(
                client,
                "activity-days",
                {
                    "date": (today - timedelta(days=1)).isoformat(),
                    "steps": 5120,
                    "active_minutes": 42,
                },
            ),
        ],
    }


def csv_files(response):
    assert response.status_code == 200, response.json
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def by_id(records):
    return sorted(records, key=lambda record: record["id"])


def test_the_json_export_has_every_record_exactly_as_the_api_shows_it(patient):
    created = log_diary(patient)
    response = patient.get(URL)  # json is the default
    assert response.status_code == 200, response.json
    assert response.mimetype == "application/json"
    document = response.json
    for name, path in API_PATHS.items():
        shown = [patient.get(f"/api/v1/{path}/{record['id']}").json for record in created[name]]
        assert by_id(document[name]) == by_id(shown), name
    me = patient.get("/api/v1/me").json
    assert document["patient"] == {
        "id": me["id"], "display_name": me["display_name"], "email": me["email"],
        "timezone": "Europe/Berlin", "date_of_birth": None,
    }  # fmt: skip
    assert datetime.fromisoformat(document["exported_at"]).utcoffset() is not None
    assert patient.get(f"{URL}?format=json").json.keys() == document.keys()


def test_the_export_leaves_out_other_patients_records(patient, accounts):
    other = accounts.signed_in(role="patient")
    theirs = log_diary(other)
    put(patient, "pain-entries", {"recorded_at": ago(hours=1).isoformat(), "intensity": 2})
    their_ids = [record["id"] for records in theirs.values() for record in records]
    document = patient.get(URL).json
    assert len(document["pain_entries"]) == 1
    assert all(document[name] == [] for name in API_PATHS if name != "pain_entries")
    zipped = b"".join(csv_files(patient.get(f"{URL}?format=csv")).values()).decode("utf-8-sig")
    bundle = patient.get(f"{URL}?format=fhir").get_data(as_text=True)
    for text in (zipped, bundle):
        assert not any(record_id in text for record_id in their_ids)


def test_the_csv_zip_has_one_file_per_record_type_and_a_row_per_record(patient):
    created = log_diary(patient)
    response = patient.get(f"{URL}?format=csv")
    files = csv_files(response)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert set(files) == {f"{name}.csv" for name in API_PATHS} | {"README.txt"}
    readme = files["README.txt"].decode()
    for name, records in created.items():
        rows = csv_rows(files[f"{name}.csv"])
        assert set(rows[0]) == set(records[0]), name  # the columns are the API's fields
        assert sorted(row["id"] for row in rows) == sorted(r["id"] for r in records), name
        assert f"{name}.csv" in readme
    pain_rows = {row["id"]: row for row in csv_rows(files["pain_entries.csv"])}
    many_sites = created["pain_entries"][1]
    cell = pain_rows[many_sites["id"]]["body_sites"]
    assert json.loads(cell) == many_sites["body_sites"] and len(many_sites["body_sites"]) == 3
    assert ", " not in cell and ": " not in cell  # compact
    assert pain_rows[many_sites["id"]]["note"] == ""
    assert pain_rows[many_sites["id"]]["intensity"] == "7"
    medications = {row["name"]: row for row in csv_rows(files["medications.csv"])}
    assert medications["Oxycodone 5"]["schedule"] == ""
    assert medications["Oxycodone 5"]["is_opioid"] == "true"
    assert json.loads(medications["Ibuprofen 400"]["schedule"]) == {
        "times": ["08:00", "20:00"], "days_of_week": None,
    }  # fmt: skip


def test_text_in_the_csv_keeps_accents(patient):
    put(patient, "pain-entries", {
        "recorded_at": ago(hours=1).isoformat(), "intensity": 4, "note": "Rücken schlimmer",
    })  # fmt: skip
    files = csv_files(patient.get(f"{URL}?format=csv"))
    assert files["pain_entries.csv"].startswith("\ufeff".encode())  # spreadsheets then read UTF-8
    assert csv_rows(files["pain_entries.csv"])[0]["note"] == "Rücken schlimmer"


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://example.org","click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1"]
)
def test_csv_cells_a_spreadsheet_would_run_as_a_formula_are_defused(patient, text):
    put(patient, "pain-entries", {
        "recorded_at": ago(hours=1).isoformat(), "intensity": 4, "note": text,
    })  # fmt: skip
    medication = put(patient, "medications", {
        "name": text, "dose_amount": 1, "dose_unit": "tablet", "as_needed": True,
        "start_date": ago(days=2).date().isoformat(),
    })  # fmt: skip
    files = csv_files(patient.get(f"{URL}?format=csv"))
    assert csv_rows(files["pain_entries.csv"])[0]["note"] == "'" + text
    assert csv_rows(files["medications.csv"])[0]["name"] == "'" + text
    assert patient.get(URL).json["medications"][0]["name"] == medication["name"] == text


def test_harmless_text_is_left_alone_in_the_csv(patient):
    put(patient, "pain-entries", {
        "recorded_at": ago(hours=1).isoformat(), "intensity": 4, "note": "Pain 2 = better",
    })  # fmt: skip
    files = csv_files(patient.get(f"{URL}?format=csv"))
    assert csv_rows(files["pain_entries.csv"])[0]["note"] == "Pain 2 = better"


@pytest.mark.parametrize("format_", ["json", "csv", "fhir"])
def test_a_clinician_has_no_export_of_their_own(clinician, format_):
    response = clinician.get(f"{URL}?format={format_}")
    assert response.status_code == 403, response.json
    assert response.json["error"]["status"] == 403


@pytest.mark.parametrize("format_", ["json", "csv", "fhir"])
def test_the_export_needs_sign_in(client, format_):
    response = client.get(f"{URL}?format={format_}")
    assert response.status_code == 401, response.json
    assert response.json["error"]["status"] == 401


def test_an_unknown_format_is_refused(patient):
    response = patient.get(f"{URL}?format=xlsx")
    assert response.status_code == 422, response.json
    assert list(response.json["error"]["fields"]) == ["format"]


def test_each_record_type_is_read_with_one_query(app, db, patient):
    log_diary(patient)
    with app.app_context():
        user = db.session.get(User, uuid.UUID(patient.user.id))
        with recorded_statements(db.engine) as statements:
            export.everything(user)
            export.csv_zip(user)
            fhir.patient_bundle(user)
    assert len(statements) == 3 * len(API_PATHS), statements


def test_the_export_carries_the_date_of_birth_and_each_rxnorm_code(patient):
    assert patient.patch("/api/v1/me", json={"date_of_birth": "1961-03-04"}).status_code == 200
    coded = put(patient, "medications", {
        "name": "Oxycodone 5", "ingredient": "oxycodone", "rxnorm_code": "1049621",
        "dose_amount": 5, "dose_unit": "mg", "as_needed": True,
        "start_date": ago(days=2).date().isoformat(),
    })  # fmt: skip
    assert coded["rxnorm_code"] == "1049621"
    document = patient.get(URL).json
    assert document["patient"]["date_of_birth"] == "1961-03-04"
    assert document["medications"][0]["rxnorm_code"] == "1049621"
    files = csv_files(patient.get(f"{URL}?format=csv"))
    assert csv_rows(files["medications.csv"])[0]["rxnorm_code"] == "1049621"
    readme = files["README.txt"].decode()
    assert "rxnorm_code (the RxNorm concept id, if given)" in readme
    assert "updated_at, name, ingredient, rxnorm_code, dose_amount, dose_unit," in readme
