"""Activity on the charts and the clinician's summary: the day's steps and their 7-day mean, the
steps line of the summary page and the PDF (DESIGN §4 Activity, §7)."""

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pain_diary.activity.record_types import ACTIVITY
from pain_diary.analytics.activity import ActivityRecord
from pain_diary.charts import NO_DATA, render_chart
from pain_diary.insights.pdf import html_to_pdf

from .test_activity_days import imported, today
from .test_care import link
from .test_charts import (
    FIRST,
    NOW,
    NS,
    day,
    desc,
    diary,
    font_sizes,
    plot_height,
    series,
    texts,
)
from .test_report import CHARTS, pdf_page_count, printed_text, render, svg
from .test_report import summary as typical_summary

[CHART] = ACTIVITY.charts
BERLIN = ZoneInfo("Europe/Berlin")  # the factories' timezone


def steps(on, count, source="apple_health", minutes=None):
    return ActivityRecord(on, source, count, minutes)


def draw(records, screen=False, **period):
    return render_chart(CHART, diary(records={"activity": records}, **period), now=NOW,
                        screen=screen)  # fmt: skip


def bars(svg_text):
    """The rectangles of the daily-steps path: one per day drawn."""
    return series(svg_text, "daily-steps")


# The chart --------------------------------------------------------------------------------


def test_a_bar_on_each_day_with_steps_and_none_on_the_others():
    records = [steps(day(n), 1000 * n) for n in (1, 2, 5, 30)]
    records.append(ActivityRecord(day(9), "fitbit", None, 40))  # minutes, no steps: no bar
    svg_text = draw(records)
    drawn = bars(svg_text)
    assert len(drawn) == 4
    left, right = (float(v) for v in ET.fromstring(svg_text).get("viewBox").split()[::2])
    # Each bar over its own day: their centres 1, 3 and 25 days apart.
    centres = [sum(x for x, _ in rectangle[:4]) / 4 for rectangle in drawn]
    gaps = [b - a for a, b in zip(centres, centres[1:], strict=False)]
    assert gaps[1] == pytest.approx(3 * gaps[0], rel=0.01)
    assert gaps[2] == pytest.approx(25 * gaps[0], rel=0.01)
    assert left <= min(centres) and max(centres) <= right


def test_the_days_figure_is_the_bar_a_manual_day_beats_a_bigger_watch():
    records = [steps(day(1), 9000, "fitbit"), steps(day(1), 3000, "manual"), steps(day(2), 6000)]
    svg_text = draw(records)
    top, bottom = plot_height(svg_text)
    heights = sorted(bottom - min(y for _, y in rectangle) for rectangle in bars(svg_text))
    assert heights[1] == pytest.approx(2 * heights[0], rel=0.01)  # 6,000 and 3,000, not 9,000
    assert "4,500 a day on average" in desc(svg_text)


def test_the_7_day_mean_needs_3_days_with_steps_and_leaves_gaps():
    # Days 1-3 carry days 3 to 7; days 10-13 carry days 12 to 17; day 30 alone draws no mean.
    logged = {1: 2000, 2: 4000, 3: 6000, 10: 1000, 11: 1000, 12: 1000, 13: 1000, 30: 8000}
    svg_text = draw([steps(day(n), count) for n, count in logged.items()])
    runs = series(svg_text, "steps-rolling-mean")
    assert [len(run) for run in runs] == [5, 6]
    # The first run is the mean of days 1-3 throughout: 4,000, twice the 2,000 bar.
    bottom = plot_height(svg_text)[1]
    first_bar = bottom - min(y for _, y in bars(svg_text)[0])
    assert {round(bottom - y, 3) for _, y in runs[0]} == {round(2 * first_bar, 3)}
    bar_centres = [sum(x for x, _ in rectangle[:4]) / 4 for rectangle in bars(svg_text)]
    assert runs[0][0][0] == pytest.approx(bar_centres[2])  # begins on day 3


def test_the_desc_gives_the_days_with_steps_and_the_means():
    records = [steps(day(n), 4000 + 100 * n, minutes=30 if n % 2 else None) for n in range(1, 27)]
    assert desc(draw(records)) == (
        "Steps from 1 Oct to 30 Oct 2026: on 26 of 30 days, 5,350 a day on average; "
        "30 active minutes a day on 13 days."
    )
    without_minutes = [record._replace(active_minutes=None) for record in records[:3]]
    assert desc(draw(without_minutes)).endswith("4,200 a day on average.")  # none said


@pytest.mark.parametrize(
    "records",
    [[], [ActivityRecord(day(3), "fitbit", None, 25)], [steps(FIRST - timedelta(days=1), 5000)]],
    ids=["nothing", "minutes only", "before the period"],
)
def test_without_steps_the_chart_says_so(records):
    svg_text = draw(records)
    assert NO_DATA in texts(svg_text)
    assert desc(svg_text) == "No steps recorded from 1 Oct to 30 Oct 2026."
    assert ET.fromstring(svg_text).find(".//*[@id='daily-steps']") is None


def test_on_a_phone_it_is_legible_and_in_the_dark_themes_colours():
    svg_text = draw([steps(day(n), 500 * n) for n in range(1, 31)], screen=True)
    root = ET.fromstring(svg_text)
    assert (root.get("width"), root.get("class")) == ("320", "chart-svg")
    assert min(font_sizes(svg_text)) >= 12
    dark = root.find(f"{NS}style").text.split("@media (prefers-color-scheme:dark)")[1]
    assert "--chart-paper:#1c222c" in dark and "--chart-ink:#e8eaef" in dark
    for colour in ("#ffffff", "#000000", "#555555", "#dddddd"):  # no white panel, no black ink
        assert not re.search(rf"(fill|stroke): {colour}\b", svg_text), colour
    assert "15k" in texts(svg_text)  # thousands as "k": "15,000" would crowd a phone's margin


# Through the app --------------------------------------------------------------------------


def log_pain(patient, days_ago, intensity):
    """A pain entry at noon ``days_ago`` days back; today's is at now if noon is still to come."""
    at = min(
        datetime.combine(today() - timedelta(days=days_ago), time(12), BERLIN), datetime.now(BERLIN)
    )
    body = {"recorded_at": at.astimezone(UTC).isoformat(), "intensity": intensity}
    assert patient.put(f"/api/v1/pain-entries/{uuid.uuid4()}", json=body).status_code == 201


def a_fortnight(app, db, patient, direction=1, step_days=14):
    """Steps on the 14 days before today, the next day's pain rising (or falling) with them."""
    for days_ago in range(15):
        rank = (14 - days_ago) * 10 // 14
        log_pain(patient, days_ago, rank if direction > 0 else 10 - rank)
    for days_ago in range(1, step_days + 1):
        imported(app, db, patient, days_ago, "fitbit", 1000 * (15 - days_ago), 30)


def test_the_chart_route_draws_the_patients_days(patient, clinician, app, db):
    imported(app, db, patient, 1, "fitbit", 9000)
    imported(app, db, patient, 3, "apple_health", 4000)
    manual = {"date": (today() - timedelta(days=1)).isoformat(), "steps": 2000}
    assert patient.post("/api/v1/activity-days", json=manual).status_code == 201
    link(patient, clinician)
    for client, path in (
        (patient, "/api/v1/charts/activity.svg"),
        (clinician, f"/api/v1/patients/{patient.user.id}/charts/activity.svg"),
    ):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        svg_text = response.get_data(as_text=True)
        assert len(bars(svg_text)) == 2
        assert "on 2 of 30 days, 3,000 a day on average." in desc(svg_text)  # manual 2,000


def activity_line(html):
    """The activity section's words, spaces folded."""
    section = re.search(r'<section id="activity".*?</section>', html, re.S)
    return section and " ".join(re.sub(r"<[^>]+>", " ", section[0]).split())


def link_sentence(rho, pairs, words, strength):
    shown = f"{rho:.2f}".replace("-", "−")
    return (
        f"; more steps went with {words} pain the next day, ρ = {shown} over {pairs} days "
        f"({strength})."
    )


@pytest.mark.parametrize("direction", [1, -1], ids=["more pain", "less pain"])
def test_the_clinicians_page_and_printable_summary_say_how_steps_went_with_pain(
    patient, clinician, app, db, direction
):
    a_fortnight(app, db, patient, direction)
    link(patient, clinician)
    figures = patient.get("/api/v1/summary").json["activity"]
    rho = figures["pain_correlation"]["spearman_rho"]
    assert figures["pain_correlation"]["n"] == 14 and (rho > 0.5) == (direction > 0)
    expected = "Activity Steps: 7,500 a day on 14 of 30 days, 30 active minutes a day" + (
        link_sentence(rho, 14, "more" if direction > 0 else "less", "strong")
    )
    for client, path in (
        (clinician, f"/clinic/patients/{patient.user.id}"),
        (patient, "/api/v1/summary.html"),
    ):
        html = client.get(path).get_data(as_text=True)
        assert activity_line(html) == expected, path
        assert 'id="activity-chart-daily-steps"' in html  # its chart among the others


def test_too_few_pairs_are_said_not_computed(patient, clinician, app, db):
    a_fortnight(app, db, patient, step_days=6)
    link(patient, clinician)
    html = clinician.get(f"/clinic/patients/{patient.user.id}").get_data(as_text=True)
    assert activity_line(html) == (
        "Activity Steps: 11,500 a day on 6 of 30 days, 30 active minutes a day; "
        "too few days to compare with next-day pain (6 of 10 pairs)."
    )


def test_without_steps_the_summary_says_so_and_draws_no_empty_chart(patient, clinician):
    log_pain(patient, 1, 5)
    link(patient, clinician)
    for client, path in (
        (clinician, f"/clinic/patients/{patient.user.id}"),
        (patient, "/api/v1/summary.html"),
    ):
        html = client.get(path).get_data(as_text=True)
        assert activity_line(html) == "Activity No steps recorded in this period."
        assert "correlation of a day's steps" not in html  # no method for figures not shown
        assert "activity-chart-" not in html and 'id="sleep-chart-chart-sleep-title"' in html


def figures(days, mean_steps, mean_active_minutes, rho, pairs):
    """A summary's activity (DESIGN §4)."""
    return {"days": days, "mean_steps": mean_steps, "mean_active_minutes": mean_active_minutes,
            "pain_correlation": {"spearman_rho": rho, "n": pairs}}  # fmt: skip


TYPICAL = figures(26, 4210.4, 32.2, 0.41, 25)


@pytest.mark.parametrize(
    ("activity", "words"),
    [
        (TYPICAL, "Steps: 4,210 a day on 26 of 30 days, 32 active minutes a day; more steps went "
         "with more pain the next day, ρ = 0.41 over 25 days (moderate)."),
        (figures(20, 8000.0, None, -0.22, 19), "Steps: 8,000 a day on 20 of 30 days; more steps "
         "went with less pain the next day, ρ = −0.22 over 19 days (weak)."),
        (figures(20, 8000.0, None, 0.06, 19), "Steps: 8,000 a day on 20 of 30 days; no clear link "
         "with next-day pain, ρ = 0.06 over 19 days."),
        (figures(3, None, 45.0, None, 0), "Steps: — a day on 3 of 30 days, 45 active minutes a "
         "day; too few days to compare with next-day pain (0 of 10 pairs)."),
    ],
    ids=["positive", "negative", "no clear link", "minutes only"],
)  # fmt: skip
def test_the_steps_line_in_words(app, activity, words):
    html = render(app, typical_summary(activity=activity))
    assert activity_line(html) == f"Activity {words}"
    assert "Activity: chart unavailable." in html  # days with a figure: the chart has a place


def test_an_older_summary_without_activity_has_no_activity_section(app):
    html = render(app, typical_summary())
    assert activity_line(html) is None and "Activity: chart unavailable." not in html


def test_the_typical_summary_with_activity_still_prints_on_two_pages(app):
    # Charts as a printed one is shaped (504 × 230 pt), the activity one the fifth.
    def printed(name):
        drawn = svg(name).replace('"460pt" height="290pt"', '"504pt" height="230.4pt"')
        return drawn.replace("0 0 460 290", "0 0 504 230.4")

    charts = {name: printed(name) for name in [*CHARTS, "activity"]}
    html = render(app, typical_summary(activity=TYPICAL), charts=charts)
    with app.test_request_context():
        pdf = html_to_pdf(html)
    assert pdf_page_count(pdf) == 2
    text = printed_text(pdf, html)
    assert "ρ = 0.41 over 25 days (moderate)." in text
    assert "ρ = Spearman correlation of a day's steps with the next day's pain" in text  # Methods


def test_the_pdf_of_a_patient_with_steps_renders(patient, app, db):
    a_fortnight(app, db, patient)
    response = patient.get("/api/v1/summary.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert pdf_page_count(response.data) <= 2
    text = printed_text(response.data, patient.get("/api/v1/summary.html").get_data(as_text=True))
    assert "Steps: 7,500 a day on 14 of 30 days" in " ".join(text.split())
