"""Fixtures: an app on a real database built by the migrations, clients, signed-in users.

The database is SQLite in a temporary folder, or PostgreSQL when TEST_DATABASE_URL is set.
No app context stays pushed during a test: each request gets its own, as in production.
"""

import os
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import flask_migrate
import pytest
from sqlalchemy import create_engine, make_url, text

from pain_diary import create_app
from pain_diary.accounts.models import ApiToken, User
from pain_diary.extensions import db as _db
from pain_diary.extensions import limiter

from .factories import PASSWORD, UserFactory

# The browser fixtures: one server and one Chromium per run, a fresh phone per test.
pytest_plugins = ("tests.webapp",)

# The database the suite runs on, known before collection so that skips show in ``-ra``.
DIALECT = (
    make_url(os.environ["TEST_DATABASE_URL"]).get_backend_name()
    if os.environ.get("TEST_DATABASE_URL")
    else "sqlite"
)


def only_on(dialect, why):
    """Mark a test that pins behaviour of one database; on the other it is reported as skipped."""
    return pytest.mark.skipif(DIALECT != dialect, reason=f"{dialect} only: {why}")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite in a temporary folder, or a schema of its own in TEST_DATABASE_URL's PostgreSQL.

    A schema per run lets several runs share one PostgreSQL database without interfering.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def base_config(database_url, tmp_path_factory):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "CLINICIAN_SIGNUP_CODE": "let-me-in-clinician",
        # Cheap hashing keeps sign-ins fast; production parameters are tested on their own.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
    }


@pytest.fixture(scope="session")
def migrated(base_config):
    """Build the schema once per run by applying every migration to an empty database."""
    app = create_app(base_config)
    with app.app_context():
        flask_migrate.upgrade()
        _db.engine.dispose()
    return True


@pytest.fixture
def config():
    """Per-test configuration overrides; a test may override this fixture."""
    return {}


@pytest.fixture
def app(migrated, base_config, config):
    app = create_app({**base_config, **config})
    yield app
    with app.app_context():
        _empty_tables()
        if app.config["RATELIMIT_ENABLED"]:
            limiter.reset()  # before the dispose: database:// counts on this engine
        _db.engine.dispose()


def _empty_tables():
    tables = _db.metadata.sorted_tables
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(table.name for table in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture
def db(app):
    """The database extension; query it inside ``with app.app_context():``."""
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Accounts:
    """Make users and sign them in, the way the PWA and API clients do."""

    def __init__(self, app):
        self.app = app

    def create(self, **fields):
        with self.app.app_context():
            user = UserFactory(**fields)
            return SimpleNamespace(
                id=str(user.id),
                email=user.email,
                password=PASSWORD,
                role=user.role,
                timezone=user.timezone,
            )

    def login(self, client, user):
        """Sign ``client`` in with a session cookie; later writes send the CSRF header."""
        response = client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": user.password}
        )
        assert response.status_code == 200, response.json
        client.environ_base["HTTP_X_CSRFTOKEN"] = response.json["csrf_token"]
        client.user = user
        return client

    def token(self, user, days=30):
        with self.app.app_context():
            expires = datetime.now(UTC) + timedelta(days=days)
            _, token = ApiToken.issue(_db.session.get(User, uuid.UUID(user.id)), "test", expires)
            _db.session.commit()
            return token

    def signed_in(self, **fields):
        """A new test client signed in as a new user."""
        return self.login(self.app.test_client(), self.create(**fields))


@pytest.fixture
def accounts(app):
    return Accounts(app)


@pytest.fixture
def patient(accounts):
    """A test client signed in as a patient (``patient.user`` is who)."""
    return accounts.signed_in(role="patient")


@pytest.fixture
def clinician(accounts):
    return accounts.signed_in(role="clinician")
