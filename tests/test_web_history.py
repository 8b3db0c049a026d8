"""History in a real browser: the diary by local day, newest first, with edit and delete."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from pain_diary import create_app
from pain_diary.accounts.models import User
from pain_diary.demo import fill_diary
from pain_diary.extensions import db
from pain_diary.medications.models import DoseEvent
from pain_diary.procedures.record_types import LABELS as PROCEDURE_LABELS
from pain_diary.procedures.schemas import KINDS as PROCEDURE_KINDS

from .quality import TAP, axe_violations
from .webapp import Account, Phone

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
        "Ibuprofen 400 mg · as needed · taken at 08:12",
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


# -- The "Show" choice, doses, and what waits on the phone -----------------------------------

#: A procedure's kind as History writes it: its label, else its code in words.
PROCEDURE_WORDS = "|".join(
    PROCEDURE_LABELS.get(kind, kind.replace("_", " ").capitalize()) for kind in PROCEDURE_KINDS
)
#: Each kind of the "Show" choice, the collection it lists, and how its entries' text starts.
KINDS = {
    "Pain": ("pain-entries", re.compile(r"^Pain \d+ · ")),
    "Sleep": ("sleep-entries", re.compile(r"^Sleep\b")),
    "Doses": ("medication-doses", re.compile(r" · (\d\d:\d\d dose( of [^·]+)?|as needed) · ")),
    "Therapy": ("therapy-sessions", re.compile(r" · \d+ min\b")),
    "Procedures": ("procedures", re.compile(rf"^({PROCEDURE_WORDS}) · ")),
}
ALL_KINDS = "|".join(collection for collection, _ in KINDS.values())
DIARY_READS = re.compile(rf"/api/v1/({ALL_KINDS})\?")


def entry_texts(page):
    """The first line of every entry listed, as the patient reads it."""
    entries = page.locator("#days").get_by_role("listitem")
    return [text.split("\n")[0] for text in entries.all_inner_texts()]


def page_height(page):
    return page.evaluate("document.documentElement.scrollHeight")


def show(page, kind):
    """Choose ``kind`` in "Show"; wait until its entries are listed."""
    page.get_by_role("radiogroup", name="Show").get_by_role("radio", name=kind).check()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Loading your diary")).to_be_hidden()


def listed_in_last_30_days(account, collection, today):
    """How many entries of ``collection`` History lists in its first 30 days (from the API)."""
    first = today - timedelta(days=29)
    if collection == "sleep-entries":  # a night shows under the morning its sleeper got up
        nights = account.call("GET", f"/{collection}", params={
            "from": (first - timedelta(days=1)).isoformat(), "limit": 500})["items"]  # fmt: skip
        return sum(
            datetime.fromisoformat(night["out_of_bed_at"]).astimezone(BERLIN).date() >= first
            for night in nights
        )
    query = {"from": first.isoformat(), "to": today.isoformat(), "limit": 500}
    return len(account.call("GET", f"/{collection}", params=query)["items"])


@pytest.fixture(scope="module")
def demo_month(web_server, base_config):
    """A patient whose diary ``flask demo`` wrote: 120 days, 2–3 pain entries a day, doses."""
    account = Account.register(web_server.url, "patient", timezone="Europe/Berlin")
    app = create_app(base_config)
    with app.app_context():
        fill_diary(db.session.get(User, uuid.UUID(account.id)))
        db.engine.dispose()
    return account


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_show_narrows_the_demo_month_to_one_kind_and_reads_only_that_kind(
    chromium, web_server, demo_month, scheme
):
    phone = Phone(chromium, web_server.url, color_scheme=scheme)
    try:
        phone.sign_in(demo_month)
        page = phone.open("/history")
        today = datetime.now(BERLIN).date()
        everything = entry_texts(page)
        all_height = page_height(page)
        expected = {
            kind: listed_in_last_30_days(demo_month, collection, today)
            for kind, (collection, _) in KINDS.items()
        }
        assert len(everything) == sum(expected.values()) > 150, expected
        assert page.get_by_role("radio", name="All").is_checked()

        heights = {}
        for kind, (_, starts) in KINDS.items():
            reads = []
            page.on("request", lambda request, reads=reads: reads.append(request.url))
            show(page, kind)
            assert page.url.endswith(f"/history?show={kind.lower()}")
            texts = entry_texts(page)
            assert len(texts) == expected[kind], (kind, texts[:5])
            assert all(starts.search(text) for text in texts), (kind, texts[:5])
            # Only the chosen kind is read from the server.
            read = {DIARY_READS.search(url)[1] for url in reads if DIARY_READS.search(url)}
            assert read == {KINDS[kind][0]}, (kind, read)
            heights[kind] = page_height(page)
        print(f"History of the demo month: all {all_height} px, {heights}")
        # Shorter by at least a button's row for each entry left out; together about the page
        # of all of them (each kind has its own day headings).
        for kind, height in heights.items():
            left_out = len(everything) - expected[kind]
            assert all_height - height > left_out * TAP, (kind, all_height, heights, expected)
        assert all_height < sum(heights.values()) < all_height * 1.5, (all_height, heights)
        assert axe_violations(page) == []

        # The choice is in the URL: a reload, and Back from an entry's edit page, keep it.
        show(page, "Doses")
        page.reload()
        page.wait_for_load_state("networkidle")
        assert page.get_by_role("radio", name="Doses").is_checked()
        assert len(entry_texts(page)) == expected["Doses"]
        page.get_by_role("link", name=re.compile(r"^Edit ")).first.click()
        page.get_by_role("heading", name="Edit dose").wait_for()
        page.go_back()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/history?show=doses")
        assert page.get_by_role("radio", name="Doses").is_checked()
        assert all(KINDS["Doses"][1].search(text) for text in entry_texts(page))

        # "Show earlier" pages through the chosen kind only.
        page.get_by_role("button", name="Show earlier").click()
        phone.page.get_by_role("status").filter(has_text="Showing from").wait_for()
        earlier = entry_texts(page)
        assert len(earlier) > expected["Doses"]
        assert all(KINDS["Doses"][1].search(text) for text in earlier)
        assert phone.horizontal_overflow() == 0
        assert phone.problems == []
    finally:
        phone.close()
    assert phone.offsite == []


def also_year(day, today):
    return day_words(day) + (f" {day.year}" if day.year != today.year else "")


@pytest.fixture
def doses(new_patient):
    """Pregabalin at 08:00 and 20:00: yesterday's 08:00 skipped and 20:00 taken at 20:40, the
    day before's 20:00 taken after midnight; and Ibuprofen, as needed, taken at 13:05."""
    account = new_patient(timezone="Europe/Berlin")
    today = datetime.now(BERLIN).date()
    yesterday, before = today - timedelta(days=1), today - timedelta(days=2)
    medication = {"dose_unit": "mg", "route": "oral", "start_date": str(today - timedelta(days=9))}
    pregabalin = put(account, "medications", {
        **medication, "name": "Pregabalin", "dose_amount": 75,
        "schedule": {"times": ["08:00", "20:00"]},
    })  # fmt: skip
    ibuprofen = put(account, "medications", {
        **medication, "name": "Ibuprofen", "dose_amount": 400, "as_needed": True,
    })  # fmt: skip
    taken = {"medication_id": pregabalin, "status": "taken"}
    ids = {
        "skipped": put(account, "medication-doses", {
            "medication_id": pregabalin, "status": "skipped", "scheduled_for": at(yesterday, 8),
            "skip_reason": "Felt dizzy",
        }),
        "taken": put(account, "medication-doses", {
            **taken, "scheduled_for": at(yesterday, 20), "taken_at": at(yesterday, 20, 40),
        }),
        "late": put(account, "medication-doses", {
            **taken, "scheduled_for": at(before, 20), "taken_at": at(yesterday, 0, 30),
        }),
        "as_needed": put(account, "medication-doses", {
            "medication_id": ibuprofen, "status": "taken", "taken_at": at(yesterday, 13, 5),
        }),
    }  # fmt: skip
    return account, today, yesterday, before, ids


def test_a_dose_says_which_scheduled_time_it_answered(phone, doses):
    account, today, yesterday, before, ids = doses
    phone.sign_in(account)
    page = phone.open("/history?show=doses")
    # Waits for the list its script draws after the fetch (a loaded machine drew it late).
    expect(page.get_by_role("heading", level=2)).to_have_text([day_words(yesterday)])
    assert entry_texts(page) == [
        "Pregabalin 75 mg · 20:00 dose · taken at 20:40",
        "Ibuprofen 400 mg · as needed · taken at 13:05",
        "Pregabalin 75 mg · 08:00 dose · skipped · Felt dizzy",
        # Listed on the day it was taken, it says whose dose it was.
        f"Pregabalin 75 mg · 20:00 dose of {also_year(before, today)} · taken at 00:30",
    ]
    edit = page.get_by_role("link", name="Edit Pregabalin 08:00 dose skipped")
    assert edit.get_attribute("href") == f"/history/medication-doses/{ids['skipped']}"
    assert page.get_by_role("button", name="Delete Pregabalin 08:00 dose skipped").is_visible()
    show(page, "Pain")
    assert page.get_by_text("No pain entries in your diary yet.").is_visible()
    assert phone.horizontal_overflow() == 0
    assert phone.problems == []


def stored_dose(base_config, dose_id):
    """The dose event's row in the database itself, not through the API."""
    app = create_app(base_config)
    with app.app_context():
        row = db.session.get(DoseEvent, uuid.UUID(dose_id))
        stored = {
            "status": row.status, "taken_at": row.taken_at, "skip_reason": row.skip_reason,
            "local_date": row.local_date, "version": row.version,
        }  # fmt: skip
        db.engine.dispose()
    return stored


def test_editing_a_skipped_dose_to_taken_at_0810_changes_it_in_the_database(
    phone, doses, base_config
):
    account, today, yesterday, before, ids = doses
    phone.sign_in(account)
    page = phone.open("/history?show=doses")
    page.get_by_role("link", name="Edit Pregabalin 08:00 dose skipped").click()
    page.get_by_role("heading", name="Edit dose").wait_for()
    page.get_by_text(f"Pregabalin 75 mg · the 08:00 dose of {day_words(yesterday)}").wait_for()
    answer = page.get_by_role("radiogroup", name="This dose was")
    assert answer.get_by_role("radio", name="Skipped").is_checked()
    assert page.get_by_label("Why it was skipped").input_value() == "Felt dizzy"
    assert page.get_by_label("Taken at").is_hidden()
    answer.get_by_role("radio", name="Taken").check()
    # It starts from the time the dose was due, on its day.
    assert page.get_by_label("Taken at").input_value() == "08:00"
    assert page.get_by_label("Taken on").input_value() == yesterday.isoformat()
    page.get_by_label("Taken at").fill("08:10")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#edit-status")).to_have_text("Changes saved.")

    stored = stored_dose(base_config, ids["skipped"])
    assert stored == {
        "status": "taken", "skip_reason": None, "local_date": yesterday, "version": 2,
        "taken_at": datetime.fromisoformat(at(yesterday, 8, 10)).astimezone(UTC),
    }  # fmt: skip
    page.get_by_role("link", name="Back to History").click()
    page.get_by_role("link", name="Edit Pregabalin 08:00 dose taken at 08:10").wait_for()
    assert "Pregabalin 75 mg · 08:00 dose · taken at 08:10" in entry_texts(page)

    # Taken in the future is refused next to the time, and nothing changes.
    page.goto(f"/history/medication-doses/{ids['as_needed']}")
    page.get_by_label("Taken at").wait_for()
    assert page.get_by_role("radiogroup", name="This dose was").count() == 0  # as needed
    page.get_by_label("Taken on").fill((today + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Save changes").click()
    page.locator('[data-error-for="taken_at"]').filter(has_text="future").wait_for()
    assert account.call("GET", f"/medication-doses/{ids['as_needed']}")["version"] == 1
    assert phone.horizontal_overflow() == 0
    assert [line for line in phone.problems if "status of 422" not in line] == []
