"""Every page, light and dark, at 360×740 with a month of diary: the cross-page quality bar.

Per page and colour scheme one test runs the checks of the issue together and names each that
failed: no sideways scroll (also with every <details> open, and with text at 200 %), no serious
or critical axe-core violation, touch targets of 44 px, no console error or CSP violation, no
offsite request. Then the /today size budget and the screenshots.

Text at 200 % is the root font size set to 200 % after load: that is what a reader's "font
size: very large" setting does (WCAG 1.4.4 resizes text, not the layout viewport), and the app
sizes text and targets in rem, so everything that should grow grows. Chromium's minimum font
size only lifts text below it, and page zoom shrinks the viewport to 180 px (reflow, not text).
"""

import uuid
from types import SimpleNamespace

import pytest

from .quality import (
    axe_violations,
    link,
    open_details,
    overflowing,
    seed_month,
    settle,
    small_targets,
)
from .webapp import PATIENT_PAGES, Account, Phone

pytestmark = pytest.mark.slow

#: The collections whose entries the edit page changes: each one's page is checked.
EDITED = ("pain-entries", "sleep-entries", "therapy-sessions", "medication-doses")
PAGES = (
    [("anyone", path) for path in ("/", "/signup", "/login")]
    + [("patient", path) for path in PATIENT_PAGES]
    + [("patient", "/history?show=doses")]
    + [("patient", f"/history/{collection}/<id>") for collection in EDITED]
    + [("clinician", "/clinic"), ("clinician", "/clinic/patients/<patient>"),
       ("clinician", "/clinic/patients/<unlinked>")]
)  # fmt: skip
SCHEMES = ("light", "dark")
BUDGET = 100_000  # bytes: "under 100 KB" of HTML + CSS + JS, vendored libraries excluded


def cookies(account):
    """The account's API session as browser cookies: the web pages use the same session."""
    jar = account.api.cookies
    return [{"name": c.name, "value": c.value, "url": account.base_url} for c in jar]


@pytest.fixture(scope="module")
def cast(web_server):
    """One patient with a seeded month, linked to one clinician, for the whole module."""
    patient = Account.register(web_server.url, "patient", name="Alexandra Beispielpatientin")
    clinician = Account.register(web_server.url, "clinician", name="Dr Maximiliane Rivera")
    ids = seed_month(patient)
    link(patient, clinician)
    return SimpleNamespace(patient=patient, clinician=clinician, ids=ids)


def resolve(path, cast):
    path = path.replace("<patient>", cast.patient.id).replace("<unlinked>", str(uuid.uuid4()))
    for collection in EDITED:
        path = path.replace(f"{collection}/<id>", f"{collection}/{cast.ids[collection][-1]}")
    return path


@pytest.fixture
def device(chromium, web_server, request):
    devices = []

    def make(who, cast, color_scheme="light"):
        phone = Phone(chromium, web_server.url, color_scheme=color_scheme)
        devices.append(phone)
        if who != "anyone":
            phone.context.add_cookies(cookies(getattr(cast, who)))
        return phone

    yield make
    for phone in devices:
        phone.close()


def overflow_problem(phone, when):
    extra = phone.horizontal_overflow()
    if not extra:
        return []
    culprits = "; ".join(overflowing(phone.page)) or "no element found past the edge"
    return [f"horizontal scroll {when}: {extra} px wider than 360 ({culprits})"]


def expected_problems(phone, response, who, path):
    """The console's own line for a page that answers 404 on purpose is not a problem."""
    if path.endswith("<unlinked>") and response.status == 404:
        return [line for line in phone.problems if "status of 404" not in line]
    return phone.problems


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("who", "path"), PAGES, ids=[path for _, path in PAGES])
def test_page_meets_the_quality_bar(device, cast, who, path, scheme):
    phone = device(who, cast, scheme)
    url = resolve(path, cast)
    response = phone.page.goto(url)
    page = phone.page
    settle(page)
    if who != "anyone":
        assert "/login" not in page.url, f"{url} sent the {who} to sign in"
    assert response.status == (404 if path.endswith("<unlinked>") else 200), url
    failures = {}
    scroll = overflow_problem(phone, "as loaded")
    open_details(page)
    settle(page)  # an opened section may fetch or show charts
    scroll += overflow_problem(phone, "with every <details> open")
    axe = axe_violations(page)
    open_details(page, menu=True)
    scroll += overflow_problem(phone, "with the menu open")
    axe += [f"menu open: {line}" for line in axe_violations(page, context=[".bar"])]
    targets = small_targets(page)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    big_text = overflow_problem(phone, "at 200 % text, every <details> open")
    failures = {
        "1 no horizontal scroll at 360×740": scroll,
        "2 no horizontal scroll at 200 % text": big_text,
        f"3 axe-core serious/critical ({scheme})": axe,
        "4 touch targets >= 44×44 px": targets,
        "5 console errors / CSP violations": expected_problems(phone, response, who, path),
        "5 offsite requests": phone.offsite,
    }
    failed = {check: found for check, found in failures.items() if found}
    assert not failed, f"{url} ({scheme}):\n" + "\n".join(
        f"  [{check}]\n" + "\n".join(f"    - {line}" for line in found)
        for check, found in failed.items()
    )


def test_today_html_css_and_js_stay_under_100_kb(device, cast):
    phone = device("patient", cast)
    responses = []
    phone.page.on("response", lambda response: responses.append(response))
    phone.open("/today")
    settle(phone.page)
    parts = {}
    for response in responses:
        kind = response.request.resource_type
        local = response.url.removeprefix(phone.base_url)
        if kind in ("document", "stylesheet", "script") and not local.startswith("/static/vendor/"):
            parts[local] = len(response.body())
    total = sum(parts.values())
    listing = f"/today loads {total:,} bytes: " + ", ".join(
        f"{path} {size:,}" for path, size in sorted(parts.items(), key=lambda item: -item[1])
    )
    print(listing)
    scripts = [path for path in parts if path.startswith("/static/js/")]
    assert total > 5_000 and parts.get("/today"), f"nothing measured? {listing}"
    assert "/static/js/api.js" in scripts and len(scripts) >= 2, f"no page module? {listing}"
    assert total < BUDGET, listing
    assert phone.offsite == []


SHOTS = (
    ("patient", "/today", "today"),
    ("patient", "/history", "history"),
    ("patient", "/history?show=doses", "history-doses"),
    ("patient", "/trends", "trends"),
    ("clinician", "/clinic/patients/<patient>", "clinic-summary"),
)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_screenshots_at_360_by_740(device, cast, scheme):
    """Artifacts for review: Today, History, Trends and the clinician's summary."""
    for who, path, name in SHOTS:
        phone = device(who, cast, scheme)
        page = phone.open(resolve(path, cast))
        settle(page)
        suffix = "" if scheme == "light" else "-dark"
        assert phone.screenshot(name + suffix).stat().st_size > 0
        assert phone.problems == [], (path, phone.problems)
