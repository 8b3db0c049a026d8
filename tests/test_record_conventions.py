"""The conventions every diary collection shares (DESIGN.md §3).

Idempotent PUT by client UUID, versions, tombstones, ownership, roles, lists and paging; each
rule is checked on pain entries and, where it is generic, on sleep entries, therapy sessions and
procedures.
"""

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from pain_diary.procedures.models import Procedure
from pain_diary.records.models import PainEntry, SleepEntry, TherapySession

API = "/api/v1"
FIRST_DAY = date(2024, 3, 1)
# Times are written the way a phone in Berlin writes them, with its own offset.
CET = timezone(timedelta(hours=1))


def pain_entry(n=0, **changes):
    """The n-th pain entry: 10:00 in Berlin on the n-th day after FIRST_DAY."""
    recorded_at = datetime(2024, 3, 1, 10, 0, tzinfo=CET) + timedelta(days=n)
    return {"recorded_at": recorded_at.isoformat(), "intensity": 4, **changes}


def therapy_session(n=0, **changes):
    """The n-th therapy session: 19:00 in Berlin on the n-th day after FIRST_DAY."""
    started_at = datetime(2024, 3, 1, 19, 0, tzinfo=CET) + timedelta(days=n)
    return {
        "modality": "mindfulness",
        "started_at": started_at.isoformat(),
        "duration_minutes": 15,
        **changes,
    }


def procedure(n=0, **changes):
    """The n-th procedure: a nerve block at 09:00 in Berlin on the n-th day after FIRST_DAY."""
    performed_at = datetime(2024, 3, 1, 9, 0, tzinfo=CET) + timedelta(days=n)
    return {"kind": "nerve_block", "performed_at": performed_at.isoformat(), **changes}


def sleep_entry(n=0, **changes):
    """The n-th night after FIRST_DAY: in bed 23:00, up at 07:00 (Berlin)."""
    evening = datetime(2024, 3, 1, 23, 0, tzinfo=CET) + timedelta(days=n)
    return {
        "night_of": (FIRST_DAY + timedelta(days=n)).isoformat(),
        "in_bed_at": evening.isoformat(),
        "tried_to_sleep_at": (evening + timedelta(minutes=15)).isoformat(),
        "final_awakening_at": (evening + timedelta(hours=7, minutes=45)).isoformat(),
        "out_of_bed_at": (evening + timedelta(hours=8)).isoformat(),
        "sleep_latency_minutes": 15,
        "wake_after_sleep_onset_minutes": 30,
        **changes,
    }


@dataclass(frozen=True)
class Kind:
    """A collection, how to make its n-th record (on local date FIRST_DAY + n) and edit one."""

    name: str
    model: type
    make: object
    edit: dict = field(default_factory=dict)
    invalid: dict = field(default_factory=dict)

    @property
    def url(self):
        return f"{API}/{self.name}"

    def item(self, record_id):
        return f"{self.url}/{record_id}"


PAIN = Kind("pain-entries", PainEntry, pain_entry, {"intensity": 8}, {"intensity": 11})
SLEEP = Kind("sleep-entries", SleepEntry, sleep_entry, {"quality": 5}, {"quality": 6})
THERAPY = Kind(
    "therapy-sessions",
    TherapySession,
    therapy_session,
    {"duration_minutes": 45},
    {"pain_after": 11},
)
PROCEDURES = Kind(
    "procedures", Procedure, procedure, {"level": "L5-S1"}, {"reported_relief_percent": 101}
)
KINDS = [PAIN, SLEEP, THERAPY, PROCEDURES]


@pytest.fixture(params=KINDS, ids=lambda kind: kind.name)
def kind(request):
    return request.param


def assert_error(response, status, code):
    """An answer in the one error shape."""
    assert response.status_code == status, response.json
    error = response.json["error"]
    assert error["status"] == status
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error


def assert_invalid(response, field):
    error = assert_error(response, 422, "validation_error")
    assert list(error["fields"]) == [field], error["fields"]
    assert error["fields"][field] and all(isinstance(m, str) for m in error["fields"][field])


def row_count(app, db, model, record_id=None):
    with app.app_context():
        query = select(func.count()).select_from(model)
        if record_id is not None:
            query = query.where(model.id == uuid.UUID(str(record_id)))
        return db.session.scalar(query)


def owner_of(app, db, model, record_id):
    with app.app_context():
        return str(db.session.scalar(select(model.patient_id).where(model.id == record_id)))


# Creating -----------------------------------------------------------------------------------


def test_post_without_an_id_gets_a_server_uuid(patient, kind):
    response = patient.post(kind.url, json=kind.make())
    assert response.status_code == 201, response.json
    record = response.json
    assert uuid.UUID(record["id"])
    assert record["version"] == 1
    assert patient.get(kind.item(record["id"])).json == record


def test_post_with_a_client_id_keeps_that_id(patient, kind):
    record_id = str(uuid.uuid4())
    response = patient.post(kind.url, json={**kind.make(), "id": record_id})
    assert response.status_code == 201, response.json
    assert response.json["id"] == record_id
    assert patient.get(kind.item(record_id)).status_code == 200


def test_replayed_post_with_a_client_id_creates_one_row(app, db, patient, kind):
    body = {**kind.make(), "id": str(uuid.uuid4())}
    first = patient.post(kind.url, json=body)
    replay = patient.post(kind.url, json=body)
    assert first.status_code == 201, first.json
    assert replay.status_code == 200, replay.json
    assert replay.json == first.json
    assert row_count(app, db, kind.model) == 1


def test_replayed_put_creates_one_row(app, db, patient, kind):
    record_id = str(uuid.uuid4())
    created = patient.put(kind.item(record_id), json=kind.make())
    replay = patient.put(kind.item(record_id), json=kind.make())
    assert created.status_code == 201, created.json
    assert replay.status_code == 200, replay.json
    assert replay.json == created.json
    assert replay.json["id"] == record_id
    assert replay.json["version"] == 1
    assert row_count(app, db, kind.model) == 1


def test_a_changed_put_bumps_the_version(patient, kind):
    record_id = str(uuid.uuid4())
    created = patient.put(kind.item(record_id), json=kind.make()).json
    changed = patient.put(kind.item(record_id), json=kind.make(**kind.edit))
    assert changed.status_code == 200, changed.json
    assert changed.json["version"] == 2
    for name, value in kind.edit.items():
        assert changed.json[name] == value
    assert changed.json["created_at"] == created["created_at"]
    updated_at = datetime.fromisoformat(changed.json["updated_at"])
    assert updated_at > datetime.fromisoformat(created["updated_at"])
    assert patient.get(kind.item(record_id)).json == changed.json
    again = patient.put(kind.item(record_id), json=kind.make())
    assert again.json["version"] == 3


def test_put_replaces_the_whole_record(patient, kind):
    record_id = str(uuid.uuid4())
    patient.put(kind.item(record_id), json=kind.make(note="Left out next time."))
    replaced = patient.put(kind.item(record_id), json=kind.make())
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["note"] is None
    assert replaced.json["version"] == 2


# Versions -----------------------------------------------------------------------------------


def test_put_with_the_current_version_applies(patient, kind):
    record_id = str(uuid.uuid4())
    patient.put(kind.item(record_id), json=kind.make())
    response = patient.put(kind.item(record_id), json={**kind.make(**kind.edit), "version": 1})
    assert response.status_code == 200, response.json
    assert response.json["version"] == 2


def test_put_with_a_stale_version_answers_409_with_the_stored_record(patient, kind):
    record_id = str(uuid.uuid4())
    patient.put(kind.item(record_id), json=kind.make())
    stored = patient.put(kind.item(record_id), json={**kind.make(**kind.edit), "version": 1}).json
    stale = patient.put(kind.item(record_id), json={**kind.make(note="Mine!"), "version": 1})
    error = assert_error(stale, 409, "version_conflict")
    assert error["current"] == stored
    assert patient.get(kind.item(record_id)).json == stored


def test_put_without_a_version_is_last_write_wins(patient):
    record_id = str(uuid.uuid4())
    patient.put(PAIN.item(record_id), json=pain_entry())
    patient.put(PAIN.item(record_id), json={**pain_entry(intensity=6), "version": 1})
    response = patient.put(PAIN.item(record_id), json=pain_entry(intensity=2))
    assert response.status_code == 200, response.json
    assert response.json["intensity"] == 2
    assert response.json["version"] == 3


def test_a_replayed_versioned_put_is_still_a_replay(patient):
    # An offline queue may send the same edit twice; the second must not look like a conflict.
    record_id = str(uuid.uuid4())
    patient.put(PAIN.item(record_id), json=pain_entry())
    edit = {**pain_entry(intensity=6), "version": 1}
    applied = patient.put(PAIN.item(record_id), json=edit)
    replay = patient.put(PAIN.item(record_id), json=edit)
    assert replay.status_code == 200, replay.json
    assert replay.json == applied.json
    assert replay.json["version"] == 2


# Ids ----------------------------------------------------------------------------------------


def test_a_body_id_differing_from_the_url_is_refused(app, db, patient, kind):
    url_id, body_id = str(uuid.uuid4()), str(uuid.uuid4())
    response = patient.put(kind.item(url_id), json={**kind.make(), "id": body_id})
    assert_invalid(response, "id")
    assert row_count(app, db, kind.model) == 0


def test_a_put_to_an_id_that_is_not_a_uuid_is_not_found(patient):
    response = patient.put(f"{PAIN.url}/not-a-uuid", json=pain_entry())
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("method", ["get", "delete"])
def test_an_id_that_never_existed_is_not_found(patient, kind, method):
    response = getattr(patient, method)(kind.item(uuid.uuid4()))
    assert_error(response, 404, "not_found")


# Deleting -----------------------------------------------------------------------------------


def test_delete_answers_204_and_again_204(app, db, patient, kind):
    record_id = patient.post(kind.url, json=kind.make()).json["id"]
    first = patient.delete(kind.item(record_id))
    again = patient.delete(kind.item(record_id))
    assert first.status_code == 204 and first.data == b""
    assert again.status_code == 204
    assert row_count(app, db, kind.model) == 0
    assert patient.get(kind.url).json["items"] == []


def test_a_deleted_record_is_gone(patient, kind):
    record_id = patient.post(kind.url, json=kind.make()).json["id"]
    patient.delete(kind.item(record_id))
    assert_error(patient.get(kind.item(record_id)), 410, "gone")


def test_a_replayed_put_after_delete_brings_nothing_back(app, db, patient, kind):
    record_id = str(uuid.uuid4())
    patient.put(kind.item(record_id), json=kind.make())
    patient.delete(kind.item(record_id))
    assert_error(patient.put(kind.item(record_id), json=kind.make()), 410, "gone")
    replayed_post = patient.post(kind.url, json={**kind.make(), "id": record_id})
    assert_error(replayed_post, 410, "gone")
    assert row_count(app, db, kind.model) == 0
    assert_error(patient.get(kind.item(record_id)), 410, "gone")
    assert patient.get(kind.url).json["items"] == []


# Someone else's records ---------------------------------------------------------------------


@pytest.fixture
def other_patient(accounts):
    return accounts.signed_in(role="patient")


def test_another_patients_record_is_not_found_by_get(patient, other_patient, kind):
    record_id = other_patient.post(kind.url, json=kind.make()).json["id"]
    assert_error(patient.get(kind.item(record_id)), 404, "not_found")


def test_another_patients_record_is_not_taken_over_by_put(app, db, patient, other_patient, kind):
    theirs = other_patient.post(kind.url, json=kind.make()).json
    response = patient.put(kind.item(theirs["id"]), json=kind.make(**kind.edit))
    assert_error(response, 404, "not_found")
    assert other_patient.get(kind.item(theirs["id"])).json == theirs
    assert owner_of(app, db, kind.model, uuid.UUID(theirs["id"])) == other_patient.user.id
    assert patient.get(kind.url).json["items"] == []


def test_another_patients_record_is_not_deleted(app, db, patient, other_patient, kind):
    theirs = other_patient.post(kind.url, json=kind.make()).json
    assert_error(patient.delete(kind.item(theirs["id"])), 404, "not_found")
    assert other_patient.get(kind.item(theirs["id"])).json == theirs


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_another_patients_deleted_record_looks_like_none_at_all(patient, other_patient, method):
    record_id = other_patient.post(PAIN.url, json=pain_entry()).json["id"]
    other_patient.delete(PAIN.item(record_id))
    response = getattr(patient, method)(PAIN.item(record_id), json=pain_entry())
    assert_error(response, 404, "not_found")


def test_the_list_holds_only_your_own_records(patient, other_patient, kind):
    mine = patient.post(kind.url, json=kind.make()).json
    other_patient.post(kind.url, json=kind.make(1))
    assert patient.get(kind.url).json["items"] == [mine]


# Who may call -------------------------------------------------------------------------------

REQUESTS = [
    ("get", ""),
    ("post", ""),
    ("get", "/{id}"),
    ("put", "/{id}"),
    ("delete", "/{id}"),
]


@pytest.mark.parametrize("kind", [PAIN, THERAPY], ids=lambda kind: kind.name)
@pytest.mark.parametrize(("method", "path"), REQUESTS)
def test_a_clinician_cannot_use_the_patient_routes(app, db, clinician, kind, method, path):
    url = kind.url + path.format(id=uuid.uuid4())
    response = getattr(clinician, method)(url, json=kind.make())
    assert_error(response, 403, "forbidden")
    assert row_count(app, db, kind.model) == 0


@pytest.mark.parametrize("kind", [PAIN, SLEEP], ids=lambda kind: kind.name)
@pytest.mark.parametrize(("method", "path"), REQUESTS)
def test_an_anonymous_caller_must_sign_in(app, db, client, kind, method, path):
    url = kind.url + path.format(id=uuid.uuid4())
    response = getattr(client, method)(url, json=kind.make())
    assert_error(response, 401, "unauthorized")
    assert row_count(app, db, kind.model) == 0


def test_a_bearer_token_writes_without_a_csrf_header(app, accounts):
    user = accounts.create(role="patient")
    headers = {"Authorization": f"Bearer {accounts.token(user)}"}
    response = app.test_client().post(PAIN.url, json=pain_entry(), headers=headers)
    assert response.status_code == 201, response.json


def test_a_cookie_write_without_the_csrf_header_is_refused(app, db, patient):
    del patient.environ_base["HTTP_X_CSRFTOKEN"]
    assert_error(patient.post(PAIN.url, json=pain_entry()), 403, "csrf_failed")
    assert row_count(app, db, PainEntry) == 0


# Lists --------------------------------------------------------------------------------------


def day(n):
    return (FIRST_DAY + timedelta(days=n)).isoformat()


def local_dates(response, kind):
    assert response.status_code == 200, response.json
    column = "night_of" if kind is SLEEP else "local_date"
    return [item[column] for item in response.json["items"]]


def test_the_list_filters_by_inclusive_local_dates(patient, kind):
    for n in range(5):
        assert patient.post(kind.url, json=kind.make(n)).status_code == 201
    between = patient.get(kind.url, query_string={"from": day(1), "to": day(3)})
    assert local_dates(between, kind) == [day(3), day(2), day(1)]
    one_day = patient.get(kind.url, query_string={"from": day(2), "to": day(2)})
    assert local_dates(one_day, kind) == [day(2)]
    since = patient.get(kind.url, query_string={"from": day(3)})
    assert local_dates(since, kind) == [day(4), day(3)]
    until = patient.get(kind.url, query_string={"to": day(1)})
    assert local_dates(until, kind) == [day(1), day(0)]


def test_the_list_filters_by_the_patients_date_not_the_utc_date(patient):
    # 23:30 UTC on 9 March is 00:30 on 10 March in Berlin.
    patient.post(PAIN.url, json=pain_entry(recorded_at="2024-03-09T23:30:00Z"))
    tenth = patient.get(PAIN.url, query_string={"from": "2024-03-10", "to": "2024-03-10"})
    ninth = patient.get(PAIN.url, query_string={"from": "2024-03-09", "to": "2024-03-09"})
    assert local_dates(tenth, PAIN) == ["2024-03-10"]
    assert local_dates(ninth, PAIN) == []


@pytest.mark.parametrize("kind", [PAIN, SLEEP], ids=lambda kind: kind.name)
def test_to_before_from_is_refused(patient, kind):
    response = patient.get(kind.url, query_string={"from": "2024-03-10", "to": "2024-03-09"})
    assert_invalid(response, "to")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "2.5"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"from": "2024-13-01"}, "from"),
        ({"to": "tomorrow"}, "to"),
    ],
)
def test_a_bad_list_query_names_the_parameter(patient, query, field):
    assert_invalid(patient.get(PAIN.url, query_string=query), field)


@pytest.mark.parametrize("limit", ["1", "500"])
def test_limits_from_1_to_500_are_accepted(patient, limit):
    patient.post(PAIN.url, json=pain_entry(0))
    patient.post(PAIN.url, json=pain_entry(1))
    response = patient.get(PAIN.url, query_string={"limit": limit})
    assert response.status_code == 200, response.json
    assert len(response.json["items"]) == min(int(limit), 2)
    assert (response.json["next_cursor"] is None) == (limit == "500")


def test_the_default_page_holds_100_records(app, db, patient):
    with app.app_context():
        for n in range(101):
            recorded_at = datetime(2024, 3, 1, tzinfo=UTC) + timedelta(minutes=n)
            db.session.add(
                PainEntry(
                    patient_id=uuid.UUID(patient.user.id),
                    recorded_at=recorded_at,
                    local_date=recorded_at.date(),
                    intensity=3,
                )
            )
        db.session.commit()
    page = patient.get(PAIN.url).json
    assert len(page["items"]) == 100
    assert page["next_cursor"]
    rest = patient.get(PAIN.url, query_string={"cursor": page["next_cursor"]}).json
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None


def read_all_pages(client, url, limit):
    pages, cursor = [], None
    while True:
        query = {"limit": limit} if cursor is None else {"limit": limit, "cursor": cursor}
        response = client.get(url, query_string=query)
        assert response.status_code == 200, response.json
        pages.append(response.json["items"])
        cursor = response.json["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 10, "the cursor does not advance"


def test_paging_by_3_through_7_records_newest_first(patient, kind):
    order = [3, 0, 6, 1, 5, 2, 4]  # created out of order: the list sorts, not the insert
    created = {n: patient.post(kind.url, json=kind.make(n)).json for n in order}
    pages = read_all_pages(patient, kind.url, 3)
    assert [len(page) for page in pages] == [3, 3, 1]
    items = [item for page in pages for item in page]
    assert items == [created[n] for n in range(6, -1, -1)]


def test_paging_through_entries_logged_at_the_same_instant(patient):
    ids = {patient.post(PAIN.url, json=pain_entry()).json["id"] for _ in range(7)}
    pages = read_all_pages(patient, PAIN.url, 3)
    assert [len(page) for page in pages] == [3, 3, 1]
    seen = [item["id"] for page in pages for item in page]
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == ids


def forged(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("kind", [PAIN, SLEEP], ids=lambda kind: kind.name)
@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("not-a-cursor", id="garbage"),
        pytest.param("!!!!", id="not-base64"),
        pytest.param(forged(["2024-03-01T09:00:00+00:00"]), id="one-part"),
        pytest.param(forged(["2024-03-01", "not-a-uuid"]), id="bad-id"),
        pytest.param(forged(["yesterday", str(uuid.uuid4())]), id="bad-position"),
        pytest.param(forged({"after": 3}), id="an-object"),
        pytest.param(forged(None), id="null"),
        pytest.param("A" * 201, id="too-long"),
    ],
)
def test_a_forged_cursor_is_refused(patient, kind, cursor):
    patient.post(kind.url, json=kind.make())
    assert_invalid(patient.get(kind.url, query_string={"cursor": cursor}), "cursor")


# Bad requests lose nothing ------------------------------------------------------------------


def test_a_refused_put_leaves_the_stored_record_unchanged(patient, kind):
    record_id = str(uuid.uuid4())
    stored = patient.put(kind.item(record_id), json=kind.make()).json
    refused = patient.put(kind.item(record_id), json=kind.make(note="lost?", **kind.invalid))
    assert refused.status_code == 422, refused.json
    assert patient.get(kind.item(record_id)).json == stored


def test_a_refused_post_stores_nothing(app, db, patient, kind):
    response = patient.post(kind.url, json=kind.make(**kind.invalid))
    assert response.status_code == 422, response.json
    assert row_count(app, db, kind.model) == 0


def test_a_record_sent_back_as_read_is_accepted_and_server_fields_are_ignored(patient):
    entry_id = str(uuid.uuid4())
    stored = patient.put(f"{API}/pain-entries/{entry_id}", json=pain_entry()).json
    forged = {**stored, "local_date": "1999-01-01", "created_at": "1999-01-01T00:00:00+00:00"}
    replay = patient.put(f"{API}/pain-entries/{entry_id}", json=forged)
    assert replay.status_code == 200
    assert replay.json == stored
    edited = patient.put(f"{API}/pain-entries/{entry_id}", json={**stored, "intensity": 9})
    assert (edited.json["version"], edited.json["local_date"]) == (2, stored["local_date"])


@pytest.mark.parametrize(
    ("recorded_at", "status"),
    [("1900-01-01T00:30:00+01:00", 422), ("1900-01-01T01:30:00+01:00", 201)],
)
def test_an_instant_must_be_in_range_in_utc_too_so_it_can_be_sent_back(
    patient, recorded_at, status
):
    # 1900-01-01T00:30+01:00 reads back as 1899-12-31T23:30Z, which could not be sent again.
    entry_id = str(uuid.uuid4())
    body = {**pain_entry(), "recorded_at": recorded_at}
    response = patient.put(f"{API}/pain-entries/{entry_id}", json=body)
    assert response.status_code == status, response.json
    if status == 201:
        assert patient.put(f"{API}/pain-entries/{entry_id}", json=response.json).status_code == 200
    else:
        assert response.json["error"]["fields"] == {
            "recorded_at": ["Must be between the years 1900 and 2199."]
        }


@pytest.mark.parametrize(
    ("before", "status"), [("2199-12-31T23:30:00-01:00", 422), ("2199-12-31T22:30:00-01:00", 200)]
)
def test_the_last_instant_accepted_is_in_2199_in_utc_too(patient, before, status):
    response = patient.get(f"{API}/audit-events", query_string={"before": before})
    assert response.status_code == status
