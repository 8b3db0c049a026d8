"""The clinician summary page, one template for the screen and for print (:mod:`.pdf`).

The headline sentences come from :mod:`.headlines`; a figure without enough data prints as "—",
never as 0 (DESIGN §4).
"""

import base64
import os
import re

from flask import current_app, render_template
from markupsafe import Markup

from ..analytics import DEFAULT_FLAG_THRESHOLDS, NOTES_COUNT
from ..analytics.mme import CDC_CAVEAT
from ..medications.dosage import dosage_text
from ..sync.registry import registry
from .headlines import DASH, duration, figure, headlines, opioid_days, signed, week_change

_LABELS = {"vr": "VR", "cbt": "CBT", "tens": "TENS"}
_SVG_ID = re.compile(r'\bid="([^"]+)"')
_ID_REFERENCE = re.compile(r'(\bid="|="#|url\(#)([^"\s)]+)(["\)])')
_ID_LIST = re.compile(r'(\baria-(?:labelledby|describedby)=")([^"]*)(")')


def label(key, capital=False):
    """A stored key as a reader would write it: "lower_back" → "lower back", "cbt" → "CBT"."""
    text = _LABELS.get(key, key.replace("_", " "))
    return text[:1].upper() + text[1:] if capital else text


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


def moment(value, tz):
    """An instant in the patient's zone as "3 Mar 2025, 08:15"."""
    local = value.astimezone(tz)
    return f"{day(local)}, {local:%H:%M}"


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


def _chart_markup(chart, name, title):
    """An SVG chart inline, or a PNG one (bytes, for print) as an image."""
    if isinstance(chart, bytes):
        data = base64.b64encode(chart).decode()
        return Markup(f'<img alt="{title}" src="data:image/png;base64,{data}">')
    return inline_svg(chart, f"{name}-chart")


def render_summary_html(
    patient, summary, charts, now, medications=(), marks=DEFAULT_FLAG_THRESHOLDS
):
    """Render templates/summary.html for ``summary``: SVG ``charts`` inline, PNG ones as images.

    ``medications`` (the patient's, with dose, route and schedule) give each row its regimen;
    ``marks`` are the flag thresholds in force, which the headlines quote.
    """
    return render_page(summary_context(patient, summary, charts, now, medications, marks))


def render_page(context):
    """The printable page (templates/summary.html) for a :func:`summary_context`."""
    # The stylesheet is inlined so the page is whole when saved, and the PDF fetches nothing.
    with open(os.path.join(current_app.static_folder, "css", "summary.css"), encoding="utf-8") as f:
        stylesheet = Markup(f.read())
    return render_template("summary.html", stylesheet=stylesheet, **context)


def summary_context(patient, summary, charts, now, medications=(), marks=DEFAULT_FLAG_THRESHOLDS):
    """What templates/summary_body.html needs, for the printable page and the web app's."""
    declared = registry()
    chart_titles = {chart.name: chart.title for chart in declared.parts("charts")}
    note_kinds = {noted.collection.name: noted.words for noted in declared.parts("notes")}
    return dict(
        patient=patient,
        summary=summary,
        headlines=headlines(summary, marks),
        charts={
            name: _chart_markup(charts.get(name), name, title)
            for name, title in chart_titles.items()
        },
        chart_titles=chart_titles,
        generated_at=now.astimezone(patient.tz),
        born=born(patient.date_of_birth, now.astimezone(patient.tz).date()),
        regimens={medication.id: dosage_text(medication) for medication in medications},
        rescue_doses=rescue_doses,
        week_change=week_change(summary["pain"]),
        opioid_days=opioid_days,
        notes=[
            {
                **note,
                "when": moment(note["recorded_at"], patient.tz),
                "kind_words": note_kinds.get(note["kind"], label(note["kind"], capital=True)),
            }
            for note in summary.get("notes") or ()
        ],
        notes_count=NOTES_COUNT,
        cdc_caveat=CDC_CAVEAT,
        day=day,
        figure=figure,
        signed=signed,
        duration=duration,
        label=label,
        dash=DASH,
    )
