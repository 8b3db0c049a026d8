"""A patient's summary as a reader gets it: the figures, the charts, the printable page."""

from datetime import UTC, datetime

from flask import current_app, request

from .. import charts
from ..sync.registry import registry
from . import report
from .diary import load_diary
from .summary import build_summary, flag_thresholds, period


def summary_of(patient, query):
    """(diary, summary, now) for the period ``query`` names (``from``/``to``, or the default)."""
    first_day, last_day = period(query, patient.tz)
    now = datetime.now(UTC)
    diary = marked(load_diary(patient, first_day, last_day))
    record_types = registry().record_types.values()
    summary = build_summary(diary, now, record_types, flag_thresholds(current_app.config))
    return diary, summary, now


def chart_parts(chart):
    """The diary parts ``chart`` draws on: its own, and for one that marks days (``marked``) the
    record types that declare marks."""
    if not chart.marked:
        return chart.needs
    return chart.needs | {kind.name for kind in registry().record_types.values() if kind.marks}


def marked(diary):
    """``diary`` with the days the record types it holds mark on the pain chart."""
    diary.marks = [
        mark
        for kind in registry().record_types.values()
        if kind.marks and kind.name in diary.records
        for mark in kind.marks(diary)
    ]
    return diary


def report_context(patient, query, *, paper=False, png=False):
    """What the summary templates need, the charts drawn inline (SVG) for a phone's screen, or
    for ``paper``: the printable page's SVG, or (``png``) the PDF's images."""
    diary, summary, now = summary_of(patient, query)
    locale = request.accept_languages.best
    rendered = {
        chart.name: charts.render_chart(chart, diary, locale=locale, screen=not paper, png=png)
        for chart in registry().parts("charts")
    }
    return report.summary_context(
        patient, summary, rendered, now, diary.medications,
        flag_thresholds(current_app.config),
    )  # fmt: skip
