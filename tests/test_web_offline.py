"""The installed, offline app: a server the test stops and starts, and the phone's own storage.

The phone keeps what it could not send in its outbox (IndexedDB) and replays it when the server
answers again; the database must then hold each entry once, however often the replay runs.
"""

import time
import uuid

import pytest
from sqlalchemy import func, select

from pain_diary import create_app
from pain_diary.extensions import db
from pain_diary.records.models import PainEntry

from .browser import CHROMIUM_ARGS, require_chromium
from .server import Server
from .webapp import ARTIFACTS, PHONE, Account, Phone

pytestmark = pytest.mark.slow


@pytest.fixture
def own_server(migrated, base_config):
    """A server of this test's own, to stop and start again on the same address (origin)."""
    server = Server(
        base_config, workers=1, threads=4,
        env={"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024", "ARGON2_PARALLELISM": "1"},
    ).start()  # fmt: skip
    yield server
    server.stop()


@pytest.fixture
def offline_phone(chromium, own_server):
    device = Phone(chromium, own_server.url)
    yield device
    device.close()


def eventually(page, script, arg=None, timeout=10):
    """Wait until ``script`` (which may be async) answers something truthy; return that.

    ``page.wait_for_function`` would not do: it takes the promise of an async function as
    truthy at once.
    """
    deadline = time.monotonic() + timeout
    while not (answer := page.evaluate(script, arg)):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script}"
        page.wait_for_timeout(100)
    return answer


def installed(page):
    """Wait until the service worker controls the page and has kept the patient's pages."""
    eventually(page, "() => navigator.serviceWorker.controller !== null")
    eventually(
        page, "async () => Boolean(await caches.match('/today') && await caches.match('/history'))"
    )


def rows(base_config, model, patient_id):
    """Count the patient's rows of ``model`` in the database itself, not through the API."""
    app = create_app(base_config)
    with app.app_context():
        statement = (
            select(func.count()).select_from(model).where(model.patient_id == uuid.UUID(patient_id))
        )
        count = db.session.scalar(statement)
        db.engine.dispose()
    return count


def check_in(page, intensity):
    page.get_by_role("radiogroup", name="Pain intensity").get_by_role(
        "radio", name=str(intensity)
    ).tap()
    page.get_by_role("button", name="Save check-in").tap()
    page.locator("#checkin-status").filter(has_text=f"pain {intensity}").wait_for()


def test_check_ins_made_with_the_server_down_sync_once_when_it_is_back(
    offline_phone, own_server, base_config
):
    account = Account.register(own_server.url)
    page = offline_phone.sign_in(account)
    installed(page)
    second = offline_phone.context.new_page()  # a second tab of the app, open throughout
    second.goto("/history")

    own_server.stop()
    page.goto("/today")  # the app opens from the phone's copy
    assert page.get_by_role("heading", name="Today", exact=True).is_visible()
    sync_status = page.locator("#sync-status")
    for n, intensity in enumerate((3, 6, 8), start=1):
        check_in(page, intensity)
        assert "Saved on this phone" in page.locator("#checkin-status").inner_text()
        sync_status.filter(has_text=f"{n} waiting to sync").wait_for()
    assert page.get_by_role("status").filter(has_text="3 waiting to sync").count() == 1
    offline_phone.screenshot("offline-today-waiting")

    own_server.start()
    # The connection is back: the `online` event twice in each tab, and the second tab's own
    # start, all replay at about the same time.
    for tab in (page, second, page, second):
        tab.evaluate("() => dispatchEvent(new Event('online'))")
    second.reload()
    sync_status.filter(has_text="Synced").wait_for()
    second.locator("#sync-status").filter(has_text="waiting").wait_for(state="detached")

    assert rows(base_config, PainEntry, account.id) == 3
    entries = account.call("GET", "/pain-entries")["items"]
    assert sorted(entry["intensity"] for entry in entries) == [3, 6, 8]
    # And once more for good measure: nothing waits, nothing is sent twice.
    page.reload()
    page.wait_for_load_state("networkidle")
    assert rows(base_config, PainEntry, account.id) == 3
    assert "waiting" not in sync_status.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


def test_chromium_finds_the_app_installable(chromium, web_server, new_patient, tmp_path):
    # Chromium never offers to install from an incognito context, which a new context is:
    # this test has a profile on disk, as a phone's browser does.
    context = chromium.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=require_chromium(), args=CHROMIUM_ARGS,
        viewport=PHONE, base_url=web_server.url, has_touch=True,
    )  # fmt: skip
    try:
        page = context.pages[0]
        page.goto("/login")
        account = new_patient()
        page.get_by_label("Email").fill(account.email)
        page.get_by_label("Password").fill(account.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/today")
        installed(page)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest")
        assert manifest["errors"] == []
    finally:
        context.close()
