"""Activity imports (DESIGN §3): an upload streamed into chunks, read by the worker, its days
written at once or not at all."""

import tracemalloc
import uuid
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pain_diary.activity.models import ActivityDay, ActivityImport, ActivityImportChunk
from pain_diary.activity.worker import claim_next, run_queued_imports

from .activity_exports import (
    APPLE_HEAD,
    EXERCISE,
    STEPS,
    apple_xml,
    apple_zip,
    google_fit_csv,
    noise,
    record,
)

PASSWD = Path("/etc/passwd").read_text().split("\n", 1)[0]  # what an external entity would leak


def upload(client, data, name="export.zip"):
    # The body made here: the test client's own encoder spools a large one to a temporary file.
    body, content_type = _multipart(data, name)
    return client.post("/api/v1/activity-imports", data=body, content_type=content_type)


def imported(app, client, data, name="export.zip"):
    """Upload ``data``, let the worker run once, and return the import as the API shows it."""
    response = upload(client, data, name)
    assert response.status_code == 202, response.json
    assert response.json["status"] == "queued" and response.json["bytes"] == len(data)
    run_queued_imports(app)
    result = client.get(f"/api/v1/activity-imports/{response.json['id']}")
    assert result.status_code == 200
    return result.json


def days(app, db):
    with app.app_context():
        rows = db.session.scalars(select(ActivityDay).order_by(ActivityDay.date)).all()
        return {(d.date.isoformat(), d.source): (d.steps, d.active_minutes) for d in rows}


def versions(app, db):
    with app.app_context():
        rows = db.session.execute(
            select(ActivityDay.date, ActivityDay.version, ActivityDay.updated_at)
        )
        return {row.date: (row.version, row.updated_at) for row in rows}


def chunks(app, db):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ActivityImportChunk))


@pytest.fixture
def new_yorker(accounts):
    return accounts.signed_in(role="patient", timezone="America/New_York")


A_WALK = [
    # 1 March: the phone and the watch count the same walks; the watch counts more steps.
    record(STEPS, "iPhone", "2026-03-01 09:00:00 -0500", 3000),
    record(STEPS, "iPhone", "2026-03-01 17:00:00 -0500", 2000, metadata=True),
    record(STEPS, "Apple Watch", "2026-03-01 09:00:00 -0500", 3100),
    record(STEPS, "Apple Watch", "2026-03-01 17:00:00 -0500", 2400),
    record(EXERCISE, "Apple Watch", "2026-03-01 09:00:00 -0500", 20),
    record(EXERCISE, "Apple Watch", "2026-03-01 17:00:00 -0500", 12),
    # 2 March: the phone counts more steps (the watch was charging), the watch more minutes.
    record(STEPS, "iPhone", "2026-03-02 12:00:00 -0500", 8000),
    record(STEPS, "Apple Watch", "2026-03-02 12:00:00 -0500", 1000),
    record(EXERCISE, "iPhone", "2026-03-02 12:00:00 -0500", 5),
    record(EXERCISE, "Apple Watch", "2026-03-02 12:00:00 -0500", 15),
]


@pytest.mark.parametrize("as_zip", [True, False], ids=["export.zip", "export.xml"])
def test_an_iphone_and_a_watch_counting_one_walk_make_a_day_of_the_larger_sums(
    app, db, new_yorker, as_zip
):
    xml = apple_xml([noise(), *A_WALK])
    data, name = (apple_zip(xml), "export.zip") if as_zip else (xml, "export.xml")
    result = imported(app, new_yorker, data, name)
    assert result["status"] == "done", result["error"]
    assert result["format"] == ("apple_health_zip" if as_zip else "apple_health_xml")
    assert result["days_written"] == 2 and result["error"] is None
    assert result["bytes_read"] == result["bytes"] == len(data)
    assert result["devices"] == ["Apple Watch", "iPhone"]  # not the Health app's blood pressure
    assert days(app, db) == {
        ("2026-03-01", "apple_health"): (5500, 32),
        ("2026-03-02", "apple_health"): (8000, 15),  # each figure's larger source
    }
    assert chunks(app, db) == 0


def test_records_fall_on_the_patients_local_date_of_their_start_across_midnight_and_dst(
    app, db, new_yorker
):
    # New York moved its clocks on 8 March 2026 (EST -0500 to EDT -0400).
    xml = apple_xml([
        record(STEPS, "iPhone", "2026-03-06 23:59:00 -0500", 1),
        record(STEPS, "iPhone", "2026-03-07 00:00:00 -0500", 10),
        # Written in another zone: 04:00 UTC is 23:00 on the 6th in New York.
        record(STEPS, "iPhone", "2026-03-07 05:00:00 +0100", 100),
        record(STEPS, "iPhone", "2026-03-08 01:59:00 -0500", 1000),  # before the change
        record(STEPS, "iPhone", "2026-03-08 03:00:00 -0400", 2000),  # after it
        # 03:59 UTC on the 9th is 23:59 EDT on the 8th (at EST's -0500 it would still be the
        # 8th); 04:30 UTC is 00:30 EDT on the 9th (at EST's it would be 23:30 on the 8th).
        record(STEPS, "iPhone", "2026-03-09 03:59:00 +0000", 4000),
        record(STEPS, "iPhone", "2026-03-09 04:30:00 +0000", 8000),
    ])  # fmt: skip
    result = imported(app, new_yorker, xml, "export.xml")
    assert result["status"] == "done", result["error"]
    assert days(app, db) == {
        ("2026-03-06", "apple_health"): (101, None),
        ("2026-03-07", "apple_health"): (10, None),
        ("2026-03-08", "apple_health"): (7000, None),
        ("2026-03-09", "apple_health"): (8000, None),
    }


def test_days_after_the_patients_today_are_left_out(app, db, new_yorker):
    xml = apple_xml([
        record(STEPS, "iPhone", "2026-03-01 12:00:00 -0500", 500),
        record(STEPS, "iPhone", f"{date.today().year + 1}-01-01 12:00:00 -0500", 500),
    ])  # fmt: skip
    assert imported(app, new_yorker, xml, "export.xml")["days_written"] == 1
    assert list(days(app, db)) == [("2026-03-01", "apple_health")]


def test_google_fit_daily_metrics_write_google_fit_days(app, db, patient):
    data = google_fit_csv(
        [("2026-02-01", 4321, 35), ("2026-02-02", "", ""), ("2026-02-03", 999, "")]
    )
    result = imported(app, patient, data, "Daily activity metrics.csv")
    assert (result["status"], result["format"], result["days_written"]) == (
        "done", "google_fit_csv", 2
    )  # fmt: skip
    assert days(app, db) == {
        ("2026-02-01", "google_fit"): (4321, 35),
        ("2026-02-03", "google_fit"): (999, None),  # the empty day is no day
    }


def test_a_plain_csv_writes_csv_days(app, db, patient):
    data = (
        b"date,steps,active_minutes\r\n2026-01-05,7000,40\r\n2026-01-06,,25\r\n2026-01-07,100,\r\n"
    )
    result = imported(app, patient, data, "my steps.csv")
    assert (result["status"], result["format"], result["days_written"]) == ("done", "csv", 3)
    assert days(app, db) == {
        ("2026-01-05", "csv"): (7000, 40),
        ("2026-01-06", "csv"): (None, 25),
        ("2026-01-07", "csv"): (100, None),
    }


def test_importing_the_same_file_again_changes_nothing_not_even_versions(app, db, new_yorker):
    data = apple_zip(apple_xml(A_WALK))
    assert imported(app, new_yorker, data)["days_written"] == 2
    before = versions(app, db)
    again = imported(app, new_yorker, data)
    assert (again["status"], again["days_written"]) == ("done", 0)
    assert versions(app, db) == before
    assert len(days(app, db)) == 2

    # A later export with one day changed replaces that day, under its version + 1.
    changed = apple_zip(
        apple_xml([*A_WALK, record(STEPS, "iPhone", "2026-03-02 18:00:00 -0500", 5)])
    )
    assert imported(app, new_yorker, changed)["days_written"] == 1
    after = versions(app, db)
    assert after[date(2026, 3, 1)] == before[date(2026, 3, 1)]
    assert after[date(2026, 3, 2)][0] == before[date(2026, 3, 2)][0] + 1
    assert days(app, db)[("2026-03-02", "apple_health")] == (8005, 15)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE HealthData [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol9 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
]>
<HealthData locale="en_US">
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="&lol9;" value="1"
  startDate="2026-03-01 12:00:00 -0500" endDate="2026-03-01 12:00:00 -0500"/>
</HealthData>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE HealthData [ <!ENTITY passwd SYSTEM "file:///etc/passwd"> ]>
<HealthData locale="en_US">
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="iPhone" value="1"
  startDate="2026-03-01 12:00:00 -0500" endDate="2026-03-01 12:00:00 -0500">&passwd;</Record>
</HealthData>
"""
AN_ENTITY = "the XML declares or uses an entity (<!ENTITY ...>)"
HEAD_LINES = APPLE_HEAD.count("\n")
A_GOOD_DAY = record(STEPS, "iPhone", "2026-03-01 12:00:00 -0500", 500)
FAILURES = {
    "broken XML": (
        "export.xml", apple_xml([A_GOOD_DAY, " <Record type='x' value=\"1\">\n"]),
        f"The XML is broken at line {HEAD_LINES + 3}, column 3: mismatched tag.",
    ),
    "a zip without export.xml": (
        "export.zip", apple_zip(apple_xml([A_GOOD_DAY]), member=None),
        "The zip has no apple_health_export/export.xml",
    ),
    "a broken zip": ("export.zip", apple_zip(apple_xml([A_GOOD_DAY]))[:-60], "The zip is broken"),
    "a CSV with a bad row": (
        "steps.csv", b"date,steps,active_minutes\n2026-01-05,7000,40\n2026-01-06,lots,3\n",
        "Line 3: steps is 'lots', not a number.",
    ),
    "a CSV over 150,000 steps": (
        "steps.csv", b"date,steps,active_minutes\n2026-01-05,7000,40\n2026-01-06,150001,3\n",
        "Line 3: steps is 150001, outside 0 to 150,000.",
    ),
    "a day twice in a CSV": (
        "steps.csv", b"date,steps,active_minutes\n2026-01-05,7000,40\n2026-01-05,10,3\n",
        "Line 3: 2026-01-05 again (first on line 2).",
    ),
    "a Google Fit row that is not a date": (
        "Daily activity metrics.csv", google_fit_csv([("2026-02-01", 1, 1), ("yesterday", 1, 1)]),
        "Line 3: 'yesterday' is not a date",
    ),
    "Apple steps over 150,000 a day": (
        "export.xml", apple_xml([A_GOOD_DAY] * 2 + [A_GOOD_DAY.replace('"500"', '"149500"')]),
        f"Line {HEAD_LINES + 3}: the steps of 2026-03-01 from iPhone pass 150,000",
    ),
    "an endless CSV line": (
        "steps.csv", b"date,steps,active_minutes\n2026-01-05,7000," + b"4" * 20_000,
        "Line 2: over 10,000 characters",
    ),
    "an endless XML tag": (
        "export.xml", apple_xml([A_GOOD_DAY, ' <Record value="' + "1" * 5_000_000 + '"/>']),
        f"Line {HEAD_LINES + 2}: over 4,194,304 bytes without the end of a tag",
    ),
    "a billion laughs": ("export.xml", BILLION_LAUGHS, f"Line 3: {AN_ENTITY}"),
    "an external entity": ("export.xml", EXTERNAL_ENTITY, f"Line 2: {AN_ENTITY}"),
    "another XML": ("export.xml", b"<?xml version='1.0'?>\n<svg/>", "root element is <svg>"),
    "a picture": ("walk.png", b"\x89PNG\r\n\x1a\n" + bytes(300), "This is not an export we know"),
    "an empty file": ("export.xml", b"", "This is not an export we know"),
}  # fmt: skip


@pytest.mark.parametrize("case", FAILURES)
def test_a_file_we_cannot_read_fails_saying_where_and_writes_nothing(app, db, new_yorker, case):
    name, data, error = FAILURES[case]
    result = imported(app, new_yorker, data, name)
    assert result["status"] == "failed"
    assert error in result["error"], result["error"]
    assert result["days_written"] is None
    assert days(app, db) == {}  # not even the good days before the bad line
    assert chunks(app, db) == 0
    assert PASSWD not in str(result)
    with app.app_context():
        stored = db.session.execute(select(ActivityImport.__table__)).all()
    assert PASSWD not in str(stored)


def test_an_upload_over_the_limit_answers_413_and_keeps_nothing(app, db, patient):
    app.config["IMPORT_MAX_BYTES"] = 1000
    big = b"date,steps,active_minutes\n" + b"2026-01-05,7000,40\n" * 100
    response = upload(patient, big, "steps.csv")
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"
    assert "1,000 bytes" in response.json["error"]["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActivityImport)) == 0
    assert chunks(app, db) == 0
    # Far over it (the Content-Length says so): refused before a byte is read.
    response = upload(patient, big * 100, "steps.csv")
    assert response.status_code == 413 and response.json["error"]["code"] == "payload_too_large"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActivityImport)) == 0
    assert upload(patient, big[:900], "steps.csv").status_code == 202  # under it: taken


def test_an_upload_is_stored_in_chunks_without_holding_the_file_in_memory(app, db, patient):
    size = 12 * (1 << 20) + 5
    body, content_type = _multipart(b"x" * size, "export.xml")
    tracemalloc.start()
    try:
        response = patient.post("/api/v1/activity-imports", data=body, content_type=content_type)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 202, response.json
    assert response.json["bytes"] == size
    assert peak < 6 * (1 << 20), f"{peak:,} bytes at the peak for a {size:,}-byte upload"
    with app.app_context():
        sizes = db.session.scalars(
            select(func.length(ActivityImportChunk.data)).order_by(ActivityImportChunk.seq)
        ).all()
    assert sizes == [1 << 20] * 12 + [5]


def _multipart(data, name):
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()  # fmt: skip
    return (
        head + data + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


def test_an_upload_without_a_file_or_multipart_is_refused(app, db, patient):
    assert patient.post("/api/v1/activity-imports", json={"file": "x"}).status_code == 415
    body, content_type = _multipart(b"", "x")
    no_file = body.replace(b'name="file"', b'name="other"')
    response = patient.post("/api/v1/activity-imports", data=no_file, content_type=content_type)
    assert response.status_code == 400 and "file" in response.json["error"]["fields"]
    cut = patient.post("/api/v1/activity-imports", data=body[:-10], content_type=content_type)
    assert cut.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActivityImport)) == 0


def test_a_cookie_upload_needs_the_csrf_header(app, patient):
    del patient.environ_base["HTTP_X_CSRFTOKEN"]
    assert upload(patient, b"date,steps,active_minutes\n", "a.csv").status_code == 403


def test_only_the_owner_reads_an_import(app, patient, accounts):
    response = upload(patient, b"date,steps,active_minutes\n2026-01-05,7000,40\n", "a.csv")
    url = f"/api/v1/activity-imports/{response.json['id']}"
    assert patient.get(url).json == {
        "id": response.json["id"], "status": "queued", "format": None, "bytes": 45,
        "bytes_read": 0, "days_written": None, "error": None, "devices": None,
    }  # fmt: skip
    assert accounts.signed_in(role="patient").get(url).status_code == 404
    assert accounts.signed_in(role="clinician").get(url).status_code == 403
    assert patient.get(f"/api/v1/activity-imports/{uuid.uuid4()}").status_code == 404


def test_two_workers_never_claim_one_import(app, db, patient):
    upload(patient, b"date,steps,active_minutes\n2026-01-05,7000,40\n", "a.csv")
    with app.app_context():
        first, second = claim_next(), claim_next()
        assert first is not None and second is None
        db.session.remove()


def test_the_worker_reads_a_large_export_in_flat_memory(app, db, new_yorker):
    walk = "".join(
        record(STEPS, "iPhone", f"2026-02-{day:02d} 12:00:00 -0500", 1, metadata=True)
        for day in range(1, 29)
    )
    xml = (APPLE_HEAD + walk * 1000 + "</HealthData>\n").encode()  # some 12 MB
    data = apple_zip(xml, compression=zipfile.ZIP_STORED)  # 12 chunks, read by seeking
    response = upload(new_yorker, data)
    tracemalloc.start()
    try:
        run_queued_imports(app)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    result = new_yorker.get(f"/api/v1/activity-imports/{response.json['id']}").json
    assert result["status"] == "done", result["error"]
    assert days(app, db)[("2026-02-14", "apple_health")] == (1000, None)
    assert result["bytes_read"] == len(data) > 11 * (1 << 20)
    assert peak < 8 * (1 << 20), f"{peak:,} bytes at the peak for {len(xml):,} bytes of XML"


def test_the_command_line_imports_a_file_for_a_patient(app, db, runner, accounts, tmp_path):
    user = accounts.create(role="patient", timezone="America/New_York")
    path = tmp_path / "export.zip"
    path.write_bytes(apple_zip(apple_xml(A_WALK)))
    result = runner.invoke(args=["activity", "import", str(path), "--email", user.email])
    assert result.exit_code == 0, result.output
    assert "apple_health_zip: 2 days read, 2 written" in result.output
    assert "Apple Watch, iPhone" in result.output
    assert days(app, db)[("2026-03-01", "apple_health")] == (5500, 32)
    again = runner.invoke(args=["activity", "import", str(path), "--email", user.email])
    assert "0 written" in again.output

    path.write_bytes(b"date,steps,active_minutes\n2026-01-05,x,1\n")
    failed = runner.invoke(args=["activity", "import", str(path), "--email", user.email])
    assert failed.exit_code == 1 and "Line 2: steps is 'x'" in failed.output


def test_the_worker_takes_up_an_import_its_killed_predecessor_left_running(app, db, patient):
    response = upload(patient, b"date,steps,active_minutes\n2026-01-05,7000,40\n", "a.csv")
    with app.app_context():
        stale = datetime(2026, 1, 1, tzinfo=UTC)
        db.session.get(ActivityImport, uuid.UUID(response.json["id"])).status = "running"
        db.session.get(ActivityImport, uuid.UUID(response.json["id"])).started_at = stale
        db.session.commit()
    run_queued_imports(app)
    assert patient.get(f"/api/v1/activity-imports/{response.json['id']}").json["status"] == "done"


def test_a_failure_on_our_side_fails_the_import_and_logs_no_health_data(
    app, db, patient, monkeypatch, caplog
):
    health_data = "7000 steps on 2026-01-05"

    def broken(*args):
        raise RuntimeError(health_data)

    monkeypatch.setattr("pain_diary.activity.worker.write_days", broken)
    response = upload(patient, b"date,steps,active_minutes\n2026-01-05,7000,40\n", "a.csv")
    run_queued_imports(app)
    result = patient.get(f"/api/v1/activity-imports/{response.json['id']}").json
    assert result["status"] == "failed"
    assert (
        result["error"]
        == "Something went wrong on our side while reading the file; nothing was written."
    )
    assert "RuntimeError" in caplog.text and "7000" not in caplog.text
    assert chunks(app, db) == 0 and days(app, db) == {}


def test_a_scheduler_tick_from_cron_imports_what_is_queued(app, db, runner, patient):
    upload(patient, b"date,steps,active_minutes\n2026-01-05,7000,40\n", "a.csv")
    result = runner.invoke(args=["scheduler", "tick"])
    assert result.exit_code == 0, result.output
    assert days(app, db) == {("2026-01-05", "csv"): (7000, 40)}


def test_an_upload_cut_off_with_its_web_worker_is_deleted_hours_later(app, db, accounts):
    user = accounts.create(role="patient")
    with app.app_context():
        for hours, name in ((7, "cut off"), (1, "still arriving")):
            cut = ActivityImport(patient_id=uuid.UUID(user.id), status="receiving", filename=name)
            cut.created_at = datetime.now(UTC) - timedelta(hours=hours)
            db.session.add(cut)
            db.session.flush()
            db.session.add(ActivityImportChunk(import_id=cut.id, seq=0, data=b"date,"))
        db.session.commit()
    run_queued_imports(app)
    with app.app_context():
        left = db.session.scalars(select(ActivityImport.filename)).all()
    assert left == ["still arriving"] and chunks(app, db) == 1
