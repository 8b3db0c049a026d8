"""Registration, sign-in, the signed-in user, password changes and API tokens."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pain_diary.accounts.models import User

from .factories import PASSWORD
from .helpers import assert_invalid

REGISTER = {
    "email": "Ann@Example.org",
    "password": "a sturdy passphrase",
    "display_name": "Ann",
    "timezone": "Europe/Berlin",
}


def register(client, **changes):
    return client.post("/api/v1/auth/register", json={**REGISTER, **changes})


def test_register_creates_a_patient_with_an_argon2id_hash(client, app, db):
    response = register(client)
    assert response.status_code == 201
    assert response.json["email"] == "ann@example.org"
    assert response.json["role"] == "patient"
    assert "password" not in response.json
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.password_hash.startswith("$argon2id$")


def test_register_refuses_a_taken_email(client):
    register(client)
    response = register(client, email="ann@example.org")
    assert response.status_code == 409
    assert "email" in response.json["error"]["fields"]


@pytest.mark.parametrize("password", ["password", "12345678", "qwertyuiop", "iloveyou"])
def test_register_refuses_common_passwords(client, password):
    response = register(client, password=password)
    assert response.status_code == 422
    assert response.json["error"]["fields"]["password"] == [
        "This password is too common; choose one that is harder to guess."
    ]


@pytest.mark.parametrize(("length", "status"), [(7, 422), (8, 201), (128, 201), (129, 422)])
def test_password_length_limits(client, length, status):
    password = ("Xq7!pain" * 17)[:length]
    response = register(client, password=password)
    assert response.status_code == status
    if status == 201:
        login = client.post(
            "/api/v1/auth/login", json={"email": REGISTER["email"], "password": password}
        )
        assert login.status_code == 200


def test_register_refuses_an_unknown_timezone(client):
    response = register(client, timezone="Europe/Atlantis")
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["timezone"]


def test_clinician_signup_needs_the_code(client):
    refused = register(client, role="clinician", clinician_code="guess")
    assert refused.status_code == 403
    accepted = register(client, role="clinician", clinician_code="let-me-in-clinician")
    assert accepted.status_code == 201
    assert accepted.json["role"] == "clinician"


@pytest.mark.parametrize("config", [{"CLINICIAN_SIGNUP_CODE": None}])
def test_clinician_signup_is_off_without_a_configured_code(client, config):
    assert register(client, role="clinician", clinician_code="").status_code == 403


def test_unknown_email_and_wrong_password_answer_the_same(client, accounts):
    user = accounts.create()
    wrong = client.post("/api/v1/auth/login", json={"email": user.email, "password": "nope-nope"})
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.org", "password": "nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_login_returns_the_user_and_a_csrf_token(client, accounts):
    user = accounts.create()
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json["user"]["id"] == user.id
    assert response.json["csrf_token"]
    assert client.get("/api/v1/me").json["email"] == user.email


def test_login_upgrades_an_outdated_hash(client, accounts, app, db):
    from argon2 import PasswordHasher

    outdated = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=2).hash(PASSWORD)
    user = accounts.create(password_hash=outdated)
    client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$")


def test_production_hashing_parameters_are_rfc_9106_low_memory(migrated, base_config):
    from pain_diary import create_app

    config = {k: v for k, v in base_config.items() if not k.startswith("ARGON2_")}
    with create_app(config).app_context():
        from pain_diary.accounts.passwords import hash_password

        assert hash_password(PASSWORD).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_disabled_user_cannot_sign_in(client, accounts, runner):
    user = accounts.create()
    accounts.login(client, user)
    assert runner.invoke(args=["users", "disable", "--email", user.email]).exit_code == 0
    assert client.get("/api/v1/me").status_code == 401
    login = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 401


def test_patch_me_changes_name_and_timezone(patient):
    response = patient.patch(
        "/api/v1/me", json={"display_name": "Bea", "timezone": "America/New_York"}
    )
    assert response.status_code == 200
    assert (response.json["display_name"], response.json["timezone"]) == (
        "Bea",
        "America/New_York",
    )
    assert patient.get("/api/v1/me").json["timezone"] == "America/New_York"


def test_patch_me_refuses_another_users_email(patient, accounts):
    other = accounts.create()
    assert patient.patch("/api/v1/me", json={"email": other.email}).status_code == 409


def test_password_change_needs_the_current_password(patient):
    response = patient.post(
        "/api/v1/me/password",
        json={"current_password": "not it at all", "new_password": "a brand new phrase"},
    )
    assert response.status_code == 422
    assert "current_password" in response.json["error"]["fields"]


def test_password_change_ends_other_sessions_but_keeps_this_one(app, accounts):
    user = accounts.create()
    phone = accounts.login(app.test_client(), user)
    laptop = accounts.login(app.test_client(), user)
    response = phone.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "a brand new phrase"},
    )
    assert response.status_code == 204
    assert phone.get("/api/v1/me").status_code == 200
    assert laptop.get("/api/v1/me").status_code == 401
    old = app.test_client().post(
        "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
    )
    assert old.status_code == 401


def test_api_token_is_shown_once_and_works_as_bearer(patient, client):
    created = patient.post("/api/v1/auth/tokens", json={"name": "my scripts", "expires_in_days": 7})
    assert created.status_code == 201
    token = created.json["token"]
    listed = patient.get("/api/v1/auth/tokens").json
    assert [t["name"] for t in listed] == ["my scripts"]
    assert "token" not in listed[0]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json["id"] == patient.user.id
    assert me.json["csrf_token"] is None


def test_api_token_is_stored_hashed(patient, app, db):
    token = patient.post("/api/v1/auth/tokens", json={"name": "t"}).json["token"]
    with app.app_context():
        from pain_diary.accounts.models import ApiToken

        stored = db.session.scalar(select(ApiToken.token_hash))
    assert token not in stored and len(stored) == 64


def test_revoked_token_stops_working_at_once(patient, client):
    created = patient.post("/api/v1/auth/tokens", json={"name": "t"}).json
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert patient.delete(f"/api/v1/auth/tokens/{created['id']}").status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_expired_token_is_refused(accounts, client):
    user = accounts.create()
    token = accounts.token(user, days=-1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_another_users_token_cannot_be_revoked(patient, accounts):
    other = accounts.signed_in()
    token_id = other.post("/api/v1/auth/tokens", json={"name": "t"}).json["id"]
    assert patient.delete(f"/api/v1/auth/tokens/{token_id}").status_code == 404
    assert len(other.get("/api/v1/auth/tokens").json) == 1


def test_bearer_requests_need_no_csrf_token(accounts, client):
    user = accounts.create()
    token = accounts.token(user)
    response = client.patch(
        "/api/v1/me", json={"display_name": "Cy"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me"),
        ("patch", "/api/v1/me"),
        ("post", "/api/v1/me/password"),
        ("get", "/api/v1/auth/tokens"),
        ("post", "/api/v1/auth/tokens"),
        ("delete", "/api/v1/auth/tokens/7d7a3d5e-1111-4a4a-9a9a-000000000000"),
    ],
)
def test_signed_in_routes_answer_401_to_anonymous(client, method, path):
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_date_of_birth_is_optional_set_by_patch_me_and_cleared_with_null(patient):
    assert patient.get("/api/v1/me").json["date_of_birth"] is None
    response = patient.patch("/api/v1/me", json={"date_of_birth": "1961-03-04"})
    assert response.status_code == 200, response.json
    assert response.json["date_of_birth"] == "1961-03-04"
    assert patient.get("/api/v1/me").json["date_of_birth"] == "1961-03-04"
    renamed = patient.patch("/api/v1/me", json={"display_name": "Bea"})
    assert renamed.json["date_of_birth"] == "1961-03-04"  # PATCH leaves out what it omits
    cleared = patient.patch("/api/v1/me", json={"date_of_birth": None})
    assert cleared.status_code == 200 and cleared.json["date_of_birth"] is None
    assert patient.get("/api/v1/me").json["date_of_birth"] is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1961-02-30", "Not a valid date."),
        ("04.03.1961", "Not a valid date."),
        (19610304, "Not a valid date."),
        ("1899-12-31", "Must not be before 1900-01-01."),
        ("tomorrow", "Not a valid date."),
    ],
)
def test_date_of_birth_must_be_a_real_date_from_1900(patient, value, message):
    response = patient.patch("/api/v1/me", json={"date_of_birth": value})
    assert_invalid(response, "date_of_birth")
    assert response.json["error"]["fields"]["date_of_birth"] == [message]


def test_date_of_birth_must_not_be_in_the_future(patient):
    today = datetime.now(UTC).date()
    future = patient.patch("/api/v1/me", json={"date_of_birth": str(today + timedelta(days=2))})
    assert_invalid(future, "date_of_birth")
    assert future.json["error"]["fields"]["date_of_birth"] == ["Must not be in the future."]
    for accepted in ("1900-01-01", str(today)):
        response = patient.patch("/api/v1/me", json={"date_of_birth": accepted})
        assert response.status_code == 200, response.json
        assert response.json["date_of_birth"] == accepted


def test_date_of_birth_is_set_in_the_profile_not_at_sign_up(client):
    response = register(client, date_of_birth="1961-03-04")
    assert_invalid(response, "date_of_birth")
    created = register(client)
    assert created.status_code == 201 and created.json["date_of_birth"] is None
