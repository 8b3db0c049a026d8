"""Fixtures: an app on a real database built by the migrations, clients, signed-in users.

The database is SQLite in a temporary folder, or PostgreSQL when TEST_DATABASE_URL is set.
No app context stays pushed during a test: each request gets its own, as in production.
The tests that leave ``config`` empty share one app, as do those that set the same ``config``
(see ``app``); the tables are emptied after each test.
"""

import copy
import functools
import os
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import flask
import flask_migrate
import pytest
from sqlalchemy import create_engine, make_url, text

from pain_diary import create_app, extensions
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


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "own_app: the test gets an app built for it alone, shared with no other test (it adds "
        "a route, or needs a connection pool that no earlier test has used)",
    )


@pytest.fixture
def config():
    """Per-test configuration overrides; a test may override this fixture."""
    return {}


@pytest.fixture(scope="session")
def shared_apps(migrated, base_config):
    """The apps lent to tests: the base configuration's, and those of the latest overrides."""
    apps = SharedApps(base_config)
    yield apps
    apps.discard()


@pytest.fixture
def app(request, shared_apps, base_config, config):
    """An app lent to the test by every other test with the same ``config``, or its own.

    Building an app costs 0.1-0.2 s, mostly flask-smorest registering the blueprints and the
    OpenAPI document, so the tests that leave ``config`` empty share one, and so do the tests
    of a module or class that sets the same ``config``. A test gets an app built for it alone
    when it is marked ``own_app`` or its config turns the limiter on. Either way the tables are
    emptied after the test.
    """
    shared = None if request.node.get_closest_marker("own_app") else shared_apps.get(config)
    app = shared.lend() if shared else create_app({**base_config, **config})
    yield app
    with app.app_context():
        _empty_tables()
        if shared:
            return  # the engine and its pooled connections serve the next test
        if app.config["RATELIMIT_ENABLED"]:
            limiter.reset()  # before the dispose: database:// counts on this engine
        _db.engine.dispose()


class SharedApps:
    """The shared apps by configuration override; the base one stays, of the others the latest.

    An app whose limiter is on is never shared: the limiter, one object for every app, would
    carry its counts and its switch from test to test.
    """

    KEPT = 3  # apps of overrides; each keeps a pool of connections open

    def __init__(self, base_config):
        self.base_config = base_config
        self.apps = {}

    def get(self, config):
        try:
            key = frozenset(config.items())
        except TypeError:  # a value that cannot be a key: the test gets an app of its own
            return None
        if config.get("RATELIMIT_ENABLED"):
            return None
        shared = self.apps.pop(key, None) or SharedApp({**self.base_config, **config})
        self.apps[key] = shared  # the latest last
        overrides = [other for other in self.apps if other]
        for other in overrides[: -self.KEPT]:
            self.apps.pop(other).discard()
        return shared

    def discard(self):
        for shared in self.apps.values():
            shared.discard()


#: The extensions are module-level objects that each create_app binds to its app.
EXTENSIONS = tuple(
    getattr(extensions, name)
    for name in ("db", "migrate", "login_manager", "api", "csrf", "limiter")
)
#: The app's registries that a test could add to (a route, a hook, an error handler).
REGISTRIES = (
    "view_functions", "blueprints", "extensions", "before_request_funcs", "after_request_funcs",
    "teardown_request_funcs", "teardown_appcontext_funcs", "url_value_preprocessors",
    "url_default_functions", "template_context_processors", "error_handler_spec",
    "url_build_error_handlers", "shell_context_processors",
)  # fmt: skip


class SharedApp:
    """One app, lent to test after test.

    Before each loan it is made what a newly built app would be: its configuration is restored
    if a test changed it, what the app cached in ``app.extensions`` since it was built is
    dropped, and the extensions, which any later create_app rebinds to its own app
    (flask-smorest's document, the limiter's switch and storage), are pointed back at it. An app
    that a test changed in any other way (a route, a hook, an attribute) is thrown away and the
    next test gets a new one. The checks run when the app is lent, once every fixture of the
    test before, ``monkeypatch`` included, has been torn down.
    """

    def __init__(self, config):
        self.config = config
        self.app = None

    def lend(self):
        if self.app is not None and not self._unchanged():
            self.discard()
        if self.app is None:
            self.app = create_app(self.config)
            self.settings = copy.deepcopy(dict(self.app.config))
            self.bindings = [(extension, dict(vars(extension))) for extension in EXTENSIONS]
            self.attributes, self.registries = _fingerprint(self.app)
            self.extension_names = set(self.app.extensions)
            return self.app
        if self.app.config != self.settings:
            self.app.config.clear()
            self.app.config.update(copy.deepcopy(self.settings))
        for extension, state in self.bindings:
            if not _same(vars(extension), state):
                vars(extension).clear()
                vars(extension).update(state)
        return self.app

    def _unchanged(self):
        app = self.app
        for name in app.extensions.keys() - self.extension_names:
            del app.extensions[name]  # a cache that the app builds when first asked for it
        attributes, registries = _fingerprint(app)
        for name in attributes.keys() - self.attributes.keys():
            if _lazy(type(app), name):  # a cached property, set by Flask when first read
                self.attributes[name] = attributes[name]
        return _same(attributes, self.attributes) and _same(registries, self.registries)

    def discard(self):
        if self.app is not None:
            with self.app.app_context():
                _db.engine.dispose()
        self.app = None


def _same(mapping, original):
    """Whether ``mapping`` has the keys of ``original``, each for the very same object."""
    return mapping.keys() == original.keys() and all(
        mapping[key] is value for key, value in original.items()
    )


def _fingerprint(app):
    """The app's attributes, and the objects its registries hold by where they are held."""
    attributes = {name: value for name, value in vars(app).items() if name != "_got_first_request"}
    registries = {}
    for name in REGISTRIES:
        _collect(getattr(app, name), (name,), registries)
    _collect(app.jinja_env.globals, ("jinja globals",), registries)
    _collect(app.jinja_env.filters, ("jinja filters",), registries)
    _collect(list(app.url_map.iter_rules()), ("rules",), registries)
    return attributes, registries


def _collect(value, path, into):
    # The registries are dicts (of dicts) of functions, or of lists of functions; the config is
    # one of the Jinja globals, restored on its own.
    if isinstance(value, dict) and not isinstance(value, flask.Config):
        for key, item in value.items():
            _collect(item, (*path, key), into)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            into[(*path, n)] = item
    else:
        into[path] = value


def _lazy(cls, name):
    return isinstance(getattr(cls, name, None), functools.cached_property | property)


def _empty_tables():
    # DELETE, children first, rather than TRUNCATE on PostgreSQL: truncating every table gives
    # each table and index new files, some 0.3-0.5 s a test; deleting the few rows a test leaves
    # takes milliseconds. No table has a sequence to restart: the keys are UUIDs and names.
    for table in reversed(_db.metadata.sorted_tables):
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
