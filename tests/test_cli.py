"""The `flask users` and `flask demo` commands."""

from sqlalchemy import select

from pain_diary.accounts.models import User


def test_users_create_makes_a_clinician(runner, client, app, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Doc@Example.org",
            "--password",
            "a sturdy passphrase",
            "--role",
            "clinician",
            "--timezone",
            "Europe/Paris",
        ]
    )
    assert result.exit_code == 0, result.output
    login = client.post(
        "/api/v1/auth/login", json={"email": "doc@example.org", "password": "a sturdy passphrase"}
    )
    assert login.json["user"]["role"] == "clinician"
    assert login.json["user"]["timezone"] == "Europe/Paris"


def test_users_create_refuses_a_common_password(runner, app, db):
    result = runner.invoke(
        args=["users", "create", "--email", "x@example.org", "--password", "password"]
    )
    assert result.exit_code != 0
    assert "too common" in result.output
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_demo_prints_credentials_that_work_and_can_run_twice(runner, app):
    first = runner.invoke(args=["demo"])
    assert runner.invoke(args=["demo"]).exit_code == 0
    lines = [line.split() for line in first.output.splitlines() if "password:" in line]
    assert {line[0] for line in lines} == {"patient", "clinician"}
    for role, email, _, password in lines:
        login = {"email": email, "password": password}
        response = app.test_client().post("/api/v1/auth/login", json=login)
        assert response.json["user"]["role"] == role
