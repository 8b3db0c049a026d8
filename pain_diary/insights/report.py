"""The clinician summary page, as HTML and as PDF (WeasyPrint), from one template.

The headline sentences are made here, in plain Python, so that the page, the PDF and the tests
read the same words. A figure without enough data prints as "—", never as 0 (DESIGN §4).
"""

import base64
import os
import re
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from flask import current_app, render_template
from markupsafe import Markup

from ..medications.mme import CDC_CAVEAT
from .analytics import DEFAULT_FLAG_THRESHOLDS, MIN_CORRELATION_PAIRS
from .fhir import dosage_text

DASH = "—"
CHART_TITLES = {
    "pain": "Pain",
    "sleep": "Sleep",
    "adherence": "Medication adherence",
    "therapy": "Therapy",
}
# IMMPACT benchmarks (Dworkin 2008; Farrar 2001), as analytics.immpact_response names them.
RESPONSE_MEANINGS = {
    "substantial": "a substantial improvement (≥ 50 %)",
    "moderate": "a moderate, clinically meaningful improvement",
    "minimal": "a minimal improvement",
    "none": "no meaningful change",
    "worse": "a clinically meaningful worsening",
}
NO_COMPARISON = "not enough entries to compare the first and last weeks"
SHORT_PERIOD = "the period is too short to compare its first and last weeks"
_RESPONSE_THRESHOLDS = (10, 30, 50)
_LABELS = {"vr": "VR", "cbt": "CBT", "tens": "TENS"}
_SVG_ID = re.compile(r'\bid="([^"]+)"')
_ID_REFERENCE = re.compile(r'(\bid="|="#|url\(#)([^"\s)]+)(["\)])')
_ID_LIST = re.compile(r'(\baria-(?:labelledby|describedby)=")([^"]*)(")')
_INLINE_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def figure(value, unit="", places=1):
    """Format a summary number for print: "—" when there is none, never 0."""
    if value is None:
        return DASH
    return f"{value:.{places}f}{unit}"


def signed(value, places=1):
    """Format a change with its sign (+0.4, −1.2): relief reads as a true minus."""
    if value is None:
        return DASH
    text = f"{value:+.{places}f}"
    return text.replace("-", "−") if value else text.lstrip("+")


def duration(minutes):
    """Format minutes as "6 h 12 min" (or "6 h")."""
    if minutes is None:
        return DASH
    hours, rest = divmod(round(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def label(key, capital=False):
    """A stored key as a reader would write it: "lower_back" → "lower back", "cbt" → "CBT"."""
    text = _LABELS.get(key, key.replace("_", " "))
    return text[:1].upper() + text[1:] if capital else text


def _whole_percent(size):
    # 29.6 % printed as "30 %" beside "a minimal improvement" would contradict the benchmark.
    whole = int(size + 0.5)
    crosses = any((size >= t) != (whole >= t) for t in _RESPONSE_THRESHOLDS)
    return f"{size:.1f}" if crosses else f"{whole}"


def pain_headline(pain):
    """The change from the first to the last week, and what it means by IMMPACT."""
    baseline, recent, response = pain["baseline_mean"], pain["recent_mean"], pain["response"]
    if response is None:
        short = baseline is not None and recent is not None
        return f"Pain: {SHORT_PERIOD if short else NO_COMPARISON}."
    meaning = RESPONSE_MEANINGS[response]
    means = f"({baseline:.1f} → {recent:.1f})"
    change, percent = pain["change_points"], pain["change_percent"]
    if not change:
        return f"Pain unchanged {means} — {meaning}."
    direction = "down" if change < 0 else "up"
    size = (
        f"{_whole_percent(abs(percent))} %"
        if percent is not None
        else f"{abs(change):.1f} points"  # from a baseline of 0 only points are defined
    )
    return f"Pain {direction} {size} {means} — {meaning}."


def sleep_headline(sleep, marks=DEFAULT_FLAG_THRESHOLDS):
    """Mean sleep per night and its efficiency (Consensus Sleep Diary, Carney 2012)."""
    nights = sleep["nights"]
    if not nights:
        return "Sleep: no nights logged in this period."
    total, efficiency = sleep["mean_total_sleep_minutes"], sleep["mean_sleep_efficiency"]
    text = (
        f"Slept {duration(total)} a night on average, sleep efficiency "
        f"{figure(efficiency, ' %')} ({nights} night{'s' if nights != 1 else ''})"
    )
    # The poor_sleep flag's marks, applied here to the whole period.
    poor = []
    if total is not None and total < marks.sleep_total_minutes:
        poor.append(f"short (under {duration(marks.sleep_total_minutes)})")
    if efficiency is not None and efficiency < marks.sleep_efficiency_percent:
        poor.append(f"inefficient (under {marks.sleep_efficiency_percent:g} %)")
    if poor:
        text += f" — {' and '.join(poor)} sleep"
    return text + "."


def sleep_pain_headline(correlation, needed=MIN_CORRELATION_PAIRS):
    """Spearman's rho between a night's sleep and the next day's pain, in words."""
    rho, pairs = correlation["spearman_rho"], correlation["n"]
    if rho is None:
        reason = (
            f"too few nights to compare ({pairs} with next-day pain; needs {needed})"
            if pairs < needed
            else "sleep or pain did not vary enough to compare"
        )
        return f"Sleep and next-day pain: {reason}."
    shown = f"ρ = {signed(rho, 2).lstrip('+')} over {pairs} nights"
    size = abs(rho)
    if size < 0.1:
        return f"Sleep and next-day pain: {shown} — no clear link."
    strength = "weak" if size < 0.3 else "moderate" if size < 0.5 else "strong"
    direction = "less" if rho < 0 else "more"
    return (
        f"Sleep and next-day pain: {shown} — a {strength} link: "
        f"longer nights went with {direction} pain the next day."
    )


def adherence_headline(medications, marks=DEFAULT_FLAG_THRESHOLDS):
    """Taken / (taken + skipped + missed) over every scheduled dose of the period."""
    items = medications["items"]
    if not items:
        return "Adherence: no scheduled medications in this period."
    percent = medications["adherence_percent"]
    if percent is None:
        return "Adherence: no scheduled dose has been due long enough to count yet."
    taken = sum(item["taken"] for item in items)
    skipped = sum(item["skipped"] for item in items)
    missed = sum(item["missed"] for item in items)
    on_time = sum(item["taken_on_time"] for item in items)
    text = (
        f"Medication adherence {percent:.1f} %: {taken} of {taken + skipped + missed} doses "
        f"taken ({on_time} on time), {skipped} skipped, {missed} missed"
    )
    below = percent < marks.adherence_percent
    return text + (f" — below {marks.adherence_percent:g} %." if below else ".")


def mme_headline(mme):
    """Opioid exposure in morphine milligram equivalents (CDC 2022)."""
    if mme["average_daily"] is None:
        return "Opioids: none taken in this period (no MME)."
    over_50, over_90 = mme["days_at_or_over_50"], mme["days_at_or_over_90"]
    return (
        f"Opioids average {mme['average_daily']:.1f} MME/day (highest {mme['max_daily']:.1f}); "
        f"{over_50} day{'s' if over_50 != 1 else ''} at or over 50 MME, {over_90} at or over 90."
    )


def headlines(summary, marks=DEFAULT_FLAG_THRESHOLDS):
    """The headline sentences, in the order a clinician reads them, by the flags' ``marks``."""
    return [
        pain_headline(summary["pain"]),
        sleep_headline(summary["sleep"], marks),
        sleep_pain_headline(summary["sleep"]["pain_correlation"]),
        adherence_headline(summary["medications"], marks),
        mme_headline(summary["medications"]["mme"]),
    ]


def day(value):
    """A date as "3 Mar 2025"."""
    return f"{value.day} {value:%b %Y}"


def born(date_of_birth, today):
    """The header line "Born 3 Mar 1961 (63 years)"; None without a date of birth."""
    if date_of_birth is None:
        return None
    age = today.year - date_of_birth.year
    age -= (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return f"Born {day(date_of_birth)} ({age} year{'s' if age != 1 else ''})"


def rescue_doses(item, days):
    """An as-needed medication's use over the period: "Oxycodone: 23 doses on 18 of 30 days"."""
    doses, used = item["doses"], item["days_used"]
    if not doses:
        return f"{item['name']}: none taken"
    return f"{item['name']}: {doses} dose{'s' if doses != 1 else ''} on {used} of {days} days"


def inline_svg(svg, scope):
    """An SVG document as markup to place in HTML beside others.

    The XML prolog and doctype go, and every id (and each reference to it: href, url(),
    aria-labelledby) gets the ``scope`` prefix: four matplotlib charts in one page would
    otherwise share ids such as "patch_1".
    """
    if not svg:
        return None
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    ids = set(_SVG_ID.findall(svg))

    def scoped(name):
        return f"{scope}-{name}" if name in ids else name

    svg = _ID_REFERENCE.sub(lambda m: f"{m[1]}{scoped(m[2])}{m[3]}", svg)
    svg = _ID_LIST.sub(lambda m: f"{m[1]}{' '.join(map(scoped, m[2].split()))}{m[3]}", svg)
    return Markup(svg)


def _chart_markup(chart, name):
    """An SVG chart inline, or a PNG one (bytes, for print) as an image."""
    if isinstance(chart, bytes):
        data = base64.b64encode(chart).decode()
        return Markup(f'<img alt="{CHART_TITLES[name]}" src="data:image/png;base64,{data}">')
    return inline_svg(chart, f"{name}-chart")


def render_summary_html(
    patient, summary, charts, now, medications=(), marks=DEFAULT_FLAG_THRESHOLDS
):
    """Render templates/summary.html for ``summary``: SVG ``charts`` inline, PNG ones as images.

    ``medications`` (the patient's, with dose, route and schedule) give each row its regimen;
    ``marks`` are the flag thresholds in force, which the headlines quote.
    """
    # The stylesheet is inlined so the page is whole when saved, and the PDF fetches nothing.
    with open(os.path.join(current_app.static_folder, "css", "summary.css"), encoding="utf-8") as f:
        stylesheet = Markup(f.read())
    return render_template(
        "summary.html",
        patient=patient,
        summary=summary,
        headlines=headlines(summary, marks),
        charts={name: _chart_markup(charts.get(name), name) for name in CHART_TITLES},
        chart_titles=CHART_TITLES,
        generated_at=now.astimezone(patient.tz),
        born=born(patient.date_of_birth, now.astimezone(patient.tz).date()),
        regimens={medication.id: dosage_text(medication) for medication in medications},
        rescue_doses=rescue_doses,
        cdc_caveat=CDC_CAVEAT,
        stylesheet=stylesheet,
        day=day,
        figure=figure,
        signed=signed,
        duration=duration,
        label=label,
        dash=DASH,
    )


class StaticFilesOnly(weasyprint.URLFetcher):
    """Let WeasyPrint read files under ``root`` and data: URLs, and nothing from the network."""

    def __init__(self, root):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = os.path.realpath(root)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = os.path.realpath(url2pathname(parts.path))
            if parts.netloc not in ("", "localhost") or (
                os.path.commonpath([path, self.root]) != self.root
            ):
                raise ValueError(f"refused to fetch {url}: not under {self.root}")
        elif parts.scheme != "data":
            raise ValueError(f"refused to fetch {url}: a summary uses no network resource")
        return super().fetch(url, headers)


def _as_image(match):
    svg = base64.b64encode(match[0].encode()).decode()
    return f'<img alt="" src="data:image/svg+xml;base64,{svg}">'


def layout(html):
    """Lay the summary HTML out on A4 pages (a weasyprint Document: ``pages``, ``write_pdf``)."""
    # WeasyPrint's HTML cascade would walk every element of an inline chart (some 1,000 for two
    # years) only to ignore them, and warn for each; as an <img> its SVG renderer alone reads
    # the chart, which draws the same and takes about a quarter less time.
    html = _INLINE_SVG.sub(_as_image, html)
    static = current_app.static_folder
    document = weasyprint.HTML(
        string=html, base_url=static + os.sep, url_fetcher=StaticFilesOnly(static)
    )
    return document.render()


def html_to_pdf(html):
    """Render the summary HTML as PDF bytes."""
    return layout(html).write_pdf()
