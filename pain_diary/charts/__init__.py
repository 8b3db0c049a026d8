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
``weekly-adherence``, ``adherence-target``, ``daily-steps``, ``steps-rolling-mean``,
``procedure-marks``) for styling and tests.

Each is drawn for a medium (``frame.Medium``). On paper (the PDF's PNG, the printable page's
SVG) it keeps the print look: a column of an A4 page, black on white. On screen (the chart
routes, the clinician's page) it is drawn for a phone (DESIGN.md §7): as wide as a 360 px phone
shows it, so that its 12-point type reads at 12 CSS px there, and in the app's colours, light or
dark: the frame's colours (paper, ink, grey, grid) become CSS custom properties that a
``prefers-color-scheme: dark`` rule in the SVG's own ``<style>`` sets. That holds for the SVG in
an ``<img>`` (the image gets the page's colour scheme) and inline alike; the CSP allows styles.

A module per chart (``pain``, ``sleep``, ``adherence``, ``therapy``, ``activity``) draws it into a
figure and gives its title and description, and the record type it shows declares it
(sync.registry.Chart); ``marks`` draws the days other record types mark on the pain chart (a
procedure, a stimulator trial's span); ``frame`` holds what they share (the media, date ticks,
palette, legend, the empty chart); this module sets the style, renders and labels the SVG.
"""

import io
import re
import threading
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

import matplotlib
from matplotlib.figure import Figure

from .adherence import ADHERENCE_TARGET
from .frame import BLUE, GREY, GRID, INK, NO_DATA, PAPER, PRINT, SCREEN, DateTicks

__all__ = ["ADHERENCE_TARGET", "NO_DATA", "render_chart"]

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
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 10,
}
# No date (the same data must give the same bytes) and no RDF block nobody reads.
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE_IN_POINTS = re.compile(r'\b(width|height)="([\d.]+)pt"')
_COLOUR = re.compile(r"\b(fill|stroke): (#[0-9a-f]{6})\b")
# On screen: the colours as drawn, and the custom property each becomes. The light values are
# the app's (app.css: --card, --ink, --muted; a grid lighter than --line), the dark ones its dark
# theme's. Okabe & Ito's blue is too dark on the dark card, and its line would sink into the
# pain range's band: there it is the dark theme's accent. The other data colours read on both.
_THEMED = {
    PAPER: "--chart-paper",
    INK: "--chart-ink",
    GREY.lower(): "--chart-muted",
    GRID: "--chart-grid",
    BLUE.lower(): "--chart-blue",
}
_THEME = (
    "<style>"
    ".chart-svg{--chart-paper:#ffffff;--chart-ink:#1d2330;--chart-muted:#4d5566;"
    "--chart-grid:#dddddd;--chart-blue:#0072b2}"
    ".chart-svg text{fill:var(--chart-ink)}"
    "@media (prefers-color-scheme:dark){.chart-svg{--chart-paper:#1c222c;--chart-ink:#e8eaef;"
    "--chart-muted:#b4bac6;--chart-grid:#3a4250;--chart-blue:#7cc0e0}}"
    "</style>"
)

# rcParams are process-wide and rc_context is not thread-safe: one chart renders at a time.
_render_lock = threading.Lock()


def render_chart(chart, diary, locale=None, *, now=None, screen=False, png=False):
    """Render ``chart`` (a record type's, sync.registry.Chart) of ``diary`` as SVG text, or PNG
    bytes for print.

    ``locale`` is the reader's best Accept-Language value (e.g. "de-DE"); ``now`` (default: the
    current time) decides which scheduled doses have fallen due. ``screen`` draws it for a
    phone, in the app's light or dark colours; otherwise it is drawn for paper.
    """
    name, draw = chart.name, chart.draw
    medium = SCREEN if screen else PRINT
    ticks = DateTicks(diary.first_day, diary.last_day, locale, medium)
    style = {**_STYLE, **medium.style, "svg.hashsalt": f"pain-diary-{name}"}
    with _render_lock, matplotlib.rc_context(style):
        figure = Figure()
        title, desc = draw(figure, diary, ticks, now or datetime.now(UTC), medium)
        x, y = medium.title_at
        width, height = figure.get_size_inches() * 72
        figure.suptitle(title, x=x / width, y=1 - y / height, ha="left", va="top")
        if png:
            # WeasyPrint draws a raster image far quicker than a two-year SVG; 150 dpi prints sharp.
            image = io.BytesIO()
            figure.savefig(image, format="png", dpi=150)
            return image.getvalue()
        svg = io.StringIO()
        figure.savefig(svg, format="svg", metadata=_NO_METADATA)
    svg = _labelled(svg.getvalue(), name, title, desc)
    return _themed(svg) if screen else svg


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


def _themed(svg):
    """The SVG in the app's colours: its frame's colours as custom properties, set light or dark.

    Its size is in CSS pixels, the units it was drawn in for a phone.
    """
    root = _SVG_ROOT.match(svg)
    labels_end = svg.index("</desc>") + len("</desc>")
    opening = _SIZE_IN_POINTS.sub(r'\1="\2"', root.group(0)[:-1]) + ' class="chart-svg">'
    body = _COLOUR.sub(
        lambda m: f"{m[1]}: var({_THEMED[m[2]]}, {m[2]})" if m[2] in _THEMED else m[0],
        svg[labels_end:],
    )
    return opening + svg[root.end() : labels_end] + "\n " + _THEME + body
