"""Signing up, in and out through the pages, in a real browser."""

from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

from pain_diary.web.routes import safe_next

from .test_web import OFFSITE_QUERIES, OFFSITE_TARGETS, SITE_PATHS
from .webapp import PATIENT_PAGES

pytestmark = pytest.mark.slow


def test_sign_up_presets_the_browsers_timezone_and_lands_on_today(phone):
    page = phone.open("/signup")
    assert page.get_by_label("Timezone").input_value() == "Europe/Berlin"
    account = phone.sign_up(name="Sam Patient")
    assert account.user["timezone"] == "Europe/Berlin"
    assert account.user["display_name"] == "Sam Patient"
    assert phone.problems == []


def test_sign_up_shows_the_apis_reason_next_to_the_field(phone):
    page = phone.open("/signup")
    page.get_by_label("Name").fill("Sam")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#email-error")).to_contain_text("email can be sent to", ignore_case=True)
    expect(page.locator("#password-error")).not_to_be_empty()
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    assert page.url.endswith("/signup")


def test_a_wrong_password_is_refused_on_the_page(phone, new_patient):
    account = new_patient()
    page = phone.open("/login")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").filter(has_text="password").wait_for()
    assert page.url.endswith("/login")


def test_every_patient_page_has_sign_out_and_signing_out_ends_the_session(phone, new_patient):
    account = new_patient()
    phone.sign_in(account)
    for path in PATIENT_PAGES:
        page = phone.open(path)
        assert page.get_by_role("button", name="Sign out").is_visible(), path
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    phone.open("/today")
    assert "/login?next=/today" in page.url


def test_a_page_asked_for_before_signing_in_opens_after_it(phone, new_patient):
    account = new_patient()
    page = phone.open("/trends")
    assert "/login" in page.url
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/trends")


def test_the_page_applies_the_servers_rule_to_where_sign_in_goes_on(phone):
    page = phone.open("/login")
    targets = [*OFFSITE_TARGETS, *SITE_PATHS, *(unquote(query) for query in OFFSITE_QUERIES)]
    targets += ["", "/", "/\x00/evil.example", "/\u2028", "/\u00a0/x"]
    verdicts = page.evaluate(
        """async (targets) => {
             const { sitePath } = await import("/static/js/auth.js");
             return targets.map((target) => sitePath(target));
           }""",
        targets,
    )
    assert dict(zip(targets, verdicts, strict=True)) == {t: safe_next(t) for t in targets}


@pytest.mark.parametrize("served", [False, True])
def test_signing_in_with_a_target_elsewhere_lands_at_home(phone, new_patient, served):
    account = new_patient()
    page = phone.open("/login?next=/%09/evil.example")
    if not served:
        # As if the server had let it through (an older page): the script's own rule holds.
        page.locator("#login").evaluate("(form) => { form.dataset.next = '/\\t/evil.example'; }")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/today")
    assert phone.offsite == []
