"""Schemathesis over the whole OpenAPI document, as a signed-in patient.

It fails on any 5xx and on any response (status, content type, headers, body) that the
document does not describe, so every endpoint stays honest as the API grows.
"""

import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def bearer(accounts):
    return {"Authorization": f"Bearer {accounts.token(accounts.create())}"}


schema = schemathesis.pytest.from_fixture("api_schema")


# Locally every run explores new inputs; in CI (CI=true) the examples are fixed, so a run fails
# for a change in the code, not for the luck of the draw. FUZZ_EXAMPLES widens a local hunt.
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 30)),
    derandomize=bool(os.environ.get("CI")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_conforms_to_the_document(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)


def test_the_document_describes_every_api_route(app, client):
    documented = {
        (path, method.upper())
        for path, operations in client.get("/api/v1/openapi.json").json["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    routed = {
        (_openapi_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed == documented


def _openapi_path(rule):
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)
