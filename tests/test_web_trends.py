"""Trends and Export in a real browser: the charts, the figures in words, the downloads."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .quality import axe_violations, seed_month, settle

pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")
CHARTS = ("pain", "sleep", "adherence", "therapy", "activity")
ALT = {
    "pain": "Pain",
    "sleep": "Sleep",
    "adherence": "Medication doses taken",
    "therapy": "Therapy",
    "activity": "Activity",
}  # fmt: skip
RESPONSES = {
    "substantial": "a big improvement",
    "moderate": "a moderate improvement",
    "minimal": "a small improvement",
    "none": "no real change",
    "worse": "a clear worsening",
}  # fmt: skip


def period(days):
    last = datetime.now(BERLIN).date()
    return (last - timedelta(days=days - 1)).isoformat(), last.isoformat()


def summary(account, days):
    first, last = period(days)
    return account.call("GET", "/summary", params={"from": first, "to": last})


def whole(percent):
    """A percent as the page rounds it (Math.round: halves up)."""
    return int(percent + 0.5)


def figure(page, name):
    return page.locator(f'[data-figure="{name}"] dd')


@pytest.fixture
def month(new_patient):
    account = new_patient(timezone="Europe/Berlin")
    seed_month(account)
    return account


def test_the_charts_load_and_the_figures_are_the_summary_s(phone, month):
    charts = {}
    phone.page.on(
        "response",
        lambda answer: "/api/v1/charts/" in answer.url and charts.update({answer.url: answer}),
    )
    phone.sign_in(month)
    page = phone.open("/trends")
    expected = summary(month, 30)
    expect(figure(page, "pain-mean")).to_have_text(
        re.compile(rf"^{expected['pain']['mean']:.1f} out of 10")
    )
    settle(page)

    first, last = period(30)
    for name in CHARTS:
        image = page.locator(f"img[data-chart={name}]")
        expect(image).to_have_attribute("src", f"/api/v1/charts/{name}.svg?from={first}&to={last}")
        expect(image).to_have_attribute("alt", f"{ALT[name]} over the last 30 days")
        assert image.evaluate("(img) => img.naturalWidth") > 0, name
        # Shown at the width it is drawn for (320 px inside a 360 px page), keeping its shape.
        box = image.bounding_box()
        shape = image.evaluate("(img) => img.naturalHeight / img.naturalWidth")
        assert abs(box["width"] - 320) < 1 and abs(box["height"] / box["width"] - shape) < 0.01
    assert sorted(re.search(r"charts/(\w+)\.svg", url)[1] for url in charts) == sorted(CHARTS)
    for answer in charts.values():
        assert answer.status == 200, answer.url
        assert answer.headers["content-type"].startswith("image/svg+xml"), answer.url

    pain, sleep = expected["pain"], expected["sleep"]
    medications = expected["medications"]
    expect(figure(page, "pain-worst")).to_contain_text(f"{pain['max']:.1f} out of 10")
    expect(figure(page, "pain-worst")).to_contain_text(f"Best day: {pain['min']:.1f} out of 10.")
    expect(figure(page, "days-logged")).to_have_text(f"{pain['days_logged']} of 30")
    expect(figure(page, "sleep-efficiency")).to_contain_text(
        f"{whole(sleep['mean_sleep_efficiency'])} %"
    )
    expect(figure(page, "sleep-efficiency")).to_contain_text("Time asleep of time in bed")
    expect(figure(page, "adherence")).to_contain_text(
        f"{whole(medications['adherence_percent'])} % of scheduled doses"
    )
    mme = medications["mme"]
    assert mme["days_with_opioid"] > 0
    expect(figure(page, "mme")).to_contain_text(
        f"{mme['average_on_opioid_days']:.1f} MME a day on the days you took one "
        f"({mme['days_with_opioid']} of 30 days)"
    )
    expect(figure(page, "therapy-sessions")).to_contain_text(
        f"{expected['therapy']['sessions']} sessions"
    )
    # The seeded sessions go from pain 6 to 4: relief, in points.
    expect(figure(page, "therapy-change")).to_contain_text("pain 2.0 points lower after")
    # The seeded month logs most days of its first and last weeks: they compare.
    assert pain["response"] is not None
    expect(figure(page, "pain-change")).to_contain_text(f"({RESPONSES[pain['response']]})")
    weeks = f"Average {pain['baseline_mean']:.1f} in the first week, {pain['recent_mean']:.1f}"
    expect(figure(page, "pain-change")).to_contain_text(f"{weeks} in the last.")
    assert "Not enough entries yet" not in figure(page, "pain-mean").inner_text()

    expect(page.get_by_role("link", name="Download this period as PDF")).to_have_attribute(
        "href", f"/api/v1/summary.pdf?from={first}&to={last}"
    )
    assert page.get_by_role("button", name="Show").is_hidden()  # the no-script submit
    assert phone.horizontal_overflow() == 0
    assert axe_violations(page) == []
    phone.screenshot("trends")
    assert phone.problems == []


def test_choosing_7_days_moves_the_charts_figures_and_url(phone, month):
    phone.sign_in(month)
    page = phone.open("/trends")
    expect(figure(page, "pain-mean")).not_to_have_text("")
    page.get_by_label("7 days").check()

    first, last = period(7)
    assert first == (datetime.now(BERLIN).date() - timedelta(days=6)).isoformat()
    expect(page).to_have_url(re.compile(r"/trends\?days=7$"))
    for name in CHARTS:
        image = page.locator(f"img[data-chart={name}]")
        expect(image).to_have_attribute("src", f"/api/v1/charts/{name}.svg?from={first}&to={last}")
        expect(image).to_have_attribute("alt", f"{ALT[name]} over the last 7 days")
    expect(page.get_by_role("status").filter(has_text="Showing the last 7 days")).to_be_visible()
    for name in CHARTS:
        # Not settle(): its polling predicate is a string the page's CSP will not evaluate.
        image = page.locator(f"img[data-chart={name}]")
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("(img) => img.naturalWidth") > 0, name
    expected = summary(month, 7)
    expect(figure(page, "pain-mean")).to_have_text(
        re.compile(rf"^{expected['pain']['mean']:.1f} out of 10")
    )
    expect(figure(page, "days-logged")).to_have_text(f"{expected['pain']['days_logged']} of 7")
    # A week has no first and last week to compare.
    expect(figure(page, "pain-change")).to_have_text("Choose 30 days or more to compare weeks")
    expect(page.get_by_role("link", name="Download this period as PDF")).to_have_attribute(
        "href", f"/api/v1/summary.pdf?from={first}&to={last}"
    )

    page.reload()  # the URL keeps the period
    expect(page.get_by_label("7 days")).to_be_checked()
    expect(page.locator("img[data-chart=pain]")).to_have_attribute(
        "src", f"/api/v1/charts/pain.svg?from={first}&to={last}"
    )
    expect(figure(page, "days-logged")).to_have_text(f"{expected['pain']['days_logged']} of 7")

    page.get_by_label("1 year").check()
    expect(page).to_have_url(re.compile(r"\?days=365$"))
    expect(page.locator("img[data-chart=sleep]")).to_have_attribute(
        "alt", "Sleep over the last year"
    )
    expect(figure(page, "days-logged")).to_have_text(
        f"{summary(month, 365)['pain']['days_logged']} of 365"
    )
    assert phone.problems == []


def test_a_new_patient_reads_not_enough_entries_yet_never_null(phone, new_patient):
    account = new_patient(timezone="Europe/Berlin")
    phone.sign_in(account)
    page = phone.open("/trends")
    expect(figure(page, "pain-mean")).to_have_text("Not enough entries yet")
    expect(figure(page, "sleep-efficiency")).to_have_text("Not enough entries yet")
    expect(figure(page, "days-logged")).to_have_text("0 of 30")
    assert summary(account, 30)["pain"]["mean"] is None
    settle(page)
    text = page.locator("body").inner_text()
    for word in ("null", "NaN", "undefined"):
        assert not re.search(rf"\b{word}\b", text), word
    for name in CHARTS:  # the empty charts still draw
        assert page.locator(f"img[data-chart={name}]").evaluate("(img) => img.naturalWidth") > 0
    assert phone.problems == []


def test_the_figures_say_so_when_offline(phone, new_patient):
    phone.sign_in(new_patient())
    phone.context.route("**/api/v1/summary?**", lambda route: route.abort())
    page = phone.open("/trends")
    expect(page.get_by_role("alert")).to_have_text(
        "You are offline. Your figures will show when you are back online."
    )
    expect(page.get_by_text("Loading your figures")).to_be_hidden()
    phone.problems.clear()  # the aborted requests themselves are logged as console errors


EXPORTS = {
    "Download JSON": ("application/json", "pain-diary.json"),
    "Download CSV (zip)": ("application/zip", "pain-diary-csv.zip"),
    "Download FHIR bundle": ("application/json", "pain-diary-fhir.json"),
    "Download PDF summary": ("application/pdf", None),
}


def test_each_export_link_downloads_its_file(phone, month):
    phone.sign_in(month)
    page = phone.open("/export")
    first, last = period(30)
    for name, (kind, filename) in EXPORTS.items():
        link = page.get_by_role("link", name=name)
        filename = filename or f"pain-diary-summary-{first}-to-{last}.pdf"
        expect(link).to_have_attribute("download", filename)
        answer = page.request.get(link.get_attribute("href"))  # with the patient's cookies
        assert answer.status == 200, (name, answer.status)
        assert answer.headers["content-type"].startswith(kind), (name, answer.headers)
        if name == "Download JSON":
            pain = month.call("GET", "/pain-entries", params={"limit": 500})["items"]
            exported = answer.json()
            assert {entry["id"] for entry in exported["pain_entries"]} == {p["id"] for p in pain}
        elif name == "Download FHIR bundle":
            assert answer.json()["resourceType"] == "Bundle"
        elif name == "Download CSV (zip)":
            assert answer.body()[:2] == b"PK"
        else:
            assert answer.body()[:5] == b"%PDF-"
    pdf = page.get_by_role("link", name="Download PDF summary")
    expect(pdf).to_have_attribute("href", f"/api/v1/summary.pdf?from={first}&to={last}")

    page.get_by_label("90 days").check()
    first, last = period(90)
    expect(pdf).to_have_attribute("href", f"/api/v1/summary.pdf?from={first}&to={last}")
    expect(page).to_have_url(re.compile(r"/export\?days=90$"))
    expect(page.locator("#period-status")).to_contain_text("The PDF will cover")
    assert page.request.get(pdf.get_attribute("href")).status == 200
    assert page.get_by_role("button", name="Use this period").is_hidden()

    assert phone.horizontal_overflow() == 0
    assert axe_violations(page) == []
    phone.screenshot("export")
    assert phone.problems == []


def test_without_the_script_the_period_form_still_sets_the_charts_and_pdf(new_patient):
    account = new_patient(timezone="Europe/Berlin")
    page = account.api.get(f"{account.base_url}/trends", params={"days": 90})
    assert page.status_code == 200
    first, last = period(90)
    query = f"from={first}&amp;to={last}"
    for name in CHARTS:
        assert f'src="/api/v1/charts/{name}.svg?{query}"' in page.text, name
    assert f'href="/api/v1/summary.pdf?{query}"' in page.text
    assert 'value="90" checked' in page.text
    export = account.api.get(f"{account.base_url}/export", params={"days": 7})
    first, last = period(7)
    assert f'href="/api/v1/summary.pdf?from={first}&amp;to={last}"' in export.text
