"""Hostile input answers 4xx in the error shape at the edge; health data is never cached."""

import json
import uuid

import pytest

from .helpers import assert_invalid

PAIN = {"recorded_at": "2026-01-01T10:00:00+00:00", "intensity": 5}
JSON = {"Content-Type": "application/json"}
NEW_PATIENT = {"email": "new@example.org", "password": "a long passphrase 7", "display_name": "N"}


def assert_error(response, status, code, fields):
    """The one error shape, naming exactly ``fields``."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert isinstance(error["message"], str) and error["message"]
    if fields is None:
        assert "fields" not in error
    else:
        assert sorted(error["fields"]) == sorted(fields), error["fields"]
    return error


def put_text(client, path, text):
    """Send ``text`` as the JSON body exactly as written (escapes and all)."""
    return client.put(path, data=text, headers=JSON)


def pain_path():
    return f"/api/v1/pain-entries/{uuid.uuid4()}"


# Nesting ----------------------------------------------------------------------------------

DEEP_ARRAYS = "[" * 100_000 + "]" * 100_000
DEEP_OBJECTS = '{"a":' * 100_000 + "1" + "}" * 100_000


@pytest.mark.parametrize("deep", [DEEP_ARRAYS, DEEP_OBJECTS], ids=["arrays", "objects"])
def test_a_body_nested_100000_levels_deep_is_a_400(patient, deep):
    error = assert_error(put_text(patient, pain_path(), deep), 400, "bad_request", ["body"])
    assert "nested deeper" in error["message"]


@pytest.mark.parametrize("deep", [DEEP_ARRAYS, DEEP_OBJECTS], ids=["arrays", "objects"])
def test_a_sync_operation_body_nested_deep_is_a_400(patient, deep):
    operation = '{"op": "put", "collection": "pain-entries", "id": "%s", "body": %s}'
    body = '{"operations": [%s]}' % (operation % (uuid.uuid4(), deep))
    response = patient.post("/api/v1/sync", data=body, headers=JSON)
    assert_error(response, 400, "bad_request", ["body"])


@pytest.mark.parametrize("config", [{"RATELIMIT_ENABLED": True}])
def test_a_deep_body_is_a_400_before_sign_in_too(client, config):
    response = client.post("/api/v1/auth/login", data=DEEP_ARRAYS, headers=JSON)
    assert_error(response, 400, "bad_request", ["body"])


def test_thirty_two_levels_reach_the_view_and_thirty_three_do_not(patient):
    def tags(levels):  # ``levels`` arrays and objects, the pain entry itself the first
        return json.dumps({**PAIN, "tags": json.loads("[" * (levels - 1) + "]" * (levels - 1))})

    refused = put_text(patient, pain_path(), tags(33))
    assert "nested deeper than 32" in assert_error(refused, 400, "bad_request", ["body"])["message"]
    assert_invalid(put_text(patient, pain_path(), tags(32)), "tags.0")


# Text that is not Unicode scalar values -----------------------------------------------------

THERAPY = {"modality": "vr", "started_at": "2026-01-01T10:00:00+00:00", "duration_minutes": 20}
MEDICATION = {
    "name": "Ibuprofen",
    "dose_amount": 400,
    "dose_unit": "mg",
    "start_date": "2026-01-01",
}


def lone(record):
    """``record`` as JSON text, each ``<lone>`` written as the escape of a lone surrogate."""
    return json.dumps(record).replace("<lone>", "\\ud800")


def test_a_lone_surrogate_in_a_pain_entry_is_refused_and_never_stored(patient):
    tags = lone({**PAIN, "tags": ["ok", "<lone>"]})
    error = assert_error(put_text(patient, pain_path(), tags), 422, "validation_error", ["tags.1"])
    assert "Unicode" in error["message"]
    note = json.dumps({**PAIN, "note": "pain <low> after"}).replace("<low>", "\\udfff")
    assert_invalid(put_text(patient, pain_path(), note), "note")
    assert patient.get("/api/v1/export?format=csv").status_code == 200
    # A valid pair is one character; an escaped backslash before "ud800" is plain text.
    pair = json.dumps({**PAIN, "note": "\U0001f62b", "tags": ["\\ud800 as text"]})
    assert "\\ud83d\\ude2b" in pair
    stored = put_text(patient, pain_path(), pair)
    assert stored.status_code == 201, stored.json
    assert (stored.json["note"], stored.json["tags"]) == ("\U0001f62b", ["\\ud800 as text"])


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("put", "/api/v1/medications/{id}", {**MEDICATION, "name": "Ibu<lone>"}, "name"),
        ("put", "/api/v1/therapy-sessions/{id}", {**THERAPY, "program": "<lone>"}, "program"),
        ("patch", "/api/v1/me", {"display_name": "Ann<lone>"}, "display_name"),
        ("post", "/api/v1/auth/tokens", {"name": "<lone>"}, "name"),
        ("post", "/api/v1/sync", {"operations": [{"op": "put", "collection": "pain-entries",
         "id": str(uuid.uuid4()), "body": {**PAIN, "tags": ["<lone>"]}}]},
         "operations.0.body.tags.0"),
        ("put", "/api/v1/pain-entries/{id}", {**PAIN, "body_sites": [{"<lone>": "knee"}]},
         "body_sites.0"),
        ("put", "/api/v1/pain-entries/{id}", {**PAIN, "x<lone>y": 1}, "body"),
    ],
)  # fmt: skip
def test_a_lone_surrogate_anywhere_in_a_body_is_refused(patient, method, path, body, field):
    send = getattr(patient, method)
    assert_invalid(send(path.format(id=uuid.uuid4()), data=lone(body), headers=JSON), field)


def test_a_lone_surrogate_in_an_invitation_code_is_refused(clinician):
    body = lone({"code": "ABCD<lone>"})
    assert_invalid(clinician.post("/api/v1/care-team/links", data=body, headers=JSON), "code")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/auth/login", {"email": "<lone>@example.org", "password": "x"}, "email"),
        ("/api/v1/auth/register", {**NEW_PATIENT, "display_name": "<lone>"}, "display_name"),
        ("/api/v1/auth/register", {**NEW_PATIENT, "role": "clinician", "clinician_code": "<lone>"},
         "clinician_code"),
    ],
)  # fmt: skip
def test_a_lone_surrogate_is_refused_before_sign_in(client, path, body, field):
    assert_invalid(client.post(path, data=lone(body), headers=JSON), field)


def test_a_nul_in_a_query_parameters_name_is_refused(patient):
    response = patient.get("/api/v1/pain-entries", query_string={"a\x00b": "1"})
    assert_invalid(response, "query")


# Numbers ------------------------------------------------------------------------------------


def test_an_integer_of_5000_digits_is_refused_by_name(patient):
    body = json.dumps(PAIN).replace('"intensity": 5', '"intensity": ' + "9" * 5000)
    error = assert_error(
        put_text(patient, pain_path(), body), 422, "validation_error", ["intensity"]
    )
    assert error["fields"]["intensity"] == ["Integers must have at most 100 digits."]
    negative = body.replace('"intensity": 9', '"intensity": -9')
    assert_invalid(put_text(patient, pain_path(), negative), "intensity")


def test_integers_up_to_100_digits_reach_the_schema(patient):
    body = json.dumps(PAIN).replace('"intensity": 5', '"intensity": ' + "9" * 101)
    too_long = put_text(patient, pain_path(), body)
    assert too_long.json["error"]["fields"]["intensity"] == [
        "Integers must have at most 100 digits."
    ]
    readable = put_text(patient, pain_path(), body.replace("9" * 101, "9" * 100))
    assert readable.json["error"]["fields"]["intensity"] == ["Must be between 0 and 10."]


def test_a_long_integer_in_a_sync_operation_is_refused_by_name(patient):
    operation = {"op": "put", "collection": "pain-entries", "id": str(uuid.uuid4()), "body": PAIN}
    body = json.dumps({"operations": [operation]}).replace(
        '"intensity": 5', '"intensity": 1' + "0" * 5000
    )
    response = patient.post("/api/v1/sync", data=body, headers=JSON)
    assert_invalid(response, "operations.0.body.intensity")


def test_a_long_integer_in_a_body_that_is_not_json_is_a_400(patient):
    response = put_text(patient, pain_path(), '{"intensity": ' + "9" * 5000 + ", oops")
    assert_error(response, 400, "bad_request", ["body"])


# Signing up, tokens, time zones, exports ----------------------------------------------------


@pytest.mark.parametrize("code", ["\\u00e9\\u20ac\\u009d", "\\ud9b4\\ude42\\u009d", "é€\\u009d"])
def test_a_clinician_code_beyond_ascii_is_a_wrong_code(client, code):
    """JSON text as written: escapes, a valid surrogate pair, and raw UTF-8."""
    body = json.dumps({**NEW_PATIENT, "role": "clinician", "clinician_code": "<code>"})
    response = client.post(
        "/api/v1/auth/register", data=body.replace("<code>", code).encode(), headers=JSON
    )
    assert_error(response, 403, "forbidden", ["clinician_code"])


@pytest.mark.parametrize("config", [{"RATELIMIT_ENABLED": True}])
def test_redeeming_a_code_without_credentials_is_a_401_with_the_limiter_on(client, config):
    response = client.post("/api/v1/care-team/links", json={"code": "ABCDEFGH"})
    assert_error(response, 401, "unauthorized", None)


@pytest.mark.parametrize("zone", ["localtime", "Factory"])
def test_only_iana_zone_names_are_time_zones(client, patient, zone):
    assert_invalid(patient.patch("/api/v1/me", json={"timezone": zone}), "timezone")
    registered = client.post("/api/v1/auth/register", json={**NEW_PATIENT, "timezone": zone})
    assert_invalid(registered, "timezone")
    for other in ("posixrules", "posix/Europe/Berlin", "right/UTC", "zone.tab"):
        assert_invalid(patient.patch("/api/v1/me", json={"timezone": other}), "timezone")
    for name in ("Europe/Berlin", "US/Eastern", "UTC", "Etc/GMT-14"):
        assert patient.patch("/api/v1/me", json={"timezone": name}).json["timezone"] == name


@pytest.mark.parametrize("days", [1.5, "30"])
def test_a_token_lifetime_must_be_a_whole_number_of_days(patient, days):
    response = patient.post("/api/v1/auth/tokens", json={"name": "cli", "expires_in_days": days})
    assert_invalid(response, "expires_in_days")


@pytest.mark.parametrize(("query", "field"), [("from=0001-01-01", "from"), ("to=9999-12-31", "to")])
def test_an_export_refuses_a_period_rather_than_ignore_it(patient, query, field):
    assert put_text(patient, pain_path(), json.dumps(PAIN)).status_code == 201
    assert_invalid(patient.get(f"/api/v1/export?format=csv&{query}"), field)


# Caching ------------------------------------------------------------------------------------


@pytest.fixture
def diary(patient):
    """The patient, with one pain entry logged."""
    assert put_text(patient, pain_path(), json.dumps(PAIN)).status_code == 201
    return patient


@pytest.mark.parametrize(
    "path", ["/api/v1/summary.html", "/api/v1/summary.pdf", "/api/v1/export?format=csv"]
)
def test_documents_of_health_data_are_never_stored_by_caches(diary, path):
    response = diary.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_chart_is_no_store_and_still_answers_304_to_its_etag(diary):
    chart = diary.get("/api/v1/charts/pain.svg")
    assert (chart.status_code, chart.headers["Cache-Control"]) == (200, "no-store")
    etag = chart.headers["ETag"]
    again = diary.get("/api/v1/charts/pain.svg", headers={"If-None-Match": etag})
    assert (again.status_code, again.headers["Cache-Control"]) == (304, "no-store")


def test_the_fhir_bundle_a_clinician_reads_is_never_stored_by_caches(diary, clinician):
    code = diary.post("/api/v1/care-team/invitations").json["code"]
    assert clinician.post("/api/v1/care-team/links", json={"code": code}).status_code == 201
    bundle = clinician.get(f"/api/v1/patients/{diary.user.id}/fhir")
    assert (bundle.status_code, bundle.mimetype) == (200, "application/fhir+json")
    assert bundle.headers["Cache-Control"] == "no-store"


def test_pages_are_no_store_while_static_assets_may_be_cached(client):
    assert client.get("/").headers["Cache-Control"] == "no-store"
    for asset in ("/static/css/app.css", "/static/vendor/swagger-ui/swagger-ui-bundle.js"):
        with client.get(asset) as response:
            assert response.status_code == 200
            assert "no-store" not in response.headers.get("Cache-Control", "")
