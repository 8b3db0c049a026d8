"""Every error, from any layer, answers in the one JSON error shape."""

import flask_migrate
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from pain_diary.extensions import db

from .conftest import only_on


def assert_error_shape(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert isinstance(error["message"], str) and error["message"]
    return error


def test_unknown_api_path_is_a_404_in_the_error_shape(client):
    assert_error_shape(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_is_a_405_with_allow(client):
    response = client.delete("/api/v1/auth/login")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_validation_errors_name_each_field_without_location_nesting(client):
    response = client.post(
        "/api/v1/auth/register", json={"email": "nope", "password": "short", "role": "admin"}
    )
    error = assert_error_shape(response, 422, "validation_error")
    assert set(error["fields"]) == {"email", "password", "role", "display_name"}
    assert error["fields"]["password"] == ["Use at least 8 characters."]


def test_unknown_fields_are_refused_by_name(client):
    response = client.post(
        "/api/v1/auth/login", json={"email": "a@b.c", "password": "whatever1", "admin": True}
    )
    error = assert_error_shape(response, 422, "validation_error")
    assert error["fields"] == {"admin": ["Unknown field."]}


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "{not json"])
def test_a_body_that_is_not_an_object_is_a_4xx(client, body):
    response = client.post(
        "/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.json["error"]["code"] in ("bad_request", "validation_error")
    assert "_schema" not in response.json["error"].get("fields", {})


@pytest.mark.parametrize("config", [{"MAX_CONTENT_LENGTH": 1024}])
def test_oversized_body_is_a_413(client, config):
    response = client.post("/api/v1/auth/login", json={"email": "a" * 4096, "password": "x"})
    assert_error_shape(response, 413, "payload_too_large")


@pytest.mark.own_app  # it adds a route, which an app that has served requests refuses
def test_an_unexpected_exception_is_a_500_in_the_error_shape(app):
    @app.get("/api/v1/explode")
    def explode():
        raise RuntimeError("boom with secret health data")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/api/v1/explode")
    error = assert_error_shape(response, 500, "internal_error")
    assert "secret" not in error["message"]


def test_database_down_is_a_503_in_the_error_shape(base_config):
    from pain_diary import create_app

    down = {"SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent/dir/x.db"}
    client = create_app({**base_config, **down}).test_client()
    response = client.post("/api/v1/auth/login", json={"email": "a@b.c", "password": "whatever1"})
    assert_error_shape(response, 503, "database_unavailable")
    assert_error_shape(client.get("/readyz"), 503, "database_unavailable")


def test_the_app_recovers_once_the_database_is_back_without_a_restart(tmp_path, base_config):
    from pain_diary import create_app

    folder = tmp_path / "not-yet"
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/db.sqlite"})
    client = app.test_client()
    assert_error_shape(client.get("/readyz"), 503, "database_unavailable")
    folder.mkdir()
    with app.app_context():
        flask_migrate.upgrade()
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        db.engine.dispose()


@only_on("postgresql", "SQLite has no server to cut connections; recovery is the test above")
@pytest.mark.own_app  # a new pool: the connection the request uses is the one cut below
def test_connections_cut_by_postgresql_are_replaced_transparently(app, patient):
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
    assert patient.get("/api/v1/me").status_code == 200
    with app.app_context():
        with db.engine.connect() as pooled:  # the connection the request used, back in the pool
            pid = pooled.execute(text("SELECT pg_backend_pid()")).scalar()
        killer = create_engine(db.engine.url, poolclass=NullPool)
        with killer.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
    assert patient.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "\x00", "password": "whatever1"}, "email"),
        ({"email": "a@b.c", "password": "x\x00y"}, "password"),
    ],
)
def test_nul_characters_are_refused_on_every_database(client, body, field):
    response = client.post("/api/v1/auth/login", json=body)
    error = assert_error_shape(response, 422, "validation_error")
    assert list(error["fields"]) == [field]


def test_nul_characters_in_a_nested_body_or_query_are_refused(patient):
    entry = {"recorded_at": "2026-01-01T10:00:00+01:00", "intensity": 3, "tags": ["ok", "b\x00d"]}
    response = patient.post("/api/v1/pain-entries", json=entry)
    assert list(assert_error_shape(response, 422, "validation_error")["fields"]) == ["tags.1"]
    listed = patient.get("/api/v1/pain-entries", query_string={"cursor": "a\x00"})
    assert list(assert_error_shape(listed, 422, "validation_error")["fields"]) == ["cursor"]
