"""The summary on a 360 px phone in a real browser: every table cell in view, no page scroll."""

import pytest

from .browser import browser_page, live_server
from .test_export import ago, log_diary, put

pytestmark = pytest.mark.slow

PHONE = {"width": 360, "height": 740}

# Each table cell with text, where it lies, and what clips it: an ancestor whose overflow is
# not visible hides whatever lies outside its box (a scroll container only until scrolled).
CELLS = """() => [...document.querySelectorAll("tbody td, tbody th, tfoot td, tfoot th")]
  .filter((cell) => cell.textContent.trim())
  .map((cell) => {
    const box = cell.getBoundingClientRect();
    let clipped = false;
    for (let up = cell.parentElement; up; up = up.parentElement) {
      const frame = up.getBoundingClientRect();
      if (getComputedStyle(up).overflowX !== "visible"
          && (box.left < frame.left - 0.5 || box.right > frame.right + 0.5)) clipped = true;
    }
    const table = cell.closest("table");
    const before = [...cell.parentElement.children].slice(0, cell.cellIndex);
    const column = before.reduce((sum, previous) => sum + previous.colSpan, 0);
    const header = table.tHead.rows[0].cells[column];
    return {
      text: cell.textContent.trim(), left: box.left, right: box.right, width: box.width,
      clipped, label: cell.dataset.label ?? null,
      header: cell.colSpan === 1 && header ? header.textContent : null,
    };
  })"""


def test_the_summary_tables_fit_a_360_px_phone_without_scrolling_the_page(app, accounts, chromium):
    patient = accounts.signed_in(role="patient", display_name="Ada Lovelace")
    log_diary(patient)  # a scheduled and an as-needed medication, CBT and VR sessions
    put(patient, "medications", {
        "name": "Pregabalin 75 mg modified-release capsules", "dose_amount": 2,
        "dose_unit": "capsule", "route": "oral", "start_date": ago(days=9).date().isoformat(),
        "schedule": {"times": ["07:30", "13:00", "19:30"], "days_of_week": [0, 2, 4, 6]},
    })  # fmt: skip
    with live_server(app) as base, browser_page(chromium) as (page, offsite):
        page.set_viewport_size(PHONE)
        login = page.request.post(
            f"{base}/api/v1/auth/login",
            data={"email": patient.user.email, "password": patient.user.password},
        )
        assert login.status == 200
        response = page.goto(f"{base}/api/v1/summary.html")
        assert response.status == 200
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        cells = page.evaluate(CELLS)
    assert offsite == []
    rows = [cell["text"] for cell in cells if cell["label"] is None]
    assert rows == [
        "Ibuprofen 400" "400 mg oral at 08:00 and 20:00 every day",
        "Pregabalin 75 mg modified-release capsules"
        "2 capsules oral at 07:30, 13:00 and 19:30 on Mon, Wed, Fri, Sun",
        "All scheduled doses", "CBT", "VR", "All",
    ]  # fmt: skip
    for cell in cells:
        assert cell["width"] > 0, cell
        assert 0 <= cell["left"] and cell["right"] <= PHONE["width"], cell
        assert not cell["clipped"], cell
        if cell["label"] is not None and cell["header"] is not None:
            assert cell["label"] == cell["header"], cell  # each figure says what it counts
    labelled = {cell["label"] for cell in cells}
    assert {"Missed", "Adherence", "Mean pain change", "Rated sessions"} <= labelled
