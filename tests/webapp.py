"""The web app in a real browser: one gunicorn server and one Chromium for the whole run.

Each test gets a fresh browser context (its own cookies and storage) sized as a phone, whose
requests may only go to the test server. Screenshots go to ``ARTIFACTS_DIR`` (default
``artifacts/``), where CI keeps them.
"""

import os
import uuid
from pathlib import Path

import pytest
import requests

from .browser import CHROMIUM_ARGS, require_chromium
from .factories import PASSWORD
from .server import ROOT, Server

PHONE = {"width": 360, "height": 740}
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR") or ROOT / "artifacts")
CLINICIAN_CODE = "let-me-in-clinician"
#: The pages a signed-in patient can open, by path.
PATIENT_PAGES = (
    "/today", "/history", "/trends", "/medications", "/reminders", "/care-team", "/export",
    "/settings", "/notifications",
)  # fmt: skip


def pytest_collection_modifyitems(items):
    """Mark the tests of the web app's pages ``browser``, so that a run can choose them."""
    for item in items:
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def web_server(migrated, base_config):
    """gunicorn serving the app on the test database, for every browser test of the run."""
    server = Server(
        base_config, workers=1, threads=8,
        env={"CLINICIAN_SIGNUP_CODE": CLINICIAN_CODE},
    ).start()  # fmt: skip
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for the run (starting one costs about a second)."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Phone:
    """A browser context the size of a small phone, on the test server only."""

    def __init__(self, browser, base_url, color_scheme="light"):
        self.base_url = base_url
        self.offsite = []
        self.problems = []
        self.context = browser.new_context(
            viewport=PHONE, base_url=base_url, color_scheme=color_scheme, locale="en-GB",
            timezone_id="Europe/Berlin", device_scale_factor=1, has_touch=True,
        )  # fmt: skip
        self.context.set_default_timeout(10_000)
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))

    def _only_local(self, route):
        url = route.request.url
        if url.startswith((self.base_url, "data:", "blob:")):
            return route.continue_()
        self.offsite.append(url)
        return route.abort()

    def open(self, path):
        self.page.goto(path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def sign_up(self, name="Alex Example", email=None, password=PASSWORD):
        """Create a patient through the sign-up page; lands on /today."""
        email = email or f"{uuid.uuid4().hex[:12]}@example.org"
        page = self.open("/signup")
        page.get_by_label("Name").fill(name)
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/today")
        return Account(self.base_url, email, password)

    def sign_in(self, account):
        return sign_in(self.open("/login"), account)

    def screenshot(self, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def horizontal_overflow(self):
        """How many CSS pixels the page is wider than the viewport (0: no sideways scroll)."""
        return self.page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth"
        )

    def close(self):
        self.context.close()


def sign_in(page, account):
    """Sign in through ``page``, open on /login; it then shows the account's home page."""
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


class Account:
    """A user of the test server, with an API session for arranging data quickly."""

    def __init__(self, base_url, email, password=PASSWORD):
        self.base_url = base_url
        self.email = email
        self.password = password
        self.api = requests.Session()
        answer = self.api.post(
            f"{base_url}/api/v1/auth/login", json={"email": email, "password": password}
        )
        assert answer.status_code == 200, answer.text
        self.user = answer.json()["user"]
        self.api.headers["X-CSRFToken"] = answer.json()["csrf_token"]

    @property
    def id(self):
        return self.user["id"]

    def call(self, method, path, expected=(200, 201, 204), **kwargs):
        answer = self.api.request(method, f"{self.base_url}/api/v1{path}", **kwargs)
        assert answer.status_code in expected, (answer.status_code, answer.text)
        return answer.json() if answer.content else None

    @classmethod
    def register(cls, base_url, role="patient", name=None, timezone="Europe/Berlin"):
        """A new user made through the API (sign-up itself is tested through the page)."""
        email = f"{role}-{uuid.uuid4().hex[:12]}@example.org"
        body = {
            "email": email, "password": PASSWORD, "timezone": timezone, "role": role,
            "display_name": name or ("Dr Rivera" if role == "clinician" else "Alex Example"),
        }  # fmt: skip
        if role == "clinician":
            body["clinician_code"] = CLINICIAN_CODE
        answer = requests.post(f"{base_url}/api/v1/auth/register", json=body)
        assert answer.status_code == 201, answer.text
        return cls(base_url, email)


@pytest.fixture
def phone(chromium, web_server):
    """A phone-sized browser on the test server; the test fails on any offsite request."""
    device = Phone(chromium, web_server.url)
    yield device
    device.close()
    assert device.offsite == [], device.offsite


@pytest.fixture
def new_patient(web_server):
    return lambda **kwargs: Account.register(web_server.url, "patient", **kwargs)


@pytest.fixture
def new_clinician(web_server):
    return lambda **kwargs: Account.register(web_server.url, "clinician", **kwargs)
