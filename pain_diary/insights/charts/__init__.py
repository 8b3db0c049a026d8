"""SVG trend charts of a patient's diary, by matplotlib's object API (no pyplot, no display).

Each chart is a pure function of a :class:`~pain_diary.insights.diary.Diary` and shows only the
days ``first_day``..``last_day``. The same data gives byte-identical SVG (a fixed
``svg.hashsalt``, no date in the metadata), so the route's ETag of the bytes is stable. Text
stays text (``svg.fonttype`` "none") in DejaVu Sans, which matplotlib bundles, with a sans-serif
fallback; colours are Okabe & Ito's colour-blind-safe palette. The root ``<svg>`` has
``role="img"`` and is labelled by a ``<title>`` and a one-sentence ``<desc>`` with the key
figures, so a screen reader says what a sighted reader sees. The XML declaration and DOCTYPE are
left out: the same text is served as a file and inlined into the summary page. The data series
carry ids (``daily-pain``, ``rolling-mean``, ``pain-range``, ``total-sleep``, ``sleep-efficiency``,
``weekly-adherence``, ``adherence-target``) for styling and tests.

A module per chart (``pain``, ``sleep``, ``adherence``, ``therapy``) draws it into a figure and
gives its title and description; ``frame`` holds what they share (date ticks, palette, legend,
the empty chart); this module sets the style, renders and labels the SVG.
"""

import io
import re
import threading
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

import matplotlib
from matplotlib.figure import Figure

from . import adherence, pain, sleep, therapy
from .adherence import ADHERENCE_TARGET
from .frame import NO_DATA, DateTicks

__all__ = ["ADHERENCE_TARGET", "CHARTS", "NEEDS", "NO_DATA", "render_chart"]

CHARTS = ("pain", "sleep", "adherence", "therapy")
#: The parts of a diary (see insights.diary.load_diary) each chart draws on.
NEEDS = {"pain": {"pain"}, "sleep": {"sleep"}, "adherence": {"medications"}, "therapy": {"therapy"}}

_STYLE = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 11,
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 10,
}
_SIZE = (7.0, 3.2)  # inches: fits an A4/Letter column and scales down to a phone's width
# Fixed margins (figure fractions) rather than a layout engine, which would draw everything twice.
_MARGINS = {"left": 0.095, "right": 0.975, "bottom": 0.115, "top": 0.79}
# No date (the same data must give the same bytes) and no RDF block nobody reads.
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")

# rcParams are process-wide and rc_context is not thread-safe: one chart renders at a time.
_render_lock = threading.Lock()


def render_chart(name, diary, locale=None, *, now=None, png=False):
    """Render chart ``name`` (one of CHARTS) of ``diary`` as SVG text (or PNG bytes, for print).

    ``locale`` is the reader's best Accept-Language value (e.g. "de-DE"); ``now`` (default: the
    current time) decides which scheduled doses have fallen due.

    :raise ValueError: for a name not in CHARTS.
    """
    if name not in CHARTS:
        raise ValueError(f"no chart {name!r}; one of {', '.join(CHARTS)}")
    draw = _DRAWINGS[name]
    ticks = DateTicks(diary.first_day, diary.last_day, locale)
    with _render_lock, matplotlib.rc_context({**_STYLE, "svg.hashsalt": f"pain-diary-{name}"}):
        figure = Figure(figsize=_SIZE)
        figure.subplots_adjust(**_MARGINS)
        title, desc = draw(figure, diary, ticks, now or datetime.now(UTC))
        figure.suptitle(title, x=0.012, y=0.975, ha="left", va="top")
        if png:
            # WeasyPrint draws a raster image far quicker than a two-year SVG; 150 dpi prints sharp.
            image = io.BytesIO()
            figure.savefig(image, format="png", dpi=150)
            return image.getvalue()
        svg = io.StringIO()
        figure.savefig(svg, format="svg", metadata=_NO_METADATA)
    return _labelled(svg.getvalue(), name, title, desc)


_DRAWINGS = {
    "pain": pain.draw,
    "sleep": sleep.draw,
    "adherence": adherence.draw,
    "therapy": therapy.draw,
}


def _labelled(svg, name, title, desc):
    """Drop the XML prologue and make the root an image labelled by its <title> and <desc>."""
    svg = svg[svg.index("<svg") :]
    root = _SVG_ROOT.match(svg)
    title_id, desc_id = f"chart-{name}-title", f"chart-{name}-desc"
    opening = (
        f'{root.group(0)[:-1]} role="img" aria-labelledby={quoteattr(f"{title_id} {desc_id}")}>'
        f'\n <title id="{title_id}">{escape(title)}</title>'
        f'\n <desc id="{desc_id}">{escape(desc)}</desc>'
    )
    return opening + svg[root.end() :]
