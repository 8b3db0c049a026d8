"""SVG charts: pure renders of in-memory diaries (for a phone and for paper), the chart route's
ETag and errors, and the charts the PDF prints."""

import base64
import io
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from pain_diary.activity.record_types import ACTIVITY
from pain_diary.analytics import PainPoint, SleepNight, TherapyPoint
from pain_diary.analytics.activity import ActivityRecord
from pain_diary.analytics.adherence import (
    DoseRecord,
    MedicationPlan,
    Schedule,
    medication_adherence,
)
from pain_diary.care.models import AuditEvent
from pain_diary.charts import NO_DATA, render_chart
from pain_diary.insights import pdf
from pain_diary.insights.diary import Diary
from pain_diary.localtime import at_local_time
from pain_diary.medications.record_types import MEDICATIONS
from pain_diary.records.record_types import PAIN, SLEEP, THERAPY

from .test_care import link

TZ = ZoneInfo("Europe/Berlin")
FIRST, LAST = date(2026, 10, 1), date(2026, 10, 30)  # a Thursday to a Friday
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
NS = "{http://www.w3.org/2000/svg}"

#: The shipped charts by name, in the order create_app declares their record types.
CHARTS = {c.name: c for t in (PAIN, SLEEP, MEDICATIONS, THERAPY, ACTIVITY) for c in t.charts}


def day(number):
    """Day ``number`` of the period: day(1) is 1 Oct 2026."""
    return FIRST + timedelta(days=number - 1)


def pain(on, *intensities):
    """Pain entries on local day ``on``, an hour apart from 09:00."""
    return [
        PainPoint(on, intensity, at_local_time(on, time(9 + k), TZ), at_local_time(on, time(9), TZ))
        for k, intensity in enumerate(intensities)
    ]


def night(on, minutes=420, efficiency=90.0):
    return SleepNight(on, minutes, efficiency, 15, 20, 3)


PLAN = MedicationPlan("naproxen", "Naproxen", Schedule([time(8)]), FIRST)


def doses(plan, days, status="taken"):
    """A dose event for ``plan``'s 08:00 dose on each of ``days``."""
    return [
        DoseRecord(plan.medication_id, status, at_local_time(on, time(8), TZ), None) for on in days
    ]


def diary(first_day=FIRST, last_day=LAST, **records):
    return Diary(tz=TZ, first_day=first_day, last_day=last_day, **records)


def full_diary():
    """Something to draw in every chart."""
    period = [day(n) for n in range(1, 31)]
    return diary(
        pain=[point for on in period for point in pain(on, 4, 6)],
        sleep=[night(on) for on in period],
        therapy=[TherapyPoint("physiotherapy", 45, 6, 4)],
        plans=[PLAN],
        doses=doses(PLAN, period),
        records={"activity": [steps(on, 4000) for on in period]},
    )


def steps(on, count):
    return ActivityRecord(on, "fitbit", count, None)


def render(name, a_diary, locale=None):
    return render_chart(CHARTS[name], a_diary, locale, now=NOW)


def texts(svg):
    return [element.text for element in ET.fromstring(svg).iter(f"{NS}text")]


def desc(svg):
    return ET.fromstring(svg).find(f"{NS}desc").text


def series(svg, gid):
    """The runs of (x, y) points of the path drawn for ``gid``, split at each move."""
    element = next(e for e in ET.fromstring(svg).iter() if e.get("id") == gid)
    runs = []
    for command, x, y in re.findall(
        r"([ML]) ([-\d.]+) ([-\d.]+)", element.find(f"{NS}path").get("d")
    ):
        if command == "M":
            runs.append([])
        runs[-1].append((float(x), float(y)))
    return runs


def markers(svg, gid):
    element = next(e for e in ET.fromstring(svg).iter() if e.get("id") == gid)
    return len(list(element.iter(f"{NS}use")))


def plot_height(svg):
    """Top and bottom of the (first) axes' background, in SVG units."""
    axes = next(e for e in ET.fromstring(svg).iter() if e.get("id") == "patch_2")
    ys = [
        y for _, _, y in re.findall(r"([ML]) ([-\d.]+) ([-\d.]+)", axes.find(f"{NS}path").get("d"))
    ]
    return min(map(float, ys)), max(map(float, ys))


# Every chart -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_is_an_svg_image_labelled_by_its_title_and_desc(name):
    root = ET.fromstring(render(name, full_diary()))
    assert root.tag == f"{NS}svg"
    title, description = root[0], root[1]
    assert (title.tag, description.tag) == (f"{NS}title", f"{NS}desc")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{title.get('id')} {description.get('id')}"
    assert title.text.endswith("1 Oct – 30 Oct 2026")
    assert title.text in texts(ET.tostring(root, encoding="unicode"))  # the visible title too
    assert description.text.endswith(".") and "1 Oct to 30 Oct 2026" in description.text


@pytest.mark.parametrize("name", CHARTS)
def test_the_same_diary_gives_the_same_bytes(name):
    assert render(name, full_diary()) == render(name, full_diary())


CHANGES = {
    "pain": lambda d: replace(d, pain=d.pain[:-1] + pain(day(30), 9)),
    "sleep": lambda d: replace(d, sleep=d.sleep[:-1] + [night(day(30), 300, 70.0)]),
    "adherence": lambda d: replace(d, doses=d.doses[:-1] + doses(PLAN, [day(30)], "skipped")),
    "therapy": lambda d: replace(d, therapy=[TherapyPoint("physiotherapy", 45, 6, 5)]),
    "activity": lambda d: replace(d, records={"activity": [steps(day(30), 9000)]}),
}


@pytest.mark.parametrize("name", CHARTS)
def test_a_change_in_the_data_changes_the_chart(name):
    changed = CHANGES[name](full_diary())
    assert render(name, changed) != render(name, full_diary())
    assert desc(render(name, changed)) != desc(render(name, full_diary()))


@pytest.mark.parametrize("name", CHARTS)
def test_an_empty_diary_gives_a_chart_that_says_so(name):
    svg = render(name, diary())
    root = ET.fromstring(svg)
    assert root.find(f"{NS}title").text.endswith("1 Oct – 30 Oct 2026")
    assert NO_DATA in texts(svg)
    assert desc(svg).startswith("No ") and desc(svg).endswith("from 1 Oct to 30 Oct 2026.")


@pytest.mark.parametrize(
    ("locale", "labels"),
    [
        ("de-DE", ["05.10.", "12.10.", "19.10.", "26.10."]),
        ("de", ["05.10.", "12.10.", "19.10.", "26.10."]),
        ("en-US", ["10/05", "10/12", "10/19", "10/26"]),
        ("en-GB", ["05/10", "12/10", "19/10", "26/10"]),
        ("fr", ["05/10", "12/10", "19/10", "26/10"]),
        (None, ["05/10", "12/10", "19/10", "26/10"]),
    ],
)
def test_date_labels_follow_the_readers_locale(locale, labels):
    # Weekly ticks on the Mondays of the period.
    shown = texts(render("pain", full_diary(), locale))
    assert [text for text in shown if re.fullmatch(r"\d\d[./]\d\d\.?", text)] == labels


def test_a_long_period_is_labelled_by_month_and_year():
    first_day = date(2025, 1, 1)
    long_diary = diary(first_day=first_day, pain=pain(first_day, 5) + pain(LAST, 5))
    shown = texts(render("pain", long_diary, "de-DE"))
    assert [text for text in shown if re.fullmatch(r"\d\d\.\d{4}", text)] == [
        "01.2025", "04.2025", "07.2025", "10.2025", "01.2026", "04.2026", "07.2026", "10.2026",
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["pain", "sleep"])
def test_only_the_periods_days_are_drawn(name):
    # The loader reads 20 days back for the flags; a chart ignores those days.
    before = FIRST - timedelta(days=3)
    with_lookback = full_diary()
    with_lookback.pain += pain(before, 10, 0)
    with_lookback.sleep.append(night(before, 60, 20.0))
    assert render(name, with_lookback) == render(name, full_diary())


def test_text_is_escaped():
    odd = diary(therapy=[TherapyPoint("a<b&c", 30, 5, 3)])
    svg = render("therapy", odd)
    assert "A<b&c from 5.0 to 3.0 (n = 1)" in desc(svg)


# Pain ----------------------------------------------------------------------------------------


def test_pain_desc_gives_the_mean_the_range_and_the_first_and_last_week():
    points = [p for n in range(1, 16) for p in pain(day(n), 6, 8)]  # daily pain 7
    points += [p for n in range(16, 31) for p in pain(day(n), 4)]
    points += pain(day(10), 7)  # the same day logged 3 times weighs as one day
    svg = render("pain", diary(pain=points))
    assert desc(svg) == (
        "Daily pain from 1 Oct to 30 Oct 2026, logged on 30 of 30 days: mean 5.5 "
        "(days ranging 4.0 to 7.0), from 7.0 in the first week to 4.0 in the last week."
    )


def test_pain_desc_of_a_short_period_compares_no_weeks():
    points = [p for n in range(1, 11) for p in pain(day(n), n % 3 + 3)]
    svg = render("pain", diary(last_day=day(10), pain=points))
    assert desc(svg) == (
        "Daily pain from 1 Oct to 10 Oct 2026, logged on 10 of 10 days: mean 4.0 "
        "(days ranging 3.0 to 5.0)."
    )


def test_daily_pain_line_breaks_where_nothing_was_logged():
    logged = [1, 2, 3, 4, 5, 8, 9, 10, 20]
    svg = render("pain", diary(pain=[p for n in logged for p in pain(day(n), 5)]))
    assert [len(run) for run in series(svg, "daily-pain")] == [5, 3, 1]
    assert markers(svg, "daily-pain") == len(logged)


def test_rolling_mean_averages_logged_days_of_the_last_7_and_needs_3():
    points = pain(day(1), 3) + pain(day(2), 6) + pain(day(3), 9) + pain(day(20), 1)
    svg = render("pain", diary(pain=points))
    # Day 3 to day 7 see the first three days (mean 6); from day 8 on, fewer than 3 logged days.
    [rolling] = series(svg, "rolling-mean")
    daily_xs = [x for run in series(svg, "daily-pain") for x, _ in run]
    assert [x for x, _ in rolling][0] == daily_xs[2]
    assert len(rolling) == 5
    daily_y_of_6 = series(svg, "daily-pain")[0][1][1]
    assert {y for _, y in rolling} == {daily_y_of_6}


def test_pain_axis_is_0_to_10_and_the_band_spans_each_days_lowest_to_highest_entry():
    svg = render("pain", diary(pain=pain(day(1), 2, 8) + pain(day(3), 5)))
    top, bottom = plot_height(svg)
    [low_to_high] = series(svg, "pain-range")[:1]
    ys = sorted({y for _, y in low_to_high})
    assert (ys[1] - ys[0]) / (bottom - top) == pytest.approx(6 / 10, abs=0.001)
    assert (bottom - ys[1]) / (bottom - top) == pytest.approx(2 / 10, abs=0.001)


# Sleep, adherence, therapy -------------------------------------------------------------------


def test_sleep_desc_and_a_bar_per_night_logged():
    nights = [night(day(1), 420, 90.0), night(day(2), 360, 80.0), night(day(5), 450, 88.5)]
    svg = render("sleep", diary(sleep=nights))
    assert desc(svg) == (
        "Sleep from 1 Oct to 30 Oct 2026, 3 nights logged: mean total sleep 6.8 hours, "
        "mean sleep efficiency 86.2 %."
    )
    assert len(series(svg, "total-sleep")) == 3
    assert markers(svg, "sleep-efficiency") == 3


def test_adherence_desc_has_the_overall_and_weekly_figures():
    # Weeks: 1-4 Oct (Thu-Sun), 5-11, 12-18, 19-25, 26-30; 3 doses skipped in the second.
    skipped = [day(6), day(7), day(8)]
    taken = [day(n) for n in range(1, 31) if day(n) not in skipped]
    svg = render(
        "adherence", diary(plans=[PLAN], doses=doses(PLAN, taken) + doses(PLAN, skipped, "skipped"))
    )
    assert desc(svg) == (
        "Medication adherence from 1 Oct to 30 Oct 2026: 90.0 % of scheduled doses taken; "
        "weekly from 57.1 % to 100.0 %, 1 of 5 weeks below 80 %."
    )
    assert len(series(svg, "weekly-adherence")) == 5


def test_weeks_without_scheduled_doses_have_no_bar():
    plan = replace(PLAN, start_date=day(12))  # a Monday
    svg = render(
        "adherence", diary(plans=[plan], doses=doses(plan, [day(n) for n in range(12, 31)]))
    )
    assert len(series(svg, "weekly-adherence")) == 3
    assert desc(svg).endswith("weekly from 100.0 % to 100.0 %, 0 of 3 weeks below 80 %.")


def test_a_missed_dose_counts_against_the_week():
    svg = render(
        "adherence", diary(plans=[PLAN], doses=doses(PLAN, [day(n) for n in range(1, 30)]))
    )
    assert desc(svg).endswith("weekly from 80.0 % to 100.0 %, 0 of 5 weeks below 80 %.")


def test_therapy_desc_counts_only_sessions_rated_before_and_after():
    sessions = [
        TherapyPoint("physiotherapy", 45, 6, 4),
        TherapyPoint("physiotherapy", 45, 8, 4),
        TherapyPoint("physiotherapy", 45, 8, None),
        TherapyPoint("cbt", 60, 5, 5),
        TherapyPoint("tens", 30, None, 2),
    ]
    svg = render("therapy", diary(therapy=sessions))
    assert desc(svg) == (
        "Mean pain before and after therapy from 1 Oct to 30 Oct 2026: "
        "Physiotherapy from 7.0 to 4.0 (n = 2); CBT from 5.0 to 5.0 (n = 1)."
    )
    assert {"Physiotherapy", "(n = 2)", "CBT", "(n = 1)"} <= set(texts(svg))
    assert not any(text.startswith("TENS") for text in texts(svg))


# The route -----------------------------------------------------------------------------------


def test_chart_route_serves_svg_with_an_etag_and_answers_304_when_unchanged(patient):
    log_three_days_of_pain(patient)
    headers = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}

    response = patient.get("/api/v1/charts/pain.svg", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["ETag"]
    svg = response.get_data(as_text=True)
    assert "logged on 3 of 30 days: mean 5.0 (days ranging 3.0 to 7.0)." in desc(svg)
    assert any(re.fullmatch(r"\d\d\.\d\d\.", text) for text in texts(svg))

    again = patient.get(
        "/api/v1/charts/pain.svg", headers={**headers, "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.get_data() == b""


def audit_trail(app, db):
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.at)).all()
        return [(e.resource, e.outcome, str(e.actor_id), str(e.patient_id)) for e in events]


def assert_not_found(response):
    assert response.status_code == 404
    error = response.json["error"]
    assert (error["status"], error["code"]) == (404, "not_found")
    assert isinstance(error["message"], str) and error["message"]
    assert "fields" not in error


@pytest.mark.parametrize("name", ["nope", "PAIN", "pain.svg", "summary"])
def test_an_unknown_chart_is_404_in_the_error_shape(patient, app, db, name):
    assert_not_found(patient.get(f"/api/v1/charts/{name}.svg"))
    assert audit_trail(app, db) == []


@pytest.mark.parametrize("name", ["nope", "PAIN", "pain.svg", "summary"])
def test_a_clinicians_request_for_an_unknown_chart_is_404_and_not_an_allowed_read(
    patient, clinician, app, db, name
):
    link(patient, clinician)
    assert_not_found(clinician.get(f"/api/v1/patients/{patient.user.id}/charts/{name}.svg"))
    assert audit_trail(app, db) == []


def test_a_linked_clinicians_chart_is_audited_as_allowed(patient, clinician, app, db):
    link(patient, clinician)
    response = clinician.get(f"/api/v1/patients/{patient.user.id}/charts/sleep.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert audit_trail(app, db) == [("charts/sleep", "allowed", clinician.user.id, patient.user.id)]


def test_an_unlinked_clinicians_chart_is_404_and_audited_as_denied(patient, clinician, app, db):
    assert_not_found(clinician.get(f"/api/v1/patients/{patient.user.id}/charts/pain.svg"))
    assert audit_trail(app, db) == [("charts/pain", "denied", clinician.user.id, patient.user.id)]


def test_the_api_document_lists_the_chart_names(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/charts/{name}.svg", "/api/v1/patients/{patient_id}/charts/{name}.svg"):
        [name] = [p for p in paths[path]["parameters"] if p["name"] == "name"]
        assert (name["in"], name["required"]) == ("path", True)
        assert name["schema"] == {"type": "string", "enum": list(CHARTS)}


def test_overall_adherence_is_the_summarys_figure():
    period = [day(n) for n in range(1, 31)]
    evening = MedicationPlan("m2", "Gabapentin", Schedule([time(20)], [0, 2, 4]), day(3), day(25))
    events = doses(PLAN, period[::2]) + doses(PLAN, period[1::4], "skipped")
    events += [
        DoseRecord("m2", "taken", at_local_time(on, time(20), TZ), None) for on in period[::3]
    ]
    svg = render("adherence", diary(plans=[PLAN, evening], doses=events))
    summary = medication_adherence([PLAN, evening], events, TZ, FIRST, LAST, NOW)
    assert f": {summary['adherence_percent']:.1f} % of scheduled doses taken;" in desc(svg)


# On a phone, and on paper (DESIGN.md §7: "Charts are read on phones") ----------------------


def screen(name, a_diary, locale=None):
    return render_chart(CHARTS[name], a_diary, locale, now=NOW, screen=True)


# More rows than a printed chart labels on two lines.
SEVEN_MODALITIES = (
    "physiotherapy",
    "mindfulness",
    "acupuncture",
    "exercise",
    "massage",
    "other",
    "vr",
)


def period_diary(days, last=LAST):
    """``days`` up to LAST with what pushes each chart to its edges: pain 0 to 10 on the last
    day, a bar for the last night, a week cut to its last day at 100 %, a 10 after therapy."""
    first = last - timedelta(days=days - 1)
    period = [first + timedelta(days=n) for n in range(days)]
    plan = replace(PLAN, start_date=first)
    return diary(
        first_day=first,
        last_day=last,
        pain=[p for n, on in enumerate(period) for p in pain(on, n % 11, 10 - n % 11)],
        sleep=[night(on, 300 + n * 7 % 240, 70 + n % 30) for n, on in enumerate(period)],
        therapy=[TherapyPoint(modality, 45, 10, 9) for modality in SEVEN_MODALITIES],
        plans=[plan],
        doses=doses(plan, period[:-1:2]) + doses(plan, period[-1:]),
        records={"activity": [steps(on, 20000 - n * 37 % 15000) for n, on in enumerate(period)]},
    )


def font_sizes(svg):
    return [
        float(re.search(r"font-size: ([\d.]+)px", element.get("style"))[1])
        for element in ET.fromstring(svg).iter(f"{NS}text")
    ]


@pytest.mark.parametrize("name", CHARTS)
def test_on_screen_a_chart_is_as_wide_as_a_phone_shows_it_and_its_text_12_px(name):
    root = ET.fromstring(screen(name, full_diary()))
    # 320 px between the margins of a 360 px page: a user unit is a CSS pixel there.
    assert (root.get("width"), root.get("viewBox").split()[2]) == ("320", "320")
    assert min(font_sizes(ET.tostring(root, encoding="unicode"))) >= 12
    assert root[0].tag == f"{NS}title" and root[1].tag == f"{NS}desc"  # still labelled first


@pytest.mark.parametrize("name", CHARTS)
def test_on_screen_the_frame_takes_the_themes_colours_light_and_dark(name):
    svg = screen(name, full_diary())
    assert 'class="chart-svg"' in svg
    style = ET.fromstring(svg).find(f"{NS}style").text
    light, dark = style.split("@media (prefers-color-scheme:dark)")
    assert "--chart-paper:#ffffff" in light and "--chart-paper:#1c222c" in dark  # app.css --card
    assert "--chart-ink:#e8eaef" in dark  # the dark theme's --ink
    # No frame colour is left as drawn: the paper, ink, grey and grid all follow the theme.
    for colour in ("#ffffff", "#000000", "#555555", "#dddddd"):
        assert not re.search(rf"(fill|stroke): {colour}\b", svg), colour
    assert "fill: var(--chart-paper, #ffffff)" in svg


@pytest.mark.parametrize("name", CHARTS)
def test_on_paper_a_chart_keeps_its_print_look(name):
    svg = render(name, full_diary())
    root = ET.fromstring(svg)
    assert root.get("width") == "504pt" and root.get("class") is None
    assert "prefers-color-scheme" not in svg and "var(--" not in svg
    assert 'style="fill: #ffffff"' in svg  # black on white


def edge_pixels(png):
    """The colours of the outermost ring of pixels of a PNG."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    ring = [(x, y) for x in range(width) for y in (0, height - 1)]
    ring += [(x, y) for y in range(height) for x in (0, width - 1)]
    return {image.getpixel(point) for point in ring}


@pytest.mark.parametrize("days", [1, 7, 30, 90, 365, 730, 1830])
@pytest.mark.parametrize("screen_or_paper", [True, False], ids=["screen", "paper"])
@pytest.mark.parametrize("name", CHARTS)
def test_nothing_is_cut_at_an_edge(name, screen_or_paper, days):
    # A label or bar cut by the picture's edge would colour its outermost pixels. A period to a
    # Monday has a date label on its last day (the weekly ticks) and a last week of one day.
    for last in (LAST, date(2026, 12, 7)):
        now = datetime.combine(last + timedelta(days=1), time(12), UTC)
        png = render_chart(
            CHARTS[name],
            period_diary(days, last),
            "de-DE",
            now=now,
            screen=screen_or_paper,
            png=True,
        )
        assert edge_pixels(png) == {(255, 255, 255)}, last


def text_width(text, size=12):
    """DejaVu Sans: a digit is 0.64 em wide, "." and "/" a third of one."""
    return sum(0.64 if c.isdigit() else 0.34 for c in text) * size


def plot_sides(svg):
    """Left and right of the (first) axes' background, in SVG units."""
    axes = next(e for e in ET.fromstring(svg).iter() if e.get("id") == "patch_2")
    xs = [float(x) for x in re.findall(r"[ML] ([-\d.]+) ", axes.find(f"{NS}path").get("d"))]
    return min(xs), max(xs)


@pytest.mark.parametrize("days", [7, 30, 90, 365, 730, 1830])
def test_on_screen_date_labels_have_room_beside_each_other(days):
    # The sleep chart's plot is the narrowest (a second y axis): 214 px of 320.
    svg = screen("sleep", period_diary(days), "de-DE")
    labels = sorted(
        (float(element.get("x")), element.text)
        for element in ET.fromstring(svg).iter(f"{NS}text")
        if re.fullmatch(r"\d\d\.(\d\d\.|\d{4})", element.text or "")
    )
    assert len(labels) >= 2
    for (x, text), (next_x, next_text) in zip(labels, labels[1:], strict=False):
        # Centred on their days, with half an em between them.
        assert next_x - x >= (text_width(text) + text_width(next_text)) / 2 + 6, (text, next_text)


def test_the_last_days_bar_has_its_figure_inside_the_picture():
    # 27 Sep to Monday 26 Oct: the first and the last week are one day each.
    svg = screen("adherence", period_diary(30, date(2026, 10, 26)))
    left, right = plot_sides(svg)
    figures = sorted(
        (float(element.get("x")), element.text)
        for element in ET.fromstring(svg).iter(f"{NS}text")
        if re.fullmatch(r"\d{1,3}", element.text or "") and float(element.get("x")) > left
    )
    # The four full weeks, and the last day's: the first day's would crowd its neighbour's.
    assert len(figures) == 5
    x, text = figures[-1]
    assert text == "100"
    # Over its day, reaching into the right margin that is kept for it, and not past it.
    assert x == pytest.approx(right - (right - left) / 30 / 2, abs=0.1)
    assert x + text_width(text) / 2 <= 320 - 4


def log_three_days_of_pain(patient):
    now = datetime.now(UTC)
    for days_ago, intensity in [(0, 3), (1, 5), (2, 7)]:
        recorded_at = (now - timedelta(days=days_ago, hours=1)).isoformat()
        response = patient.put(
            f"/api/v1/pain-entries/{uuid.uuid4()}",
            json={"recorded_at": recorded_at, "intensity": intensity},
        )
        assert response.status_code in (200, 201), response.json


def test_the_chart_routes_serve_the_phone_drawing_in_the_apps_colours(patient, clinician):
    log_three_days_of_pain(patient)
    link(patient, clinician)
    for client, path in (
        (patient, "/api/v1/charts/pain.svg"),
        (clinician, f"/api/v1/patients/{patient.user.id}/charts/pain.svg"),
    ):
        response = client.get(path)
        assert response.mimetype == "image/svg+xml"
        root = ET.fromstring(response.get_data(as_text=True))
        assert (root.get("width"), root.get("class")) == ("320", "chart-svg")
        assert "@media (prefers-color-scheme:dark)" in root.find(f"{NS}style").text
        # Opened on its own the SVG is a document under the app's CSP: its <style> must apply.
        assert "style-src 'self' 'unsafe-inline'" in response.headers["Content-Security-Policy"]


def log_a_day_of_steps(patient):
    # Without a day of steps the summary leaves the activity chart out.
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    response = patient.post("/api/v1/activity-days", json={"date": yesterday, "steps": 4210})
    assert response.status_code == 201, response.json


def test_the_pdf_prints_its_charts_black_on_white(patient, monkeypatch):
    log_three_days_of_pain(patient)
    log_a_day_of_steps(patient)
    printed = []
    html_to_pdf = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: printed.append(html) or html_to_pdf(html))
    response = patient.get("/api/v1/summary.pdf")
    assert response.status_code == 200 and response.get_data()[:5] == b"%PDF-"
    [html] = printed
    images = re.findall(r'<img alt="[^"]+" src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == len(CHARTS)
    for data in images:
        image = Image.open(io.BytesIO(base64.b64decode(data))).convert("L")
        pixels = np.asarray(image)
        assert image.size == (1050, 480)  # an A4 column's drawing (7 × 3.2 in at 150 dpi)
        assert image.getpixel((2, 2)) == 255  # white paper, whatever the reader's colour scheme
        assert (pixels > 250).mean() > 0.6 and (pixels < 60).any()  # and black type
    assert "prefers-color-scheme" not in html


def test_the_printable_page_draws_its_charts_for_paper(patient):
    log_three_days_of_pain(patient)
    log_a_day_of_steps(patient)
    html = patient.get("/api/v1/summary.html").get_data(as_text=True)
    assert html.count('width="504pt"') == len(CHARTS)
    assert "chart-svg" not in html and "prefers-color-scheme" not in html
