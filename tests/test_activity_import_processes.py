"""An import across real processes (DESIGN §3 Activity imports): uploaded to one web server,
read by the worker process (``flask scheduler run``), followed on another web server.

The processes share nothing but the database the suite runs on (SQLite's file, or
TEST_DATABASE_URL's PostgreSQL): the upload must reach the worker through it.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from pain_diary.activity.models import ActivityDay, ActivityImport, ActivityImportChunk

from .activity_exports import APPLE_HEAD, APPLE_TAIL, EXERCISE, STEPS, apple_zip, record
from .server import ROOT, running_server

pytestmark = pytest.mark.slow  # starts two gunicorn servers and a worker process


def an_export(path):
    """An export.zip of some 6 MB stored (six chunks, read by seeking): 280 days of one walk,
    counted by the phone and the watch, 20 times over."""
    walks = "".join(
        record(STEPS, "iPhone", f"2025-{month:02d}-{day:02d} 12:00:00 -0500", 10, metadata=True)
        + record(STEPS, "Apple Watch", f"2025-{month:02d}-{day:02d} 12:05:00 -0500", 12)
        + record(EXERCISE, "Apple Watch", f"2025-{month:02d}-{day:02d} 12:00:00 -0500", 1)
        for month in range(1, 11)
        for day in range(1, 29)
    )
    xml = APPLE_HEAD + walks * 20 + APPLE_TAIL
    path.write_bytes(apple_zip(xml.encode(), compression=zipfile.ZIP_STORED))
    return path


def start_worker(base_config, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": base_config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": base_config["SECRET_KEY"],
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "pain_diary", "scheduler", "run"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_an_upload_to_one_web_server_is_imported_by_the_worker_and_followed_on_another(
    app, db, accounts, base_config, tmp_path
):
    user = accounts.create(role="patient", timezone="America/New_York")
    headers = {"Authorization": f"Bearer {accounts.token(user)}"}
    export = an_export(tmp_path / "export.zip")
    size = export.stat().st_size
    assert size > 5 * (1 << 20)

    worker = start_worker(base_config, tmp_path)
    try:
        with (
            running_server(base_config, workers=1) as one,
            running_server(base_config, workers=1) as other,
        ):
            with export.open("rb") as file:
                response = requests.post(
                    f"{one.url}/api/v1/activity-imports",
                    files={"file": ("export.zip", file, "application/zip")},
                    headers=headers,
                    timeout=60,
                )
            assert response.status_code == 202, response.text
            accepted = response.json()
            assert (accepted["status"], accepted["bytes"]) == ("queued", size)

            seen, deadline = [], time.monotonic() + 90
            while True:
                progress = requests.get(
                    f"{other.url}/api/v1/activity-imports/{accepted['id']}",
                    headers=headers,
                    timeout=10,
                ).json()
                seen.append((progress["status"], progress["bytes_read"]))
                if progress["status"] in ("done", "failed"):
                    break
                assert worker.poll() is None, worker.communicate()
                assert time.monotonic() < deadline, f"not done in 90 s: {seen[-3:]}"
                time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.communicate()

    assert progress["status"] == "done", progress["error"]
    assert progress["format"] == "apple_health_zip"
    assert progress["days_written"] == 280
    assert progress["bytes_read"] == size
    assert progress["devices"] == ["Apple Watch", "iPhone"]
    assert all(0 <= read <= size for _, read in seen)
    with app.app_context():
        record_ = db.session.get(ActivityImport, uuid.UUID(accepted["id"]))
        # The worker polls every 2 s: it started on the upload within the promised 5 s.
        assert record_.started_at - record_.created_at < timedelta(seconds=5)
        figures = db.session.execute(
            select(ActivityDay.steps, ActivityDay.active_minutes, func.count()).group_by(
                ActivityDay.steps, ActivityDay.active_minutes
            )
        ).all()
        chunks = db.session.scalar(select(func.count()).select_from(ActivityImportChunk))
        db.session.remove()
    assert figures == [(240, 20, 280)]  # the watch's 12 steps, 20 times a day; not 10 + 12
    assert chunks == 0
