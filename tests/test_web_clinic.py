"""Care team and clinic in real browsers: a code made, redeemed, read, logged and revoked."""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .quality import axe_violations, link, open_details, seed_month, settle, small_targets
from .webapp import Phone

pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")
CHARTS = ("pain", "sleep", "adherence", "therapy")
CODE = re.compile(r"^[A-HJ-NP-Z2-9]{8}$")  # the server's alphabet: no 0/O, 1/I/L
NOT_FOUND = "the server responded with a status of 404"  # the console line of a 404


def day_words(day):
    """ "Saturday 5 December", as the pages' formatDay writes a day in en-GB."""
    return f"{day:%A} {day.day} {day:%B}"


def unexpected(problems):
    return [problem for problem in problems if NOT_FOUND not in problem]


def ago(instant):
    """When a patient last logged, as the clinic's cards say it (days in Berlin, the phone's)."""
    at = datetime.fromisoformat(instant).astimezone(BERLIN)
    days = (datetime.now(BERLIN).date() - at.date()).days
    return {0: f"Today, {at:%H:%M}", 1: f"Yesterday, {at:%H:%M}"}.get(days, f"{days} days ago")


def targets_of(page):
    """The touch targets under 44 px, with the header's menu open (its links count too)."""
    open_details(page, menu=True)
    return small_targets(page)


def patients_named(clinician):
    return [row["display_name"] for row in clinician.call("GET", "/patients")]


def pain_days(account, intensities):
    """One pain entry a day at 09:00 Berlin time, ``intensities`` ending today (None: none)."""
    today = datetime.now(BERLIN).date()
    operations = []
    for back, intensity in enumerate(reversed(intensities)):
        if intensity is None:
            continue
        day = today - timedelta(days=back)
        when = min(datetime(day.year, day.month, day.day, 9, tzinfo=BERLIN), datetime.now(BERLIN))
        operations.append({
            "op": "put", "collection": "pain-entries", "id": str(uuid.uuid4()),
            "body": {"recorded_at": when.isoformat(timespec="seconds"), "intensity": intensity},
        })  # fmt: skip
    account.call("POST", "/sync", json={"operations": operations})


def test_a_code_made_on_care_team_is_redeemed_read_logged_and_revoked(
    phone, new_patient, new_clinician, chromium, web_server
):
    patient = new_patient(name="Morgan Quill", timezone="Europe/Berlin")
    seed_month(patient)
    clinician = new_clinician(name="Dr Rivera")

    # The patient makes a code on the page.
    phone.sign_in(patient)
    page = phone.open("/care-team")
    expect(page.get_by_text("No clinician can read your diary.")).to_be_visible()
    with page.expect_response("**/api/v1/care-team/invitations") as answer:
        page.get_by_role("button", name="Create an invitation code").click()
    invitation = answer.value.json()
    code = page.locator("#invitation-code")
    expect(code).to_have_text(invitation["code"])
    assert CODE.match(code.inner_text())
    expires = datetime.fromisoformat(invitation["expires_at"]).astimezone(BERLIN)
    expect(page.locator("#invitation-expiry")).to_have_text(
        f"Valid until {day_words(expires)}, {expires:%H:%M}."
    )
    expect(page.get_by_text("Give this code to your clinician")).to_be_visible()
    assert code.evaluate("(node) => getComputedStyle(node).fontFamily").find("mono") >= 0
    assert phone.horizontal_overflow() == 0
    assert axe_violations(page) == []
    phone.screenshot("care-team-code")

    clinic = Phone(chromium, web_server.url)
    try:
        # The clinician types it in on /clinic.
        clinic.sign_in(clinician)
        desk = clinic.open("/clinic")
        expect(desk.get_by_text("No patients yet.")).to_be_visible()
        desk.get_by_label("Invitation code").fill(invitation["code"].lower())
        desk.get_by_role("button", name="Add patient").click()
        expect(desk.get_by_role("status")).to_have_text("Morgan Quill is on your list of patients.")
        card = desk.locator("li.patient", has_text="Morgan Quill")
        expect(card.get_by_role("link", name="Morgan Quill")).to_have_attribute(
            "href", f"/clinic/patients/{patient.id}"
        )
        assert patients_named(clinician) == ["Morgan Quill"]
        expect(desk.get_by_label("Invitation code")).to_have_value("")
        assert clinic.horizontal_overflow() == 0
        clinic.screenshot("clinic")

        # The summary opens from the card, its charts drawn and its figures the API's.
        summary = clinician.call("GET", f"/patients/{patient.id}/summary")
        card.get_by_role("link", name="Morgan Quill").click()
        desk.wait_for_url(f"**/clinic/patients/{patient.id}")
        settle(desk)
        expect(desk.get_by_role("heading", level=1)).to_have_text("Morgan Quill")
        charts = desk.locator("#charts figure.chart svg[role=img]")
        expect(charts).to_have_count(len(CHARTS))
        for index in range(len(CHARTS)):
            box = charts.nth(index).bounding_box()
            assert box["width"] > 250 and box["height"] > 100, box
        assert desk.evaluate("() => [...document.images].every((image) => image.naturalWidth > 0)")
        pain = summary["pain"]
        headline = desk.locator("#headline .figures > div")
        expect(headline.filter(has_text="Mean pain").locator("dd")).to_contain_text(
            f"{pain['mean']:.1f}"
        )
        expect(headline.filter(has_text="Entries").locator("dd")).to_have_text(
            f"{pain['entries']} on {pain['days_logged']} days"
        )
        for flag in summary["flags"]:
            expect(desk.locator("#flags")).to_contain_text(flag["message"])
        assert clinic.horizontal_overflow() == 0

        # The read is in the patient's audit trail, and in words on their access log.
        events = patient.call("GET", "/audit-events")["items"]
        read = [e for e in events if e["resource"] == "clinic/summary"]
        assert [(e["actor_id"], e["outcome"]) for e in read] == [(clinician.id, "allowed")]
        page = phone.open("/care-team")
        member = page.locator("#team li", has_text="Dr Rivera")
        expect(member).to_contain_text(f"since {day_words(datetime.now(BERLIN))}")
        at = datetime.fromisoformat(read[0]["at"]).astimezone(BERLIN)
        logged = page.locator("#log li").first  # newest first: the summary came after the list
        expect(logged).to_have_text(f"Dr Rivera read your summary · {day_words(at)} {at:%H:%M}")
        expect(page.locator("#log")).to_contain_text(
            "Dr Rivera saw your latest figures in their patient list"
        )
        assert axe_violations(page) == []
        phone.screenshot("care-team")
        assert targets_of(page) == []

        # Revoking asks first, then acts at once: the clinician's page answers 404.
        member.get_by_role("button", name="Revoke access").click()
        group = page.get_by_role("group", name=re.compile("^Stop Dr Rivera reading your diary"))
        group.get_by_role("button", name="Yes, revoke access").click()
        expect(page.locator("#team-status")).to_have_text(
            "Dr Rivera can no longer read your diary."
        )
        expect(page.get_by_text("No clinician can read your diary.")).to_be_visible()
        assert patient.call("GET", "/care-team") == []

        response = desk.goto(f"/clinic/patients/{patient.id}")
        assert response.status == 404
        assert "Morgan Quill" not in desk.content()
        assert patients_named(clinician) == []
        assert unexpected(clinic.problems) == []
    finally:
        clinic.close()
    assert phone.problems == []


def test_cancel_keeps_the_clinician_s_access(phone, new_patient, new_clinician):
    patient = new_patient()
    clinician = new_clinician(name="Dr Okafor")
    link(patient, clinician)
    phone.sign_in(patient)
    page = phone.open("/care-team")
    page.get_by_role("button", name="Revoke access for Dr Okafor").click()
    page.get_by_role("group", name=re.compile("^Stop Dr Okafor")).get_by_role(
        "button", name="Cancel"
    ).click()
    expect(page.get_by_role("button", name="Revoke access for Dr Okafor")).to_be_focused()
    assert [row["clinician"]["display_name"] for row in patient.call("GET", "/care-team")] == [
        "Dr Okafor"
    ]
    assert phone.problems == []


def test_an_unlinked_clinician_gets_404_and_the_refusal_is_logged(
    phone, new_patient, new_clinician
):
    patient = new_patient(name="Robin Thistlewood")
    pain_days(patient, [5, 6, 7])
    stranger = new_clinician(name="Dr Stranger")
    phone.sign_in(stranger)
    response = phone.page.goto(f"/clinic/patients/{patient.id}")
    assert response.status == 404
    html = phone.page.content()
    assert "Robin Thistlewood" not in html and "Not found" in html
    assert [NOT_FOUND in problem for problem in phone.problems] == [True]
    phone.problems.clear()

    (event,) = patient.call("GET", "/audit-events")["items"]
    assert (event["actor_id"], event["outcome"]) == (stranger.id, "denied")
    phone.page.get_by_role("button", name="Sign out").click()
    phone.page.wait_for_url("**/login")
    phone.sign_in(patient)
    page = phone.open("/care-team")
    expect(page.locator("#log li")).to_have_text(
        re.compile(r"^Refused: Dr Stranger tried to read your summary without access · ")
    )
    assert phone.problems == []


def test_a_wrong_or_used_code_shows_the_api_s_message_next_to_the_field(
    phone, new_patient, new_clinician
):
    clinician = new_clinician()
    refused = clinician.call("POST", "/care-team/links", json={"code": "WRONG234"}, expected=(404,))
    message = refused["error"]["message"]
    phone.sign_in(clinician)
    page = phone.open("/clinic")
    field = page.get_by_label("Invitation code")
    slot = page.locator('[data-error-for="code"]')

    page.get_by_role("button", name="Add patient").click()
    expect(slot).to_have_text("Type the code your patient gave you.")

    field.fill("WRONG234")
    page.get_by_role("button", name="Add patient").click()
    expect(slot).to_have_text(message)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()

    # A code someone else redeemed first is refused in the same words.
    patient = new_patient()
    used = patient.call("POST", "/care-team/invitations")["code"]
    new_clinician().call("POST", "/care-team/links", json={"code": used})
    field.fill(used)
    page.get_by_role("button", name="Add patient").click()
    expect(slot).to_have_text(message)
    assert clinician.call("GET", "/patients") == []
    expect(page.get_by_text("No patients yet.")).to_be_visible()
    # The refused redeems' own console lines, not a failure of the page.
    assert [NOT_FOUND in problem for problem in phone.problems] == [True, True]


def test_the_patient_list_puts_flags_first_in_words_and_says_what_is_missing(
    phone, new_patient, new_clinician
):
    clinician = new_clinician()
    # Pain 2 for a fortnight, then 7 for five days up to two days ago: worsening, an alert.
    worsening = new_patient(name="Avery Alert")
    pain_days(worsening, [2] * 14 + [7] * 5 + [None, None])
    quiet = new_patient(name="Quinn Quiet")
    steady = new_patient(name="Sam Steady")
    seed_month(steady)
    for patient in (quiet, steady, worsening):
        link(patient, clinician)
    rows = clinician.call("GET", "/patients")
    assert rows[0]["display_name"] == "Avery Alert"
    assert rows[0]["flags"][0]["code"] == "pain_worsening"

    phone.sign_in(clinician)
    page = phone.open("/clinic")
    cards = page.locator("li.patient")
    expect(cards).to_have_count(3)
    assert cards.locator(".patient-name").all_inner_texts() == [r["display_name"] for r in rows]

    alert = cards.nth(0)
    expect(alert.locator(".flag").first).to_contain_text("Alert: Pain worsening")
    expect(alert.locator(".flag").first).to_contain_text(rows[0]["flags"][0]["message"])
    # The flags come before the figures, in the reading order too.
    assert alert.evaluate(
        "(card) => card.querySelector('.flags').compareDocumentPosition("
        "card.querySelector('.figures')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert ago(rows[0]["last_entry_at"]) == "2 days ago"
    expect(alert.locator('[data-figure="last-entry"] dd')).to_have_text("2 days ago")
    expect(alert.locator('[data-figure="pain"] dd')).to_have_text(
        f"{rows[0]['pain_7d_mean']:.1f} of 10"
    )
    # Named as GET /patients computes it (DESIGN §7), not as the summary's first and last weeks.
    change = round(rows[0]["pain_change_percent"])
    expect(alert.locator('[data-figure="change"] dd')).to_have_text(
        f"+{change} % last 7 days vs the 14 days before"
    )
    expect(alert.locator('[data-figure="adherence"] dd')).to_have_text("No doses due")

    by_name = {row["display_name"]: row for row in rows}
    nobody = page.locator("li.patient", has_text="Quinn Quiet")
    for name in ("last-entry", "pain", "change", "adherence"):
        expect(nobody.locator(f'[data-figure="{name}"] dd')).to_have_text("No entries yet")
    assert by_name["Quinn Quiet"]["last_entry_at"] is None

    steady_card = page.locator("li.patient", has_text="Sam Steady")
    adherence = by_name["Sam Steady"]["adherence_percent"]
    expect(steady_card.locator('[data-figure="adherence"] dd')).to_have_text(
        f"{int(adherence + 0.5)} % last 14 days"
    )
    expect(steady_card.locator('[data-figure="last-entry"] dd')).to_have_text(
        ago(by_name["Sam Steady"]["last_entry_at"])
    )
    for flag in by_name["Sam Steady"]["flags"]:
        expect(steady_card.locator(f'[data-flag="{flag["code"]}"]')).to_contain_text(
            f"{flag['severity'].title()}: "
        )
    assert phone.horizontal_overflow() == 0
    assert axe_violations(page) == []
    phone.screenshot("clinic-patients")
    assert targets_of(page) == []
    assert phone.problems == []


def test_the_summary_page_has_its_periods_downloads_and_reads_in_dark(
    phone, new_patient, new_clinician, chromium, web_server
):
    patient = new_patient(name="Morgan Quill")
    seed_month(patient)
    clinician = new_clinician()
    link(patient, clinician)
    phone.sign_in(clinician)
    page = phone.open(f"/clinic/patients/{patient.id}?days=7")
    settle(page)
    expect(page.get_by_role("link", name="All patients")).to_have_attribute("href", "/clinic")
    periods = page.get_by_role("navigation", name="Period")
    for name, days in (("7 days", 7), ("30 days", 30), ("90 days", 90), ("1 year", 365)):
        period_link = periods.get_by_role("link", name=name, exact=True)
        expect(period_link).to_have_attribute("href", f"/clinic/patients/{patient.id}?days={days}")
    expect(periods.locator("[aria-current=page]")).to_have_text("7 days")

    last = datetime.now(BERLIN).date()
    first = last - timedelta(days=6)
    pdf = page.get_by_role("link", name="Download PDF of this period")
    expect(pdf).to_have_attribute(
        "href", f"/api/v1/patients/{patient.id}/summary.pdf?from={first}&to={last}"
    )
    fhir = page.get_by_role("link", name="Download FHIR (whole diary)")
    expect(fhir).to_have_attribute("href", f"/api/v1/patients/{patient.id}/fhir")
    expect(page.locator(".masthead .period")).to_contain_text("(7 days)")
    with page.expect_download() as download:
        pdf.click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert (
        clinician.api.get(f"{web_server.url}{fhir.get_attribute('href')}").json()["resourceType"]
        == "Bundle"
    )
    assert phone.horizontal_overflow() == 0
    assert axe_violations(page) == []
    phone.screenshot("clinic-summary")
    assert targets_of(page) == []

    dark = Phone(chromium, web_server.url, color_scheme="dark")
    try:
        dark.sign_in(clinician)
        shown = dark.open(f"/clinic/patients/{patient.id}")
        settle(shown)
        colours = shown.evaluate(
            """() => Object.fromEntries(
              [["page", "html"], ["name", ".summary h1"], ["brand", ".brand"],
               ["figure", "#headline .figures dd"]].map(([key, selector]) => {
                const style = getComputedStyle(document.querySelector(selector));
                return [key, key === "page" ? style.backgroundColor : style.color];
              }))"""
        )
        # Light text on the dark page, the app's dark tokens and not the printed sheet's.
        assert colours == {
            "page": "rgb(18, 22, 29)", "name": "rgb(232, 234, 239)",
            "brand": "rgb(232, 234, 239)", "figure": "rgb(232, 234, 239)",
        }  # fmt: skip
        assert axe_violations(shown) == []
        assert dark.horizontal_overflow() == 0
        dark.screenshot("clinic-summary-dark")
        assert dark.problems == []
    finally:
        dark.close()
    assert phone.problems == []


def test_access_log_shows_more_on_request(phone, new_patient, new_clinician):
    patient = new_patient()
    clinician = new_clinician(name="Dr Rivera")
    link(patient, clinician)
    for _ in range(25):
        clinician.call("GET", f"/patients/{patient.id}/summary")
    phone.sign_in(patient)
    page = phone.open("/care-team")
    entries = page.locator("#log li")
    expect(entries).to_have_count(20)
    page.get_by_role("button", name="Show more").click()
    expect(entries).to_have_count(25)
    expect(page.get_by_role("button", name="Show more")).to_be_hidden()
    assert phone.problems == []


def test_an_empty_patient_list_says_how_to_add_one(phone, new_clinician):
    phone.sign_in(new_clinician())
    page = phone.open("/clinic")
    expect(page.get_by_text("No patients yet.")).to_be_visible()
    expect(page.get_by_text("Loading your patients")).to_be_hidden()
    assert phone.problems == []
