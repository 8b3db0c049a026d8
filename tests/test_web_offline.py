"""The installed, offline app: a server the test stops and starts, and the phone's own storage.

The phone keeps what it could not send in its outbox (IndexedDB) and replays it when the server
answers again; the database must then hold each entry once, however often the replay runs.
"""

import re
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import func, select

from pain_diary import create_app
from pain_diary.extensions import db
from pain_diary.medications.models import DoseEvent
from pain_diary.records.models import PainEntry

from .browser import CHROMIUM_ARGS, require_chromium
from .factories import PASSWORD, MedicationBody
from .quality import settle
from .server import Server
from .test_web_dated_entries import zone_where_it_is
from .webapp import ARTIFACTS, PHONE, Account, Phone, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture
def own_server(migrated, base_config):
    """A server of this test's own, to stop and start again on the same address (origin)."""
    server = Server(base_config, workers=1, threads=4).start()
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
    while not (answer := _evaluate(page, script, arg)):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script}"
        page.wait_for_timeout(100)
    return answer


def _evaluate(page, script, arg):
    try:
        return page.evaluate(script, arg)
    except PlaywrightError as error:  # the page went elsewhere meanwhile: ask the next one
        if "context was destroyed" not in error.message:
            raise
        return None


def installed(page):
    """Wait until the service worker controls the page and has kept the patient's pages."""
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        # The worker became active while this page was loading (after a navigation that it did
        # not see, before claiming): the page stays uncontrolled; the next load is controlled.
        page.reload()
    eventually(page, "() => navigator.serviceWorker.controller !== null")
    eventually(
        page,
        "async () => Boolean(await caches.match('/today') && await caches.match('/history'))",
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
        sign_in(page, new_patient())
        installed(page)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest")
        assert manifest["errors"] == []
    finally:
        context.close()


def test_a_change_the_server_refuses_on_replay_is_shown_with_its_reason_until_dismissed(
    offline_phone, own_server
):
    account = Account.register(own_server.url)
    entry = account.call(
        "POST", "/pain-entries", json={"intensity": 4, "recorded_at": "2026-12-01T09:00:00+01:00"}
    )
    page = offline_phone.sign_in(account)
    installed(page)
    offline_phone.open(f"/history/pain-entries/{entry['id']}")

    own_server.stop()
    page.get_by_role("radiogroup", name="Pain intensity").get_by_role("radio", name="6").tap()
    page.get_by_role("button", name="Save changes").tap()
    page.locator("#edit-status").filter(has_text="kept on this phone").wait_for()
    page.locator("#sync-status").filter(has_text="1 waiting to sync").wait_for()

    own_server.start()
    account.call("DELETE", f"/pain-entries/{entry['id']}")  # meanwhile, on another device
    page.evaluate("() => dispatchEvent(new Event('online'))")
    refused = page.get_by_role("list", name="Not saved").get_by_role("listitem")
    refused.filter(has_text="This record was deleted and stays deleted").wait_for()
    assert "change to the entry of" in refused.inner_text()
    expect(page.locator("#edit-status")).to_have_text(
        "Your change was not saved: This record was deleted and stays deleted."
    )
    assert "waiting" not in page.locator("#sync-status").inner_text()
    offline_phone.screenshot("offline-refused")

    # Kept, not dropped: it is still there on the next start, until the patient dismisses it.
    page.reload()
    refused.first.wait_for()
    page.get_by_role("button", name="Dismiss: change to the entry of").tap()
    refused.first.wait_for(state="detached")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert refused.count() == 0
    with pytest.raises(AssertionError):  # stays deleted: the refused change wrote nothing
        account.call("GET", f"/pain-entries/{entry['id']}")


def test_the_last_seen_charts_open_offline_and_signing_out_empties_the_phones_copy(
    offline_phone, own_server
):
    account = Account.register(own_server.url)
    for day in range(1, 4):
        account.call(
            "POST",
            "/pain-entries",
            json={"intensity": 3 + day, "recorded_at": f"2026-12-0{day}T09:00:00+01:00"},
        )
    page = offline_phone.sign_in(account)
    installed(page)
    offline_phone.open("/trends")
    settle(page)

    own_server.stop()
    page.reload()
    settle(page)
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('img[data-chart]')].map((i) => i.naturalWidth)"
    )
    offline_phone.screenshot("offline-trends")
    assert drawn and all(width > 0 for width in drawn), (drawn, page.content()[:3000])

    own_server.start()
    page.get_by_role("button", name="Sign out").tap()
    page.wait_for_url("**/login")
    kept = eventually(page, "async () => (await caches.keys()).length && caches.keys()")
    assert "data" not in kept  # the patient's pages and reads are gone from the phone
    assert page.evaluate("async () => Boolean(await caches.match('/today'))") is False


def test_what_waits_on_a_shared_phone_is_sent_only_as_the_patient_who_logged_it(
    offline_phone, own_server, base_config
):
    first, second = Account.register(own_server.url), Account.register(own_server.url)
    page = offline_phone.sign_in(first)
    installed(page)
    own_server.stop()
    page.reload()
    check_in(page, 7)
    page.locator("#sync-status").filter(has_text="1 waiting to sync").wait_for()

    # The first patient's session ends without a sync (the phone was offline); another
    # patient signs in on the same phone.
    offline_phone.context.clear_cookies()
    own_server.start()
    offline_phone.sign_in(second)
    page.wait_for_load_state("networkidle")
    page.evaluate("() => dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    assert page.locator("#sync-status").inner_text() == ""
    assert rows(base_config, PainEntry, second.id) == 0
    assert rows(base_config, PainEntry, first.id) == 0

    offline_phone.context.clear_cookies()
    offline_phone.sign_in(first)
    page.locator("#sync-status").filter(has_text="Synced").wait_for()
    assert rows(base_config, PainEntry, first.id) == 1
    assert rows(base_config, PainEntry, second.id) == 0


def test_a_dose_answered_offline_stays_answered_on_the_phone_and_syncs_once(
    offline_phone, own_server, base_config
):
    # A patient whose clock reads 10:xx: the 08:00 dose is answered hours after its time.
    account = Account.register(own_server.url, timezone=zone_where_it_is(10))
    times = {"times": ["08:00", "23:59"], "days_of_week": list(range(7))}  # due every day
    account.call("POST", "/medications", json=MedicationBody(name="Naproxen 250", schedule=times))
    page = offline_phone.sign_in(account)
    installed(page)
    page.locator("#doses .dose").first.wait_for()

    own_server.stop()
    page.reload()
    dose = page.locator("#doses .dose").first  # from the phone's copy of today's doses
    dose.get_by_role("button", name="Taken").tap()
    dose.get_by_role("button", name="At 08:00").tap()
    page.locator("#doses-status").filter(has_text="Saved on this phone").wait_for()
    page.reload()  # still offline: the answer waiting to sync is shown, not the stale copy
    expect(dose.locator(".dose-state")).to_have_text("Taken at 08:00 · Change")
    expect(dose.get_by_role("button", name="Taken")).to_have_count(0)
    page.locator("#sync-status").filter(has_text="1 waiting to sync").wait_for()

    own_server.start()
    page.evaluate("() => dispatchEvent(new Event('online'))")
    page.locator("#sync-status").filter(has_text="Synced").wait_for()
    (event,) = account.call("GET", "/medication-doses")["items"]
    assert event["status"] == "taken"
    taken, due = (datetime.fromisoformat(event[name]) for name in ("taken_at", "scheduled_for"))
    assert taken == due  # "At 08:00"
    assert rows(base_config, DoseEvent, account.id) == 1


def test_a_check_in_saved_with_the_server_down_is_in_history_waiting_to_sync_then_once_synced(
    offline_phone, own_server, base_config
):
    account = Account.register(own_server.url)
    noted(account, "Walked to the shops")
    page = history_seen(offline_phone, account, "Walked to the shops")

    own_server.stop()
    page.goto("/today")
    check_in(page, 7)
    page.goto("/history")  # the phone's copy, and what waits on the phone
    entries = page.locator("#days").get_by_role("listitem")
    seven = entries.filter(has_text=re.compile(r"^Pain 7 · "))
    expect(seven).to_have_count(1)
    expect(seven).to_contain_text("Waiting to sync")
    expect(entries.filter(has_text="Waiting to sync")).to_have_count(1)
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    heading = seven.locator("xpath=ancestor::section").get_by_role("heading")
    expect(heading).to_have_text(f"{today:%A} {today.day} {today:%B}")
    expect(entries.filter(has_text="Walked to the shops")).to_have_count(1)
    offline_phone.screenshot("offline-history-waiting")
    # Only where its kind is shown.
    page.goto("/history?show=doses")
    page.get_by_text("No doses in your diary yet.").wait_for()
    expect(seven).to_have_count(0)
    page.goto("/history?show=pain")
    expect(seven).to_contain_text("Waiting to sync")

    own_server.start()
    page.evaluate("() => dispatchEvent(new Event('online'))")
    page.locator("#sync-status").filter(has_text="Synced").wait_for()
    expect(entries.filter(has_text="Waiting to sync")).to_have_count(0)
    expect(seven).to_have_count(1)
    assert rows(base_config, PainEntry, account.id) == 2
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(seven).to_have_count(1)
    expect(entries).to_have_count(2)
    assert "Waiting to sync" not in seven.inner_text()


def test_a_change_made_offline_shows_in_history_and_on_its_edit_page_until_it_syncs(
    offline_phone, own_server
):
    account = Account.register(own_server.url)
    entry = noted(account, "Stiff after the drive")
    page = history_seen(offline_phone, account, "Stiff after the drive")
    offline_phone.open(f"/history/pain-entries/{entry['id']}")  # kept: it opens offline

    own_server.stop()
    scale = page.get_by_role("radiogroup", name="Pain intensity")
    scale.get_by_role("radio", name="6").tap()
    page.get_by_role("button", name="Save changes").tap()
    page.locator("#edit-status").filter(has_text="kept on this phone").wait_for()
    page.get_by_role("link", name="Back to History").tap()
    entries = page.locator("#days").get_by_role("listitem")
    # The change replaces what the server had, marked; the server's copy is not listed too.
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text(re.compile(r"^Pain 6 · "))
    expect(entries.first).to_contain_text("Waiting to sync")
    # Opened again, the entry is what was written on the phone, not the kept server copy.
    page.get_by_role("link", name=re.compile(r"^Edit pain 6 at ")).tap()
    expect(scale.get_by_role("radio", name="6")).to_be_checked()

    own_server.start()
    page.evaluate("() => dispatchEvent(new Event('online'))")
    page.locator("#edit-status").filter(has_text="Changes saved.").wait_for()
    page.get_by_role("link", name="Back to History").tap()
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text(re.compile(r"^Pain 6 · "))
    expect(entries.first).not_to_contain_text("Waiting to sync")
    assert account.call("GET", f"/pain-entries/{entry['id']}")["intensity"] == 6


NEW_PASSWORD = "a different sturdy passphrase"
#: Every answer the service worker keeps, as text: what the phone holds of whoever used it.
KEPT_TEXT = """async () => {
  const texts = [];
  for (const name of await caches.keys()) {
    if (name.startsWith("shell-")) continue;
    const cache = await caches.open(name);
    for (const request of await cache.keys()) texts.push(await (await cache.match(request)).text());
  }
  return texts.join("\\n");
}"""
#: The outbox's writes on this phone, whoever made them: [user, op, collection].
OUTBOX = """() => new Promise((resolve, reject) => {
  const opening = indexedDB.open("pain-diary");
  opening.onerror = () => reject(opening.error);
  opening.onsuccess = () => {
    const all = opening.result.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => resolve(all.result.map((item) => [item.user, item.op, item.collection]));
  };
})"""


def noted(account, note):
    """A pain entry of ``account`` a minute ago with ``note``: History shows the note."""
    when = datetime.now(ZoneInfo("Europe/Berlin")) - timedelta(minutes=1)
    body = {"intensity": 5, "recorded_at": when.replace(microsecond=0).isoformat(), "note": note}
    return account.call("POST", "/pain-entries", json=body)


def history_seen(offline_phone, account, note):
    """The patient opens History on the phone and reads ``note`` there: it is kept."""
    page = offline_phone.sign_in(account)
    installed(page)
    offline_phone.open("/history")
    page.get_by_text(note).wait_for()
    eventually(page, f"async (note) => (await ({KEPT_TEXT})()).includes(note)", note)
    return page


def disable(base_config, account):
    """``flask users disable --email``, as an administrator runs it."""
    app = create_app(base_config)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["users", "disable", "--email", account.email])
        db.engine.dispose()
    assert result.exit_code == 0, result.output


def test_a_password_changed_elsewhere_empties_the_phones_copy_at_its_next_request(
    offline_phone, own_server
):
    account = Account.register(own_server.url)
    noted(account, "Flare after gardening")
    page = history_seen(offline_phone, account, "Flare after gardening")

    # On another device: the new password ends every other session, the phone's too.
    account.call(
        "POST", "/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    page.reload()  # the phone's next request: sent to sign in
    page.wait_for_url("**/login?next=/history")
    eventually(page, f"async () => !(await ({KEPT_TEXT})()).includes('Flare after gardening')")

    own_server.stop()
    page.goto("/history")
    page.wait_for_load_state("networkidle")
    assert "Flare after gardening" not in page.content()
    assert page.get_by_role("heading", name="You are offline").is_visible()
    read = "() => fetch('/api/v1/pain-entries').then((r) => r.status, () => 'no answer')"
    assert page.evaluate(read) == "no answer"


def test_a_disabled_patients_copy_goes_at_the_first_401(offline_phone, own_server, base_config):
    account = Account.register(own_server.url)
    noted(account, "Slept badly, knee")
    page = history_seen(offline_phone, account, "Slept badly, knee")

    disable(base_config, account)
    status = "() => fetch('/api/v1/pain-entries').then((r) => r.status)"
    assert page.evaluate(status) == 401  # a read of the page's, answered 401
    eventually(page, f"async () => !(await ({KEPT_TEXT})()).includes('Slept badly, knee')")

    own_server.stop()
    page.goto("/history")
    page.wait_for_load_state("networkidle")
    assert "Slept badly, knee" not in page.content()


def test_a_second_patient_on_the_phone_starts_from_nothing_and_writes_only_as_themselves(
    offline_phone, own_server, base_config
):
    first, second = Account.register(own_server.url), Account.register(own_server.url)
    noted(first, "First's own words")
    page = history_seen(offline_phone, first, "First's own words")
    # Offline, the first patient checks in: it waits on the phone, under their id.
    own_server.stop()
    page.goto("/today")
    check_in(page, 7)
    page.locator("#sync-status").filter(has_text="1 waiting to sync").wait_for()
    # This tab stays open on the first patient's Today, asleep meanwhile (as a tab in the
    # background is), so that its outbox tries again only once the second patient is in.
    cdp = offline_phone.context.new_cdp_session(page)
    cdp.send("Page.setWebLifecycleState", {"state": "frozen"})

    own_server.start()
    # The first patient's session ends elsewhere; the second signs in on the same phone.
    first.call(
        "POST", "/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    first.password = NEW_PASSWORD
    other = offline_phone.context.new_page()
    other.goto("/login")
    sign_in(other, second)
    other.wait_for_url("**/today")
    kept_for = "async (user) => (await (await caches.match('/history'))?.text())"
    kept_for += '?.includes(`data-user="${user}"`)'
    eventually(other, kept_for, second.id)  # the phone's History is the second patient's

    # The first patient's tab wakes up and replays what waits: never as the second patient.
    cdp.send("Page.setWebLifecycleState", {"state": "active"})
    page.evaluate("() => dispatchEvent(new Event('online'))")
    sent_or_moved_on = "(second) => document.body.dataset.user === second"
    sent_or_moved_on += " || document.querySelector('#sync-status').textContent.includes('Synced')"
    eventually(page, sent_or_moved_on, second.id)  # either way, the replay was tried
    assert rows(base_config, PainEntry, second.id) == 0
    assert [user for user, *_ in page.evaluate(OUTBOX)] == [first.id]

    # With the server down, the phone shows the second patient nothing of the first's.
    own_server.stop()
    other.goto("/history")
    other.wait_for_load_state("networkidle")
    assert other.evaluate("() => document.body.dataset.user") == second.id
    assert "First's own words" not in other.content()
    assert "First's own words" not in other.evaluate(KEPT_TEXT)
    # What the second patient does offline waits under their own id.
    other.goto("/today")
    check_in(other, 3)
    other.locator("#sync-status").filter(has_text="1 waiting to sync").wait_for()
    assert sorted(user for user, *_ in other.evaluate(OUTBOX)) == sorted([first.id, second.id])

    own_server.start()
    other.evaluate("() => dispatchEvent(new Event('online'))")
    other.locator("#sync-status").filter(has_text="Synced").wait_for()
    assert rows(base_config, PainEntry, second.id) == 1
    assert rows(base_config, PainEntry, first.id) == 1  # the entry noted through the API

    # The first patient, back on their phone, gets their own check-in sent as themselves.
    other.get_by_role("button", name="Sign out").tap()
    other.wait_for_url("**/login")
    sign_in(other, first)
    other.locator("#sync-status").filter(has_text="Synced").wait_for()
    assert rows(base_config, PainEntry, first.id) == 2
    assert rows(base_config, PainEntry, second.id) == 1
    assert other.evaluate(OUTBOX) == []
