"""Sessions end on the server, CSRF guards cookie writes, and login is throttled."""

import pytest

from .factories import PASSWORD


def test_cookie_copied_before_logout_answers_401_after(app, accounts):
    user = accounts.create()
    browser = accounts.login(app.test_client(), user)
    stolen = app.test_client()
    cookie = browser.get_cookie("pain_diary_session")
    stolen.set_cookie("pain_diary_session", cookie.value)
    assert stolen.get("/api/v1/me").status_code == 200

    assert browser.post("/api/v1/auth/logout").status_code == 204

    assert browser.get("/api/v1/me").status_code == 401
    assert stolen.get("/api/v1/me").status_code == 401


def test_session_cookie_is_httponly_and_samesite_lax(client, accounts):
    user = accounts.create()
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


@pytest.mark.parametrize("config", [{"SESSION_COOKIE_SECURE": True, "HSTS_ENABLED": True}])
def test_https_deployments_send_secure_cookies_and_hsts(client, accounts, config):
    user = accounts.create()
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_https_scheme_turns_on_secure_cookies(monkeypatch, migrated, base_config):
    from pain_diary import create_app

    monkeypatch.setenv("PREFERRED_URL_SCHEME", "https")
    app = create_app(base_config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["HSTS_ENABLED"] is True


def test_cookie_writes_without_csrf_header_are_refused(patient):
    del patient.environ_base["HTTP_X_CSRFTOKEN"]
    response = patient.patch("/api/v1/me", json={"display_name": "Mallory"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "csrf_failed"
    assert patient.get("/api/v1/me").json["display_name"] != "Mallory"


def test_csrf_token_from_me_is_accepted(patient):
    token = patient.get("/api/v1/me").json["csrf_token"]
    patient.environ_base["HTTP_X_CSRFTOKEN"] = token
    assert patient.patch("/api/v1/me", json={"display_name": "Dee"}).status_code == 200


@pytest.mark.parametrize("config", [{"RATELIMIT_ENABLED": True}])
def test_twenty_wrong_logins_for_one_account_end_in_429(accounts, app, config):
    user = accounts.create()
    statuses = []
    for attempt in range(20):
        # A different address each time: the per-account limit must hold on its own.
        client = app.test_client()
        response = client.post(
            "/api/v1/auth/login",
            json={"email": user.email, "password": f"wrong-{attempt}"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{attempt + 1}"},
        )
        statuses.append(response.status_code)
    assert statuses[0] == 401
    assert statuses[-1] == 429
    assert response.json["error"]["code"] == "rate_limited"
    assert "Retry-After" in response.headers


@pytest.mark.parametrize("config", [{"RATELIMIT_ENABLED": True}])
def test_one_address_is_throttled_across_accounts(accounts, client, config):
    statuses = [
        client.post(
            "/api/v1/auth/login", json={"email": f"guess{n}@example.org", "password": "x" * 8}
        ).status_code
        for n in range(31)
    ]
    assert statuses[0] == 401
    assert statuses[-1] == 429


@pytest.mark.parametrize("config", [{"RATELIMIT_ENABLED": True}])
def test_successful_logins_are_not_throttled(accounts, app, config):
    user = accounts.create()
    for _ in range(15):
        response = app.test_client().post(
            "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 200


def test_an_answer_names_the_user_whose_session_it_was_for(client, patient):
    assert patient.get("/api/v1/me").headers["X-User-Id"] == patient.user.id
    assert patient.get("/today", headers={"Accept": "text/html"}).headers["X-User-Id"] == (
        patient.user.id
    )
    assert "X-User-Id" not in client.get("/login").headers
    assert "X-User-Id" not in client.get("/api/v1/me").headers


def test_a_write_sent_for_another_user_is_refused_and_changes_nothing(accounts, patient):
    someone_else = accounts.create()
    entry = {"intensity": 6, "recorded_at": "2026-01-05T09:00:00+01:00"}
    refused = patient.post(
        "/api/v1/pain-entries", json=entry, headers={"X-User-Id": someone_else.id}
    )
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "signed_in_as_someone_else"
    assert patient.get("/api/v1/pain-entries").json["items"] == []
    assert patient.get("/api/v1/me").status_code == 200  # the session itself goes on

    sent = patient.post("/api/v1/pain-entries", json=entry, headers={"X-User-Id": patient.user.id})
    assert sent.status_code == 201
