"""What the pages show a patient besides their entries, in a real browser, light and dark: that a
section opens, the name a download arrives under, the colour of a state that is neither success
nor problem, and a field's error message that wraps without moving the field beside it."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from .quality import axe_violations
from .webapp import Phone

pytestmark = pytest.mark.slow

SCHEMES = ("light", "dark")


@pytest.fixture(params=SCHEMES)
def themed_phone(chromium, web_server, request):
    """A phone in the light or the dark colour scheme."""
    device = Phone(chromium, web_server.url, color_scheme=request.param)
    yield device
    device.close()
    assert device.offsite == [], device.offsite


# What a section that opens shows once its words are hidden: anything left is its sign.
HIDE_WORDS = """summary {
  -webkit-text-fill-color: transparent !important; border-color: transparent !important;
}"""


def disclosures(page):
    """Every summary's name and expanded state, as Chromium tells a screen reader."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    found = {}
    for node in nodes:
        if node.get("role", {}).get("value") != "DisclosureTriangle":
            continue
        expanded = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
        found[node["name"]["value"]] = expanded.get("expanded")
    return found


def ink(png):
    """How many colours an element's screenshot has: 1 when nothing is drawn on its background."""
    return len(Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 16) or ())


def check_sections(page, names):
    """Each section is a details element whose summary shows a sign and says whether it is open."""
    assert disclosures(page) == dict.fromkeys(names, False)
    assert page.locator("[aria-expanded]:not(summary)").count() == 0  # no other kind of toggle
    page.add_style_tag(content=HIDE_WORDS)
    for name in names:
        summary = page.locator("summary").filter(has_text=name)
        closed = summary.screenshot()
        assert ink(closed) > 1, f"{name!r} shows nothing but its words: no sign that it opens"
        summary.evaluate("(summary) => { summary.parentElement.open = true; }")
        assert summary.screenshot() != closed, f"{name!r} looks the same open and closed"
    assert disclosures(page) == dict.fromkeys(names, True)


def test_todays_sections_that_open_show_it(themed_phone, new_patient):
    page = themed_phone.sign_in(new_patient())
    check_sections(page, [
        "Menu", "More body sites", "Add detail", "Log last night's sleep", "Log a therapy session",
    ])  # fmt: skip
    page.locator("details.menu").evaluate("(menu) => { menu.open = false; }")
    assert axe_violations(page) == []
    assert themed_phone.problems == []


def test_i_am_a_clinician_shows_that_it_opens(themed_phone):
    page = themed_phone.open("/signup")
    check_sections(page, ["I am a clinician"])
    expect(page.get_by_label("Clinician sign-up code")).to_be_visible()
    assert axe_violations(page) == []
    assert themed_phone.problems == []


def test_the_csv_download_arrives_under_the_name_its_link_gives(phone, new_patient):
    page = phone.sign_in(new_patient())
    phone.open("/export")
    link = page.get_by_role("link", name="Download CSV (zip)")
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == link.get_attribute("download") == "pain-diary-csv.zip"
    with open(download.path(), "rb") as file:
        assert file.read(2) == b"PK"
    assert phone.problems == []


SUCCESS_COLOUR = """() => {
  const probe = Object.assign(document.createElement("p"), { className: "status" });
  probe.textContent = "Saved.";
  document.querySelector("main").append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}"""


def test_notifications_off_is_not_said_in_the_success_colour(themed_phone, new_patient):
    page = themed_phone.sign_in(new_patient())
    themed_phone.open("/reminders")
    state = page.locator("#push-state")
    expect(state).to_have_text("Notifications are off for this phone.")
    colour = state.evaluate("(element) => getComputedStyle(element).color")
    assert colour != page.evaluate(SUCCESS_COLOUR)
    assert axe_violations(page) == []
    assert themed_phone.problems == []


# Where an element's top is on the page, whatever the scroll (the refused field gets the focus).
PAGE_TOP = "(el) => el.getBoundingClientRect().top + scrollY"


def test_an_error_that_wraps_does_not_move_the_field_beside_it(themed_phone, new_patient):
    account = new_patient()
    page = themed_phone.sign_in(account)
    page.get_by_text("Log last night's sleep").click()
    form = page.locator("#sleep")
    for label, value in zip(
        ["Got into bed", "Tried to sleep", "Woke up for the day", "Got out of bed"],
        ["23:00", "23:15", "06:30", "06:00"],  # out of bed before waking up: refused
        strict=True,
    ):
        form.get_by_label(label).fill(value)
    form.get_by_label("Minutes to fall asleep").fill("20")
    form.get_by_label("Minutes awake in the night").fill("30")
    beside = form.get_by_label("Woke up for the day")
    top = beside.evaluate(PAGE_TOP)
    form.get_by_role("button", name="Save sleep").click()
    message = form.locator('[data-error-for="out_of_bed_at"]')
    expect(message).not_to_be_empty()
    lines = message.evaluate(
        "(el) => Math.round(el.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(el).lineHeight))"
    )
    assert lines >= 2  # it wraps in its half of the row
    assert beside.evaluate(PAGE_TOP) == top
    assert account.call("GET", "/sleep-entries")["items"] == []
    assert [line for line in themed_phone.problems if "status of 422" not in line] == []
