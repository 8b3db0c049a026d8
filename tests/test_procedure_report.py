"""Procedures on the clinician's summary and on the pain chart (DESIGN §4 Procedures, §7)."""

import io
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from pain_diary.charts import render_chart
from pain_diary.charts.marks import ChartMark
from pain_diary.insights.pdf import html_to_pdf

from .quality import axe_violations, seed_month
from .quality import link as quality_link
from .test_care import link
from .test_charts import (
    CHARTS,
    FIRST,
    LAST,
    NOW,
    NS,
    desc,
    edge_pixels,
    full_diary,
    period_diary,
    plot_height,
    render,
    screen,
)  # fmt: skip
from .test_charts import day as chart_day
from .test_report import pdf_page_count, printed_text, summary
from .test_report import render as render_page
from .webapp import ARTIFACTS, Phone

BLOCK = "Medial branch block"
TRIAL = "Spinal cord stimulator trial"


def window(name, first, last, mean, days, relief, response=None):
    return {
        "window": name, "from": first, "to": last, "mean": mean, "days_logged": days,
        "relief_percent": relief, "response": response,
    }  # fmt: skip


def block(**changes):
    """A medial branch block on 10 Feb 2025 (period 2 Feb – 3 Mar): relief met the same day."""
    on = date(2025, 2, 10)
    return {
        "procedure_id": uuid.uuid4(), "kind": "medial_branch_block",
        "performed_at": datetime(2025, 2, 10, 9, 30, tzinfo=UTC), "trial_ends_at": None,
        "level": "L4-L5", "body_sites": [{"site": "lower_back", "side": "both"}],
        "baseline_mean": 6.5,
        "windows": [
            window("same_day", on, on, 1.2, 1, 81.5, "substantial"),
            window("week_1", on + timedelta(1), on + timedelta(7), 5.9, 7, 9.2, "none"),
            window("weeks_2_3", on + timedelta(8), on + timedelta(21), 6.2, 12, 4.6, "none"),
            window("month_3", on + timedelta(76), on + timedelta(104), None, 0, None),
            window("month_6", on + timedelta(166), on + timedelta(194), None, 0, None),
        ],
        "goal": {"window": "same_day", "relief_percent": 80}, "goal_met": True,
        "reported_relief_percent": 70,
        **changes,
    }  # fmt: skip


def trial(**changes):
    """A stimulator trial from 20 Feb to 27 Feb 2025, its goal not met."""
    on = date(2025, 2, 20)
    return {
        "procedure_id": uuid.uuid4(), "kind": "scs_trial",
        "performed_at": datetime(2025, 2, 20, 8, tzinfo=UTC),
        "trial_ends_at": datetime(2025, 2, 27, 16, tzinfo=UTC),
        "level": None, "body_sites": [{"site": "lower_back", "side": None},
                                      {"site": "leg", "side": "left"}],
        "baseline_mean": 6.2,
        "windows": [
            window("same_day", on, on, None, 0, None),
            window("trial", on + timedelta(1), on + timedelta(7), 4.3, 7, 30.6, "moderate"),
            window("week_1", on + timedelta(1), on + timedelta(7), 4.3, 7, 30.6, "moderate"),
            window("weeks_2_3", on + timedelta(8), on + timedelta(21), 4.5, 4, 27.4, "minimal"),
            window("month_3", on + timedelta(76), on + timedelta(104), None, 0, None),
            window("month_6", on + timedelta(166), on + timedelta(194), None, 0, None),
        ],
        "goal": {"window": "trial", "relief_percent": 50}, "goal_met": False,
        "reported_relief_percent": None,
        **changes,
    }  # fmt: skip


def with_procedures(*procedures):
    return summary(procedures=list(procedures))


# The pain chart's marks ----------------------------------------------------------------------


def marked(a_diary, *marks):
    return replace(a_diary, marks=list(marks))


def group(svg, gid):
    return next(e for e in ET.fromstring(svg).iter() if e.get("id") == gid)


def path_points(element):
    """The (x, y) points of each path under ``element``, a list per path."""
    return [
        [(float(x), float(y)) for x, y in re.findall(r"[ML] ([-\d.]+) ([-\d.]+)", path.get("d"))]
        for path in element.iter(f"{NS}path")
    ]


def mark_labels(svg):
    """Each label of the marks: (text, left, right, top, bottom) of the paper behind it."""
    labels = []
    for child in group(svg, "procedure-marks"):
        text = child.find(f"{NS}text")
        if text is not None:
            [box] = path_points(child)
            xs, ys = [x for x, _ in box], [y for _, y in box]
            labels.append((text.text, min(xs), max(xs), min(ys), max(ys)))
    return labels


def mark_lines(svg):
    """Each mark's line as (x, its top)."""
    return [
        (line[0][0], min(y for _, y in line)) for line in path_points(group(svg, "procedure-lines"))
    ]


def day_x(svg, number):
    """The x of day ``number``'s point on the daily pain line (a full diary has one a day)."""
    [run] = path_points(group(svg, "daily-pain"))[:1]
    return run[number - 1][0]


BLOCK_MARK = ChartMark(chart_day(12), BLOCK)
TRIAL_MARK = ChartMark(chart_day(18), TRIAL, chart_day(25))


@pytest.mark.parametrize("on_screen", [True, False], ids=["screen", "paper"])
def test_the_pain_chart_marks_a_procedure_with_a_labelled_line_and_a_trial_with_a_span(on_screen):
    a_diary = marked(full_diary(), BLOCK_MARK, TRIAL_MARK)
    svg = render_chart(CHARTS["pain"], a_diary, None, now=NOW, screen=on_screen)
    assert [label[0] for label in mark_labels(svg)] == [BLOCK, TRIAL]
    lines = mark_lines(svg)
    assert [x for x, _ in lines] == [day_x(svg, 12), day_x(svg, 18)]
    [span] = path_points(group(svg, "procedure-spans"))
    step = day_x(svg, 2) - day_x(svg, 1)
    xs = sorted({x for x, _ in span})
    assert xs == pytest.approx([day_x(svg, 18) - step / 2, day_x(svg, 25) + step / 2], abs=0.05)
    assert desc(svg).endswith(
        " Marked: Medial branch block on 12 Oct 2026; "
        "Spinal cord stimulator trial 18 Oct – 25 Oct 2026."
    )


def test_a_mark_s_label_sits_above_the_plot_where_its_line_ends_and_reads_at_12_px():
    svg = screen("pain", marked(full_diary(), BLOCK_MARK, TRIAL_MARK))
    top, _ = plot_height(svg)
    for (x, line_top), (_, left, right, _, bottom) in zip(
        mark_lines(svg), mark_labels(svg), strict=True
    ):
        assert bottom < top  # above the plot, over no data
        assert left - 1.5 <= x <= right + 1.5  # the label starts or ends at its line
        assert line_top == pytest.approx(bottom, abs=1.5)
    texts = group(svg, "procedure-marks").iter(f"{NS}text")
    assert {text.get("style").split(";")[0] for text in texts} == {"font-size: 12px"}


@pytest.mark.parametrize("days", [7, 30, 90, 365])
def test_no_mark_s_line_runs_through_another_label_and_no_labels_touch(days):
    # A block whose label would read rightwards over a trial's line while the trial's, which
    # must read leftwards, covers the block's: the labels go into rows where neither crosses.
    marks = [
        ChartMark(LAST - timedelta(days=days * 16 // 30), BLOCK),
        ChartMark(LAST - timedelta(days=days * 10 // 30), TRIAL, LAST - timedelta(days=3)),
        ChartMark(LAST, "Radiofrequency ablation"),
    ]
    svg = screen("pain", marked(period_diary(days), *marks))
    labels = mark_labels(svg)
    assert len(labels) == 3
    for n, (x, line_top) in enumerate(mark_lines(svg)):
        for m, (_, left, right, _top, bottom) in enumerate(labels):
            if m != n:
                assert not (left < x < right and line_top < bottom), (n, m)
    for n, (_, left, right, top, bottom) in enumerate(labels):
        assert 0 <= left and right <= 320
        for _, other_left, other_right, other_top, other_bottom in labels[n + 1 :]:
            overlap = left < other_right and other_left < right
            assert not (overlap and top < other_bottom and other_top < bottom)


def test_marks_of_one_day_share_their_line_and_label():
    marks = [TRIAL_MARK, ChartMark(TRIAL_MARK.day, "Nerve block"), BLOCK_MARK]
    svg = screen("pain", marked(full_diary(), *marks))
    assert [label[0] for label in mark_labels(svg)] == [BLOCK, f"Nerve block, {TRIAL}"]
    assert len(mark_lines(svg)) == 2
    assert "Nerve block on 18 Oct 2026; Spinal cord stimulator trial 18 Oct – 25 Oct" in desc(svg)


@pytest.mark.parametrize("days", [7, 30, 365])
@pytest.mark.parametrize("on_screen", [True, False], ids=["screen", "paper"])
def test_marks_at_the_period_s_edges_are_not_cut(on_screen, days):
    first = LAST - timedelta(days=days - 1)
    marks = [
        ChartMark(first - timedelta(days=3), TRIAL, first + timedelta(days=1)),
        ChartMark(first, "Epidural steroid injection"),
        ChartMark(LAST, "Peripheral nerve stimulator"),
        ChartMark(LAST - timedelta(days=1), TRIAL, LAST + timedelta(days=5)),
    ]
    png = render_chart(
        CHARTS["pain"], marked(period_diary(days), *marks), "de-DE", now=NOW, screen=on_screen,
        png=True,
    )  # fmt: skip
    assert edge_pixels(png) == {(255, 255, 255)}
    if not on_screen:  # the printed chart keeps its size in the PDF's column
        assert Image.open(io.BytesIO(png)).size == (1050, 480)


def test_marks_outside_the_period_change_nothing():
    outside = [
        ChartMark(FIRST - timedelta(days=1), BLOCK),
        ChartMark(FIRST - timedelta(days=20), TRIAL, FIRST - timedelta(days=13)),
        ChartMark(LAST + timedelta(days=1), "Nerve block"),
    ]
    for on_screen in (True, False):
        plain = render_chart(CHARTS["pain"], full_diary(), None, now=NOW, screen=on_screen)
        assert "procedure-" not in plain and "Marked:" not in desc(plain)
        assert (
            render_chart(
                CHARTS["pain"], marked(full_diary(), *outside), None, now=NOW, screen=on_screen
            )
            == plain
        )


def test_a_chart_without_marks_keeps_its_size_and_a_chart_with_them_grows_on_screen_only():
    plain = ET.fromstring(screen("pain", full_diary()))
    with_marks = ET.fromstring(screen("pain", marked(full_diary(), BLOCK_MARK)))
    assert float(with_marks.get("height")) > float(plain.get("height"))
    assert with_marks.get("width") == plain.get("width") == "320"
    on_paper = ET.fromstring(render("pain", marked(full_diary(), BLOCK_MARK, TRIAL_MARK)))
    assert on_paper.get("height") == ET.fromstring(render("pain", full_diary())).get("height")


def test_in_dark_mode_the_marks_take_the_theme_s_colours():
    svg = screen("pain", marked(full_diary(), BLOCK_MARK, TRIAL_MARK))
    marks = ET.tostring(group(svg, "procedure-marks"), encoding="unicode")
    assert "var(--chart-muted, #555555)" in marks  # the lines and the span
    assert "var(--chart-paper, #ffffff)" in marks  # behind the labels
    assert not re.search(r"(fill|stroke): #", marks)


# The clinician's summary -------------------------------------------------------------------


class Procedures(HTMLParser):
    """The Procedures section as text: each procedure's heading, sentences and table rows."""

    def __init__(self, html):
        super().__init__()
        self.procedures, self._cell, self._in = [], None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self._in = dict(attrs).get("id") == "procedures"
        elif self._in and tag == "article":
            self.procedures.append({"text": "", "rows": []})
        elif self._in and tag == "tr" and self.procedures:
            self.procedures[-1]["rows"].append([])
        elif self._in and tag in ("td", "th") and self.procedures:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.procedures[-1]["rows"][-1].append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "section":
            self._in = False

    def handle_data(self, data):
        if self._in and self.procedures:
            self.procedures[-1]["text"] += data
            if self._cell is not None:
                self._cell += data

    @classmethod
    def of(cls, html):
        procedures = cls(html).procedures
        for procedure in procedures:
            procedure["text"] = " ".join(procedure["text"].split())
            procedure["rows"] = {row[0]: row[1:] for row in procedure["rows"][1:]}
        return procedures


def test_each_procedure_has_its_kind_date_place_goal_and_the_patient_s_own_answer(app):
    [trial_shown, block_shown] = Procedures.of(render_page(app, with_procedures(trial(), block())))
    assert trial_shown["text"].startswith(
        "Spinal cord stimulator trial · 20 Feb 2025 – 27 Feb 2025 "
        "Lower back, Leg (left) "
        "Trial goal: ≥ 50 % relief — not met, 31 %. Patient reported relief: —"
    )
    assert block_shown["text"].startswith(
        "Medial branch block · 10 Feb 2025 L4-L5 · Lower back (both sides) "
        "Goal: ≥ 80 % relief the same day — met, 82 %. Patient reported 70 % relief"
    )
    assert (
        "Not yet begun: month 3 from 27 Apr 2025, month 6 from 26 Jul 2025."
        in (block_shown["text"])
    )


def test_each_window_gives_its_days_mean_and_relief_and_a_dash_where_there_is_none(app):
    [trial_shown, block_shown] = Procedures.of(render_page(app, with_procedures(trial(), block())))
    assert block_shown["rows"] == {
        "Baseline 14 days before": ["", "6.5", ""],
        "Same day (6 hours) 10 Feb": ["1", "1.2", "82 %"],
        "Week 1 11 Feb–17 Feb": ["7", "5.9", "9 %"],
        "Weeks 2–3 18 Feb–3 Mar": ["12", "6.2", "5 %"],
    }
    assert trial_shown["rows"]["Same day (6 hours) 20 Feb"] == ["0", "—", "—"]
    assert trial_shown["rows"]["Trial 21 Feb–27 Feb"] == ["7", "4.3", "31 %"]
    # Weeks 2–3 of the trial run past the period's end: what it has so far.
    assert trial_shown["rows"]["Weeks 2–3 28 Feb–13 Mar, so far"] == ["4", "4.5", "27 %"]


def test_the_goal_s_window_is_in_bold(app):
    html = render_page(app, with_procedures(block()))
    goal_row = r'<tr class="goal-window">\s*<th scope="row" data-label="Window">Same day \('
    assert re.search(goal_row, html)
    assert html.count('class="goal-window"') == 1


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"goal_met": False, "windows": [window("same_day", date(2025, 2, 10), date(2025, 2, 10),
          1.3, 1, 79.6)]}, "Goal: ≥ 80 % relief the same day — not met, 79.6 %."),
        ({"goal_met": True, "windows": [window("same_day", date(2025, 2, 10), date(2025, 2, 10),
          -0.2, 1, 80.0)]}, "— met, 80 %."),
        ({"goal_met": None, "baseline_mean": None}, "— not measurable: no baseline"),
        ({"goal_met": None, "kind": "radiofrequency_ablation",
          "goal": {"window": "month_6", "relief_percent": 50}},
         "Goal: ≥ 50 % relief at month 6 — not yet measured."),
        ({"goal_met": None, "goal": {"window": "week_1", "relief_percent": 50},
          "windows": [window("week_1", date(2025, 2, 11), date(2025, 2, 17), None, 2, None)]},
         "— not measured: too few entries in its window."),
    ],
)  # fmt: skip
def test_the_goal_says_met_not_met_or_why_it_is_not_measured(app, changes, sentence):
    [shown] = Procedures.of(render_page(app, with_procedures(block(**changes))))
    assert sentence in shown["text"]


def test_a_relief_below_zero_is_said_with_a_minus_never_as_zero(app):
    worse = block()
    worse["windows"][1] = window("week_1", date(2025, 2, 11), date(2025, 2, 17), 7.3, 6, -12.3)
    [shown] = Procedures.of(render_page(app, with_procedures(worse)))
    assert shown["rows"]["Week 1 11 Feb–17 Feb"] == ["6", "7.3", "−12 %"]


def test_without_procedures_there_is_no_section(app):
    for data in (summary(), with_procedures()):
        html = render_page(app, data)
        assert 'id="procedures"' not in html and "Procedures (the year" not in html
    assert "Procedures (the year up to the period's end" in render_page(
        app, with_procedures(block())
    )


def test_what_the_patient_typed_is_escaped(app):
    [shown] = Procedures.of(render_page(app, with_procedures(block(level="<b>L5</b>"))))
    assert "<b>L5</b>" in shown["text"]
    assert "&lt;b&gt;L5&lt;/b&gt;" in render_page(app, with_procedures(block(level="<b>L5</b>")))


def test_the_pdf_with_two_procedures_still_fits_on_two_pages(app):
    html = render_page(app, with_procedures(trial(), block()))
    with app.test_request_context():
        pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF") and pdf_page_count(pdf) == 2
    text = printed_text(pdf, html)
    assert "Procedures" in text
    assert "Trial goal: ≥ 50 % relief — not met, 31 %." in text
    assert "Goal: ≥ 80 % relief the same day — met, 82 %." in text
    assert "Patient reported 70 % relief" in text


# Through the app ---------------------------------------------------------------------------


def log_a_block_among_pain(client):
    """Three weeks of pain at 6 with a medial branch block 5 days ago, 2 an hour after it."""
    now = datetime.now(UTC)
    block_at = now - timedelta(days=5)
    for days_ago in range(1, 22):
        put(client, "pain-entries", {
            "recorded_at": (now - timedelta(days=days_ago, hours=3)).isoformat(),
            "intensity": 6,
        })  # fmt: skip
    put(client, "pain-entries", {
        "recorded_at": (block_at + timedelta(hours=1)).isoformat(), "intensity": 2,
    })  # fmt: skip
    put(client, "procedures", {
        "kind": "medial_branch_block", "performed_at": block_at.isoformat(), "level": "L4-L5",
        "body_sites": [{"site": "lower_back", "side": "right"}], "reported_relief_percent": 90,
    })  # fmt: skip
    return block_at


def put(client, collection, body):
    response = client.put(f"/api/v1/{collection}/{uuid.uuid4()}", json=body)
    assert response.status_code == 201, response.json


def test_the_clinician_s_page_and_the_printable_summary_show_a_logged_procedure(patient, clinician):
    log_a_block_among_pain(patient)
    link(patient, clinician)
    for client, path in (
        (clinician, f"/clinic/patients/{patient.user.id}"),
        (patient, "/api/v1/summary.html"),
    ):
        html = client.get(path).get_data(as_text=True)
        [shown] = Procedures.of(html)
        assert "Medial branch block · " in shown["text"]
        assert "L4-L5 · Lower back (right)" in shown["text"]
        assert "Goal: ≥ 80 % relief the same day — not met, 67 %." in shown["text"]
        assert "Patient reported 90 % relief" in shown["text"]
        assert [row[1:] for name, row in shown["rows"].items() if name.startswith("Same day")] == [
            ["2.0", "67 %"]
        ]


def test_the_pain_chart_route_marks_the_procedure(patient, clinician):
    block_at = log_a_block_among_pain(patient)
    link(patient, clinician)
    local_day = block_at.astimezone(ZoneInfo(patient.user.timezone)).date()
    for client, path in (
        (patient, "/api/v1/charts/pain.svg"),
        (clinician, f"/api/v1/patients/{patient.user.id}/charts/pain.svg"),
    ):
        svg = client.get(path).get_data(as_text=True)
        assert [label[0] for label in mark_labels(svg)] == [BLOCK]
        assert f"Marked: Medial branch block on {local_day.day} " in desc(svg)
    # A week before the procedure the chart has none.
    earlier = (block_at - timedelta(days=7)).date()
    query = {"from": (earlier - timedelta(days=10)).isoformat(), "to": earlier.isoformat()}
    svg = patient.get("/api/v1/charts/pain.svg", query_string=query).get_data(as_text=True)
    assert "procedure-marks" not in svg


# On a phone ---------------------------------------------------------------------------------

# Each cell of the procedures' tables and where it lies.
CELLS = """() => [...document.querySelectorAll("#procedures td, #procedures th")]
  .map((cell) => { const box = cell.getBoundingClientRect();
                   return {text: cell.textContent.trim(), left: box.left, right: box.right}; })"""


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_360_px_phone_shows_the_procedures_and_the_marked_chart_whole(
    chromium, web_server, new_patient, new_clinician, scheme
):
    patient, clinician = new_patient(name="Robin Marsh"), new_clinician()
    seed_month(patient)
    now = datetime.now(UTC)
    for body in (
        {"kind": "medial_branch_block", "performed_at": (now - timedelta(days=20)).isoformat(),
         "level": "L4-L5", "body_sites": [{"site": "lower_back", "side": "both"}],
         "reported_relief_percent": 80},
        {"kind": "scs_trial", "performed_at": (now - timedelta(days=12)).isoformat(),
         "trial_ends_at": (now - timedelta(days=5)).isoformat(), "level": "T9-T10",
         "body_sites": [{"site": "lower_back", "side": "center"}, {"site": "leg", "side": "left"}]},
    ):  # fmt: skip
        patient.call("PUT", f"/procedures/{uuid.uuid4()}", json=body)
    quality_link(patient, clinician)
    phone = Phone(chromium, web_server.url, color_scheme=scheme)
    try:
        phone.sign_in(clinician)
        page = phone.open(f"/clinic/patients/{patient.id}")
        section = page.locator("#procedures")
        headings = section.get_by_role("heading", level=3).all_inner_texts()
        assert [" ".join(text.split()).split(" · ")[0] for text in headings] == [TRIAL, BLOCK]
        assert phone.horizontal_overflow() == 0
        for cell in page.evaluate(CELLS):
            assert 0 <= cell["left"] and cell["right"] <= 360, cell
        assert axe_violations(page, context="#procedures") == []
        if scheme == "dark":
            colour = section.evaluate("(s) => getComputedStyle(s.querySelector('td')).color")
            assert colour == "rgb(232, 234, 239)"  # the dark theme's ink, not the sheet's
        chart = page.locator("figure.chart").first
        assert chart.locator("[id$='procedure-marks'] text").all_text_contents() == [BLOCK, TRIAL]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        section.screenshot(path=ARTIFACTS / f"summary-procedures-{scheme}.png")
        chart.screenshot(path=ARTIFACTS / f"summary-pain-chart-marked-{scheme}.png")
        assert phone.problems == [] and phone.offsite == []
    finally:
        phone.close()
