"""Medications, Reminders and Settings in a real browser: what the patient sets, the API holds."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from .quality import axe_violations, open_details, overflowing, small_targets
from .webapp import Account, Phone

pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")


def berlin_today():
    return datetime.now(BERLIN).date()


def besides(problems, *statuses):
    """The console errors other than the browser's own line for each answer the test expects."""
    expected = [f"the server responded with a status of {status} " for status in statuses]
    return [problem for problem in problems if not any(text in problem for text in expected)]


def assert_usable_on_a_phone(phone):
    """No sideways scroll (also at 200 % text), 44 px targets, no serious axe finding."""
    page = phone.page
    assert overflowing(page) == [], overflowing(page)
    open_details(page, menu=True)  # the menu's links are measured open, as a patient sees them
    assert small_targets(page) == []
    assert axe_violations(page) == []
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert overflowing(page) == [], overflowing(page)
    assert phone.problems == []


def screenshots(phone, chromium, web_server, account, path, ready):
    """The page at 360×740 in light (checked for use on a phone) and in dark."""
    page = phone.open(path)
    ready(page)
    phone.screenshot(path.strip("/"))
    assert_usable_on_a_phone(phone)
    dark = Phone(chromium, web_server.url, color_scheme="dark")
    try:
        dark.sign_in(account)
        ready(dark.open(path))
        dark.screenshot(f"{path.strip('/')}-dark")
        assert axe_violations(dark.page) == []  # contrast in dark too
        assert dark.problems == []
    finally:
        dark.close()


def add_medication(account, **fields):
    body = {
        "name": "Ibuprofen", "dose_amount": 400, "dose_unit": "mg", "route": "oral",
        "schedule": {"times": ["08:00", "20:00"]},
        "start_date": (berlin_today() - timedelta(days=30)).isoformat(),
    } | fields  # fmt: skip
    return account.call("PUT", f"/medications/{uuid.uuid4()}", json=body)


def fill_medication(page, name, amount, unit, times=(), ingredient=None):
    form = page.locator("#medication")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Dose").fill(str(amount))
    form.get_by_label("Unit").select_option(unit)
    for number, time in enumerate(times, start=1):
        if number > 1:
            form.get_by_role("button", name="Add a time").click()
        form.get_by_label(f"Time {number}", exact=True).fill(time)
    if ingredient:
        form.get_by_label("Opioid ingredient").select_option(ingredient)
    return form


def test_a_scheduled_medication_added_through_the_page_is_stored_once(phone, new_patient):
    account = new_patient()
    phone.sign_in(account)
    page = phone.open("/medications")
    expect(page.get_by_text("No medications yet.")).to_be_visible()
    form = fill_medication(page, "Pregabalin", 75, "mg", times=("20:00", "08:00"))
    form.get_by_label("How you take it").select_option("oral")
    for day in ("Saturday", "Sunday"):
        form.get_by_role("checkbox", name=day).uncheck()
    expect(form.get_by_label("First day")).to_have_value(berlin_today().isoformat())
    form.get_by_role("button", name="Save medication").dblclick()

    expect(page.locator("#form-status")).to_have_text("Pregabalin added.")
    item = page.get_by_role("listitem").filter(has_text="Pregabalin")
    expect(item).to_contain_text("75 mg · Oral · 08:00 and 20:00 on weekdays")
    (medication,) = account.call("GET", "/medications")["items"]
    assert {key: medication[key] for key in (
        "name", "dose_amount", "dose_unit", "route", "as_needed", "schedule", "start_date",
        "end_date", "ingredient",
    )} == {
        "name": "Pregabalin", "dose_amount": 75, "dose_unit": "mg", "route": "oral",
        "as_needed": False,
        "schedule": {"times": ["08:00", "20:00"], "days_of_week": [0, 1, 2, 3, 4]},
        "start_date": berlin_today().isoformat(), "end_date": None, "ingredient": None,
    }  # fmt: skip
    # The form is blank again, and the next medication is a new one.
    expect(form.get_by_label("Name")).to_have_value("")
    fill_medication(page, "Paracetamol", 1, "g")
    form.get_by_text("As needed").click()
    expect(form.get_by_label("Time 1", exact=True)).to_be_hidden()
    form.get_by_role("button", name="Save medication").click()
    expect(page.get_by_role("listitem").filter(has_text="Paracetamol")).to_contain_text(
        "1 g · Oral · as needed"
    )
    assert len(account.call("GET", "/medications")["items"]) == 2
    assert phone.problems == []


def test_an_opioid_in_tablets_shows_the_apis_message_at_the_unit_and_stores_nothing(
    phone, new_patient
):
    account = new_patient()
    refused = account.call(
        "PUT", f"/medications/{uuid.uuid4()}", expected=(422,),
        json={"name": "Tramadol", "dose_amount": 2, "dose_unit": "tablet", "ingredient": "tramadol",
              "as_needed": True, "start_date": berlin_today().isoformat()},
    )  # fmt: skip
    (message,) = refused["error"]["fields"]["dose_unit"]
    phone.sign_in(account)
    page = phone.open("/medications")
    form = fill_medication(page, "Tramadol", 2, "tablet", times=("08:00",), ingredient="tramadol")
    form.get_by_role("button", name="Save medication").click()

    expect(form.locator('[data-error-for="dose_unit"]')).to_have_text(message)
    expect(form.get_by_label("Unit")).to_have_attribute("aria-invalid", "true")
    assert account.call("GET", "/medications")["items"] == []
    # Corrected to a mass, the same form saves it as an opioid.
    form.get_by_label("Dose").fill("50")
    form.get_by_label("Unit").select_option("mg")
    form.get_by_role("button", name="Save medication").click()
    expect(page.get_by_role("listitem").filter(has_text="Tramadol")).to_contain_text(
        "Opioid: Tramadol"
    )
    (medication,) = account.call("GET", "/medications")["items"]
    assert (medication["ingredient"], medication["dose_unit"]) == ("tramadol", "mg")
    assert besides(phone.problems, 422) == []


def test_stop_taking_ends_the_medication_today(phone, new_patient):
    account = new_patient()
    medication = add_medication(account, name="Naproxen")
    phone.sign_in(account)
    page = phone.open("/medications")
    page.get_by_role("button", name="Stop taking Naproxen").click()

    expect(page.locator("#medications-status")).to_have_text("Naproxen: today is the last day.")
    stored = account.call("GET", f"/medications/{medication['id']}")
    assert stored["end_date"] == berlin_today().isoformat()
    assert stored["version"] == medication["version"] + 1
    assert stored["schedule"] == medication["schedule"]
    expect(page.get_by_role("button", name="Stop taking Naproxen")).to_have_count(0)
    assert phone.problems == []


def test_an_edit_changed_elsewhere_meanwhile_is_not_overwritten(phone, new_patient):
    account = new_patient()
    medication = add_medication(account, name="Duloxetine", dose_amount=30)
    phone.sign_in(account)
    page = phone.open("/medications")
    page.get_by_role("button", name="Edit Duloxetine").click()
    form = page.locator("#medication")
    expect(form.get_by_label("Dose")).to_have_value("30")
    account.call("PUT", f"/medications/{medication['id']}", json={**medication, "dose_amount": 60})
    form.get_by_label("Dose").fill("90")
    form.get_by_role("button", name="Save changes").click()

    expect(page.locator("#form-status")).to_contain_text("changed on another device")
    expect(form.get_by_label("Dose")).to_have_value("60")
    assert account.call("GET", f"/medications/{medication['id']}")["dose_amount"] == 60
    form.get_by_label("Dose").fill("90")
    form.get_by_role("button", name="Save changes").click()
    expect(page.locator("#form-status")).to_have_text("Duloxetine saved.")
    assert account.call("GET", f"/medications/{medication['id']}")["dose_amount"] == 90
    assert besides(phone.problems, 409) == []


def test_delete_asks_first(phone, new_patient):
    account = new_patient()
    medication = add_medication(account, name="Amitriptyline", dose_amount=10)
    phone.sign_in(account)
    page = phone.open("/medications")
    page.get_by_role("button", name="Delete Amitriptyline").click()
    group = page.get_by_role("group", name="Delete Amitriptyline and the doses logged for it?")
    group.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Delete Amitriptyline")).to_be_focused()
    assert account.call("GET", f"/medications/{medication['id']}")["name"] == "Amitriptyline"
    page.get_by_role("button", name="Delete Amitriptyline").click()
    page.get_by_role("button", name="Yes, delete").click()
    expect(page.locator("#medications-status")).to_have_text("Amitriptyline deleted.")
    account.call("GET", f"/medications/{medication['id']}", expected=(404, 410))
    assert phone.problems == []


def test_medications_screenshot(phone, new_patient, chromium, web_server):
    account = new_patient()
    add_medication(account, name="Pregabalin", dose_amount=75)
    add_medication(account, name="Oxycodone", dose_amount=5, ingredient="oxycodone",
                   schedule=None, as_needed=True)  # fmt: skip
    add_medication(account, name="Vitamin D", dose_amount=1, dose_unit="capsule",
                   schedule={"times": ["09:00"], "days_of_week": [0, 3]})  # fmt: skip
    add_medication(account, name="Naproxen", dose_amount=500,
                   start_date=(berlin_today() - timedelta(days=90)).isoformat(),
                   end_date=(berlin_today() - timedelta(days=20)).isoformat())  # fmt: skip
    phone.sign_in(account)

    def ready(page):
        expect(page.get_by_role("listitem").filter(has_text="Naproxen")).to_contain_text("stopped")

    screenshots(phone, chromium, web_server, account, "/medications", ready)


def rule_of(account, kind):
    (rule,) = [rule for rule in account.call("GET", "/reminders") if rule["kind"] == kind]
    return rule


def test_a_reminder_turned_off_by_its_switch_is_off_in_the_api(phone, new_patient):
    account = new_patient()
    phone.sign_in(account)
    page = phone.open("/reminders")
    switch = page.get_by_role("switch", name="Pain check-in")
    expect(switch).to_be_checked()
    expect(page.get_by_role("listitem").filter(has_text="Pain check-in")).to_contain_text(
        "20:00 every day · In the app and push notification"
    )
    switch.uncheck()

    expect(page.locator("#reminders-status")).to_have_text("Pain check-in reminder off.")
    assert rule_of(account, "pain_log")["enabled"] is False
    assert rule_of(account, "pain_log")["next_due_at"] is None
    assert rule_of(account, "sleep_log")["enabled"] is True
    phone.open("/reminders")
    expect(page.get_by_role("switch", name="Pain check-in")).not_to_be_checked()
    expect(page.get_by_role("switch", name="Sleep diary")).to_be_checked()
    assert phone.problems == []


def test_quiet_hours_set_on_the_page_are_on_the_account(phone, new_patient):
    account = new_patient()
    phone.sign_in(account)
    page = phone.open("/reminders")
    quiet = page.locator("#quiet")
    expect(quiet.get_by_label("Keep reminders quiet")).not_to_be_checked()
    quiet.get_by_label("Keep reminders quiet").check()
    quiet.get_by_label("Quiet from").fill("22:00")
    quiet.get_by_label("Until").fill("07:00")
    quiet.get_by_role("button", name="Save quiet hours").click()

    expect(page.locator("#quiet-status")).to_have_text("Quiet from 22:00 until 07:00.")
    assert account.call("GET", "/me")["quiet_hours"] == {"start": "22:00", "end": "07:00"}
    phone.open("/reminders")
    expect(quiet.get_by_label("Keep reminders quiet")).to_be_checked()
    expect(quiet.get_by_label("Quiet from")).to_have_value("22:00")
    quiet.get_by_label("Keep reminders quiet").uncheck()
    quiet.get_by_role("button", name="Save quiet hours").click()
    expect(page.locator("#quiet-status")).to_contain_text("Quiet hours off")
    assert account.call("GET", "/me")["quiet_hours"] is None
    assert phone.problems == []


def test_a_reminder_added_on_the_page_is_stored_once(phone, new_patient):
    account = new_patient()
    medication = add_medication(account, name="Pregabalin")
    phone.sign_in(account)
    page = phone.open("/reminders")
    form = page.locator("#rule")
    form.get_by_label("Remind me of").select_option("therapy")
    form.get_by_label("Time 1", exact=True).fill("18:30")
    for day in ("Monday", "Wednesday", "Friday", "Saturday", "Sunday"):
        form.get_by_role("checkbox", name=day).uncheck()
    form.get_by_role("checkbox", name="Push notification").uncheck()
    form.get_by_role("checkbox", name="Email").check()
    form.get_by_role("button", name="Save reminder").dblclick()

    expect(page.locator("#form-status")).to_have_text(
        "Reminder added: therapy session at 18:30 on Tuesdays and Thursdays."
    )
    rule = rule_of(account, "therapy")
    assert (rule["times"], rule["days_of_week"], rule["channels"], rule["enabled"]) == (
        ["18:30"], [1, 3], ["in_app", "email"], True,
    )  # fmt: skip
    # A medication's reminder takes its times from the medication.
    form.get_by_label("Remind me of").select_option("medication")
    expect(form.get_by_label("Time 1", exact=True)).to_be_hidden()
    form.get_by_label("Which medication").select_option(label="Pregabalin")
    form.get_by_role("button", name="Save reminder").click()
    expect(page.get_by_role("listitem").filter(has_text="Medication: Pregabalin")).to_contain_text(
        "08:00 and 20:00 every day"
    )
    assert rule_of(account, "medication")["medication_id"] == medication["id"]
    assert len(account.call("GET", "/reminders")) == 4
    assert phone.problems == []


def test_a_reminders_times_changed_and_then_deleted(phone, new_patient):
    account = new_patient()
    phone.sign_in(account)
    page = phone.open("/reminders")
    page.get_by_role("button", name="Change Sleep diary reminder").click()
    form = page.locator("#rule")
    expect(form.get_by_label("Time 1", exact=True)).to_have_value("09:00")
    form.get_by_label("Time 1", exact=True).fill("08:15")
    form.get_by_role("button", name="Add a time").click()
    form.get_by_label("Time 2", exact=True).fill("10:00")
    form.get_by_role("button", name="Save changes").click()

    expect(page.locator("#form-status")).to_have_text(
        "Sleep diary reminder saved: 08:15 and 10:00 every day."
    )
    assert rule_of(account, "sleep_log")["times"] == ["08:15", "10:00"]
    page.get_by_role("button", name="Delete Sleep diary reminder").click()
    page.get_by_role("group", name="Delete the sleep diary reminder?").get_by_role(
        "button", name="Yes, delete"
    ).click()
    expect(page.locator("#reminders-status")).to_have_text("Sleep diary reminder deleted.")
    assert [rule["kind"] for rule in account.call("GET", "/reminders")] == ["pain_log"]
    assert phone.problems == []


def test_reminders_screenshot(phone, new_patient, chromium, web_server):
    account = new_patient()
    medication = add_medication(account, name="Pregabalin")
    account.call("POST", "/reminders", json={
        "kind": "medication", "medication_id": medication["id"], "channels": ["in_app", "push"],
    })  # fmt: skip
    sleep_rule = rule_of(account, "sleep_log")
    account.call("PATCH", f"/reminders/{sleep_rule['id']}", json={"enabled": False})
    account.call("PATCH", "/me", json={"quiet_hours": {"start": "22:00", "end": "07:00"}})
    phone.sign_in(account)

    def ready(page):
        expect(page.get_by_role("switch")).to_have_count(3)
        expect(page.get_by_role("switch", name="Sleep diary")).not_to_be_checked()
        expect(page.locator("#quiet").get_by_label("Quiet from")).to_have_value("22:00")
        expect(page.get_by_role("heading", name="Notifications on this phone")).to_be_visible()

    screenshots(phone, chromium, web_server, account, "/reminders", ready)


def test_name_and_timezone_changed_on_the_page_are_on_the_account(phone, new_patient):
    account = new_patient(name="Alex Example", timezone="Europe/Berlin")
    phone.sign_in(account)
    page = phone.open("/settings")
    form = page.locator("#profile")
    expect(form.get_by_label("Timezone")).to_have_value("Europe/Berlin")
    expect(form.get_by_label("Name")).to_have_value("Alex Example")
    form.get_by_label("Name").fill("Alex Morgan")
    form.get_by_label("Date of birth").fill("1980-05-17")
    form.get_by_label("Timezone").select_option("America/New_York")
    form.get_by_role("button", name="Save profile").click()

    expect(page.locator("#profile-status")).to_have_text(
        "Profile saved. Your diary and reminders now follow America/New_York."
    )
    me = account.call("GET", "/me")
    assert (me["display_name"], me["timezone"], me["date_of_birth"]) == (
        "Alex Morgan", "America/New_York", "1980-05-17",
    )  # fmt: skip
    phone.open("/settings")
    expect(form.get_by_label("Timezone")).to_have_value("America/New_York")
    expect(form.get_by_label("Date of birth")).to_have_value("1980-05-17")
    # An empty name is refused on the page, and nothing changes.
    form.get_by_label("Name").fill(" ")
    form.get_by_role("button", name="Save profile").click()
    expect(form.locator('[data-error-for="display_name"]')).to_have_text("Give your name.")
    assert account.call("GET", "/me")["display_name"] == "Alex Morgan"
    assert phone.problems == []


def test_a_changed_password_signs_in_and_the_old_one_no_longer_does(phone, new_patient):
    account = new_patient()
    new_password = "a fresh long passphrase 42"
    phone.sign_in(account)
    page = phone.open("/settings")
    form = page.locator("#password")
    form.get_by_label("Current password").fill("not my password at all")
    form.get_by_label("New password").fill(new_password)
    form.get_by_role("button", name="Change password").click()
    expect(form.locator('[data-error-for="current_password"]')).to_have_text(
        "The current password is wrong."
    )

    form.get_by_label("Current password").fill(account.password)
    form.get_by_label("New password").fill(new_password)
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-status")).to_contain_text("Password changed.")
    # This session goes on; the others end; only the new password signs in.
    phone.open("/settings")
    assert page.url.endswith("/settings")
    account.call("GET", "/me", expected=(401,))
    login = f"{account.base_url}/api/v1/auth/login"
    old = requests.post(login, json={"email": account.email, "password": account.password})
    assert old.status_code == 401
    assert Account(account.base_url, account.email, new_password).call("GET", "/me")["id"] == (
        account.id
    )
    assert besides(phone.problems, 422) == []


def test_settings_screenshot(phone, new_patient, chromium, web_server):
    account = new_patient(name="Alex Example")
    account.call("PATCH", "/me", json={"date_of_birth": "1980-05-17"})
    phone.sign_in(account)

    def ready(page):
        expect(page.locator("#profile").get_by_label("Date of birth")).to_have_value("1980-05-17")

    screenshots(phone, chromium, web_server, account, "/settings", ready)
