"""The Procedures page (DESIGN §7): log a procedure, also offline, and read each one's response
so far in words; change and delete one from the list, or from History's edit page.

The page's own shape is checked without a browser; what the patient does with it, in the
session's Chromium on a phone 360 px wide (those tests are marked slow).
"""

import re
import uuid
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pain_diary import create_app
from pain_diary.extensions import db
from pain_diary.procedures.models import Procedure
from pain_diary.procedures.schemas import KINDS

from .quality import axe_violations, open_details, overflowing, small_targets
from .test_web_dated_entries import at, instant, local_now, wall
from .test_web_offline import eventually, installed
from .test_web_today import in_viewport
from .webapp import PHONE

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
LABELS = (
    "Kind", "When", "Trial ends", "Level", "Side", "Provider", "How much relief did it give? (%)",
    "Note",
)  # fmt: skip


def test_signed_out_the_page_sends_the_browser_to_sign_in(client):
    response = client.get("/procedures", headers=HTML)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/procedures"


def test_a_clinician_is_sent_to_their_own_home(clinician):
    assert clinician.get("/procedures", headers=HTML).headers["Location"] == "/clinic"


def test_the_form_labels_its_fields_and_offers_the_kinds_in_words(patient):
    response = patient.get("/procedures", headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>Procedures · Pain Diary</title>" in html
    labels = dict(re.findall(r'<label for="([^"]+)">([^<]+)</label>', html))
    assert sorted(labels.values()) == sorted(LABELS)
    for field_id in labels:  # each label names a field of the form
        assert re.search(rf'<(input|select|textarea)\b[^>]*\bid="{field_id}"', html), field_id
    kind = re.search(r'<select id="procedure-kind" name="kind" required>(.*?)</select>', html, re.S)
    options = re.findall(r'<option value="(\w*)">([^<]+)</option>', kind[1])
    assert options[0] == ("", "Choose…")
    words = dict(options[1:])
    assert list(words) == list(KINDS)
    assert words["medial_branch_block"] == "Medial branch block"
    assert words["scs_trial"] == "Spinal cord stimulator trial"
    assert not [text for text in words.values() if "_" in text]
    # A trial's end is for a trial only; the note says who reads it; the chips are the sites.
    assert re.search(r'<div data-only-for="kind scs_trial" hidden>\s*<div class="field when">\s*'
                     r'<label for="procedure-trial_ends_at">', html)  # fmt: skip
    assert "Notes are shared with your care team" in html
    assert "<legend>Where it was done</legend>" in html
    assert '<input type="checkbox" name="body_sites" value="lower_back">Lower back</label>' in html
    assert '<button type="submit" class="wide" id="procedure-save">Save procedure</button>' in html
    assert '<script type="module" src="/static/js/procedures.js">' in html


def test_today_links_to_the_procedures_page(patient):
    html = patient.get("/today", headers=HTML).get_data(as_text=True)
    assert re.search(r'<a class="button secondary" href="/procedures">Procedures</a>', html)


def test_a_procedure_has_an_edit_page_with_its_time_fields(patient):
    response = patient.get(f"/history/procedures/{uuid.uuid4()}", headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<h1 id="edit-title" tabindex="-1">Edit procedure</h1>' in html
    assert '<label for="edit-performed_at">When</label>' in html
    assert '<label for="edit-trial_ends_at">Trial ends</label>' in html


def test_the_service_worker_keeps_the_page_for_offline(client):
    source = client.get("/sw.js").get_data(as_text=True)
    assert '"/procedures"' in re.search(r"^const PAGES = (.*);$", source, re.M)[1]


# -- In the browser -----------------------------------------------------------------------------


def day_words(day):
    """ "Wednesday 2 December", as the page's formatDate writes a day of this year in en-GB."""
    words = f"{day:%A} {day.day} {day:%B}"
    return words if day.year == local_now().year else f"{words} {day.year}"


def put(account, collection, body):
    return account.call("PUT", f"/{collection}/{uuid.uuid4()}", json=body)


def pain(account, when, intensity):
    body = {"recorded_at": when.isoformat(), "intensity": intensity}
    return put(account, "pain-entries", body)


def procedure(account, kind, performed_at, **fields):
    body = {"kind": kind, "performed_at": performed_at, **fields}
    iso = {name: value.isoformat() for name, value in body.items() if isinstance(value, datetime)}
    return put(account, "procedures", body | iso)


def stored_ids(base_config, patient_id):
    """The ids of the patient's procedures in the database itself, not through the API."""
    app = create_app(base_config)
    with app.app_context():
        ids = db.session.scalars(
            select(Procedure.id).where(Procedure.patient_id == uuid.UUID(patient_id))
        ).all()
        db.engine.dispose()
    return [str(record_id) for record_id in ids]


def no_sideways_scroll(page):
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (width, overflowing(page))


def meets_the_quality_bar(page):
    """No sideways scroll, also with every section open and at 200 % text; no serious axe-core
    violation; touch targets of 44 px (tests/quality.py)."""
    no_sideways_scroll(page)
    open_details(page)
    no_sideways_scroll(page)
    assert axe_violations(page) == []
    assert small_targets(page) == []
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    no_sideways_scroll(page)
    page.evaluate("document.documentElement.style.fontSize = ''")


@pytest.mark.slow
def test_a_trial_logged_offline_waits_on_the_phone_then_syncs_once(phone, new_patient, base_config):
    account = new_patient()
    page = phone.sign_in(account)
    installed(page)
    phone.open("/procedures")  # seen once online: the page and its reads are kept
    eventually(page, "async () => Boolean(await caches.match('/procedures'))")

    phone.context.set_offline(True)
    page.reload()  # from the phone's copy
    expect(page.get_by_role("heading", name="Procedures", exact=True)).to_be_visible()
    trial_ends = page.get_by_label("Trial ends")
    expect(trial_ends).to_be_hidden()
    page.get_by_label("Kind", exact=True).select_option(label="Spinal cord stimulator trial")
    expect(trial_ends).to_be_visible()  # shown for a trial only
    began = at(local_now().date() - timedelta(days=2), 10)
    ends = began + timedelta(days=7)  # still to come: a trial's end may be
    page.get_by_label("When", exact=True).fill(wall(began))
    trial_ends.fill(wall(ends))
    page.get_by_label("Level").fill("T8-T9")
    page.get_by_role("checkbox", name="Lower back").check()
    page.get_by_label("Side", exact=True).select_option(label="Both sides")
    page.get_by_label("Provider").fill("Dr Weber")
    page.get_by_role("button", name="Save procedure").click()

    status = page.locator("#procedure-status")
    expect(status).to_contain_text("Saved on this phone: Spinal cord stimulator trial of")
    inside, box = in_viewport(status)
    assert inside, box
    page.locator("#sync-status").filter(has_text="1 waiting to sync").wait_for()
    listed = page.locator("#procedures > li")
    expect(listed).to_have_count(1)
    expect(listed.locator(".plan-name")).to_have_text(
        "Spinal cord stimulator trial Waiting to sync"
    )
    expect(listed).to_contain_text(f"{day_words(began.date())}, 10:00 · T8-T9 · Dr Weber")
    expect(listed).to_contain_text("Lower back (both sides)")
    record_id = listed.get_attribute("data-id")
    no_sideways_scroll(page)
    phone.screenshot("procedures-offline-waiting")
    assert stored_ids(base_config, account.id) == []

    phone.context.set_offline(False)
    page.evaluate("() => dispatchEvent(new Event('online'))")
    page.locator("#sync-status").filter(has_text="Synced").wait_for()
    expect(listed).to_have_count(1)
    expect(listed.locator(".plan-name")).to_have_text("Spinal cord stimulator trial")
    expect(listed).to_contain_text("No baseline: log pain in the 2 weeks before to compare")
    expect(listed).to_contain_text("Goal: ≥ 50 % relief during the trial")
    assert stored_ids(base_config, account.id) == [record_id]  # exactly one, with its client id
    stored = account.call("GET", f"/procedures/{record_id}")
    assert [stored[name] for name in ("kind", "level", "provider")] == [
        "scs_trial",
        "T8-T9",
        "Dr Weber",
    ]
    assert instant(stored["performed_at"]) == began and instant(stored["trial_ends_at"]) == ends
    assert stored["body_sites"] == [{"site": "lower_back", "side": "both"}]
    page.reload()  # and once more: nothing waits, nothing is sent twice
    page.wait_for_load_state("networkidle")
    assert "waiting" not in page.locator("#sync-status").inner_text()
    assert stored_ids(base_config, account.id) == [record_id]
    # The browser's own line for each request made offline is not a problem of the page's.
    assert [line for line in phone.problems if "ERR_INTERNET_DISCONNECTED" not in line] == []


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_list_says_each_response_so_far_in_words(phone, new_patient, scheme):
    account = new_patient()
    today = local_now().date()
    injected = today - timedelta(days=10)
    for days in range(1, 8):  # the 2 weeks before: pain 8
        pain(account, at(injected - timedelta(days=days), 20), 8)
    for days in range(1, 6):  # the first week after: pain 5, (8 - 5) / 8 = 37.5 % lower
        pain(account, at(injected + timedelta(days=days), 20), 5)
    procedure(account, "epidural_steroid_injection", at(injected, 10), level="L4-L5",
              provider="Dr Weber", reported_relief_percent=40)  # fmt: skip
    procedure(account, "nerve_block", at(today - timedelta(days=200), 9))
    just_now = local_now().replace(microsecond=0) - timedelta(minutes=5)
    procedure(account, "facet_joint_injection", just_now)

    page = phone.sign_in(account)
    page.emulate_media(color_scheme=scheme)
    phone.open("/procedures")
    listed = page.locator("#procedures > li")
    expect(listed.locator(".plan-name")).to_have_text(  # newest first
        ["Facet joint injection", "Epidural steroid injection", "Nerve block"]
    )
    facet, injection, block = (listed.nth(n) for n in range(3))
    expect(injection).to_contain_text(f"{day_words(injected)}, 10:00 · L4-L5 · Dr Weber")
    expect(injection).to_contain_text(
        "The first week after: pain 38 % lower than the 2 weeks before"
    )
    expect(injection).to_contain_text("Goal: ≥ 50 % relief at 3 months")
    expect(injection).to_contain_text("You said it gave 40 % relief")
    expect(block).to_contain_text("No baseline: log pain in the 2 weeks before to compare")
    expect(block).to_contain_text("Goal: ≥ 50 % relief within 6 hours")
    expect(facet).to_contain_text("Too few entries to compare yet")

    page.get_by_label("Kind", exact=True).select_option("scs_trial")  # "Trial ends" shows too
    meets_the_quality_bar(page)
    phone.screenshot(f"procedures-{scheme}")
    assert phone.problems == []


@pytest.mark.slow
def test_a_procedure_is_changed_and_deleted_from_the_list(phone, new_patient):
    account = new_patient()
    yesterday = local_now().date() - timedelta(days=1)
    record = procedure(account, "nerve_block", at(yesterday, 9), level="L5-S1", body_sites=[
        {"site": "lower_back", "side": "left"}, {"site": "hip", "side": "right"},
    ])  # fmt: skip
    page = phone.sign_in(account)
    phone.open("/procedures")
    block = f"Nerve block of {day_words(yesterday)}"
    page.get_by_role("button", name=f"Edit {block}").click()
    expect(page.locator("#procedure-title")).to_have_text(f"Change {block}")
    kind = page.get_by_label("Kind", exact=True)
    when = page.get_by_label("When", exact=True)
    expect(kind).to_have_value("nerve_block")
    expect(when).to_have_value(wall(at(yesterday, 9)))
    expect(page.get_by_label("Level")).to_have_value("L5-S1")
    expect(page.get_by_role("checkbox", name="Hip")).to_be_checked()
    expect(page.get_by_label("Side", exact=True)).to_have_value("")  # the two sites' sides differ

    # It was a stimulator trial, at 08:30: its end is asked for, at most 30 days later.
    kind.select_option("scs_trial")
    when.fill(wall(at(yesterday, 8, 30)))
    trial_ends = page.get_by_label("Trial ends")
    trial_ends.fill(wall(at(yesterday + timedelta(days=40), 8, 30)))
    page.get_by_label("Level").fill("T8-T9")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator('[data-error-for="trial_ends_at"]')).to_have_text(
        "A trial lasts at most 30 days."
    )
    assert account.call("GET", f"/procedures/{record['id']}")["version"] == 1
    trial_ends.fill(wall(at(yesterday + timedelta(days=6), 8, 30)))
    page.get_by_role("button", name="Save changes").click()
    status = page.locator("#procedure-status")
    trial = f"Spinal cord stimulator trial of {day_words(yesterday)}"
    expect(status).to_have_text(f"Saved: {trial}, 08:30.")
    inside, box = in_viewport(status)
    assert inside, box
    expect(page.locator("#procedure-title")).to_have_text("Add a procedure")
    stored = account.call("GET", f"/procedures/{record['id']}")
    assert (stored["kind"], stored["level"], stored["version"]) == ("scs_trial", "T8-T9", 2)
    assert instant(stored["performed_at"]) == at(yesterday, 8, 30)
    assert instant(stored["trial_ends_at"]) == at(yesterday + timedelta(days=6), 8, 30)
    # The sides the form could not show are kept.
    assert stored["body_sites"] == record["body_sites"]
    listed = page.locator("#procedures > li")
    expect(listed.locator(".plan-name")).to_have_text("Spinal cord stimulator trial")
    no_sideways_scroll(page)

    # Delete asks first: Cancel keeps it, "Yes, delete" deletes it.
    page.get_by_role("button", name=f"Delete {trial}").click()
    question = page.get_by_role("group", name=f"Delete {trial}?")
    question.get_by_role("button", name="Cancel").click()
    expect(question).to_have_count(0)
    assert len(account.call("GET", "/procedures")["items"]) == 1
    page.get_by_role("button", name=f"Delete {trial}").click()
    question.get_by_role("button", name="Yes, delete").click()
    expect(listed).to_have_count(0)
    expect(page.locator("#procedures-status")).to_have_text(f"Deleted: {trial}.")
    expect(page.get_by_text("No procedures logged yet.")).to_be_visible()
    assert account.call("GET", "/procedures")["items"] == []
    account.call("GET", f"/procedures/{record['id']}", expected=(404, 410))
    assert phone.problems == []


@pytest.mark.slow
def test_history_lists_a_procedure_whose_edit_page_changes_its_times(phone, new_patient):
    account = new_patient()
    began = at(local_now().date() - timedelta(days=3), 9, 15)
    record = procedure(account, "scs_trial", began, trial_ends_at=began + timedelta(days=5),
                       level="T9-T10")  # fmt: skip
    page = phone.sign_in(account)
    phone.open("/history?show=procedures")
    entry = page.locator("#days li")
    expect(entry).to_have_count(1)
    words = "Spinal cord stimulator trial · T9-T10 · 09:15"
    expect(entry.locator(".entry-text")).to_have_text(words)
    entry.get_by_role("link", name="Edit Spinal cord stimulator trial at 09:15").click()
    page.wait_for_url(f"**/history/procedures/{record['id']}")
    expect(page.get_by_role("heading", name="Edit procedure")).to_be_visible()
    when = page.get_by_label("When", exact=True)
    trial_ends = page.get_by_label("Trial ends")
    expect(when).to_have_value(wall(began))
    expect(trial_ends).to_have_value(wall(began + timedelta(days=5)))

    earlier = began - timedelta(days=1, minutes=45)
    when.fill(wall(earlier))
    trial_ends.fill(wall(earlier + timedelta(days=4)))
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#edit-status")).to_have_text("Changes saved.")
    stored = account.call("GET", f"/procedures/{record['id']}")
    assert instant(stored["performed_at"]) == earlier
    assert instant(stored["trial_ends_at"]) == earlier + timedelta(days=4)
    assert (stored["level"], stored["version"]) == ("T9-T10", 2)
    meets_the_quality_bar(page)
    assert phone.problems == []
