"""The charts on a phone (DESIGN.md §7), measured as Chromium draws them at 360×740.

"Charts are read on phones: at 360 px their text is at least 11 CSS px, nothing is cut at an edge
(the last day's bar and labels included), and in dark mode they are drawn in the dark theme's
colours, not as white panels." On Trends (the SVG in an <img>) and the clinician's summary (the
SVG inline), light and dark.

Text is measured in the page: its computed font size times the scale the SVG is shown at
(shown width / viewBox width), its box by getBoundingClientRect. An <img>'s SVG cannot be
reached from the page, so the same file is fetched and laid out over the image at its width.
Colours are read from the screenshot: the pixels Chromium painted.
"""

import io
import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from .quality import link, seed_month, settle
from .webapp import Account, Phone

pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")
CHARTS = ("pain", "sleep", "adherence", "therapy")
SCHEMES = ("light", "dark")
SMALLEST_TEXT = 11  # CSS px
#: Data drawn as bars, which the plot must hold whole, and as lines, which the picture must.
BARS = ("pain-range", "total-sleep", "weekly-adherence")
LINES = ("daily-pain", "rolling-mean", "sleep-efficiency")
# The app's --card (app.css), light and dark: the chart's paper and the card around it.
CARD = {"light": (255, 255, 255), "dark": (28, 34, 44)}

# What a chart <svg> in the page shows, in CSS px from its top left corner.
_MEASURE = """(svg) => {
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  const place = (el) => {
    const r = el.getBoundingClientRect();
    return {left: r.left - box.left, right: r.right - box.left,
            top: r.top - box.top, bottom: r.bottom - box.top};
  };
  // Inline on the clinician's page every id has a prefix ("pain-chart-daily-pain").
  const part = (id) => svg.querySelector(`[id$="${id}"]`);
  const series = {};
  for (const id of [...BARS, ...LINES]) {
    const g = part(id);
    if (!g) continue;
    series[id] = place(g.querySelector("path"));  // the bars, or the line without its markers
  }
  return {
    width: box.width, height: box.height,
    texts: [...svg.querySelectorAll("text")].map((t) => ({
      text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale, ...place(t),
    })),
    plot: part("patch_2") && place(part("patch_2")),  // none in an empty chart
    series,
  };
}""".replace("BARS", str(list(BARS))).replace("LINES", str(list(LINES)))

# The file an <img> shows, laid out inline over it, at its width (and hidden).
_INLINE_COPY = """async (img) => {
  const answer = await fetch(img.currentSrc);
  const svg = new DOMParser().parseFromString(await answer.text(), "image/svg+xml").documentElement;
  const r = img.getBoundingClientRect();
  const copy = document.createElement("div");
  copy.className = "measured-copy";
  copy.style.cssText = `position: absolute; left: ${r.left + scrollX}px; top: ${r.top + scrollY}px;`
    + ` width: ${r.width}px; visibility: hidden`;
  svg.style.cssText = "display: block; width: 100%; height: auto";
  copy.append(document.importNode(svg, true));
  document.body.append(copy);
}"""


def today_s_records(account):
    """Today's pain (two entries, so a range), a dose due at midnight taken: the last day's bars.

    The seeded month has today's only if the test runs after 08:30.
    """
    today = datetime.now(BERLIN).date()
    midnight = datetime(today.year, today.month, today.day, tzinfo=BERLIN)
    now = max(datetime.now(BERLIN) - timedelta(minutes=1), midnight + timedelta(seconds=1))
    medication = str(uuid.uuid4())
    operations = [
        {"op": "put", "collection": "pain-entries", "id": str(uuid.uuid4()),
         "body": {"recorded_at": now.isoformat(timespec="seconds"), "intensity": intensity}}
        for intensity in (2, 9)
    ] + [
        {"op": "put", "collection": "medications", "id": medication, "body": {
            "name": "Naproxen 500 mg", "ingredient": "naproxen", "dose_amount": 500,
            "dose_unit": "mg", "route": "oral", "schedule": {"times": ["00:00"]},
            "start_date": today.isoformat()}},
        {"op": "put", "collection": "medication-doses", "id": str(uuid.uuid4()), "body": {
            "medication_id": medication, "status": "taken",
            "scheduled_for": midnight.isoformat(timespec="seconds"),
            "taken_at": now.isoformat(timespec="seconds")}},
    ]  # fmt: skip
    results = account.call("POST", "/sync", json={"operations": operations})["results"]
    assert all(result["status"] in (200, 201) for result in results), results


@pytest.fixture(scope="module")
def cast(web_server):
    """A patient with a month of diary up to a minute ago, linked to a clinician."""
    patient = Account.register(web_server.url, "patient", name="Alexandra Beispielpatientin")
    clinician = Account.register(web_server.url, "clinician", name="Dr Maximiliane Rivera")
    seed_month(patient)
    today_s_records(patient)
    link(patient, clinician)
    return SimpleNamespace(patient=patient, clinician=clinician)


@pytest.fixture
def device(chromium, web_server):
    """A phone signed in as an account (its API session's cookie), light or dark."""
    phones = []

    def make(account, color_scheme):
        phone = Phone(chromium, web_server.url, color_scheme=color_scheme)
        jar = account.api.cookies
        phone.context.add_cookies(
            [{"name": c.name, "value": c.value, "url": phone.base_url} for c in jar]
        )
        phones.append(phone)
        return phone

    yield make
    for phone in phones:
        phone.close()
        assert phone.offsite == [], phone.offsite


def last_night(account):
    nights = account.call("GET", "/sleep-entries", params={"limit": 1})["items"]
    return datetime.fromisoformat(nights[0]["night_of"]).date()


def problems_of(name, chart, days, newest_night):
    """What breaks §7's rule in one chart as measured (see _MEASURE); empty if nothing.

    ``newest_night`` is the x of the last night logged (0 the period's first day).
    """
    found = []
    inside = 0.5  # px: what rounding allows
    texts = chart["texts"]
    for number, text in enumerate(texts):
        for other in texts[number + 1 :]:
            overlap = min(text["right"], other["right"]) - max(text["left"], other["left"])
            height = min(text["bottom"], other["bottom"]) - max(text["top"], other["top"])
            if overlap > 1 and height > 1:
                found.append(f"{name}: {text['text']!r} and {other['text']!r} overlap")
    for text in texts:
        where = f"{name}: {text['text']!r}"
        if text["px"] < SMALLEST_TEXT:
            found.append(f"{where} is {text['px']:.1f} px")
        if (
            text["left"] < -inside
            or text["top"] < -inside
            or text["right"] > chart["width"] + inside
            or text["bottom"] > chart["height"] + inside
        ):
            found.append(f"{where} is cut at an edge: {text}")
    plot, series = chart["plot"], chart["series"]
    if plot is None:
        return found  # "No data for this period"
    for id in BARS:
        if id in series and (
            series[id]["left"] < plot["left"] - inside
            or series[id]["right"] > plot["right"] + inside
        ):
            found.append(f"{name}: {id} reaches past the plot {plot}: {series[id]}")
    for id in LINES:
        if id in series and (series[id]["left"] < 0 or series[id]["right"] > chart["width"]):
            found.append(f"{name}: {id} reaches past the picture: {series[id]}")
    # The last day, at x = days - 1 of a plot from -0.5 to days - 0.5.
    day = (plot["right"] - plot["left"]) / days
    last_day = plot["right"] - day / 2
    expected = {
        "pain": ("daily-pain", last_day),  # the line's last point: today's pain
        "adherence": ("weekly-adherence", last_day + 0.4 * day),  # this week's bar
        "sleep": ("total-sleep", last_day - (days - 1 - newest_night) * day + 0.35 * day),
    }
    if name in expected:
        id, right = expected[name]
        drawn = series.get(id, {}).get("right")
        if drawn is None or abs(drawn - right) > 1:
            found.append(f"{name}: {id} ends at {drawn}, not at the last day's {right:.1f}")
    return found


def painted(locator, x, y):
    """The colour Chromium painted at (x, y) of an element, and the share of its pixels that
    are white or nearly (the dark theme's text is not)."""
    shot = Image.open(io.BytesIO(locator.screenshot())).convert("RGB")
    white = float((np.asarray(shot).min(axis=2) > 245).mean())
    return shot.getpixel((x, y if y >= 0 else shot.size[1] + y)), white


def assert_painted(scheme, svgs, cards):
    """Each chart's paper, and the card around it, in the theme's --card; no white panel."""
    for svg, card in zip(svgs, cards, strict=True):
        paper, white = painted(svg, 1, 1)
        edge, _ = painted(card, 1, -40)  # in the card's padding, clear of its round corners
        for colour in (paper, edge):
            assert max(abs(a - b) for a, b in zip(colour, CARD[scheme], strict=True)) <= 2, colour
        if scheme == "dark":
            assert white < 0.01, f"{white:.1%} of the chart is white"


def trends_charts(page):
    """Each <img> chart of Trends measured through an inline copy of its file."""
    measured = {}
    for name in CHARTS:
        image = page.locator(f"img[data-chart={name}]")
        image.evaluate(_INLINE_COPY)
        copy = page.locator(".measured-copy svg")
        measured[name] = copy.evaluate(_MEASURE)
        shown = image.bounding_box()
        # The copy stands for the image: the same width and shape.
        assert abs(measured[name]["width"] - shown["width"]) < 0.5, name
        assert abs(measured[name]["height"] - shown["height"]) < 1, name
        page.evaluate("() => document.querySelector('.measured-copy').remove()")
    return measured


def show_period(page, days):
    page.get_by_label("1 year" if days == 365 else f"{days} days").check()
    for name in CHARTS:
        image = page.locator(f"img[data-chart={name}]")
        expect(image).to_have_attribute("src", f"/api/v1/charts/{name}.svg?{period(days)}")
        expect(image).to_have_js_property("complete", True)


def period(days):
    last = datetime.now(BERLIN).date()
    return f"from={last - timedelta(days=days - 1)}&to={last}"


def night_offset(night, days):
    """The x of ``night`` in a chart of the last ``days`` days."""
    return days - 1 - (datetime.now(BERLIN).date() - night).days


@pytest.mark.parametrize("scheme", SCHEMES)
def test_trends_charts_are_legible_whole_and_themed_on_a_phone(device, cast, scheme):
    phone = device(cast.patient, scheme)
    page = phone.open("/trends")
    settle(page)
    night = last_night(cast.patient)
    found = []
    for days in (30, 7, 365):
        if days != 30:
            show_period(page, days)
        for name, chart in trends_charts(page).items():
            found += [f"{days} days: {line}" for line in problems_of(
                name, chart, days, night_offset(night, days))]  # fmt: skip
        if days == 30:
            images = [page.locator(f"img[data-chart={name}]") for name in CHARTS]
            cards = [page.locator(f".chart:has(img[data-chart={name}])") for name in CHARTS]
            assert_painted(scheme, images, cards)
            phone.screenshot("charts-trends" + ("-dark" if scheme == "dark" else ""))
    assert not found, "\n".join(found)
    assert phone.problems == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_clinicians_charts_are_legible_whole_and_themed_on_a_phone(device, cast, scheme):
    phone = device(cast.clinician, scheme)
    page = phone.open(f"/clinic/patients/{cast.patient.id}")
    settle(page)
    svgs = page.locator("#charts figure.chart svg")
    expect(svgs).to_have_count(len(CHARTS))
    night = night_offset(last_night(cast.patient), 30)
    found = []
    for index, name in enumerate(CHARTS):
        found += problems_of(name, svgs.nth(index).evaluate(_MEASURE), 30, night)
    assert not found, "\n".join(found)
    cards = page.locator("#charts figure.chart")
    assert_painted(scheme, [svgs.nth(i) for i in range(4)], [cards.nth(i) for i in range(4)])
    phone.screenshot("charts-clinic" + ("-dark" if scheme == "dark" else ""))
    assert phone.problems == []
