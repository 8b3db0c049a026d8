"""Care team: invitation codes, links, revocation, and the audit trail of clinician reads."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

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
    assert [(e["actor_id"], e["resource"]) for e in mine] == [(clinician.user.id, "summary")]
    assert mine[0]["actor_name"]
    assert [e["patient_id"] for e in clinician.get("/api/v1/audit-events").json] == [
        patient.user.id
    ]
    stranger = accounts.signed_in(role="patient")
    assert stranger.get("/api/v1/audit-events").json == []


def test_each_side_pages_its_audit_events_in_index_order_without_sorting_them(
    patient, clinician, app, db
):
    # A clinician's list of patients audits one read per patient: sorting all of a side's
    # events for each page would grow without end. The plan must read an index in order.
    link(patient, clinician)
    assert clinician.get(f"/api/v1/patients/{patient.user.id}/summary").status_code == 200
    with app.app_context():
        engine = db.engine
    for reader in (patient, clinician):
        statement, parameters = _audit_list_statement(engine, reader)
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                # Tiny tables are scanned whole; forbid that to see which index would serve.
                connection.exec_driver_sql("SET enable_seqscan = off")
                plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
                assert not any("Sort" in line for (line,) in plan), plan
            else:
                plan = connection.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {statement}", parameters
                ).all()
                assert not any("TEMP B-TREE" in row[-1] for row in plan), plan
            connection.rollback()


def _audit_list_statement(engine, reader):
    """The one SELECT of audit events that the reader's GET /audit-events runs, and its values."""
    with recorded_statements(engine) as statements:
        assert len(reader.get("/api/v1/audit-events").json) == 1
    [(statement, parameters)] = [run for run in statements if "FROM audit_events" in run[0]]
    return statement, parameters


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
