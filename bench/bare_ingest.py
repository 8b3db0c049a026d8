"""A bare Flask + sqlite3 app storing one pain entry per PUT: the baseline for `bench.ingest`.

PUT /api/v1/pain-entries/<uuid> does one INSERT and one commit from the parsed JSON body and
answers 201 with the JSON of the row. It does no authentication and no validation at all, and
has no foreign key to a users table: that is the point of a baseline, the least a Flask app
under gunicorn can do to store a record durably. The database is its own file
(BENCH_BARE_DB), set up like the app's SQLite: WAL, synchronous=FULL, busy_timeout=5000, a
32 MiB page cache, and the app's one secondary index (patient_id, local_date, intensity,
recorded_at).
"""

import json
import os
import sqlite3
from datetime import UTC, datetime

from flask import Flask, request

PATIENT_ID = "00000000-0000-4000-8000-000000000001"
SCHEMA = """
CREATE TABLE IF NOT EXISTS pain_entries (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    local_date TEXT NOT NULL,
    intensity INTEGER NOT NULL,
    body_sites TEXT NOT NULL,
    qualities TEXT NOT NULL,
    enjoyment_interference INTEGER,
    activity_interference INTEGER,
    tags TEXT NOT NULL,
    note TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_pain_entries_patient_day
    ON pain_entries (patient_id, local_date, intensity, recorded_at);
"""
INSERT = (
    "INSERT INTO pain_entries (id, patient_id, recorded_at, local_date, intensity, body_sites,"
    " qualities, enjoyment_interference, activity_interference, tags, note, version,"
    " created_at, updated_at) VALUES (:id, :patient_id, :recorded_at, :local_date, :intensity,"
    " :body_sites, :qualities, :enjoyment_interference, :activity_interference, :tags, :note,"
    " :version, :created_at, :updated_at)"
)

app = Flask(__name__)
app.json.sort_keys = False
_connection: sqlite3.Connection | None = None


def connect(path: str | None = None) -> sqlite3.Connection:
    """Open the database with the app's pragmas and make sure the table exists."""
    conn = sqlite3.connect(path or os.environ["BENCH_BARE_DB"])
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute("PRAGMA cache_size=-32768")
    conn.executescript(SCHEMA)
    return conn


def db() -> sqlite3.Connection:
    """This worker's connection, opened on first use (after gunicorn forked the worker)."""
    global _connection
    if _connection is None:
        _connection = connect()
    return _connection


@app.put("/api/v1/pain-entries/<uuid:record_id>")
def put_pain_entry(record_id):
    """Insert the body as a new row, commit, and answer 201 with the row."""
    body = request.get_json()
    now = datetime.now(UTC).isoformat()
    row = {
        "id": str(record_id),
        "patient_id": PATIENT_ID,
        "recorded_at": body["recorded_at"],
        "local_date": body["recorded_at"][:10],
        "intensity": body["intensity"],
        "body_sites": body.get("body_sites", []),
        "qualities": body.get("qualities", []),
        "enjoyment_interference": body.get("enjoyment_interference"),
        "activity_interference": body.get("activity_interference"),
        "tags": body.get("tags", []),
        "note": body.get("note"),
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    stored = row | {name: json.dumps(row[name]) for name in ("body_sites", "qualities", "tags")}
    conn = db()
    conn.execute(INSERT, stored)
    conn.commit()
    return row, 201


@app.get("/healthz")
def healthz():
    """The process is alive."""
    return {"status": "ok"}
