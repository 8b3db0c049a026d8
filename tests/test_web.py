"""Health probes, pages and the headers every response carries."""

import re
from html import escape
from urllib.parse import quote

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


HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.parametrize("path", ["/today", "/history", "/settings", "/clinic"])
def test_a_page_asked_for_signed_out_sends_the_browser_to_sign_in(client, path):
    response = client.get(path, headers=HTML)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path}"


def test_each_role_is_sent_to_its_own_home(patient, clinician):
    assert patient.get("/clinic", headers=HTML).headers["Location"] == "/today"
    assert clinician.get("/today", headers=HTML).headers["Location"] == "/clinic"
    assert patient.get("/", headers=HTML).headers["Location"] == "/today"


#: ``next`` values a browser would read as another site, or that a header cannot carry: tab,
#: newline and carriage return are stripped from URLs (``/\t/evil`` is ``//evil``), a backslash
#: is read as ``/``, and other control characters have no place in a path.
OFFSITE_TARGETS = [
    "//evil.example/today", "https://evil.example/", "https:evil.example", "javascript:alert(1)",
    "evil.example", "/\\evil", "\\\\evil.example", "/\\/evil.example", "\\/evil.example",
    "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\r\n/evil.example",
    "\t//evil.example", " //evil.example", "/today\nSet-Cookie: a=b", "/today\t",
    "/\x7f/evil.example", "/\x85/evil.example", "/\x9b/evil.example", "/\x01/evil.example",
]  # fmt: skip
#: The same, as they come in a link: percent-encoded once (the server decodes ``next``).
OFFSITE_QUERIES = [
    "/%09/evil.example", "/%0A/x", "/%0D/x", "/%0d%0a/x", "/%5C/evil.example", "%5C%5Cevil.example",
    "/%5c%5cevil.example", "%2F%2Fevil.example", "/%2F/evil.example", "https%3A%2F%2Fevil.example",
    "/%7F/evil.example", "/%C2%85/evil.example", "/%C2%9B/evil.example", "/%E2%80%8B%09/evil",
]  # fmt: skip
#: Paths on this site, also those that look odd: an encoded escape stays an escape in the path.
SITE_PATHS = [
    "/trends?days=7", "/today#checkin",
    "/history/pain-entries/6f1c5d1e-0b7e-4d7a-9c1e-3f1d2a4b5c6d",
    "/%09/evil.example", "/%2F/evil.example", "/%5C/evil.example", "/caf%C3%A9", "/a b",
]  # fmt: skip


@pytest.mark.parametrize("target", OFFSITE_TARGETS)
def test_sign_in_never_sends_the_user_to_another_site(patient, target):
    response = patient.get("/login", query_string={"next": target}, headers=HTML)
    assert response.status_code == 302
    assert response.headers["Location"] == "/today"


@pytest.mark.parametrize("query", OFFSITE_QUERIES)
def test_an_encoded_target_elsewhere_leads_home_and_never_fails(client, patient, query):
    signed_in = patient.get(f"/login?next={query}", headers=HTML)
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "/today"
    signed_out = client.get(f"/login?next={query}", headers=HTML)
    assert signed_out.status_code == 200
    assert 'data-next=""' in signed_out.get_data(as_text=True)


def test_a_nul_in_the_target_is_refused_rather_than_a_failure(patient):
    response = patient.get("/login?next=/%00/evil.example", headers=HTML)
    assert response.status_code == 422  # the edge check's answer to NUL anywhere
    assert "Location" not in response.headers


@pytest.mark.parametrize("target", SITE_PATHS)
def test_a_path_on_this_site_is_kept_as_it_came(client, patient, target):
    assert patient.get("/login", query_string={"next": target}, headers=HTML).headers[
        "Location"
    ] == quote(target, safe="/?=#%-")
    page = client.get("/login", query_string={"next": target}, headers=HTML)
    assert f'data-next="{escape(target)}"' in page.get_data(as_text=True)


def test_sign_in_goes_on_to_the_page_that_asked(patient):
    response = patient.get("/login", query_string={"next": "/trends?days=7"}, headers=HTML)
    assert response.headers["Location"] == "/trends?days=7"


def test_a_missing_page_is_a_page_for_a_browser_and_json_for_the_api(client):
    page = client.get("/no-such-page", headers=HTML)
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert "Not found" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing", headers=HTML)
    assert api.status_code == 404
    assert api.json["error"]["code"] == "not_found"
    assert client.get("/no-such-page").json["error"]["status"] == 404


def test_signing_out_needs_the_forms_token(app, accounts):
    browser = accounts.login(app.test_client(), accounts.create())
    del browser.environ_base["HTTP_X_CSRFTOKEN"]  # a form posted from another site has none
    assert browser.post("/logout").status_code == 403
    assert browser.get("/api/v1/me").status_code == 200
    token = browser.get("/api/v1/me").json["csrf_token"]
    response = browser.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert browser.get("/api/v1/me").status_code == 401


PATIENT_PAGES = [
    "/today", "/history", "/history/pain-entries/6f1c5d1e-0b7e-4d7a-9c1e-3f1d2a4b5c6d",
    "/trends", "/medications", "/reminders", "/care-team", "/export", "/settings",
]  # fmt: skip


@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_pages_carry_the_strict_policy_and_no_inline_script(patient, path):
    response = patient.get(path, headers=HTML)
    assert response.status_code == 200
    script_policy = response.headers["Content-Security-Policy"].split("script-src")[1]
    assert "unsafe-inline" not in script_policy.split(";")[0]
    html = response.get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "onclick" not in html.lower()


@pytest.mark.parametrize(
    "path",
    [
        "/today",
        "/history/pain-entries/6f1c1a52-4c1e-4a59-9d1e-0c1d2b3a4f50",
        "/history/sleep-entries/6f1c1a52-4c1e-4a59-9d1e-0c1d2b3a4f50",
        "/history/therapy-sessions/6f1c1a52-4c1e-4a59-9d1e-0c1d2b3a4f50",
    ],
)
def test_every_note_field_says_notes_are_shared_with_the_care_team(patient, path):
    html = patient.get(path).get_data(as_text=True)
    fields = re.findall(r"<textarea\b[^>]*\bname=\"note\"[^>]*>", html)
    assert fields  # Today has three (pain, sleep, therapy); the edit page the one it edits
    for field in fields:
        described = re.search(r'aria-describedby="([^"]+)"', field)
        assert described, field
        hint = re.search(rf'<p class="hint" id="{described[1]}">([^<]*)</p>', html)
        assert hint and "Notes are shared with your care team" in hint[1], field


@pytest.mark.parametrize(
    ("query", "checked"),
    [("", "all"), ("?show=doses", "doses"), ("?show=procedures", "procedures"), ("?show=x", "all")],
)
def test_history_offers_each_kind_it_lists_and_checks_the_one_the_url_asks_for(
    patient, query, checked
):
    html = patient.get(f"/history{query}", headers=HTML).get_data(as_text=True)
    radios = re.findall(r'<input type="radio" name="show" value="(\w+)"[^>]*?( checked)?>', html)
    assert [value for value, _ in radios] == [
        "all", "pain", "sleep", "doses", "therapy", "procedures"
    ]  # fmt: skip
    assert [value for value, on in radios if on] == [checked]


def test_a_dose_has_an_edit_page(patient):
    response = patient.get("/history/medication-doses/6f1c1a52-4c1e-4a59-9d1e-0c1d2b3a4f50")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<h1 id="edit-title" tabindex="-1">Edit dose</h1>' in html
    assert 'name="status" value="skipped"' in html and 'name="taken_time"' in html
