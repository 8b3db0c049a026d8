"""Health data stays out of logs, even when something goes wrong."""

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest

SECRET_NOTE = "flare after my divorce hearing"


@pytest.mark.own_app  # it adds a route, which an app that has served requests refuses
def test_no_health_data_reaches_the_logs(app, accounts, caplog):
    @app.get("/api/v1/crash")
    def crash():
        raise RuntimeError(SECRET_NOTE)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    patient = accounts.signed_in()
    caplog.set_level(logging.DEBUG)
    recorded_at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    entry = {"recorded_at": recorded_at, "intensity": 9, "note": SECRET_NOTE}
    entry_id = uuid.uuid4()
    assert patient.put(f"/api/v1/pain-entries/{entry_id}", json=entry).status_code == 201
    # A stale write, a validation error and a crash, each carrying the note.
    patient.put(f"/api/v1/pain-entries/{entry_id}", json={**entry, "version": 0, "intensity": 8})
    patient.post("/api/v1/pain-entries", json={**entry, "intensity": 11})

    assert patient.get("/api/v1/crash").status_code == 500
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "unhandled RuntimeError" in logged  # the crash is logged, by kind only
    assert SECRET_NOTE not in caplog.text
    assert SECRET_NOTE not in logged
