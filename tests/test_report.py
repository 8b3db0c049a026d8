"""The clinician summary page and its PDF: headline wording, layout order, two A4 pages."""

import re
import shutil
import subprocess
import uuid
import zlib
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from pain_diary.analytics.mme import CDC_CAVEAT
from pain_diary.demo.story import STORY_DAYS
from pain_diary.insights import headlines, report
from pain_diary.insights.pdf import StaticFilesOnly, html_to_pdf, layout

NOW = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
PATIENT = SimpleNamespace(
    display_name="Alex Example", tz=ZoneInfo("Europe/Berlin"), date_of_birth=None
)
MODALITIES = (
    "vr", "mindfulness", "acupuncture", "cbt", "physiotherapy", "exercise", "tens", "massage",
    "other",
)  # fmt: skip


def svg(label):
    """A small matplotlib-like SVG, so that the page tests do not depend on chart rendering."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="460pt" height="290pt" '
        f'viewBox="0 0 460 290" aria-labelledby="title-{label}"><title id="title-{label}">'
        f'{label} chart</title><defs><clipPath id="clip1"><rect width="460" height="290"/>'
        '</clipPath></defs><g id="patch_1" clip-path="url(#clip1)">'
        '<path d="M 20 270 L 120 90 L 220 150 L 440 40" style="fill: none; stroke: #1f77b4; '
        f'stroke-width: 3"/></g><text x="20" y="20">{label}</text></svg>'
    )


CHARTS = {name: svg(name) for name in ("pain", "sleep", "adherence", "therapy")}


def pain(baseline, recent, change_points, change_percent, response, **changes):
    return {
        "entries": 84, "days_logged": 28, "mean": 5.6, "min": 3.0, "max": 8.0,
        "baseline_mean": baseline, "recent_mean": recent, "change_points": change_points,
        "change_percent": change_percent, "response": response, "trend_per_week": -0.6,
        "peg": 5.2, "top_sites": [{"site": "lower_back", "count": 80}, {"site": "hip", "count": 9}],
        "top_qualities": [{"quality": "aching", "count": 70}],
        **changes,
    }  # fmt: skip


def medication(name, taken=50, on_time=45, skipped=3, missed=3):
    counted = taken + skipped + missed
    return {
        "medication_id": uuid.uuid4(), "name": name, "scheduled": counted + 1,
        "taken": taken, "taken_on_time": on_time, "skipped": skipped, "missed": missed,
        "adherence_percent": round(taken / counted * 100, 1) if counted else None,
    }  # fmt: skip


def summary(**changes):
    """A hand-made summary with every key of DESIGN §4; change any section with ``changes``."""
    items = [medication("Naproxen 500 mg"), medication("Oxycodone 10 mg", 40, 31, 2, 14)]
    return {
        "period": {"from": date(2025, 2, 2), "to": date(2025, 3, 3), "days": 30},
        "pain": pain(6.8, 4.5, -2.3, -33.8, "moderate"),
        "sleep": {
            "nights": 27, "mean_total_sleep_minutes": 372.4, "mean_sleep_efficiency": 86.1,
            "mean_sleep_latency_minutes": 22.0, "mean_wake_after_sleep_onset_minutes": 31.5,
            "mean_quality": 3.1, "pain_correlation": {"spearman_rho": -0.42, "n": 26},
        },
        "medications": {
            "adherence_percent": 82.7, "items": items,
            # 945 MME over 30 days, on 21 of them: 31.5 a day over the period, 45.0 on those.
            "mme": {"average_daily": 31.5, "average_on_opioid_days": 45.0, "days_with_opioid": 21,
                    "max_daily": 60.0, "days_at_or_over_50": 4, "days_at_or_over_90": 0},
        },
        "therapy": {
            "sessions": 14, "minutes": 390,
            "by_modality": [
                {"modality": "physiotherapy", "sessions": 8, "minutes": 240,
                 "mean_pain_change": -1.2, "rated_sessions": 7},
                {"modality": "vr", "sessions": 6, "minutes": 150, "mean_pain_change": None,
                 "rated_sessions": 0},
            ],
        },
        "notes": [
            {"recorded_at": datetime(2025, 3, 2, 17, 40, tzinfo=UTC), "kind": "pain-entries",
             "text": "Flare after gardening."},
            {"recorded_at": datetime(2025, 3, 1, 6, 5, tzinfo=UTC), "kind": "sleep-entries",
             "text": "Woke at 3 with back pain,\nback to sleep by 4."},
        ],
        "completion": {"percent_days_logged": 93.3, "longest_gap_days": 2, "late_entries": 3},
        "flags": [
            {"code": "pain_worsening", "severity": "alert",
             "message": "Pain up 2.1 points (40 %) over the last 7 days vs the 14 days before"},
            {"code": "low_adherence", "severity": "warning",
             "message": "Medication adherence 71.0 % over the last 14 days (28 scheduled doses)"},
        ],
        **changes,
    }  # fmt: skip


def big_summary():
    """The most a summary holds: 10 medications, all 9 modalities, all 5 flags."""
    flags = [
        ("pain_worsening", "alert", "Pain up 2.4 points (45 %) over the last 7 days vs 14 before"),
        ("high_mme", "alert", "Opioid dose averages 95.0 MME/day over the last 7 days (at or above "
         "90); MME flags risk and is not for converting one opioid into another (CDC 2022)"),
        ("low_adherence", "warning", "Medication adherence 61.0 % over the last 14 days"),
        ("logging_gap", "warning", "No pain entry for the last 4 days"),
        ("poor_sleep", "warning", "Poor sleep over the last 7 nights (7 logged): mean sleep "
         "efficiency 71.2 % (below 85 %) and mean total sleep 301 minutes (below 360)"),
    ]  # fmt: skip
    base = summary()
    base["medications"]["items"] = [
        medication(f"Medication number {n} extended-release 100 mg") for n in range(1, 11)
    ]
    base["therapy"]["by_modality"] = [
        {"modality": m, "sessions": 3, "minutes": 90, "mean_pain_change": -0.7, "rated_sessions": 3}
        for m in MODALITIES
    ]
    base["pain"]["top_sites"] = [{"site": s, "count": 9} for s in ("lower_back", "leg", "hip")]
    base["flags"] = [{"code": c, "severity": s, "message": m} for c, s, m in flags]
    return base


def render(app, data, charts=CHARTS, patient=PATIENT, medications=()):
    with app.test_request_context():
        return report.render_summary_html(patient, data, charts, NOW, medications)


def plan(item, schedule=None, **fields):
    """The medication behind a summary item, as routes pass it: dose, route and schedule."""
    values = {"dose_amount": 500, "dose_unit": "mg", "route": "oral", "as_needed": not schedule}
    return SimpleNamespace(
        id=item["medication_id"], name=item["name"], schedule=schedule, **(values | fields)
    )


def pdf_text(app, html):
    with app.test_request_context():
        return printed_text(html_to_pdf(html), html)


def pdf_page_count(pdf):
    """Count the pages of a PDF from its page tree, looking inside compressed object streams."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            pass  # not a Flate stream (fonts, images): holds no page objects
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", b"\n".join(parts)))


def printed_text(pdf, html):
    """The PDF's text by pdftotext where poppler is installed, else the HTML's; spaces folded."""
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        text = done.stdout.decode()
    else:
        text = unescape(
            re.sub(r"<[^>]+>", " ", re.sub(r"<(style|svg)\b.*?</\1>", "", html, flags=re.S))
        )
    return " ".join(text.split())


# Headline sentences -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("means", "response", "expected"),
    [
        ((8.0, 3.6, -4.4, -55.0), "substantial",
         "Pain down 55 % (8.0 → 3.6) — a substantial improvement (≥ 50 %)."),
        ((6.8, 4.5, -2.3, -33.8), "moderate",
         "Pain down 34 % (6.8 → 4.5) — a moderate, clinically meaningful improvement."),
        ((5.0, 4.4, -0.6, -12.0), "minimal", "Pain down 12 % (5.0 → 4.4) — a minimal improvement."),
        ((5.0, 5.2, 0.2, 4.0), "none", "Pain up 4 % (5.0 → 5.2) — no meaningful change."),
        ((5.0, 7.0, 2.0, 40.0), "worse",
         "Pain up 40 % (5.0 → 7.0) — a clinically meaningful worsening."),
        ((5.0, 5.0, 0.0, 0.0), "none", "Pain unchanged (5.0 → 5.0) — no meaningful change."),
    ],
)  # fmt: skip
def test_pain_headline_names_each_immpact_response(means, response, expected):
    assert headlines.pain_headline(pain(*means, response)) == expected


def test_pain_headline_keeps_a_decimal_where_rounding_would_reach_a_benchmark():
    # 29.5 % is not 30 %: printed whole it would contradict "minimal".
    headline = headlines.pain_headline(pain(6.1, 4.3, -1.8, -29.5, "minimal"))
    assert headline == "Pain down 29.5 % (6.1 → 4.3) — a minimal improvement."


def test_pain_headline_from_a_baseline_of_zero_counts_points():
    headline = headlines.pain_headline(pain(0.0, 2.5, 2.5, None, "worse"))
    assert headline == "Pain up 2.5 points (0.0 → 2.5) — a clinically meaningful worsening."


def test_pain_headline_without_a_comparison_says_why():
    missing = headlines.pain_headline(pain(None, 4.5, None, None, None))
    assert missing == "Pain: not enough entries to compare the first and last weeks."
    short = headlines.pain_headline(pain(5.0, 4.0, None, None, None))
    assert short == "Pain: the period is too short to compare its first and last weeks."


@pytest.mark.parametrize(
    ("means", "expected"),
    [
        ((6.8, 4.5, -2.3), ("6.8 → 4.5", "−2.3 points")),
        ((None, 4.5, None),
         ("Too few entries to compare", "fewer than 3 days logged in the first week")),
        ((6.8, None, None),
         ("Too few entries to compare", "fewer than 3 days logged in the last week")),
        ((None, None, None),
         ("Too few entries to compare", "fewer than 3 days logged in the first and last week")),
        ((5.0, 4.0, None),
         ("Period too short to compare", "first week 5.0, last week 4.0: the two overlap")),
    ],
)  # fmt: skip
def test_the_week_comparison_is_said_in_words_when_it_has_no_figure(means, expected):
    baseline, recent, change = means
    assert headlines.week_change(pain(baseline, recent, change, None, None)) == expected


def test_the_page_and_the_pdf_say_there_are_too_few_entries_instead_of_dashes(app):
    html = render(app, summary(pain=pain(None, None, None, None, None)))
    assert (
        '<dt>First → last week</dt><dd class="words">Too few entries to compare<small> fewer '
        "than 3 days logged in the first and last week</small></dd>"
    ) in html
    text = pdf_text(app, html)
    # (pdftotext reads a grid's small print after its row: the two parts, each whole.)
    assert "Too few entries to compare" in text
    assert "fewer than 3 days logged in the first and last week" in text
    assert "— → —" not in text and "— points" not in text
    short = render(app, summary(pain=pain(5.0, 4.0, None, None, None)))
    assert "Period too short to compare<small> first week 5.0, last week 4.0" in short
    assert "→ 4.0<small>" not in short and "— points" not in short
    compared = render(app, summary())
    assert "<dt>First → last week</dt><dd>6.8 → 4.5<small> −2.3 points</small></dd>" in compared


def test_sleep_headline_gives_the_mean_night_and_marks_poor_sleep():
    good = summary()["sleep"]
    assert headlines.sleep_headline(good) == (
        "Slept 6 h 12 min a night on average, sleep efficiency 86.1 % (27 nights)."
    )
    inefficient = {**good, "mean_sleep_efficiency": 80.0}
    assert headlines.sleep_headline(inefficient).endswith("— inefficient (under 85 %) sleep.")
    poor = {**inefficient, "mean_total_sleep_minutes": 340.0}
    assert headlines.sleep_headline(poor) == (
        "Slept 5 h 40 min a night on average, sleep efficiency 80.0 % (27 nights) "
        "— short (under 6 h) and inefficient (under 85 %) sleep."
    )
    none = {**good, "nights": 0, "mean_total_sleep_minutes": None, "mean_sleep_efficiency": None}
    assert headlines.sleep_headline(none) == "Sleep: no nights logged in this period."


@pytest.mark.parametrize(
    ("rho", "n", "expected"),
    [
        (-0.42, 26, "Sleep and next-day pain: ρ = −0.42 over 26 nights — a moderate link: "
         "longer nights went with less pain the next day."),
        (0.61, 30, "Sleep and next-day pain: ρ = 0.61 over 30 nights — a strong link: "
         "longer nights went with more pain the next day."),
        (0.05, 30, "Sleep and next-day pain: ρ = 0.05 over 30 nights — no clear link."),
        (None, 6, "Sleep and next-day pain: too few nights to compare "
         "(6 with next-day pain; needs 10)."),
        (None, 12, "Sleep and next-day pain: sleep or pain did not vary enough to compare."),
    ],
)  # fmt: skip
def test_sleep_pain_headline_reads_spearman_rho(rho, n, expected):
    assert headlines.sleep_pain_headline({"spearman_rho": rho, "n": n}) == expected


def test_adherence_headline_counts_every_scheduled_dose():
    medications = summary()["medications"]
    assert headlines.adherence_headline(medications) == (
        "Medication adherence 82.7 %: 90 of 112 doses taken (76 on time), 5 skipped, 17 missed."
    )
    low = {**medications, "adherence_percent": 71.0}
    assert headlines.adherence_headline(low).endswith(" — below 80 %.")


def test_adherence_headline_without_doses_says_why_not_zero():
    none = headlines.adherence_headline({"adherence_percent": None, "items": []})
    assert none == "Adherence: no scheduled medications in this period."
    pending = {"adherence_percent": None, "items": [medication("Naproxen", 0, 0, 0, 0)]}
    assert headlines.adherence_headline(pending) == (
        "Adherence: no scheduled dose has been due long enough to count yet."
    )


NO_MME = {
    "average_daily": None, "average_on_opioid_days": None, "days_with_opioid": 0,
    "max_daily": None, "days_at_or_over_50": 0, "days_at_or_over_90": 0,
}  # fmt: skip


def test_mme_headline_gives_the_opioid_days_average_highest_and_threshold_days():
    mme = summary()["medications"]["mme"]
    assert headlines.mme_headline(mme, 30) == (
        "Opioids on 21 of 30 days: 45.0 MME/day on those days (highest 60.0); "
        "4 days at or over 50 MME, 0 at or over 90."
    )
    assert headlines.mme_headline(NO_MME, 30) == "Opioids: none taken in this period (no MME)."


def test_an_opioid_started_yesterday_reads_as_its_daily_dose_not_a_90_day_average():
    # 15 MME yesterday and today: 0.3 a day over 90 days, 15.0 on the 2 days with an opioid.
    started = {"average_daily": 0.3, "average_on_opioid_days": 15.0, "days_with_opioid": 2,
               "max_daily": 15.0, "days_at_or_over_50": 0, "days_at_or_over_90": 0}  # fmt: skip
    assert headlines.mme_headline(started, 90) == (
        "Opioids on 2 of 90 days: 15.0 MME/day on those days (highest 15.0); "
        "0 days at or over 50 MME, 0 at or over 90."
    )
    one_day = {**started, "days_with_opioid": 1, "average_daily": 0.2}
    assert headlines.mme_headline(one_day, 90).startswith(
        "Opioids on 1 of 90 days: 15.0 MME/day on that day"
    )


def test_the_mme_block_and_the_pdf_give_mme_over_the_opioid_days_with_their_number(app):
    data = summary(period={"from": date(2024, 12, 4), "to": date(2025, 3, 3), "days": 90})
    data["medications"]["mme"] = {
        "average_daily": 0.3, "average_on_opioid_days": 15.0, "days_with_opioid": 2,
        "max_daily": 15.0, "days_at_or_over_50": 0, "days_at_or_over_90": 0,
    }  # fmt: skip
    html = render(app, data)
    assert "<dt>On opioid days</dt><dd>15.0<small> MME/day</small></dd>" in html
    assert "<dt>Days with an opioid</dt><dd>2 of 90 days</dd>" in html
    # The average over every day of the period is not said.
    assert "0.3<small>" not in html and "0.3 MME" not in html
    text = pdf_text(app, html)
    assert "Opioids on 2 of 90 days: 15.0 MME/day on those days (highest 15.0)" in text
    assert "averaged over the days with an opioid" in text and "0.3 MME" not in text


def test_missing_figures_print_as_a_dash_and_zero_as_zero():
    assert headlines.figure(None) == "—"
    assert headlines.figure(0.0) == "0.0"
    assert headlines.figure(93.25, " %") == "93.2 %"
    assert headlines.signed(None) == "—"
    assert headlines.signed(-1.2) == "−1.2"
    assert headlines.signed(0.4) == "+0.4"
    assert headlines.signed(0.0) == "0.0"


def test_the_patient_s_notes_are_in_their_words_on_the_page_and_in_the_pdf(app):
    html = render(app, summary())
    section = html[html.index('id="notes"') : html.index('class="methods"')]
    assert '<h2 id="notes-title">In the patient\'s words</h2>' in section
    # Newest first, at the patient's local time (Berlin), each with what it was written on.
    assert section.index("Flare after gardening.") < section.index("Woke at 3 with back pain")
    assert (
        '<time datetime="2025-03-02T17:40:00+00:00">2 Mar 2025, 18:40</time> · Pain entry:</span> '
        "<q>Flare after gardening.</q>"
    ) in section
    assert "1 Mar 2025, 07:05</time> · Sleep diary:" in section
    assert "<q>Woke at 3 with back pain,\nback to sleep by 4.</q>" in section  # line break kept
    text = pdf_text(app, html)
    assert "in the patient's words" in text.lower()  # the heading prints in capitals
    assert "2 Mar 2025, 18:40 · Pain entry:" in text
    assert "Flare after gardening." in text
    assert "Woke at 3 with back pain, back to sleep by 4." in text
    assert "Notes: the period's 20 most recent, newest first, as the patient wrote them." in text


def test_notes_are_escaped_and_their_absence_is_said(app):
    data = summary()
    data["notes"] = [{"recorded_at": NOW, "kind": "therapy-sessions", "text": "<b>hurt</b>"}]
    html = render(app, data)
    assert "<b>hurt</b>" not in html and "&lt;b&gt;hurt&lt;/b&gt;" in html
    assert "· Therapy session" in html
    assert "No notes in this period." in render(app, summary(notes=[]))


def test_twenty_notes_still_fit_the_typical_summary_on_two_pages(app):
    data = summary()
    data["notes"] = [
        {"recorded_at": NOW - timedelta(hours=n), "kind": "pain-entries",
         "text": f"Note {n}: a flare after gardening, eased by a warm shower and a short walk."}
        for n in range(20)
    ]  # fmt: skip
    html = render(app, data)
    with app.test_request_context():
        pdf = html_to_pdf(html)
    assert pdf_page_count(pdf) == 2
    text = printed_text(pdf, html)
    assert "Note 0: a flare" in text and "Note 19: a flare" in text


def test_inline_charts_get_ids_of_their_own():
    first, second = report.inline_svg(svg("a"), "pain"), report.inline_svg(svg("b"), "sleep")
    assert first.startswith("<svg") and "<?xml" not in first and "DOCTYPE" not in first
    assert 'id="pain-clip1"' in first and 'clip-path="url(#pain-clip1)"' in first
    assert 'id="sleep-clip1"' in second and 'id="sleep-patch_1"' in second
    assert 'aria-labelledby="pain-title-a"' in first and 'id="pain-title-a"' in first
    assert report.inline_svg(None, "pain") is None


# The page ---------------------------------------------------------------------------------


def test_summary_page_shows_flags_first_then_the_headline(app):
    html = render(app, summary())
    alert = html.index("Pain up 2.1 points (40 %)")
    warning = html.index("Medication adherence 71.0 %")
    assert alert < warning < html.index('id="headline"') < html.index('id="charts"')
    assert html.index('id="flags"') < alert
    assert 'class="flag flag-alert"' in html and 'class="flag flag-warning"' in html
    assert "Pain down 34 % (6.8 → 4.5) — a moderate, clinically meaningful improvement." in html


def test_summary_page_names_patient_period_and_local_time(app):
    html = render(app, summary())
    assert "<h1>Alex Example</h1>" in html
    assert "2 Feb 2025 – 3 Mar 2025" in html
    assert "Generated 3 Mar 2025, 13:00 CET" in html  # 12:00 UTC in Berlin


def test_summary_shows_the_cdc_caveat_once_beside_the_first_mme_figure(app):
    html = render(app, summary())
    assert html.count(CDC_CAVEAT) == 1
    caveat = html.index(CDC_CAVEAT)
    assert html.index("Opioids on 21 of 30 days") < caveat < html.index('id="medications"')
    assert pdf_text(app, html).count(CDC_CAVEAT) == 1
    without = summary()
    without["medications"]["mme"] = NO_MME
    html = render(app, without)
    assert "No opioid taken in this period" in html and CDC_CAVEAT not in html  # no MME shown


def test_an_empty_diary_says_so_instead_of_printing_a_range_of_dashes(app):
    nothing = dict.fromkeys(("mean", "min", "max", "peg", "trend_per_week"))
    empty = pain(None, None, None, None, None, entries=0, days_logged=0, **nothing)
    html = render(app, summary(pain=empty))
    assert "<dt>Mean pain</dt><dd>—<small> no pain entries in this period</small></dd>" in html
    text = pdf_text(app, html)
    assert "no pain entries in this period" in text and "range —" not in text
    assert "<dt>Mean pain</dt><dd>5.6<small> range 3.0–8.0</small></dd>" in render(app, summary())


def test_the_header_gives_the_date_of_birth_and_age_on_the_day_printed(app):
    assert report.born(date(1961, 3, 3), date(2025, 3, 3)) == "Born 3 Mar 1961 (64 years)"
    assert report.born(date(1961, 3, 4), date(2025, 3, 3)) == "Born 4 Mar 1961 (63 years)"
    assert report.born(date(2024, 2, 29), date(2025, 3, 1)) == "Born 29 Feb 2024 (1 year)"
    assert report.born(None, date(2025, 3, 3)) is None
    patient = SimpleNamespace(**{**vars(PATIENT), "date_of_birth": date(1961, 3, 4)})
    html = render(app, summary(), patient=patient)
    assert '<h1>Alex Example</h1>\n  <p class="born">Born 4 Mar 1961 (63 years)</p>' in html
    assert 'class="born"' not in render(app, summary())


def test_each_medication_row_shows_its_dose_route_and_schedule(app):
    data = summary()
    naproxen, oxycodone = data["medications"]["items"]
    medications = [
        plan(naproxen, {"times": ["08:00", "20:00"], "days_of_week": None}),
        plan(oxycodone, {"times": ["07:00"], "days_of_week": [0, 3]}, dose_amount=10,
             route=None),
    ]  # fmt: skip
    html = render(app, data, medications=medications)
    assert (
        '<td>Naproxen 500 mg<small class="regimen">500 mg oral at 08:00 and 20:00 every day'
        "</small></td>"
    ) in html
    assert (
        '<td>Oxycodone 10 mg<small class="regimen">10 mg at 07:00 on Mon, Thu</small></td>' in html
    )
    assert "<td>Naproxen 500 mg</td>" in render(app, data)  # without its plan: the name alone


def test_rescue_doses_give_doses_and_days_used_over_the_period(app):
    data = summary()
    rescue = {"medication_id": uuid.uuid4(), "name": "Oxycodone 5 mg", "doses": 23, "days_used": 18}
    once = {"medication_id": uuid.uuid4(), "name": "Paracetamol", "doses": 1, "days_used": 1}
    unused = {"medication_id": uuid.uuid4(), "name": "Diazepam", "doses": 0, "days_used": 0}
    data["medications"]["as_needed"] = [rescue, once, unused]
    medications = [plan(rescue, dose_amount=5), plan(once, dose_amount=2, dose_unit="tablet")]
    html = render(app, data, medications=medications)
    line = (
        "<b>Rescue doses:</b>\n    Oxycodone 5 mg: 23 doses on 18 of 30 days "
        "<small>(5 mg oral as needed)</small>; Paracetamol: 1 dose on 1 of 30 days "
        "<small>(2 tablets oral as needed)</small>; Diazepam: none taken."
    )
    assert line in html
    text = pdf_text(app, html)
    assert "Rescue doses: Oxycodone 5 mg: 23 doses on 18 of 30 days (5 mg oral as needed)" in text
    assert "Rescue doses" not in render(app, summary())  # before the summary lists them


def test_summary_page_prints_a_dash_for_missing_figures(app):
    data = summary(pain=pain(None, 4.5, None, None, None, peg=None, trend_per_week=None))
    data["completion"] = {"percent_days_logged": None, "longest_gap_days": None, "late_entries": 0}
    html = render(app, data)
    assert "<dt>PEG</dt><dd>—<small> of 10</small>" in html
    assert "<dt>Trend</dt><dd>—" in html
    assert "<dt>Longest gap</dt><dd>—</dd>" in html
    assert '<td data-label="Mean pain change">—<small> not rated</small></td>' in html  # VR
    assert "not enough entries to compare the first and last weeks" in html


def test_summary_page_inlines_charts_and_loads_nothing(app):
    html = render(app, summary())
    assert all(f">{name}</text>" in html for name in CHARTS)
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//|url\(["']?(https?:)?//""", html)
    assert ".flag-alert" in html  # the stylesheet, inline


def test_summary_page_escapes_what_the_patient_typed(app):
    patient = SimpleNamespace(display_name="<b>Bo</b>", tz=ZoneInfo("UTC"), date_of_birth=None)
    data = summary()
    data["medications"]["items"][0]["name"] = "<script>alert(1)</script>"
    html = render(app, data, patient=patient)
    assert "<b>Bo</b>" not in html and "&lt;b&gt;Bo&lt;/b&gt;" in html
    assert "<script>" not in html


def test_a_missing_chart_leaves_a_note(app):
    html = render(app, summary(), charts={**CHARTS, "therapy": None})
    assert "Therapy: chart unavailable." in html


# The PDF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("build", [summary, big_summary], ids=["typical", "largest"])
def test_summary_pdf_fits_on_two_a4_pages(app, build):
    html = render(app, build())
    with app.test_request_context():
        pdf = html_to_pdf(html)
        document = layout(html)
    assert pdf.startswith(b"%PDF")
    assert 1 <= pdf_page_count(pdf) <= 2
    assert len(document.pages) == pdf_page_count(pdf)
    assert {(round(page.width), round(page.height)) for page in document.pages} == {(794, 1123)}
    text = printed_text(pdf, html)
    assert "Pain down 34 % (6.8 → 4.5) — a moderate, clinically meaningful improvement." in text
    assert build()["medications"]["items"][-1]["name"] in text


def test_summary_pdf_with_regimens_and_rescue_doses_still_fits_on_two_pages(app):
    data = big_summary()
    rescue = {"medication_id": uuid.uuid4(), "name": "Oxycodone 5 mg", "doses": 23, "days_used": 18}
    data["medications"]["as_needed"] = [rescue]
    schedule = {"times": ["08:00", "14:00", "20:00"], "days_of_week": [0, 1, 2, 3, 4]}
    medications = [plan(item, schedule) for item in data["medications"]["items"]]
    patient = SimpleNamespace(**{**vars(PATIENT), "date_of_birth": date(1961, 3, 4)})
    html = render(app, data, patient=patient, medications=[*medications, plan(rescue)])
    with app.test_request_context():
        pdf = html_to_pdf(html)
    assert pdf_page_count(pdf) == 2
    text = printed_text(pdf, html)
    assert text.count("500 mg oral at 08:00, 14:00 and 20:00 on Mon, Tue, Wed, Thu, Fri") == 10
    assert "Born 4 Mar 1961 (63 years)" in text and "Rescue doses: Oxycodone 5 mg" in text


def test_pdf_page_count_reads_the_page_tree(app):
    html = render(app, summary())
    with app.test_request_context():
        pdf = html_to_pdf(html.replace("</main>", '<p style="break-before: page">3</p></main>'))
    assert pdf_page_count(pdf) == 3


def test_pdf_fetches_only_files_under_static(app):
    static = Path(app.static_folder)
    fetcher = StaticFilesOnly(static)
    stylesheet = fetcher.fetch((static / "css" / "summary.css").as_uri())
    assert b"@page" in stylesheet.read()
    stylesheet.close()
    for url in ("https://example.org/x.css", "http://127.0.0.1/x.css", "file:///etc/passwd",
                (static / ".." / "pyproject.toml").as_uri(), "ftp://example.org/x"):  # fmt: skip
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)


# Through the API --------------------------------------------------------------------------


def log_pain(client, days_ago, intensity):
    recorded = datetime.now(UTC) - timedelta(days=days_ago, hours=1)
    body = {"recorded_at": recorded.isoformat(), "intensity": intensity}
    response = client.post("/api/v1/pain-entries", json=body)
    assert response.status_code == 201, response.json


def test_own_summary_as_pdf_and_html(accounts):
    patient = accounts.signed_in(role="patient", display_name="Ada Lovelace")
    for days_ago, intensity in enumerate((4, 5, 6, 5)):
        log_pain(patient, days_ago, intensity)
    pdf = patient.get("/api/v1/summary.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and pdf_page_count(pdf.data) <= 2
    page = patient.get("/api/v1/summary.html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "<h1>Ada Lovelace</h1>" in html
    assert "Pain: not enough entries to compare the first and last weeks." in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_summary_through_the_api_shows_date_of_birth_and_each_regimen(accounts):
    patient = accounts.signed_in(role="patient", display_name="Ada Lovelace")
    assert patient.patch("/api/v1/me", json={"date_of_birth": "1815-12-10"}).status_code == 422
    assert patient.patch("/api/v1/me", json={"date_of_birth": "1961-12-10"}).status_code == 200
    start = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    medication = {
        "name": "Ibuprofen 400", "dose_amount": 400, "dose_unit": "mg", "route": "oral",
        "schedule": {"times": ["08:00", "20:00"], "days_of_week": [5, 6]}, "start_date": start,
    }  # fmt: skip
    assert patient.post("/api/v1/medications", json=medication).status_code == 201
    html = patient.get("/api/v1/summary.html").get_data(as_text=True)
    assert '<h1>Ada Lovelace</h1>\n  <p class="born">Born 10 Dec 1961 (' in html
    assert (
        '<td>Ibuprofen 400<small class="regimen">400 mg oral at 08:00 and 20:00 on Sat, Sun'
        "</small></td>"
    ) in html


def test_demo_patient_summary_pdf(app, runner):
    """Done when: the demo patient's PDF renders, at most 2 pages, with its headline."""
    output = runner.invoke(args=["demo"]).output
    _, email, _, password = next(
        line.split() for line in output.splitlines() if line.startswith("patient ")
    )
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.json
    today = datetime.now(ZoneInfo(login.json["user"]["timezone"])).date()
    first_day = today - timedelta(days=STORY_DAYS - 1)
    query = {"from": first_day.isoformat(), "to": today.isoformat()}
    expected = headlines.pain_headline(
        client.get("/api/v1/summary", query_string=query).json["pain"]
    )
    assert expected.startswith("Pain down")  # the demo story eases from about 7 to about 4.5
    pdf = client.get("/api/v1/summary.pdf", query_string=query)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and pdf_page_count(pdf.data) <= 2
    html = client.get("/api/v1/summary.html", query_string=query).get_data(as_text=True)
    assert expected in printed_text(pdf.data, html)
    assert "Demo Patient" in printed_text(pdf.data, html)


@pytest.mark.parametrize(
    ("config", "expected"),
    [({}, "88.9 % (1 night)."),
     ({"FLAG_POOR_SLEEP_EFFICIENCY_PERCENT": 90.0},
      "88.9 % (1 night) — inefficient (under 90 %) sleep.")],
    ids=["contract", "configured"],
)  # fmt: skip
def test_the_summary_page_judges_sleep_by_the_configured_threshold(patient, expected):
    # Two nights ago: the morning after is over in every zone, whatever the hour of the run.
    yesterday = (datetime.now(UTC) - timedelta(days=2)).date()
    night = {
        "night_of": yesterday.isoformat(),
        "in_bed_at": f"{yesterday}T22:00:00+00:00",
        "tried_to_sleep_at": f"{yesterday}T22:00:00+00:00",
        "final_awakening_at": f"{yesterday + timedelta(days=1)}T06:00:00+00:00",
        "out_of_bed_at": f"{yesterday + timedelta(days=1)}T07:00:00+00:00",
        "sleep_latency_minutes": 0,
        "wake_after_sleep_onset_minutes": 0,
    }
    assert patient.post("/api/v1/sleep-entries", json=night).status_code == 201
    html = unescape(patient.get("/api/v1/summary.html").get_data(as_text=True))
    assert f"Slept 8 h a night on average, sleep efficiency {expected}" in html
