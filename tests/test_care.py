"""Care team: invitation codes, links, revocation, and the audit trail of clinician reads."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from pain_diary.care.models import AuditEvent, Invitation

from .helpers import recorded_statements


def invite(patient):
    response = patient.post("/api/v1/care-team/invitations")
    assert response.status_code == 201
    return response.json["code"]


def link(patient, clinician):
    response = clinician.post("/api/v1/care-team/links", json={"code": invite(patient)})
    assert response.status_code == 201, response.json
    return response.json


def test_invitation_code_is_eight_unambiguous_characters_valid_72_hours(patient):
    response = patient.post("/api/v1/care-team/invitations").json
    assert len(response["code"]) == 8
    assert not set(response["code"]) & set("01OIL")
    expires = datetime.fromisoformat(response["expires_at"])
    assert timedelta(hours=71, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=72)


def test_redeeming_a_code_links_both_sides(patient, clinician):
    created = link(patient, clinician)
    assert created["patient"]["id"] == patient.user.id
    assert created["clinician"]["id"] == clinician.user.id
    assert [link["id"] for link in patient.get("/api/v1/care-team").json] == [created["id"]]
    assert [link["id"] for link in clinician.get("/api/v1/care-team").json] == [created["id"]]


def test_a_code_works_once(patient, clinician, accounts):
    code = invite(patient)
    assert clinician.post("/api/v1/care-team/links", json={"code": code}).status_code == 201
    other = accounts.signed_in(role="clinician")
    response = other.post("/api/v1/care-team/links", json={"code": code})
    assert response.status_code == 404
    assert response.json["error"]["fields"] == {"code": ["Unknown, used or expired."]}


def test_an_expired_code_is_refused(patient, clinician, app, db):
    code = invite(patient)
    with app.app_context():
        db.session.execute(update(Invitation).values(expires_at=datetime.now(UTC)))
        db.session.commit()
    assert clinician.post("/api/v1/care-team/links", json={"code": code}).status_code == 404


def test_codes_are_read_forgivingly(patient, clinician):
    code = invite(patient)
    spoken = f" {code[:4].lower()}-{code[4:].lower()} "
    assert clinician.post("/api/v1/care-team/links", json={"code": spoken}).status_code == 201


def test_only_the_sha256_of_a_code_is_stored(patient, app, db):
    # The stored form is what invitations issued earlier were stored as, so they still redeem.
    code = invite(patient)
    with app.app_context():
        stored = db.session.scalar(select(Invitation.code_hash))
    assert stored == hashlib.sha256(code.encode()).hexdigest()


def test_only_patients_invite_and_only_clinicians_redeem(patient, clinician):
    assert clinician.post("/api/v1/care-team/invitations").status_code == 403
    code = invite(patient)
    assert patient.post("/api/v1/care-team/links", json={"code": code}).status_code == 403


@pytest.mark.parametrize("config", [{"RATELIMIT_ENABLED": True, "INVITATION_LIMIT": "3 per hour"}])
def test_guessing_codes_is_throttled(clinician, config):
    statuses = [
        clinician.post("/api/v1/care-team/links", json={"code": f"GUESS{n:03d}"}).status_code
        for n in range(4)
    ]
    assert statuses == [404, 404, 404, 429]


@pytest.mark.parametrize("revoker", ["patient", "clinician"])
def test_either_side_revokes_and_reads_stop_at_once(patient, clinician, revoker):
    link_id = link(patient, clinician)["id"]
    assert clinician.get(f"/api/v1/patients/{patient.user.id}/summary").status_code == 200
    side = patient if revoker == "patient" else clinician
    assert side.delete(f"/api/v1/care-team/{link_id}").status_code == 204
    assert clinician.get(f"/api/v1/patients/{patient.user.id}/summary").status_code == 404
    assert clinician.get(f"/api/v1/patients/{patient.user.id}/pain-entries").status_code == 404
    assert patient.get("/api/v1/care-team").json == []


def test_someone_elses_link_cannot_be_revoked(patient, clinician, accounts):
    link_id = link(patient, clinician)["id"]
    stranger = accounts.signed_in(role="patient")
    assert stranger.delete(f"/api/v1/care-team/{link_id}").status_code == 404
    assert len(patient.get("/api/v1/care-team").json) == 1


def test_a_linked_clinician_reads_the_patients_records(patient, clinician):
    link(patient, clinician)
    entry = {"recorded_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(), "intensity": 6}
    created = patient.post("/api/v1/pain-entries", json=entry).json
    listed = clinician.get(f"/api/v1/patients/{patient.user.id}/pain-entries").json
    assert [item["id"] for item in listed["items"]] == [created["id"]]


def test_an_unlinked_clinician_gets_404_as_for_a_missing_patient(patient, clinician):
    assert clinician.get(f"/api/v1/patients/{patient.user.id}/summary").status_code == 404
    missing = "00000000-0000-4000-8000-000000000000"
    assert clinician.get(f"/api/v1/patients/{missing}/summary").status_code == 404


def test_every_clinician_read_writes_one_audit_event(patient, clinician, app, db):
    link(patient, clinician)
    base = f"/api/v1/patients/{patient.user.id}"
    for path in ("/summary", "/pain-entries", "/sleep-entries"):
        assert clinician.get(base + path).status_code == 200
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.at)).all()
        assert [(e.resource, e.outcome, e.action) for e in events] == [
            ("summary", "allowed", "read"),
            ("pain-entries", "allowed", "read"),
            ("sleep-entries", "allowed", "read"),
        ]
        assert {str(e.actor_id) for e in events} == {clinician.user.id}
        assert {str(e.patient_id) for e in events} == {patient.user.id}
        assert all(e.ip == "127.0.0.1" for e in events)


def test_a_refused_read_is_audited_as_denied(patient, clinician, app, db):
    assert clinician.get(f"/api/v1/patients/{patient.user.id}/summary").status_code == 404
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
        assert (event.resource, event.outcome) == ("summary", "denied")


def test_the_patient_sees_who_read_what_and_the_clinician_their_own_reads(
    patient, clinician, accounts
):
    link(patient, clinician)
    clinician.get(f"/api/v1/patients/{patient.user.id}/summary")
    mine = patient.get("/api/v1/audit-events").json
    assert [(e["actor_id"], e["resource"]) for e in mine["items"]] == [
        (clinician.user.id, "summary")
    ]
    assert mine["items"][0]["actor_name"]
    assert mine["next_cursor"] is None
    theirs = clinician.get("/api/v1/audit-events").json["items"]
    assert [e["patient_id"] for e in theirs] == [patient.user.id]
    stranger = accounts.signed_in(role="patient")
    assert stranger.get("/api/v1/audit-events").json == {"items": [], "next_cursor": None}


def test_each_side_pages_its_audit_events_in_index_order_without_sorting_them(
    patient, clinician, app, db
):
    # A clinician's list of patients audits one read per patient: sorting all of a side's
    # events for each page would grow without end. The plan must read an index in order and,
    # on a page a cursor asks for, start in the index where the cursor points (not scan the
    # newer events to skip them).
    link(patient, clinician)
    for _ in range(2):
        assert clinician.get(f"/api/v1/patients/{patient.user.id}/pain-entries").status_code == 200
    with app.app_context():
        engine = db.engine
    for reader in (patient, clinician):
        first = reader.get("/api/v1/audit-events", query_string={"limit": 1}).json
        for query in ({"limit": 1}, {"limit": 1, "cursor": first["next_cursor"]}):
            statement, parameters = _audit_list_statement(engine, reader, query)
            plan = _query_plan(engine, statement, parameters)
            if engine.dialect.name == "postgresql":
                assert not any("Sort" in line for line in plan), plan
                from_the_cursor = [line for line in plan if "Index Cond" in line]
                seek = "ROW(at, id) <"
            else:
                assert not any("TEMP B-TREE" in line for line in plan), plan
                from_the_cursor = [line for line in plan if "SEARCH audit_events" in line]
                seek = "(at,id)<"
            if "cursor" in query:
                assert any(seek in line for line in from_the_cursor), plan


def _query_plan(engine, statement, parameters):
    """The lines of the database's plan for ``statement``."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # Tiny tables are scanned whole; forbid that to see which index would serve.
            connection.exec_driver_sql("SET enable_seqscan = off")
            plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
            lines = [line for (line,) in plan]
        else:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            lines = [row[-1] for row in plan]
        connection.rollback()
    return lines


def _audit_list_statement(engine, reader, query):
    """The one SELECT of audit events that the reader's GET /audit-events runs, and its values."""
    with recorded_statements(engine) as statements:
        response = reader.get("/api/v1/audit-events", query_string=query)
        assert len(response.json["items"]) == 1
    [(statement, parameters)] = [run for run in statements if "FROM audit_events" in run[0]]
    return statement, parameters


def _audit_events_of(app, db, patient, clinician, count):
    """Write ``count`` allowed reads, three to an instant, so pages end inside a tie of ``at``."""
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    patient, clinician = uuid.UUID(patient), uuid.UUID(clinician)
    rows = [
        {"id": uuid.uuid4(), "at": start + timedelta(seconds=n // 3), "actor_id": clinician,
         "patient_id": patient, "action": "read", "resource": f"summary-{n}",
         "outcome": "allowed", "ip": "127.0.0.1"}
        for n in range(count)
    ]  # fmt: skip
    with app.app_context():
        db.session.execute(insert(AuditEvent), rows)
        db.session.commit()
    return [row["id"] for row in sorted(rows, key=lambda r: (r["at"], r["id"]), reverse=True)]


@pytest.mark.parametrize("side", ["patient", "clinician"])
def test_audit_events_page_by_cursor_newest_first_each_event_once(
    patient, clinician, app, db, side
):
    newest_first = _audit_events_of(app, db, patient.user.id, clinician.user.id, 250)
    reader = patient if side == "patient" else clinician
    pages, query = [], {"limit": 100}
    while True:
        response = reader.get("/api/v1/audit-events", query_string=query)
        assert response.status_code == 200, response.json
        pages.append(response.json)
        if response.json["next_cursor"] is None:
            break
        query["cursor"] = response.json["next_cursor"]
    assert [len(page["items"]) for page in pages] == [100, 100, 50]
    assert [page["next_cursor"] is None for page in pages] == [False, False, True]
    seen = [uuid.UUID(event["id"]) for page in pages for event in page["items"]]
    assert seen == newest_first


def test_audit_events_default_to_pages_of_100(patient, clinician, app, db):
    _audit_events_of(app, db, patient.user.id, clinician.user.id, 101)
    page = patient.get("/api/v1/audit-events").json
    assert len(page["items"]) == 100
    assert page["next_cursor"] is not None


def test_a_cursor_pages_within_before(patient, clinician, app, db):
    newest_first = _audit_events_of(app, db, patient.user.id, clinician.user.id, 9)
    # Events 0-2 are at 12:00:00, 3-5 at 12:00:01, 6-8 at 12:00:02: before 12:00:02 leaves six.
    query = {"before": "2026-03-01T13:00:02+01:00", "limit": 4}
    first = patient.get("/api/v1/audit-events", query_string=query).json
    second = patient.get(
        "/api/v1/audit-events", query_string={**query, "cursor": first["next_cursor"]}
    ).json
    assert [e["id"] for e in first["items"] + second["items"]] == [
        str(event_id) for event_id in newest_first[3:]
    ]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    "cursor",
    ["not-a-cursor", "W10", "WyJ5ZXN0ZXJkYXkiLCAieCJd", "", "\u00e9"],
    ids=["not-base64-json", "empty-list", "not-an-instant", "empty", "not-ascii"],
)
def test_a_malformed_audit_cursor_answers_422_naming_cursor(patient, cursor):
    response = patient.get("/api/v1/audit-events", query_string={"cursor": cursor})
    assert response.status_code == 422, response.json
    assert response.json == {
        "error": {
            "status": 422,
            "code": "validation_error",
            "message": "The cursor is not one this server gave.",
            "fields": {"cursor": ["Invalid cursor."]},
        }
    }


def test_audit_events_cannot_be_changed_or_deleted_through_the_api(app):
    audit_routes = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert [sorted(r.methods - {"HEAD", "OPTIONS"}) for r in audit_routes] == [["GET"]]


@pytest.mark.parametrize(
    ("before", "status"),
    [
        ("2026-01-01T00:00:00", 422),
        ("0001-01-01T00:00:00+00:01", 422),
        ("2026-01-01T00:00:00+02:00", 200),
    ],
)
def test_audit_paging_takes_an_instant_with_its_offset(patient, before, status):
    response = patient.get("/api/v1/audit-events", query_string={"before": before})
    assert response.status_code == status
    if status == 422:
        assert list(response.json["error"]["fields"]) == ["before"]
