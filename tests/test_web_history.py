"""History in a real browser: the diary by local day, newest first, with edit and delete."""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")
PAIN_6 = re.compile(r"^Pain 6 · ")  # not the therapy session's "pain 6 → 4"


def day_words(day):
    """ "Wednesday 2 December", as the page's formatDay writes a day in en-GB."""
    return f"{day:%A} {day.day} {day:%B}"


def at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).isoformat()


def put(account, collection, body):
    record_id = str(uuid.uuid4())
    account.call("PUT", f"/{collection}/{record_id}", json=body)
    return record_id


def pain(account, when, intensity, sites=("lower_back",), qualities=("aching",)):
    return put(account, "pain-entries", {
        "recorded_at": when.isoformat(), "intensity": intensity,
        "body_sites": [{"site": site} for site in sites], "qualities": list(qualities),
    })  # fmt: skip


@pytest.fixture
def diary(new_patient):
    """A patient with an entry of each kind, today and yesterday in Europe/Berlin."""
    account = new_patient(timezone="Europe/Berlin")
    now = datetime.now(BERLIN).replace(second=0, microsecond=0)
    today = now.date()
    yesterday = today - timedelta(days=1)
    ids = {
        "today": pain(account, now, 3, sites=("knee",), qualities=("stiff",)),
        "yesterday": pain(account, datetime.fromisoformat(at(yesterday, 21, 40)), 6),
        "sleep": put(account, "sleep-entries", {
            "night_of": (yesterday - timedelta(days=1)).isoformat(),
            "in_bed_at": at(yesterday - timedelta(days=1), 23, 0),
            "tried_to_sleep_at": at(yesterday - timedelta(days=1), 23, 10),
            "final_awakening_at": at(yesterday, 6, 30),
            "out_of_bed_at": at(yesterday, 7, 0),
            "sleep_latency_minutes": 20, "wake_after_sleep_onset_minutes": 40,
            "awakenings": 2, "quality": 3,
        }),
        "therapy": put(account, "therapy-sessions", {
            "modality": "vr", "started_at": at(yesterday, 18, 0), "duration_minutes": 20,
            "pain_before": 6, "pain_after": 4,
        }),
    }  # fmt: skip
    medication = put(account, "medications", {
        "name": "Ibuprofen", "dose_amount": 400, "dose_unit": "mg", "route": "oral",
        "schedule": None, "as_needed": True, "start_date": (today - timedelta(days=60)).isoformat(),
    })  # fmt: skip
    ids["dose"] = put(account, "medication-doses", {
        "medication_id": medication, "status": "taken", "taken_at": at(yesterday, 8, 12),
    })  # fmt: skip
    return account, today, yesterday, ids


def test_entries_are_listed_by_local_day_newest_first_in_words(phone, diary):
    account, today, yesterday, ids = diary
    phone.sign_in(account)
    page = phone.open("/history")
    headings = page.get_by_role("heading", level=2)
    headings.first.wait_for()
    assert headings.all_inner_texts() == [day_words(today), day_words(yesterday)]

    yesterdays = page.locator("section.day").nth(1).get_by_role("listitem")
    # Newest first within the day; the night shows under the morning its sleeper got up.
    assert [text.split("\n")[0] for text in yesterdays.all_inner_texts()] == [
        "Pain 6 · Lower back, Aching · 21:40",
        "VR therapy · 20 min · pain 6 → 4 · 18:00",
        "Ibuprofen taken 08:12",
        "Sleep · 6 h 20 min asleep · efficiency 79 % · quality fair",
    ]
    todays = page.locator("section.day").first.get_by_role("listitem")
    assert todays.count() == 1
    assert todays.first.inner_text().startswith("Pain 3 · Knee, Stiff · ")

    edit = page.get_by_role("link", name="Edit pain 6 at 21:40")
    assert edit.get_attribute("href") == f"/history/pain-entries/{ids['yesterday']}"
    sleep_edit = page.get_by_role("link", name=re.compile(r"^Edit sleep, night of "))
    assert sleep_edit.get_attribute("href") == f"/history/sleep-entries/{ids['sleep']}"
    therapy_edit = page.get_by_role("link", name="Edit VR therapy at 18:00")
    assert therapy_edit.get_attribute("href") == f"/history/therapy-sessions/{ids['therapy']}"
    assert page.get_by_role("button", name="Delete Ibuprofen taken at 08:12").is_visible()
    assert phone.horizontal_overflow() == 0
    assert phone.problems == []


def test_delete_asks_first_and_cancel_keeps_the_entry(phone, diary):
    account, _, _, ids = diary
    phone.sign_in(account)
    page = phone.open("/history")
    page.get_by_role("button", name="Delete pain 6 at 21:40").click()
    group = page.get_by_role("group", name="Delete this entry?")
    group.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("group", name="Delete this entry?")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete pain 6 at 21:40")).to_be_focused()
    phone.open("/history")
    expect(page.get_by_role("listitem").filter(has_text=PAIN_6)).to_have_count(1)
    assert account.call("GET", f"/pain-entries/{ids['yesterday']}")["intensity"] == 6
    assert phone.problems == []


def test_delete_with_confirm_removes_the_entry_from_the_page_and_the_api(phone, diary):
    account, _, _, ids = diary
    phone.sign_in(account)
    page = phone.open("/history")
    for name in ("Delete pain 6 at 21:40", "Delete Ibuprofen taken at 08:12"):
        page.get_by_role("button", name=name).click()
        page.get_by_role("button", name="Yes, delete").click()
        # The confirm group goes with its entry once the API has deleted it. (The entry's own
        # buttons are hidden while it asks, and the status may say "Deleted." already.)
        expect(page.get_by_role("button", name="Yes, delete")).to_have_count(0)
        expect(page.get_by_role("status").filter(has_text="Deleted.")).to_have_count(1)
        assert page.get_by_role("button", name=name).count() == 0
    for collection, key in (("pain-entries", "yesterday"), ("medication-doses", "dose")):
        account.call("GET", f"/{collection}/{ids[key]}", expected=(404, 410))
    phone.open("/history")
    expect(page.get_by_role("listitem").filter(has_text="Pain 3")).to_have_count(1)
    expect(page.get_by_role("listitem").filter(has_text=PAIN_6)).to_have_count(0)
    assert phone.problems == []


def test_show_earlier_loads_the_30_days_before(phone, new_patient):
    account = new_patient(timezone="Europe/Berlin")
    today = datetime.now(BERLIN).date()
    old = today - timedelta(days=40)
    pain(account, datetime.fromisoformat(at(today - timedelta(days=2), 9, 5)), 4)
    pain(account, datetime.fromisoformat(at(old, 10, 15)), 8, sites=("neck",))
    phone.sign_in(account)
    page = phone.open("/history")
    page.get_by_role("listitem").filter(has_text="Pain 4").wait_for()
    expect(page.get_by_role("listitem").filter(has_text="Pain 8")).to_have_count(0)
    page.get_by_role("button", name="Show earlier").click()
    page.get_by_role("heading", name=day_words(old)).wait_for()
    assert page.get_by_role("listitem").filter(has_text="Pain 8 · Neck").is_visible()
    # Nothing before that: the page says it is the start rather than offering more.
    page.get_by_text("That is the start of your diary.").wait_for()
    assert page.get_by_role("button", name="Show earlier").is_hidden()
    assert phone.problems == []


def test_an_empty_diary_says_so_and_links_to_today(phone, new_patient):
    phone.sign_in(new_patient())
    page = phone.open("/history")
    assert page.get_by_text("Nothing in your diary yet.").is_visible()
    assert page.get_by_role("link", name="Log how you are today").get_attribute("href") == "/today"
    assert page.get_by_role("button", name="Show earlier").is_hidden()
    assert page.get_by_text("Loading your diary").is_hidden()
    assert phone.problems == []


def test_offline_history_says_so(phone, new_patient):
    phone.sign_in(new_patient())
    phone.context.route("**/api/v1/**", lambda route: route.abort())
    page = phone.open("/history")
    page.get_by_role("alert").filter(has_text="You are offline").wait_for()
    assert page.get_by_role("button", name="Try again").is_visible()
    phone.problems.clear()  # the aborted requests themselves are logged as console errors


def test_a_realistic_month_screenshot(phone, new_patient, chromium, web_server):
    account = new_patient(timezone="Europe/Berlin")
    now = datetime.now(BERLIN)
    for back in range(0, 30, 2):
        day = (now - timedelta(days=back)).date()
        when = min(datetime.fromisoformat(at(day, 20, 15)), now - timedelta(minutes=5))
        pain(
            account, when, 4 + back % 5, sites=("lower_back", "hip"), qualities=("aching", "stiff")
        )
    phone.sign_in(account)
    page = phone.open("/history")
    page.get_by_role("listitem").first.wait_for()
    phone.screenshot("history")
    assert phone.horizontal_overflow() == 0

    dark = type(phone)(chromium, web_server.url, color_scheme="dark")
    try:
        dark.sign_in(account)
        dark.open("/history").get_by_role("listitem").first.wait_for()
        dark.screenshot("history-dark")
        assert dark.problems == []
    finally:
        dark.close()
    assert phone.problems == []
