"""Entries a patient dates (DESIGN §7): a check-in's "When", a night's "Night of", a dose taken
at its time and logged later, and the edit page's time fields, in a real browser.

Late entries still count as late: a check-in made today for three days ago is one of the
summary's ``late_entries`` (``created_at`` more than 24 h after ``recorded_at``, DESIGN §4).
"""

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")
DAY = timedelta(hours=24)


def local_now(zone=BERLIN):
    return datetime.now(zone)


def at(day, hour, minute=0, zone=BERLIN):
    return datetime.combine(day, time(hour, minute), zone)


def wall(moment):
    """What a datetime-local field holds for ``moment``: "YYYY-MM-DDTHH:MM"."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def instant(iso):
    return datetime.fromisoformat(iso)


def zone_where_it_is(hour):
    """An IANA zone (Etc/GMT-N is UTC+N) whose clock reads ``hour``:xx now.

    A morning's doses are then answered "hours later" at whatever hour the test runs.
    """
    offset = (hour - datetime.now(UTC).hour + 12) % 24 - 12
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def scale(page, name, value, scope=None):
    group = (scope or page).get_by_role("radiogroup", name=name)
    group.get_by_role("radio", name=str(value), exact=True).check()


def check_in(page, intensity, when=None):
    if when is not None:
        page.get_by_label("When", exact=True).fill(wall(when))
    scale(page, "Pain intensity", intensity)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#checkin-status")).to_contain_text(f"pain {intensity} at")


def test_a_check_in_dated_yesterday_evening_is_stored_then_and_late_ones_count_as_late(
    phone, new_patient
):
    account = new_patient()
    page = phone.sign_in(account)
    when = page.get_by_label("When", exact=True)
    # Now by default: the field shows the patient's clock.
    shown = datetime.fromisoformat(when.input_value()).replace(tzinfo=BERLIN)
    assert abs(shown - local_now()) < timedelta(minutes=2)

    yesterday = local_now().date() - timedelta(days=1)
    check_in(page, 6, when=at(yesterday, 21))
    expect(page.locator("#checkin-status")).to_contain_text("pain 6 at 21:00 on ")
    (entry,) = account.call("GET", "/pain-entries")["items"]
    assert instant(entry["recorded_at"]) == at(yesterday, 21)
    assert entry["local_date"] == yesterday.isoformat()
    assert instant(entry["created_at"]) > instant(entry["recorded_at"])
    # After the save, "When" is now again for the next check-in.
    shown = datetime.fromisoformat(when.input_value()).replace(tzinfo=BERLIN)
    assert abs(shown - local_now()) < timedelta(minutes=2)

    three_days_ago = local_now().date() - timedelta(days=3)
    check_in(page, 4, when=at(three_days_ago, 8, 30))
    check_in(page, 3)  # now
    entries = account.call("GET", "/pain-entries")["items"]
    recorded = sorted(instant(e["recorded_at"]) for e in entries)
    assert recorded[0] == at(three_days_ago, 8, 30)
    assert abs(recorded[-1] - datetime.now(UTC)) < timedelta(minutes=2)
    late = [e for e in entries if instant(e["created_at"]) - instant(e["recorded_at"]) > DAY]
    assert late and len(late) in (1, 2)  # three days ago; yesterday 21:00 too after 21:00 today
    completion = account.call("GET", "/summary")["completion"]
    assert completion["late_entries"] == len(late)
    assert phone.problems == []


def test_a_when_still_to_come_is_refused_on_the_phone(phone, new_patient):
    account = new_patient()
    page = phone.sign_in(account)
    tomorrow = local_now() + timedelta(days=1)
    page.get_by_label("When", exact=True).fill(wall(tomorrow))
    scale(page, "Pain intensity", 5)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator('#checkin [data-error-for="recorded_at"]')).to_contain_text("still to come")
    expect(page.get_by_label("When", exact=True)).to_have_attribute("aria-invalid", "true")
    assert account.call("GET", "/pain-entries")["items"] == []


def test_a_check_in_at_a_time_daylight_saving_skips_or_repeats_follows_the_servers_rule(
    phone, new_patient
):
    account = new_patient()
    page = phone.sign_in(account)
    converted = page.evaluate(
        """async () => {
          const { zoned } = await import("/static/js/localtime.js");
          return [["2026-03-29", "02:30"], ["2026-10-25", "02:30"], ["2026-03-07", "21:00"]]
            .map(([date, time]) => zoned(date, time));
        }"""
    )
    # Spring forward: the first minute after the gap; fall back: the first of the two 02:30s.
    assert converted == [
        "2026-03-29T03:00:00+02:00", "2026-10-25T02:30:00+02:00", "2026-03-07T21:00:00+01:00",
    ]  # fmt: skip
    page.get_by_label("When", exact=True).fill("2026-10-25T02:30")
    scale(page, "Pain intensity", 2)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#checkin-status")).to_contain_text("pain 2 at")
    (entry,) = account.call("GET", "/pain-entries")["items"]
    assert instant(entry["recorded_at"]) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_an_earlier_night_is_logged_through_night_of(phone, new_patient):
    account = new_patient()
    page = phone.sign_in(account)
    page.get_by_text("Log last night's sleep").click()
    form = page.locator("#sleep")
    night_of = form.get_by_label("Night of")
    yesterday = local_now().date() - timedelta(days=1)
    expect(night_of).to_have_value(yesterday.isoformat())  # last night by default

    night = local_now().date() - timedelta(days=3)
    night_of.fill(night.isoformat())
    for label, value in zip(
        ["Got into bed", "Tried to sleep", "Woke up for the day", "Got out of bed"],
        ["23:00", "23:15", "06:30", "07:00"],
        strict=True,
    ):
        form.get_by_label(label).fill(value)
    form.get_by_label("Minutes to fall asleep").fill("20")
    form.get_by_label("Minutes awake in the night").fill("30")
    form.get_by_role("button", name="Save sleep").click()
    expect(page.locator("#sleep-status")).to_contain_text("Saved: the night of")

    (entry,) = account.call("GET", "/sleep-entries")["items"]
    assert entry["night_of"] == night.isoformat()
    assert instant(entry["in_bed_at"]) == at(night, 23)
    assert instant(entry["out_of_bed_at"]) == at(night + timedelta(days=1), 7)
    # Last night is still to be logged: the section still offers it.
    expect(page.locator("#sleep-logged")).to_be_hidden()
    page.get_by_text("Log last night's sleep").click()
    expect(night_of).to_have_value(yesterday.isoformat())
    assert phone.problems == []


def medication(account, name, times, zone):
    body = {
        "name": name, "dose_amount": 400, "dose_unit": "mg", "route": "oral",
        "schedule": {"times": times, "days_of_week": list(range(7))},
        "start_date": (local_now(zone).date() - timedelta(days=3)).isoformat(),
    }  # fmt: skip
    return account.call("PUT", f"/medications/{uuid.uuid4()}", json=body)


def test_a_dose_taken_at_its_time_and_logged_hours_later_counts_on_time(phone, new_patient):
    zone_name = zone_where_it_is(10)
    zone = ZoneInfo(zone_name)
    account = new_patient(timezone=zone_name)
    soon = (local_now(zone) - timedelta(minutes=20)).strftime("%H:%M")
    ibuprofen = medication(account, "Ibuprofen", ["08:00", "20:00"], zone)
    medication(account, "Naproxen", ["08:00"], zone)
    medication(account, "Celecoxib", [soon], zone)
    page = phone.sign_in(account)
    today = local_now(zone).date()

    # At 10:xx, the 08:00 dose: taken at 08:00, or only now?
    dose = page.get_by_role("group", name="Ibuprofen 400 mg · 08:00")
    dose.get_by_role("button", name="Taken").click()
    question = dose.get_by_role("group", name="When did you take it?")
    expect(question.get_by_role("button")).to_have_text(["At 08:00", "Just now", "Cancel"])
    question.get_by_role("button", name="At 08:00").click()
    expect(dose.locator(".dose-state")).to_have_text("Taken at 08:00 · Change")

    page.get_by_role("group", name="Naproxen 400 mg · 08:00").get_by_role(
        "button", name="Taken"
    ).click()
    page.get_by_role("button", name="Just now").click()
    # Twenty minutes late is on time: no question, taken now.
    page.get_by_role("group", name=f"Celecoxib 400 mg · {soon}").get_by_role(
        "button", name="Taken"
    ).click()
    expect(page.get_by_role("group", name=f"Celecoxib 400 mg · {soon}")).to_contain_text("Taken at")
    expect(page.get_by_role("button", name="Just now")).to_have_count(0)

    events = {e["medication_id"]: e for e in account.call("GET", "/medication-doses")["items"]}
    assert len(events) == 3
    taken = events[ibuprofen["id"]]
    eight = at(today, 8, zone=zone)
    assert instant(taken["taken_at"]) == instant(taken["scheduled_for"]) == eight
    assert instant(taken["created_at"]) - eight > timedelta(hours=1)  # logged later
    others = [e for key, e in events.items() if key != ibuprofen["id"]]
    for event in others:  # "Just now" and the dose answered on time: taken now
        assert abs(instant(event["taken_at"]) - datetime.now(UTC)) < timedelta(minutes=2)

    summary = account.call("GET", "/summary")["medications"]
    rows = {item["name"]: item for item in summary["items"]}
    assert (rows["Ibuprofen"]["taken"], rows["Ibuprofen"]["taken_on_time"]) == (1, 1)
    assert (rows["Naproxen"]["taken"], rows["Naproxen"]["taken_on_time"]) == (1, 0)
    assert phone.problems == []


def test_the_edit_page_changes_when_a_check_in_a_night_and_a_session_were(phone, new_patient):
    account = new_patient()
    recorded = (local_now() - timedelta(hours=1)).replace(microsecond=0)
    entry = account.call("PUT", f"/pain-entries/{uuid.uuid4()}", json={
        "recorded_at": recorded.isoformat(), "intensity": 5, "body_sites": [], "qualities": [],
    })  # fmt: skip
    page = phone.sign_in(account)
    phone.open(f"/history/pain-entries/{entry['id']}")
    when = page.get_by_label("When", exact=True)
    expect(when).to_have_value(wall(recorded))
    yesterday = local_now().date() - timedelta(days=1)
    when.fill(wall(at(yesterday, 21, 15)))
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#edit-status")).to_have_text("Changes saved.")
    stored = account.call("GET", f"/pain-entries/{entry['id']}")
    assert instant(stored["recorded_at"]) == at(yesterday, 21, 15)
    assert (stored["local_date"], stored["version"]) == (yesterday.isoformat(), 2)

    two_nights_ago = local_now().date() - timedelta(days=3)
    night = account.call("PUT", f"/sleep-entries/{uuid.uuid4()}", json={
        "night_of": two_nights_ago.isoformat(),
        "in_bed_at": at(two_nights_ago, 23).isoformat(),
        "tried_to_sleep_at": at(two_nights_ago, 23, 10).isoformat(),
        "final_awakening_at": at(two_nights_ago + timedelta(days=1), 6).isoformat(),
        "out_of_bed_at": at(two_nights_ago + timedelta(days=1), 6, 30).isoformat(),
        "sleep_latency_minutes": 10, "wake_after_sleep_onset_minutes": 20,
    })  # fmt: skip
    phone.open(f"/history/sleep-entries/{night['id']}")
    night_of = page.get_by_label("Night of")
    expect(night_of).to_have_value(two_nights_ago.isoformat())
    later_night = two_nights_ago + timedelta(days=1)
    night_of.fill(later_night.isoformat())
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#edit-status")).to_have_text("Changes saved.")
    stored = account.call("GET", f"/sleep-entries/{night['id']}")
    assert stored["night_of"] == later_night.isoformat()
    assert instant(stored["in_bed_at"]) == at(later_night, 23)
    assert instant(stored["out_of_bed_at"]) == at(later_night + timedelta(days=1), 6, 30)

    session = account.call("PUT", f"/therapy-sessions/{uuid.uuid4()}", json={
        "modality": "physiotherapy", "started_at": recorded.isoformat(), "duration_minutes": 30,
    })  # fmt: skip
    phone.open(f"/history/therapy-sessions/{session['id']}")
    started = page.get_by_label("Started at")
    expect(started).to_have_value(wall(recorded))
    started.fill(wall(at(yesterday, 17, 45)))
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#edit-status")).to_have_text("Changes saved.")
    stored = account.call("GET", f"/therapy-sessions/{session['id']}")
    assert instant(stored["started_at"]) == at(yesterday, 17, 45)
    assert phone.problems == []
