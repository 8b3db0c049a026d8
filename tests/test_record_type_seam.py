"""A record type plugs in by its declaration alone (DESIGN §1).

A tiny "mood" record, declared here and shipped nowhere, is given to an app the way create_app
gives it the real ones: its model, schema, collection and routes, and one RecordType. No other
module knows it, yet /sync applies it, the JSON and CSV exports hold it and a linked clinician
reads it through /patients/<id>/mood-entries, audited.
"""

import csv
import io
import json
import re
import uuid
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy.orm import Mapped

from pain_diary import create_app
from pain_diary.extensions import api
from pain_diary.extensions import db as _db
from pain_diary.fields import Instant, Int, not_in_future
from pain_diary.medications.record_types import MEDICATIONS
from pain_diary.records.record_types import PAIN, SLEEP, THERAPY
from pain_diary.reminders.models import KINDS
from pain_diary.sync.fields import RecordSchema
from pain_diary.sync.models import DailyRecord
from pain_diary.sync.registry import RecordType, Registry, registry
from pain_diary.sync.routes import collection_routes
from pain_diary.sync.store import Collection, dated_by
from pain_diary.types import UTCDateTime

from .conftest import Accounts
from .test_care import link


def declare_mood():
    """The mood record type: what a feature package would hold, and its one declaration."""

    class MoodEntry(DailyRecord, _db.Model):
        __tablename__ = "mood_entries_of_the_seam_test"

        felt_at: Mapped[datetime] = _db.mapped_column(UTCDateTime)
        mood: Mapped[int]

    class MoodEntrySchema(RecordSchema):
        felt_at = Instant(required=True, validate=not_in_future)
        mood = Int(1, 5, required=True)
        local_date = fields.Date(dump_only=True)

    moods = Collection(
        "mood-entries", MoodEntry, MoodEntrySchema(), "felt_at", "local_date", dated_by("felt_at"),
        about="One row per mood rating: 1 (low) to 5 (high).",
    )  # fmt: skip
    bp = Blueprint("mood", __name__, url_prefix="/api/v1")
    collection_routes(bp, moods)
    declaration = RecordType(
        "mood",
        collections=(moods,),
    )
    return MoodEntry.__table__, bp, declaration


@pytest.fixture(scope="module")
def mood():
    """Declared while this module runs only: the other tests' database has no such table."""
    table, bp, declaration = declare_mood()
    yield table, bp, declaration
    _db.metadata.remove(table)


@pytest.fixture
def app(migrated, base_config, mood):
    table, bp, declaration = mood
    app = create_app(base_config)
    api.register_blueprint(bp)  # as register_blueprints does for a shipped package
    with app.app_context():
        registry().add(declaration)  # as register_record_types does: the one line
        table.create(_db.engine)
    yield app
    with app.app_context():
        for emptied in reversed(_db.metadata.sorted_tables):
            _db.session.execute(emptied.delete())
        _db.session.commit()
        table.drop(_db.engine)
        _db.engine.dispose()


@pytest.fixture
def accounts(app):
    return Accounts(app)


def test_a_declared_record_type_syncs_exports_and_is_read_by_a_linked_clinician(accounts):
    patient = accounts.signed_in(role="patient")
    clinician = accounts.signed_in(role="clinician")
    record_id = str(uuid.uuid4())
    felt_at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()

    synced = patient.post("/api/v1/sync", json={"operations": [{
        "op": "put", "collection": "mood-entries", "id": record_id,
        "body": {"felt_at": felt_at, "mood": 4},
    }]})  # fmt: skip
    assert synced.status_code == 200, synced.json
    assert synced.json["results"][0]["status"] == 201, synced.json
    refused = patient.post("/api/v1/sync", json={"operations": [{
        "op": "put", "collection": "mood-entries", "id": str(uuid.uuid4()),
        "body": {"felt_at": felt_at, "mood": 9},
    }]})  # fmt: skip
    assert refused.json["results"][0]["status"] == 422
    assert "mood" in refused.json["results"][0]["error"]["fields"]

    exported = patient.get("/api/v1/export?format=json").json
    assert [(e["id"], e["mood"], e["version"]) for e in exported["mood_entries"]] == [
        (record_id, 4, 1)
    ]
    archive = zipfile.ZipFile(io.BytesIO(patient.get("/api/v1/export?format=csv").data))
    rows = list(csv.DictReader(io.StringIO(archive.read("mood_entries.csv").decode("utf-8-sig"))))
    assert [(row["id"], row["mood"]) for row in rows] == [(record_id, "4")]
    assert "One row per mood rating" in archive.read("README.txt").decode()

    path = f"/api/v1/patients/{patient.user.id}/mood-entries"
    assert clinician.get(path).status_code == 404  # not linked yet
    link(patient, clinician)
    read = clinician.get(path)
    assert read.status_code == 200
    assert [item["id"] for item in read.json["items"]] == [record_id]
    trail = patient.get("/api/v1/audit-events").json["items"]
    assert {"mood-entries"} <= {event["resource"] for event in trail}
    # The access log on the Care team page says the read in words the server gives it.
    page = patient.get("/care-team").get_data(as_text=True)
    words = json.loads(
        re.search(r'<script type="application/json" id="words">(.*?)</script>', page)[1]
    )
    assert words["reads"]["mood-entries"] == ["read", "your mood entries"]


def test_the_declared_reminder_kinds_are_the_apis_kinds_in_its_order():
    """A reminder rule's ``kind`` is an enum of the API (reminders.models.KINDS, in the OpenAPI
    document): a record type that declares a reminder must be one of them, and each one must
    have its record type's page and words."""
    declared = [r for t in (PAIN, SLEEP, MEDICATIONS, THERAPY) for r in t.reminders]
    assert tuple(reminder.kind for reminder in declared) == KINDS
    for reminder in declared:
        assert reminder.url.startswith("/today")
        assert reminder.headline(time(20, 0)).startswith("Time ")


def test_a_collection_that_does_not_say_what_its_export_rows_are_is_refused(mood):
    """Every collection is a file of the patient's export: its README must say what a row is."""
    _, _, declaration = mood
    unexplained = replace(declaration.collections[0], about="")
    declared = Registry((), readable_patient=None)
    with pytest.raises(ValueError, match="does not say what its export rows are"):
        declared.add(replace(declaration, collections=(unexplained,)))
    assert declared.record_types == {} and declared.collections == {}
    declared.add(declaration)
    assert list(declared.collections) == ["mood-entries"]
