"""The in-app inbox as a patient sees it: the Inbox link with its count, the reminders, answers.

The reminders are written by the scheduler itself: a test moves a rule's ``next_due_at`` to the
occurrence it wants (a real one of the rule's times, in the past) and runs one tick at that
instant against the test server's database, as ``flask scheduler tick --at`` would.
"""

import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from pain_diary import create_app
from pain_diary.extensions import db
from pain_diary.medications.models import DoseEvent
from pain_diary.reminders.dispatch import tick
from pain_diary.reminders.models import ReminderRule

from . import test_web_offline as offline
from .quality import axe_violations, settle, small_targets
from .test_web_offline import eventually, installed
from .webapp import PATIENT_PAGES, Account, Phone

pytestmark = pytest.mark.slow
own_server, offline_phone = offline.own_server, offline.offline_phone  # fixtures
BERLIN = ZoneInfo("Europe/Berlin")


def in_database(base_config, work):
    """Run ``work()`` in an app context on the test server's database; return its result."""
    app = create_app(base_config)
    with app.app_context():
        try:
            return work()
        finally:
            db.session.remove()
            db.engine.dispose()


def remind(base_config, rule_id, due):
    """The reminder of ``rule_id`` at ``due``: one tick, as if the clock read ``due``."""

    def work():
        statement = update(ReminderRule).where(ReminderRule.id == uuid.UUID(rule_id))
        db.session.execute(statement.values(next_due_at=due))
        db.session.commit()
        return tick(due)

    assert in_database(base_config, work).sent >= 1


def dose_events(base_config, account):
    """The patient's dose events in the database itself: (status, scheduled_for, taken_at)."""

    def work():
        statement = select(DoseEvent).where(DoseEvent.patient_id == uuid.UUID(account.id))
        return [(e.status, e.scheduled_for, e.taken_at) for e in db.session.scalars(statement)]

    return in_database(base_config, work)


def minute(moment):
    return moment.replace(second=0, microsecond=0)


def arrange(base_config, account, *ago):
    """A medication taken at times ``ago`` (timedeltas) before now, each with its reminder sent.

    Returns the medication, its rule and the due instants (Berlin), oldest first.
    """
    dues = sorted(minute(datetime.now(BERLIN) - delta) for delta in ago)
    medication = account.call("POST", "/medications", json={
        "name": "Ibuprofen", "ingredient": "ibuprofen", "dose_amount": 400, "dose_unit": "mg",
        "route": "oral", "schedule": {"times": sorted({d.strftime("%H:%M") for d in dues})},
        "start_date": (dues[0].date() - timedelta(days=1)).isoformat(),
    })  # fmt: skip
    rule = account.call("POST", "/reminders", json={
        "kind": "medication", "medication_id": medication["id"], "channels": ["in_app"],
    })  # fmt: skip
    for due in dues:
        remind(base_config, rule["id"], due)
    return SimpleNamespace(medication=medication, rule=rule, dues=dues)


def default_reminders(base_config, account):
    """A new patient's own two reminders, sent yesterday: the sleep diary at 09:00, the check-in
    at 20:00 (both before any dose of ``arrange``, which are at most 3 hours old)."""
    yesterday = datetime.now(BERLIN).date() - timedelta(days=1)
    for rule in account.call("GET", "/reminders"):
        if rule["kind"] not in ("pain_log", "sleep_log"):
            continue
        clock = datetime.strptime(rule["times"][0], "%H:%M").time()
        remind(base_config, rule["id"], datetime.combine(yesterday, clock, BERLIN))


def inbox_link(page, unread):
    name = f"Inbox, {unread} unread" if unread else "Inbox"
    return page.get_by_role("banner").get_by_role("link", name=name, exact=True)


def item(page, text):
    return page.locator("#inbox > li").filter(has_text=text)


def open_inbox(phone):
    page = phone.open("/notifications")
    page.locator("#inbox-loading").wait_for(state="hidden")
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_inbox_lists_reminders_newest_first_and_every_page_counts_the_unread(
    chromium, web_server, new_patient, base_config, scheme
):
    account = new_patient()
    medicine = arrange(base_config, account, timedelta(hours=3), timedelta(minutes=10))
    earlier, latest = medicine.dues
    default_reminders(base_config, account)
    # The earlier dose was answered on Today: its reminder is read, and shows the answer.
    account.call("PUT", f"/medication-doses/{uuid.uuid4()}", json={
        "medication_id": medicine.medication["id"], "status": "taken",
        "scheduled_for": earlier.isoformat(),
        "taken_at": (earlier + timedelta(minutes=5)).isoformat(),
    })  # fmt: skip

    phone = Phone(chromium, web_server.url, color_scheme=scheme)
    try:
        page = phone.sign_in(account)
        for path in PATIENT_PAGES:
            phone.open(path)
            expect(inbox_link(page, 3)).to_be_visible()
        page = open_inbox(phone)
        expect(inbox_link(page, 3)).to_have_attribute("aria-current", "page")

        items = page.locator("#inbox > li")
        expect(items).to_have_count(4)
        hhmm = [d.strftime("%H:%M") for d in (latest, earlier)]
        texts = items.all_inner_texts()
        assert f"Time for your {hhmm[0]} dose: Ibuprofen 400 mg." in texts[0]
        assert f"Time for your {hhmm[1]} dose: Ibuprofen 400 mg." in texts[1]
        assert "Time for your evening check-in." in texts[2]  # yesterday 20:00
        assert "sleep diary for last night" in texts[3]  # yesterday 09:00
        unread = [li.evaluate("li => li.classList.contains('unread')") for li in items.all()]
        assert unread == [True, False, True, True]
        assert [li.get_by_text("Unread", exact=True).is_visible() for li in items.all()] == unread
        assert "Yesterday, 20:00" in texts[2] and "Yesterday, 09:00" in texts[3]
        assert f"Taken at {(earlier + timedelta(minutes=5)):%H:%M}" in texts[1]
        assert items.nth(0).get_by_role("button", name="Taken").is_visible()
        assert items.nth(0).get_by_role("button", name="Skip").is_visible()
        expect(items.nth(1).get_by_role("button", name="Taken")).to_have_attribute(
            "aria-pressed", "true"
        )
        check_in = items.nth(2).get_by_role("link", name="Open the check-in")
        assert check_in.get_attribute("href") == "/today"
        sleep = items.nth(3).get_by_role("link", name="Fill in last night's sleep")
        assert sleep.get_attribute("href") == "/today#sleep"

        settle(page)
        suffix = "" if scheme == "light" else "-dark"
        phone.screenshot(f"inbox{suffix}")
        assert axe_violations(page) == []
        assert small_targets(page) == []
        assert phone.horizontal_overflow() == 0
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert phone.horizontal_overflow() == 0
        assert phone.problems == [] and phone.offsite == []
    finally:
        phone.close()


def test_taken_from_the_inbox_logs_the_reminded_dose_once_even_after_a_double_tap(
    phone, new_patient, base_config
):
    account = new_patient()
    (due,) = arrange(base_config, account, timedelta(minutes=10)).dues
    page = phone.sign_in(account)
    expect(inbox_link(page, 1)).to_be_visible()
    page = open_inbox(phone)
    reminder = item(page, f"Time for your {due:%H:%M} dose")
    expect(reminder.get_by_text("Not logged yet")).to_be_visible()

    taken = reminder.get_by_role("button", name="Taken")
    taken.dblclick()
    expect(reminder.get_by_role("status")).to_contain_text("Saved: Ibuprofen 400 mg of")
    expect(reminder.locator(".dose-state")).to_contain_text("Taken at ")
    expect(taken).to_have_attribute("aria-pressed", "true")
    expect(reminder.get_by_text("Unread", exact=True)).to_be_hidden()
    expect(inbox_link(page, 0)).to_be_visible()
    # Tapped once more later: the dose is logged already, nothing is written again.
    taken.tap()
    expect(reminder.get_by_role("status")).to_contain_text("Already logged: Taken at")

    ((status, scheduled_for, taken_at),) = dose_events(base_config, account)
    assert status == "taken" and scheduled_for == due
    assert abs(taken_at - datetime.now(BERLIN)) < timedelta(minutes=2)
    (notification,) = account.call("GET", "/notifications")["items"]
    assert notification["read_at"] is not None
    phone.open("/today")
    expect(inbox_link(page, 0)).to_be_visible()  # the server's count, on another page


def test_skip_from_the_inbox_logs_the_reminded_dose_once(phone, new_patient, base_config):
    account = new_patient()
    (due,) = arrange(base_config, account, timedelta(minutes=20)).dues
    phone.sign_in(account)
    page = open_inbox(phone)
    reminder = item(page, f"Time for your {due:%H:%M} dose")
    skip = reminder.get_by_role("button", name="Skip")
    page.evaluate("""() => {
      const skip = [...document.querySelectorAll("#inbox button")]
        .find((button) => button.textContent === "Skip");
      skip.click(); skip.click();
    }""")
    expect(reminder.locator(".dose-state")).to_have_text("Skipped")
    expect(skip).to_have_attribute("aria-pressed", "true")
    expect(inbox_link(page, 0)).to_be_visible()
    assert dose_events(base_config, account) == [("skipped", due, None)]
    page.reload()
    expect(item(page, "dose").locator(".dose-state")).to_have_text("Skipped")
    assert dose_events(base_config, account) == [("skipped", due, None)]


def test_a_dose_reminded_hours_ago_asks_when_it_was_taken(phone, new_patient, base_config):
    account = new_patient()
    (due,) = arrange(base_config, account, timedelta(hours=3)).dues
    phone.sign_in(account)
    page = open_inbox(phone)
    reminder = item(page, f"Time for your {due:%H:%M} dose")
    reminder.get_by_role("button", name="Taken").tap()
    question = reminder.get_by_role("group", name="When did you take it?")
    expect(question).to_be_visible()
    expect(reminder.get_by_role("button", name="Taken")).to_be_disabled()
    question.get_by_role("button", name=f"At {due:%H:%M}").tap()
    expect(reminder.locator(".dose-state")).to_have_text(f"Taken at {due:%H:%M}")
    expect(question).to_be_hidden()
    assert dose_events(base_config, account) == [("taken", due, due)]


def test_a_dose_answered_elsewhere_meanwhile_is_shown_not_logged_twice(
    phone, new_patient, base_config
):
    account = new_patient()
    medicine = arrange(base_config, account, timedelta(minutes=15))
    (due,) = medicine.dues
    phone.sign_in(account)
    page = open_inbox(phone)
    reminder = item(page, f"Time for your {due:%H:%M} dose")
    expect(reminder.get_by_role("button", name="Taken")).to_be_enabled()
    # On another phone, after this page was opened:
    account.call("PUT", f"/medication-doses/{uuid.uuid4()}", json={
        "medication_id": medicine.medication["id"], "status": "skipped",
        "scheduled_for": due.isoformat(), "taken_at": None,
    })  # fmt: skip
    reminder.get_by_role("button", name="Taken").tap()
    expect(reminder.get_by_role("status")).to_have_text("This dose was logged already: Skipped.")
    expect(reminder.get_by_role("button", name="Skip")).to_have_attribute("aria-pressed", "true")
    assert dose_events(base_config, account) == [("skipped", due, None)]
    # Changed from here, the one event changes (the server's rules: a skipped dose now taken).
    reminder.get_by_role("button", name="Taken").tap()
    expect(reminder.locator(".dose-state")).to_contain_text("Taken at")
    ((status, scheduled_for, _),) = dose_events(base_config, account)
    assert (status, scheduled_for) == ("taken", due)


def test_a_reminder_of_another_kind_opens_its_form_and_is_read(phone, new_patient, base_config):
    account = new_patient()
    default_reminders(base_config, account)
    page = phone.sign_in(account)
    expect(inbox_link(page, 2)).to_be_visible()
    page = open_inbox(phone)
    item(page, "sleep diary").get_by_role("link", name="Fill in last night's sleep").tap()
    page.wait_for_url("**/today#sleep")
    expect(inbox_link(page, 1)).to_be_visible()
    items = account.call("GET", "/notifications")["items"]
    check_in, sleep = sorted(items, key=lambda notification: notification["kind"])
    assert sleep["kind"] == "sleep_log" and sleep["read_at"] is not None
    assert check_in["read_at"] is None
    page.go_back()
    page.locator("#inbox-loading").wait_for(state="hidden")
    assert not item(page, "sleep diary").evaluate("li => li.classList.contains('unread')")
    assert item(page, "check-in").evaluate("li => li.classList.contains('unread')")


def test_answers_and_opened_reminders_offline_wait_on_the_phone_and_sync_once(
    offline_phone, own_server, base_config
):
    account = Account.register(own_server.url)
    (due,) = arrange(base_config, account, timedelta(minutes=5)).dues
    default_reminders(base_config, account)
    page = offline_phone.sign_in(account)
    installed(page)
    open_inbox(offline_phone)  # its reads are kept for offline too
    expect(inbox_link(page, 3)).to_be_visible()

    own_server.stop()
    page.reload()  # from the phone's copy
    page.locator("#inbox-loading").wait_for(state="hidden")
    reminder = item(page, f"Time for your {due:%H:%M} dose")
    reminder.get_by_role("button", name="Taken").dblclick()
    expect(reminder.get_by_role("status")).to_contain_text("Saved on this phone")
    expect(reminder.locator(".dose-state")).to_contain_text("waiting to sync")
    page.locator("#sync-status").filter(has_text="1 waiting to sync").wait_for()
    expect(inbox_link(page, 2)).to_be_visible()
    offline_phone.screenshot("inbox-offline")
    # A reminder opened offline: read on this phone, the page from its copy.
    item(page, "sleep diary").get_by_role("link", name="Fill in last night's sleep").tap()
    page.wait_for_url("**/today#sleep")
    assert page.get_by_role("heading", name="Today", exact=True).is_visible()

    own_server.start()
    page.evaluate("() => dispatchEvent(new Event('online'))")
    page.locator("#sync-status").filter(has_text="Synced").wait_for()
    eventually(page, "() => !localStorage.getItem(`pain-diary-read:${document.body.dataset.user}`)")
    ((status, scheduled_for, _),) = dose_events(base_config, account)
    assert (status, scheduled_for) == ("taken", due)
    items = account.call("GET", "/notifications")["items"]
    read = {notification["kind"]: notification["read_at"] is not None for notification in items}
    assert read == {"medication": True, "sleep_log": True, "pain_log": False}
    page.goto("/today")
    expect(inbox_link(page, 1)).to_be_visible()
    page.evaluate("() => dispatchEvent(new Event('online'))")  # and once more: nothing twice
    page.wait_for_load_state("networkidle")
    assert len(dose_events(base_config, account)) == 1
