"""Today and the edit page in a real browser: what the patient enters is what the API holds."""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .quality import axe_violations
from .test_web_dated_entries import zone_where_it_is
from .webapp import ARTIFACTS, PHONE, Phone

pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")
SCHEMES = ("light", "dark")


@pytest.fixture(params=SCHEMES)
def scheme(request):
    return request.param


@pytest.fixture
def themed_phone(chromium, web_server, scheme):
    """A phone in the light or the dark colour scheme."""
    device = Phone(chromium, web_server.url, color_scheme=scheme)
    yield device
    device.close()
    assert device.offsite == [], device.offsite


def in_viewport(locator):
    """Whether all of the element is inside the 360×740 screen as it is scrolled now."""
    box = locator.evaluate("(el) => el.getBoundingClientRect().toJSON()")
    inside = 0 <= box["top"] and box["bottom"] <= PHONE["height"]
    return inside and 0 <= box["left"] and box["right"] <= PHONE["width"], box


def berlin_today():
    return datetime.now(BERLIN).date()


def scale(page, name, value, scope=None):
    group = (scope or page).get_by_role("radiogroup", name=name)
    group.get_by_role("radio", name=str(value), exact=True).check()


def test_a_check_in_with_detail_is_stored_as_entered_and_only_once(phone, new_patient):
    account = new_patient()
    page = phone.sign_in(account)
    scale(page, "Pain intensity", 4)
    page.get_by_text("More body sites").click()
    page.get_by_role("checkbox", name="Ankle or foot").check()
    page.get_by_text("Add detail").click()
    page.get_by_role("checkbox", name="Burning").check()
    page.get_by_label("How much pain got in the way of your general activity").fill("6")
    page.get_by_label("Note").first.fill("After the long walk")
    page.get_by_role("button", name="Save check-in").dblclick()

    expect(page.locator("#checkin-status")).to_contain_text("Saved: pain 4 at")
    (entry,) = account.call("GET", "/pain-entries")["items"]
    assert entry["intensity"] == 4
    assert [site["site"] for site in entry["body_sites"]] == ["ankle_foot"]
    assert entry["qualities"] == ["burning"]
    assert entry["activity_interference"] == 6
    assert entry["enjoyment_interference"] is None  # never moved: no answer, not a 0
    assert entry["note"] == "After the long walk"
    assert entry["local_date"] == berlin_today().isoformat()
    # The form is blank again for the next check-in, which is a new entry.
    expect(page.get_by_role("radio", name="4", exact=True).first).not_to_be_checked()
    scale(page, "Pain intensity", 2)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#checkin-status")).to_contain_text("Saved: pain 2")
    assert len(account.call("GET", "/pain-entries")["items"]) == 2
    assert phone.problems == []


def test_a_check_in_without_intensity_says_so_and_stores_nothing(phone, new_patient):
    account = new_patient()
    page = phone.sign_in(account)
    page.get_by_role("checkbox", name="Neck").check()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator('#checkin [data-error-for="intensity"]')).to_contain_text("from 0 to 10")
    assert account.call("GET", "/pain-entries")["items"] == []


def medication(account, zone=BERLIN, **fields):
    body = {
        "name": "Ibuprofen", "dose_amount": 400, "dose_unit": "mg", "route": "oral",
        "schedule": {"times": ["08:00", "20:00"], "days_of_week": list(range(7))},
        "start_date": (datetime.now(zone).date() - timedelta(days=3)).isoformat(),
    } | fields  # fmt: skip
    return account.call("PUT", f"/medications/{uuid.uuid4()}", json=body)


def morning_patient(new_patient):
    """A patient whose clock reads 10:xx: 08:00 is hours ago and 20:00 still to come."""
    name = zone_where_it_is(10)
    return new_patient(timezone=name), ZoneInfo(name)


def dose_state(page, name):
    return page.get_by_role("group", name=name).locator(".dose-state")


def test_todays_doses_are_taken_or_skipped_with_one_tap(phone, new_patient):
    account, zone = morning_patient(new_patient)
    soon = (datetime.now(zone) - timedelta(minutes=10)).strftime("%H:%M")
    ibuprofen = medication(account, zone, schedule={"times": ["08:00", soon]})
    medication(account, zone, name="Paracetamol", dose_amount=1, dose_unit="tablet",
               schedule=None, as_needed=True)  # fmt: skip
    page = phone.sign_in(account)

    first = page.get_by_role("group", name="Ibuprofen 400 mg · 08:00")
    last = page.get_by_role("group", name=f"Ibuprofen 400 mg · {soon}")
    last.get_by_role("button", name="Taken").click()  # within the hour: no question asked
    expect(last.locator(".dose-state")).to_have_text(re.compile(r"^Taken at \d\d:\d\d · Change$"))
    first.get_by_role("button", name="Skip").click()
    expect(first.locator(".dose-state")).to_have_text("Skipped · Change")
    page.get_by_role("group", name="Paracetamol 1 tablet · as needed").get_by_role(
        "button", name="Took a dose"
    ).click()
    expect(page.locator("#doses-status")).to_contain_text("Paracetamol taken at")

    doses = account.call("GET", "/medication-doses")["items"]
    by_status = {(dose["medication_id"], dose["status"]): dose for dose in doses}
    assert len(doses) == 3
    taken = by_status[(ibuprofen["id"], "taken")]
    assert datetime.fromisoformat(taken["scheduled_for"]).astimezone(zone).strftime("%H:%M") == soon
    skipped = by_status[(ibuprofen["id"], "skipped")]
    assert (
        datetime.fromisoformat(skipped["scheduled_for"]).astimezone(zone).strftime("%H:%M")
        == "08:00"
    )
    assert [d["scheduled_for"] for d in doses if d["medication_id"] != ibuprofen["id"]] == [None]

    # Changing one's mind replaces the dose event rather than adding one.
    first.get_by_role("button", name="Change").click()
    first.get_by_role("button", name="Taken").click()
    first.get_by_role("button", name="At 08:00").click()
    expect(first.locator(".dose-state")).to_have_text("Taken at 08:00 · Change")
    assert len(account.call("GET", "/medication-doses")["items"]) == 3
    phone.open("/today")
    expect(dose_state(page, "Ibuprofen 400 mg · 08:00")).to_have_text("Taken at 08:00 · Change")
    assert phone.problems == []


def test_answered_open_and_later_doses_read_differently(themed_phone, new_patient, scheme):
    account, zone = morning_patient(new_patient)
    pregabalin = medication(account, zone, name="Pregabalin", dose_amount=75,
                            schedule={"times": ["08:00"]})  # fmt: skip
    medication(account, zone)  # Ibuprofen at 08:00 and 20:00, neither answered
    today = datetime.now(zone).date()
    taken = datetime.combine(today, datetime.min.time(), zone).replace(hour=8, minute=5)
    account.call("PUT", f"/medication-doses/{uuid.uuid4()}", json={
        "medication_id": pregabalin["id"], "status": "taken",
        "scheduled_for": taken.replace(minute=0).isoformat(), "taken_at": taken.isoformat(),
    })  # fmt: skip
    page = themed_phone.sign_in(account)

    answered = page.get_by_role("group", name="Pregabalin 75 mg · 08:00")
    open_ = page.get_by_role("group", name="Ibuprofen 400 mg · 08:00")
    later = page.get_by_role("group", name="Ibuprofen 400 mg · 20:00")
    # Answered: what happened and when, and a way to change it; no Taken button to tap again.
    expect(answered.locator(".dose-state")).to_have_text("Taken at 08:05 · Change")
    expect(answered.get_by_role("button")).to_have_text(["Change"])
    # Not answered yet: the two choices.
    expect(open_.get_by_role("button")).to_have_text(["Taken", "Skip"])
    expect(open_.locator(".dose-state")).to_have_text("Not logged yet")
    # Later today: when it is due, and nothing to tap yet.
    expect(later.locator(".dose-state")).to_have_text("Due at 20:00")
    expect(later.get_by_role("button")).to_have_count(0)
    assert axe_violations(page) == []
    page.locator("#doses").scroll_into_view_if_needed()
    suffix = "" if scheme == "light" else "-dark"
    themed_phone.screenshot(f"today-doses{suffix}")

    # "Change" offers the choices again, with a way back.
    answered.get_by_role("button", name="Change").click()
    expect(answered.get_by_role("button")).to_have_text(["Taken", "Skip", "Cancel"])
    answered.get_by_role("button", name="Cancel").click()
    expect(answered.locator(".dose-state")).to_have_text("Taken at 08:05 · Change")
    assert themed_phone.problems == []


def fill_night(page, times, latency="20", waso="30"):
    page.get_by_text("Log last night's sleep").click()
    form = page.locator("#sleep")
    for label, value in zip(
        ["Got into bed", "Tried to sleep", "Woke up for the day", "Got out of bed"],
        times,
        strict=True,
    ):
        form.get_by_label(label).fill(value)
    form.get_by_label("Minutes to fall asleep").fill(latency)
    form.get_by_label("Minutes awake in the night").fill(waso)
    return form


def test_last_nights_sleep_is_stored_across_midnight_in_the_patients_zone(phone, new_patient):
    account = new_patient()
    # The phone's clock at yesterday noon: "last night" then ended yesterday morning, in the past
    # whatever the hour of the run (the API refuses an out-of-bed time still to come).
    phone_day = berlin_today() - timedelta(days=1)
    phone.page.clock.install(
        time=datetime.combine(phone_day, datetime.min.time(), BERLIN).replace(hour=12)
    )
    page = phone.sign_in(account)
    form = fill_night(page, ["23:00", "23:15", "06:30", "07:00"])
    form.get_by_label("Times you woke up").fill("2")
    form.get_by_role("radio", name="Good", exact=True).check()
    form.get_by_role("button", name="Save sleep").click()
    expect(page.locator("#sleep-logged")).to_contain_text("Logged: 6 h 25 min asleep")

    (night,) = account.call("GET", "/sleep-entries")["items"]
    night_of = phone_day - timedelta(days=1)
    assert night["night_of"] == night_of.isoformat()
    in_bed = datetime.fromisoformat(night["in_bed_at"])
    assert in_bed == datetime.combine(night_of, datetime.min.time(), BERLIN).replace(hour=23)
    out = datetime.fromisoformat(night["out_of_bed_at"]).astimezone(BERLIN)
    assert (out.date(), out.strftime("%H:%M")) == (night_of + timedelta(days=1), "07:00")
    assert night["total_sleep_minutes"] == 7 * 60 + 15 - 20 - 30
    assert (night["awakenings"], night["quality"]) == (2, 4)
    # Open again: the night is logged, with a way to change it.
    phone.open("/today")
    expect(page.locator("#sleep-logged").get_by_role("link", name="Edit")).to_have_attribute(
        "href", f"/history/sleep-entries/{night['id']}"
    )


def test_a_night_the_api_refuses_shows_why_next_to_the_field(phone, new_patient):
    account = new_patient()
    page = phone.sign_in(account)
    form = fill_night(page, ["23:00", "23:15", "06:30", "06:00"])
    form.get_by_role("button", name="Save sleep").click()
    expect(form.locator('[data-error-for="out_of_bed_at"]')).not_to_be_empty()
    expect(form.get_by_label("Got out of bed")).to_have_attribute("aria-invalid", "true")
    assert account.call("GET", "/sleep-entries")["items"] == []


def test_a_therapy_session_with_pain_before_and_after(phone, new_patient):
    account = new_patient()
    page = phone.sign_in(account)
    page.get_by_text("Log a therapy session").click()
    form = page.locator("#therapy")
    form.get_by_label("Therapy").select_option(label="VR therapy")
    started = datetime.now(BERLIN) - timedelta(minutes=40)
    form.get_by_label("Started at").fill(started.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Minutes").fill("20")
    scale(page, "Pain before", 6, scope=form)
    scale(page, "Pain after", 4, scope=form)
    form.get_by_label("Program or practitioner").fill("Calm beach")
    form.get_by_role("button", name="Save session").click()
    expect(page.locator("#therapy-status")).to_contain_text("Saved: 20 min session")

    (session,) = account.call("GET", "/therapy-sessions")["items"]
    assert (session["modality"], session["duration_minutes"]) == ("vr", 20)
    assert (session["pain_before"], session["pain_after"]) == (6, 4)
    assert session["program"] == "Calm beach"
    assert datetime.fromisoformat(session["started_at"]) == started.replace(second=0, microsecond=0)
    assert phone.problems == []


def pain_entry(account, intensity=5):
    body = {
        "recorded_at": (datetime.now(BERLIN) - timedelta(hours=1)).isoformat(timespec="seconds"),
        "intensity": intensity, "body_sites": [{"site": "knee", "side": "left"}],
        "qualities": ["aching"], "tags": ["gardening"],
    }  # fmt: skip
    return account.call("PUT", f"/pain-entries/{uuid.uuid4()}", json=body)


def test_editing_an_entry_keeps_what_the_form_does_not_show(phone, new_patient):
    account = new_patient()
    entry = pain_entry(account)
    page = phone.sign_in(account)
    phone.open(f"/history/pain-entries/{entry['id']}")
    expect(page.get_by_role("radio", name="5", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Knee")).to_be_checked()
    scale(page, "Pain intensity", 3)
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#edit-status")).to_have_text("Changes saved.")

    stored = account.call("GET", f"/pain-entries/{entry['id']}")
    assert (stored["intensity"], stored["version"]) == (3, 2)
    assert [(site["site"], site["side"]) for site in stored["body_sites"]] == [("knee", "left")]
    assert stored["tags"] == ["gardening"]
    assert stored["recorded_at"] == entry["recorded_at"]
    assert phone.problems == []


def test_an_edit_made_elsewhere_meanwhile_is_not_overwritten(phone, new_patient):
    account = new_patient()
    entry = pain_entry(account)
    page = phone.sign_in(account)
    phone.open(f"/history/pain-entries/{entry['id']}")
    expect(page.get_by_role("radio", name="5", exact=True)).to_be_checked()
    account.call("PUT", f"/pain-entries/{entry['id']}", json=entry | {"intensity": 8})
    scale(page, "Pain intensity", 2)
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#edit-status")).to_contain_text("changed on another device")
    expect(page.get_by_role("radio", name="8", exact=True)).to_be_checked()
    assert account.call("GET", f"/pain-entries/{entry['id']}")["intensity"] == 8


def test_delete_on_the_edit_page_asks_first(phone, new_patient):
    account = new_patient()
    entry = pain_entry(account)
    page = phone.sign_in(account)
    phone.open(f"/history/pain-entries/{entry['id']}")
    page.get_by_role("button", name="Delete this entry").click()
    page.get_by_role("button", name="Cancel").click()
    assert account.call("GET", "/pain-entries")["items"] != []
    page.get_by_role("button", name="Delete this entry").click()
    page.get_by_role("button", name="Yes, delete").click()
    page.wait_for_url("**/history")
    assert account.call("GET", "/pain-entries")["items"] == []


def test_a_saves_message_is_on_the_screen(themed_phone, new_patient, scheme):
    account = new_patient()
    page = themed_phone.sign_in(account)
    suffix = "" if scheme == "light" else "-dark"
    themed_phone.screenshot(f"today-fresh{suffix}")  # a new patient's Today
    # The three-tap check-in, as a patient in a flare does it.
    page.get_by_role("radiogroup", name="Pain intensity").get_by_role("radio", name="6").tap()
    page.get_by_role("checkbox", name="Lower back").tap()
    page.get_by_role("button", name="Save check-in").tap()
    status = page.locator("#checkin-status")
    expect(status).to_contain_text("Saved: pain 6 at")
    inside, box = in_viewport(status)
    assert inside, box
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"today-saved{suffix}.png")  # the screen the patient sees

    # With the detail open and the page scrolled to its end, the form shrinks as it resets.
    page.get_by_text("Add detail").click()
    page.get_by_label("Note").first.fill("Stiff after sitting")
    scale(page, "Pain intensity", 3)
    page.mouse.wheel(0, 5000)
    page.get_by_role("button", name="Save check-in").tap()
    expect(status).to_contain_text("Saved: pain 3 at")
    inside, box = in_viewport(status)
    assert inside, box
    assert len(account.call("GET", "/pain-entries")["items"]) == 2
    assert themed_phone.problems == []
