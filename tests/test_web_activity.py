"""The Activity page (DESIGN §7): the days' steps and active minutes, a day typed by hand (also
offline, through the outbox), and an export uploaded with a progress bar and its result in words.

The page's own shape is checked without a browser; what the patient does with it, in the
session's Chromium on a phone 360 px wide (those tests are marked slow).
"""

import re
import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pain_diary import create_app
from pain_diary.activity.models import ActivityDay
from pain_diary.extensions import db

from .test_web_dated_entries import local_now
from .test_web_offline import eventually, installed
from .test_web_procedures import day_words, meets_the_quality_bar, no_sideways_scroll
from .test_web_today import in_viewport

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_signed_out_the_page_sends_the_browser_to_sign_in(client):
    response = client.get("/activity", headers=HTML)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/activity"


def test_a_clinician_is_sent_to_their_own_home(clinician):
    assert clinician.get("/activity", headers=HTML).headers["Location"] == "/clinic"


def test_the_page_labels_its_fields_and_says_how_to_get_an_export(patient):
    response = patient.get("/activity", headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>Activity · Pain Diary</title>" in html
    labels = dict(re.findall(r'<label for="([^"]+)">([^<]+)</label>', html))
    assert sorted(labels.values()) == ["Active minutes", "Date", "Export file", "Steps"]
    for field_id in labels:  # each label names a field of the form
        assert re.search(rf'<input\b[^>]*\bid="{field_id}"', html), field_id
    assert re.search(r'<input type="date" id="activity-day-date" name="date" required '
                     r'data-not-future>', html)  # fmt: skip
    assert re.search(r'id="activity-day-steps" name="steps" [^>]*min="0" max="150000"', html)
    assert re.search(r'id="activity-day-active_minutes" [^>]*min="0" max="1440"', html)
    assert '<button type="submit" class="wide" id="activity-day-save">Save day</button>' in html
    assert re.search(r'<input type="file" id="import-file" name="file" accept=".zip,.xml,.csv"'
                     r' required aria-describedby="import-file-hint">', html)  # fmt: skip
    hint = re.search(r'<ul class="hint" id="import-file-hint">(.*?)</ul>', html, re.S)[1]
    for how in ("Export All Health Data", "Takeout", "Daily activity metrics.csv",
                "date,steps,active_minutes"):  # fmt: skip
        assert how in hint, how
    assert '<button type="submit" class="wide" id="import-start">Import</button>' in html
    assert '<script type="module" src="/static/js/activity.js">' in html


def test_the_page_has_a_progress_bar_from_0_to_100_named_by_its_label(patient):
    html = patient.get("/activity", headers=HTML).get_data(as_text=True)
    bar = re.search(r'<div class="progress" role="progressbar"([^>]*)>', html)
    assert bar, "no progress bar"
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', bar[1]))
    assert attributes == {
        "aria-labelledby": "import-progress-label",
        "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0",
    }  # fmt: skip
    assert '<span class="label" id="import-progress-label">Uploading…</span>' in html


def test_the_service_worker_keeps_the_page_for_offline(client):
    source = client.get("/sw.js").get_data(as_text=True)
    assert '"/activity"' in re.search(r"^const PAGES = (.*);$", source, re.M)[1]


# -- In the browser -----------------------------------------------------------------------------


def today():
    return local_now().date()


def stored_days(base_config, patient_id):
    """The patient's activity days in the database itself, not through the API: (id, source,
    date, steps, minutes, version), oldest date first."""
    app = create_app(base_config)
    with app.app_context():
        rows = db.session.execute(
            select(
                ActivityDay.id, ActivityDay.source, ActivityDay.date, ActivityDay.steps,
                ActivityDay.active_minutes, ActivityDay.version,
            ).where(ActivityDay.patient_id == uuid.UUID(patient_id))
            .order_by(ActivityDay.date, ActivityDay.source)
        ).all()  # fmt: skip
        db.engine.dispose()
    return [(str(row[0]), *row[1:]) for row in rows]


def imported(base_config, patient_id, day, source, steps, minutes=None):
    """A day an import wrote (only the worker writes those; the API writes manual days)."""
    app = create_app(base_config)
    with app.app_context():
        db.session.add(ActivityDay(
            patient_id=uuid.UUID(patient_id), date=day, source=source, steps=steps,
            active_minutes=minutes,
        ))  # fmt: skip
        db.session.commit()
        db.engine.dispose()


def type_day(page, day, steps="", minutes=""):
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Steps", exact=True).fill(str(steps))
    page.get_by_label("Active minutes", exact=True).fill(str(minutes))
    page.get_by_role("button", name="Save day").click()


@pytest.mark.slow
def test_a_day_typed_online_and_offline_is_listed_and_synced_once(phone, new_patient, base_config):
    account = new_patient()
    page = phone.sign_in(account)
    installed(page)
    phone.open("/activity")  # seen once online: the page and its reads are kept
    eventually(page, "async () => Boolean(await caches.match('/activity'))")
    date = page.get_by_label("Date", exact=True)
    expect(date).to_have_value(today().isoformat())  # today by default, and no later
    assert date.get_attribute("max") == today().isoformat()
    expect(page.get_by_text("No days yet")).to_be_visible()

    yesterday = today() - timedelta(days=1)
    type_day(page, yesterday, 8210, 35)
    status = page.locator("#activity-day-status")
    expect(status).to_have_text(f"Saved: {day_words(yesterday)}, 8,210 steps · 35 active minutes.")
    inside, box = in_viewport(status)
    assert inside, box
    listed = page.locator("#days > li")
    expect(listed).to_have_count(1)
    expect(listed.locator(".plan-name")).to_have_text(day_words(yesterday))
    expect(listed).to_contain_text("8,210 steps · 35 active minutes · Manual")
    expect(date).to_have_value(today().isoformat())  # the form is blank again

    # Typed again for the same date, the day is changed, not refused as a second one.
    type_day(page, yesterday, 9100)
    expect(status).to_have_text(f"Saved: {day_words(yesterday)}, 9,100 steps.")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("9,100 steps · Manual")
    [(first_id, *first)] = stored_days(base_config, account.id)
    assert first == ["manual", yesterday, 9100, None, 2]

    phone.context.set_offline(True)
    page.reload()  # from the phone's copy
    expect(page.get_by_role("heading", name="Activity", exact=True)).to_be_visible()
    type_day(page, today(), minutes=20)
    expect(status).to_have_text(
        f"Saved on this phone: {day_words(today())}, 20 active minutes. "
        "It syncs when you are back online."
    )
    page.locator("#sync-status").filter(has_text="1 waiting to sync").wait_for()
    waiting = listed.filter(has_text="Waiting to sync")
    expect(waiting).to_have_count(1)
    expect(waiting.locator(".plan-name")).to_have_text(f"{day_words(today())} Waiting to sync")
    expect(waiting).to_contain_text("20 active minutes · Manual")
    record_id = waiting.get_attribute("data-id")
    no_sideways_scroll(page)
    phone.screenshot("activity-offline-waiting")
    assert len(stored_days(base_config, account.id)) == 1

    phone.context.set_offline(False)
    page.evaluate("() => dispatchEvent(new Event('online'))")
    page.locator("#sync-status").filter(has_text="Synced").wait_for()
    expect(listed.filter(has_text="Waiting to sync")).to_have_count(0)
    expect(listed.locator(".plan-name")).to_have_text([day_words(today()), day_words(yesterday)])
    page.reload()  # and once more: nothing waits, nothing is sent twice
    page.wait_for_load_state("networkidle")
    assert "waiting" not in page.locator("#sync-status").inner_text()
    assert stored_days(base_config, account.id) == [
        (first_id, "manual", yesterday, 9100, None, 2),
        (record_id, "manual", today(), None, 20, 1),  # exactly one, with its client id
    ]
    days = account.call("GET", "/activity-days")["items"]
    assert sorted(day["id"] for day in days) == sorted([first_id, record_id])
    # The browser's own line for each request made offline is not a problem of the page's.
    assert [line for line in phone.problems if "ERR_INTERNET_DISCONNECTED" not in line] == []


@pytest.mark.slow
def test_a_day_typed_on_another_device_meanwhile_is_changed_not_doubled(phone, new_patient):
    account = new_patient()
    page = phone.sign_in(account)
    phone.open("/activity")
    day = today() - timedelta(days=3)
    other = account.call("POST", "/activity-days", json={"date": day.isoformat(), "steps": 500})
    type_day(page, day, 6400, 40)  # the page's list did not have it: the API answers 409 first
    expect(page.locator("#activity-day-status")).to_have_text(
        f"Saved: {day_words(day)}, 6,400 steps · 40 active minutes."
    )
    [stored] = account.call("GET", "/activity-days")["items"]
    assert (stored["id"], stored["steps"], stored["active_minutes"], stored["version"]) == (
        other["id"], 6400, 40, 2,
    )  # fmt: skip
    expect(page.locator("#days > li")).to_have_count(1)
    no_sideways_scroll(page)
    # The browser's own line for the 409 the page answered by changing that day.
    assert [line for line in phone.problems if "409 (CONFLICT)" not in line] == []


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_each_day_shows_its_figure_and_the_other_sources_under_it(
    phone, new_patient, base_config, scheme
):
    account = new_patient()
    two_days_ago, last_week = today() - timedelta(days=2), today() - timedelta(days=7)
    # Two imports: the phone's count is the larger, so it is the day's figure.
    imported(base_config, account.id, two_days_ago, "apple_health", 7940, 31)
    imported(base_config, account.id, two_days_ago, "google_fit", 6120, 25)
    # Typed by hand, the day's figure whatever the imports say.
    imported(base_config, account.id, last_week, "apple_health", 12034)
    typed = account.call(
        "POST", "/activity-days", json={"date": last_week.isoformat(), "steps": 5000}
    )
    page = phone.sign_in(account)
    page.emulate_media(color_scheme=scheme)
    phone.open("/activity")
    listed = page.locator("#days > li")
    expect(listed.locator(".plan-name")).to_have_text(
        [day_words(two_days_ago), day_words(last_week)]
    )
    recent, typed_day = listed.nth(0), listed.nth(1)
    expect(recent.locator(".grow > p")).to_have_text([
        day_words(two_days_ago), "7,940 steps · 31 active minutes · Apple Health",
        "Also: Google Fit, 6,120 steps · 25 active minutes",
    ])  # fmt: skip
    expect(recent.get_by_role("button")).to_have_count(0)  # imported days are not edited here
    expect(typed_day.locator(".grow > p")).to_have_text([
        day_words(last_week), "5,000 steps · Manual", "Also: Apple Health, 12,034 steps",
    ])  # fmt: skip
    assert typed_day.get_attribute("data-id") == typed["id"]
    meets_the_quality_bar(page)
    phone.screenshot(f"activity-{scheme}")

    # Edit fills the form; saving changes the typed day.
    day = day_words(last_week)
    page.get_by_role("button", name=f"Edit {day}").click()
    expect(page.locator("#activity-day-title")).to_have_text(f"Change {day}")
    expect(page.get_by_label("Steps", exact=True)).to_have_value("5000")
    page.get_by_label("Active minutes", exact=True).fill("45")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#activity-day-status")).to_have_text(
        f"Saved: {day}, 5,000 steps · 45 active minutes."
    )
    expect(page.locator("#activity-day-title")).to_have_text("Add a day")
    stored = account.call("GET", f"/activity-days/{typed['id']}")
    assert (stored["steps"], stored["active_minutes"], stored["version"]) == (5000, 45, 2)

    # Delete asks first: Cancel keeps it, "Yes, delete" deletes it; the import's figure stays.
    question = page.get_by_role("group", name=f"Delete what you typed for {day}?")
    page.get_by_role("button", name=f"Delete {day}").click()
    expect(question).to_contain_text("What was imported for that day stays.")
    question.get_by_role("button", name="Cancel").click()
    expect(question).to_have_count(0)
    page.get_by_role("button", name=f"Delete {day}").click()
    question.get_by_role("button", name="Yes, delete").click()
    expect(page.locator("#days-status")).to_have_text(f"Deleted: what you typed for {day}.")
    expect(typed_day.locator(".grow > p")).to_have_text([day, "12,034 steps · Apple Health"])
    account.call("GET", f"/activity-days/{typed['id']}", expected=(404, 410))
    no_sideways_scroll(page)
    assert phone.problems == []


# -- An import, read by the worker process's job ------------------------------------------------


@contextmanager
def import_worker(base_config):
    """The worker process's import job (``flask scheduler run`` runs it every couple of seconds),
    run here every half second in a thread, on the test server's database."""
    from pain_diary.activity.worker import run_queued_imports

    app = create_app(base_config)
    stop = threading.Event()

    def work():
        while not stop.wait(0.5):
            run_queued_imports(app)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        with app.app_context():
            db.engine.dispose()


# Each state of the import's progress bar, as [its label, aria-valuenow]: [["Uploading…", 0], ...].
WATCH_PROGRESS = """() => {
  const shown = document.getElementById("import-progress");
  const bar = shown.querySelector("[role=progressbar]");
  window.progressSeen = [];
  new MutationObserver(() => {
    const [label, value] = [shown.querySelector(".label").textContent, Number(bar.ariaValueNow)];
    const last = window.progressSeen.at(-1);
    if (last?.[0] === label) last[1] = Math.max(last[1], value);
    else window.progressSeen.push([label, value]);
  }).observe(shown, {subtree: true, attributes: true, childList: true, characterData: true});
}"""


@pytest.mark.slow
def test_an_export_uploads_with_a_progress_bar_and_says_what_it_imported(
    phone, new_patient, base_config, tmp_path
):
    account = new_patient()
    days = [today() - timedelta(days=n) for n in (1, 2, 3)]
    export = tmp_path / "activity.csv"
    export.write_text("date,steps,active_minutes\n" + "".join(
        f"{day.isoformat()},{steps},{minutes}\n"
        for day, steps, minutes in zip(days, (4210, 11050, 980), (35, 62, 5), strict=True)
    ))  # fmt: skip
    broken = tmp_path / "broken.csv"
    broken.write_text(f"date,steps,active_minutes\n{days[0].isoformat()},many,35\n")
    page = phone.sign_in(account)
    phone.open("/activity")
    field, start = page.get_by_label("Export file"), page.get_by_role("button", name="Import")
    status = page.locator("#import-status")
    bar = page.get_by_role("progressbar")

    field.set_input_files(export)
    phone.context.set_offline(True)  # an upload needs the network: said, not tried
    start.click()
    expect(status).to_have_text(
        "You are offline: an import needs a connection. "
        "Choose Import again when you are back online."
    )
    expect(bar).to_be_hidden()
    phone.context.set_offline(False)

    with import_worker(base_config):
        field.set_input_files(broken)  # a failed import says why, and writes nothing
        start.click()
        # The worker's reason, naming the line.
        expect(status).to_have_text(
            re.compile(r"^Not imported: .*\bline 2\b", re.I), timeout=20_000
        )
        assert stored_days(base_config, account.id) == []

        page.evaluate(WATCH_PROGRESS)
        field.set_input_files(export)
        start.click()
        expect(bar).to_be_visible()
        expect(status).to_have_text("Imported 3 days from the CSV file.", timeout=20_000)
    expect(bar).to_have_attribute("aria-valuenow", "100")
    seen = page.evaluate("() => window.progressSeen")
    # The bar said what it measured: the bytes sent, then the bytes read, each share 0 to 100.
    assert [label for label, _ in seen] == ["Uploading…", "Reading the file…", "Imported"], seen
    assert all(0 <= value <= 100 for _, value in seen) and seen[-1] == ["Imported", 100], seen
    assert (bar.get_attribute("aria-valuemin"), bar.get_attribute("aria-valuemax")) == ("0", "100")
    expect(page.locator("#import-progress-label")).to_have_text("Imported")
    expect(field).to_have_value("")  # ready for the next file
    listed = page.locator("#days > li")
    expect(listed.locator(".plan-name")).to_have_text([day_words(day) for day in days])
    expect(listed.nth(1)).to_contain_text("11,050 steps · 62 active minutes · CSV file")
    assert [row[1:5] for row in stored_days(base_config, account.id)] == [
        ("csv", days[2], 980, 5), ("csv", days[1], 11050, 62), ("csv", days[0], 4210, 35),
    ]  # fmt: skip
    meets_the_quality_bar(page)  # the progress bar and the result shown
    phone.screenshot("activity-imported")
    # The browser's own line for a request made offline is not a problem of the page's.
    assert [line for line in phone.problems if "ERR_INTERNET_DISCONNECTED" not in line] == []
