"""The issue's promise, end to end in a real browser: sign up, log pain in three taps, find it."""

import pytest

pytestmark = pytest.mark.slow


def test_a_new_patient_logs_pain_in_three_taps_and_finds_it_in_history(phone):
    account = phone.sign_up(name="Robin Flare")
    page = phone.page
    page.wait_for_load_state("networkidle")

    # The three taps after the page has loaded: intensity, one site, save.
    page.get_by_role("radiogroup", name="Pain intensity").get_by_role("radio", name="7").tap()
    page.get_by_role("checkbox", name="Lower back").tap()
    page.get_by_role("button", name="Save check-in").tap()

    page.get_by_role("status").filter(has_text="Saved").wait_for()
    (entry,) = account.call("GET", "/pain-entries")["items"]
    assert entry["intensity"] == 7
    assert [site["site"] for site in entry["body_sites"]] == ["lower_back"]

    phone.open("/history")
    found = page.get_by_role("listitem").filter(has_text="Lower back")
    found.wait_for()
    assert "7" in found.inner_text()
    assert phone.problems == []


def test_the_scale_names_its_ends_in_words(phone, new_patient):
    phone.sign_in(new_patient())
    group = phone.page.get_by_role("radiogroup", name="Pain intensity")
    radios = group.get_by_role("radio")
    assert [radios.nth(i).get_attribute("value") for i in range(radios.count())] == [
        str(n) for n in range(11)
    ]
    for n in range(11):
        assert group.get_by_role("radio", name=str(n), exact=True).count() == 1
    assert phone.page.get_by_text("No pain", exact=True).is_visible()
    assert phone.page.get_by_text("Worst pain imaginable", exact=True).is_visible()
