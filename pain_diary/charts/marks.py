"""The days the pain chart marks (:class:`ChartMark`): a procedure's day as a dashed line,
a stimulator trial's days as a light span, each labelled in words above the plot.

The labels sit in rows between the legend and the plot, each starting at its line (or ending at
it, or moved inward, where the picture's edge comes first), so none is cut at an edge and none
covers the data. A label that would touch another, or be crossed by another's line, goes a row
higher. The parts are drawn as one SVG group, ``procedure-marks``: its lines
(``procedure-lines``), its spans (``procedure-spans``) and its labels.
"""

import itertools
from dataclasses import dataclass, field
from datetime import date

from matplotlib.artist import Artist
from matplotlib.collections import LineCollection
from matplotlib.font_manager import FontProperties
from matplotlib.patches import PathPatch
from matplotlib.text import Text
from matplotlib.textpath import TextToPath

from .frame import GREY, INK, PAPER, block_path, period_text

GROUP = "procedure-marks"
_ROW_EM = 1.3  # the height of a row of labels
_GAP_EM = 0.6  # the least room between two labels of a row
_EDGE = 3  # points kept between a label and the picture's edge
#: Points between the plot's top and the lowest row: clear of the y axis' top figure ("10").
_BELOW_LABELS = 7
_SPAN_ALPHA = 0.14  # light enough that the pain drawn over it keeps its contrast
# Where two lines each run under the other's label, one must cross it: it runs behind.
_PAPER_BEHIND = {"boxstyle": "square,pad=0.1", "facecolor": PAPER, "edgecolor": "none"}
_MOST_TRIED = 6  # labels whose every placement is tried (2^6 layouts); more keep their first


@dataclass(frozen=True)
class ChartMark:
    """A day the pain chart marks with a labelled vertical line (a procedure), or a span."""

    day: date
    label: str
    #: The last day of a span (a stimulator trial), or None for the one day.
    until: date | None = None


@dataclass
class Label:
    """A mark as drawn: its line's day (None before the period), its span, its label's place."""

    text: str
    line_at: int | None
    span: tuple | None  # (first, last) day offsets within the period
    #: Where its line (or span) starts and how wide the label is, in points from the left.
    x: float = 0.0
    width: float = 0.0
    left: float = 0.0  # the label's left edge
    row: int = 0


@dataclass
class MarkLabels:
    """The marks of one chart laid out; ``height`` is the room their rows take above the plot."""

    labels: list = field(default_factory=list)
    row_height: float = 0.0

    @property
    def height(self):
        if not self.labels:
            return 0
        return _BELOW_LABELS + (1 + max(label.row for label in self.labels)) * self.row_height


class Group(Artist):
    """Artists drawn inside one SVG group, found by its id as a data series is."""

    def __init__(self, children, gid, zorder):
        super().__init__()
        self.children = children
        self.set_gid(gid)
        self.set_zorder(zorder)

    def get_children(self):
        return list(self.children)

    def draw(self, renderer):
        renderer.open_group(self.get_gid(), gid=self.get_gid())
        for child in self.children:
            child.draw(renderer)
        renderer.close_group(self.get_gid())


def marks_text(marks, ticks):
    """The period's marks for the chart's description: " Marked: Medial branch block on 3 Mar
    2026."."""
    said = [
        f"{mark.label} {period_text(mark.day, mark.until, dash=True)}"
        if mark.until
        else f"{mark.label} {period_text(mark.day, mark.day)}"
        for mark, _, _ in _shown(marks, ticks)
    ]
    return f" Marked: {'; '.join(said)}." if said else ""


def _shown(marks, ticks):
    """(mark, first, last) of each mark with a day in the period, by day: its day offsets, the
    first before the period (< 0) for a trial begun earlier, the last cut at its end."""
    for mark in sorted(marks, key=lambda mark: (mark.day, mark.label)):
        first = ticks.offset(mark.day)
        last = min(ticks.offset(mark.until), ticks.days - 1) if mark.until else first
        if last >= 0 and first < ticks.days:
            yield mark, first, last


def lay_out_marks(marks, ticks, medium):
    """Place the labels of ``marks`` that show in the period in rows, for a plot of the medium's
    default margins; marks of one day share a line and a label.

    Each label starts at its line, or ends at it, or (longer than either side) keeps inside the
    picture; of those choices the layout with no line through a label, then the fewest rows, then
    the most labels starting at their line, is taken.
    """
    labels = _merged(marks, ticks)
    if not labels:
        return MarkLabels()
    size = medium.type_size
    font = FontProperties(size=size)
    plot = medium.width - medium.left - medium.right
    choices = []
    for label in labels:
        label.width = TextToPath().get_text_width_height_descent(label.text, font, ismath=False)[0]
        label.x = medium.left + (_anchor(label) + 0.5) * plot / ticks.days
        last = medium.width - _EDGE - label.width
        fitting = [left for left in (label.x, label.x - label.width) if _EDGE <= left <= last]
        choices.append(fitting or [max(last, _EDGE)])
    if len(labels) > _MOST_TRIED:
        choices = [options[:1] for options in choices]
    best = min(
        itertools.product(*choices),
        key=lambda lefts: _rows(labels, lefts, _GAP_EM * size, choices)[0],
    )
    rows = _rows(labels, best, _GAP_EM * size, choices)[1]
    for label, left, row in zip(labels, best, rows, strict=True):
        label.left, label.row = left, row
    return MarkLabels(labels, _ROW_EM * size)


def _merged(marks, ticks):
    """A label for each day of the period with marks; a span clipped to the period."""
    days = {}
    for mark, first, last in _shown(marks, ticks):
        shown = days.setdefault(mark.day, Label(mark.label, first if first >= 0 else None, None))
        if mark.label not in shown.text.split(", "):
            shown.text += f", {mark.label}"
        if mark.until:
            span = (max(first, 0), last)
            shown.span = span if shown.span is None else (span[0], max(span[1], shown.span[1]))
    return list(days.values())


def _anchor(label):
    """The day offset the label starts from: its line, or the first day of its span."""
    return label.line_at if label.line_at is not None else label.span[0] - 0.5


def _rows(labels, lefts, gap, choices):
    """(the layout's cost, the row of each label) for labels at ``lefts``.

    A label whose line runs under another's place goes below it; each takes the lowest row
    where it touches no other label. Where two lines each run under the other's label, one
    crosses a label (counted in the cost).
    """
    spans = [(left, left + label.width) for label, left in zip(labels, lefts, strict=True)]
    # The labels whose lines run under each label's place: those go below it.
    under = [
        {
            other
            for other, label in enumerate(labels)
            if other != n and label.line_at is not None and left <= label.x <= right
        }
        for n, (left, right) in enumerate(spans)
    ]
    rows, crossings = {}, 0
    waiting = sorted(range(len(labels)), key=lambda n: labels[n].x, reverse=True)
    while waiting:
        n = next((n for n in waiting if under[n] <= rows.keys()), waiting[0])
        crossings += len(under[n] - rows.keys())
        row = 1 + max((rows[other] for other in under[n] if other in rows), default=-1)
        left, right = spans[n]
        while any(
            rows[other] == row and left < spans[other][1] + gap and spans[other][0] < right + gap
            for other in rows
        ):
            row += 1
        rows[n] = row
        waiting.remove(n)
    moved = sum(left != options[0] for left, options in zip(lefts, choices, strict=True))
    ordered = [rows[n] for n in range(len(labels))]
    return (crossings, max(ordered), moved), ordered


def draw_marks(axes, layout, ticks, medium):
    """Draw the laid-out marks on ``axes``: spans behind the data, lines, labels above the plot."""
    if not layout.labels:
        return
    figure = axes.get_figure()
    plot_height = axes.get_position().height * figure.get_figheight() * 72
    points = plot_height / 10  # the pain axis is 0–10
    plot = medium.width - medium.left - medium.right
    to_day = ticks.days / plot
    children = []
    spans = [(s.span[0] - 0.5, s.span[1] + 0.5, 0, 10) for s in layout.labels if s.span]
    if spans:
        children.append(
            PathPatch(
                block_path(spans), facecolor=GREY, alpha=_SPAN_ALPHA, linewidth=0,
                gid="procedure-spans",
            )
        )  # fmt: skip
    lines, texts = [], []
    for label in layout.labels:
        row_bottom = 10 + (_BELOW_LABELS + label.row * layout.row_height) / points
        if label.line_at is not None:
            lines.append([(label.line_at, 0), (label.line_at, row_bottom)])
        x = (label.left - medium.left) * to_day - 0.5
        texts.append(
            Text(x, row_bottom, label.text, color=INK, fontsize=medium.type_size, va="bottom",
                 bbox=_PAPER_BEHIND)
        )  # fmt: skip
    if lines:
        children.append(
            LineCollection(
                lines, colors=GREY, linewidths=1, linestyles=(0, (3, 2)), gid="procedure-lines"
            )
        )
    for child in children + texts:
        child.set(figure=figure, transform=axes.transData, clip_on=False)
    # Over the grid (0.5), under the range band and the lines (1, 2).
    axes.add_artist(Group(children + texts, GROUP, zorder=0.8))
