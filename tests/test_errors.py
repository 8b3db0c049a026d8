"""Every error, from any layer, answers in the one JSON error shape."""

import pytest


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
