"""Health probes, pages and the headers every response carries."""

import pytest


def test_healthz_says_the_process_is_alive(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


@pytest.mark.parametrize(
    "path", ["/", "/api/docs", "/api/v1/openapi.json", "/api/v1/nope", "/healthz"]
)
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers


def test_api_docs_page_loads_only_local_assets(client):
    html = client.get("/api/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html
    with client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200


def test_openapi_document_lists_the_accounts_api(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/auth/login", "/api/v1/me", "/api/v1/auth/tokens"} <= set(spec["paths"])
