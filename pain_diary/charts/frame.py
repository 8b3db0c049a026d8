"""What the charts share: the media, the palette, the legend, date ticks, the empty chart."""

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from matplotlib.patches import PathPatch
from matplotlib.path import Path

NO_DATA = "No data for this period"

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour vision.
BLUE, ORANGE, VERMILION, SKY, GREY = "#0072B2", "#E69F00", "#D55E00", "#56B4E9", "#555555"
# The frame's colours as drawn; on screen each becomes a colour of the theme (see charts/__init__).
PAPER, INK, GRID = "#ffffff", "#000000", "#dddddd"
LEGEND = {"loc": "lower right", "bbox_to_anchor": (1, 1.01), "borderaxespad": 0}
# Beyond ~4 months a marker per day is too small to see and slow to print: a line alone.
_MARKERS_UP_TO_DAYS = 120
_LONG_PERIOD_DAYS = 183  # beyond this, ticks are months and labels month/year
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
# DejaVu Sans draws a digit 0.64 em wide: what a figure on a bar needs, without measuring it.
DIGIT_EM = 0.64


@dataclass(frozen=True)
class Medium:
    """Where a chart is read: its width, type sizes and margins, in points (1/72 inch).

    On paper a chart fills a column of an A4 page, at a fixed size. On a screen a point is a CSS
    pixel of the SVG's viewBox, which is as wide as a phone 360 px wide shows the chart (320 px
    between the page's margins): type set at 12 points reads at 12 px there, and at 11 px or
    more down to a 334 px wide screen. A screen's figure grows in height with its rows of legend
    (and a therapy chart's rows), the plot keeping its height. Margins leave room for what is
    drawn beside the plot: the last date label, centred on its day, and a figure above the last
    bar stay inside the picture.
    """

    screen: bool
    width: float
    #: The figure's height on paper; on screen (None) the plot's height sets it.
    height: float | None
    plot_height: float
    type_size: float  # ticks and axis labels; also the smallest type on screen
    legend_size: float
    value_size: float  # the figures on bars
    title_size: float
    #: Between the x axis and its date labels: on screen enough to keep them clear of the
    #: y axes' lowest figures.
    date_pad: float
    title_at: tuple  # the title's top left corner from the figure's top left
    left: float
    right: float
    right_axis: float  # the right margin of a chart with a second y axis
    bottom: float
    top: float  # above the plot: the title and one row of legend
    legend_row: float  # each further row of legend
    #: Legend entries a row on screen, under the title (None: on paper, one row right of it).
    legend_columns: int | None
    day_ticks: int  # at most this many date labels of days
    month_ticks: int  # and of months

    @property
    def style(self):
        """The rcParams of this medium's type sizes."""
        return {
            "font.size": self.type_size,
            "axes.labelsize": self.type_size,
            "legend.fontsize": self.legend_size,
            "figure.titlesize": self.title_size,
            "xtick.major.pad": self.date_pad,
        }

    def arrange(self, figure, legend_entries=1, *, plot_height=None, above=0, **margins):
        """Size ``figure`` and place its plot, with ``margins`` (left, right, bottom) in points.

        ``above`` is room between the legend and the plot (the pain chart's marks' labels): on
        screen the figure grows by it, on paper the plot gives it up.
        """
        rows = 1
        if self.legend_columns and legend_entries:
            rows = math.ceil(legend_entries / self.legend_columns)
        top = self.top + (rows - 1) * self.legend_row + above
        left, right, bottom = (
            margins.get(side, getattr(self, side)) for side in ("left", "right", "bottom")
        )
        height = self.height or top + (plot_height or self.plot_height) + bottom
        figure.set_size_inches(self.width / 72, height / 72)
        figure.subplots_adjust(
            left=left / self.width,
            right=1 - right / self.width,
            bottom=bottom / height,
            top=1 - top / height,
        )


#: A column of an A4 page (the PDF, the printable summary): the charts as they always printed.
PRINT = Medium(
    screen=False, width=504, height=230.4, plot_height=155.5, type_size=11, legend_size=10,
    value_size=9, title_size=13, date_pad=3.5, title_at=(6, 5.8), left=47.9, right=20,
    right_axis=47.9, bottom=26.5, top=48.4, legend_row=0, legend_columns=None, day_ticks=8,
    month_ticks=8,
)  # fmt: skip
#: A phone 360 px wide (Trends, the clinician's page): DESIGN.md §7, "Charts are read on phones".
SCREEN = Medium(
    screen=True, width=320, height=None, plot_height=150, type_size=12, legend_size=12,
    value_size=12, title_size=12.5, date_pad=6, title_at=(4, 4), left=52, right=22,
    right_axis=54, bottom=29, top=54, legend_row=20, legend_columns=2, day_ticks=5, month_ticks=4,
)  # fmt: skip


# Date tick labels in the reader's order of day and month, from the best Accept-Language value.
# No Babel: a small table of (day and month, month and year) formats by language or locale.
# Day before month ("24/11") is the default: most of the world writes it so.
_MONTH_FIRST = ("%m/%d", "%m/%Y")  # 11/24: en-US, ja, zh
_DOTTED = ("%d.%m.", "%m.%Y")  # 24.11.: de, da, fi, nb, no, pl, ru
_DAY_FIRST = ("%d/%m", "%m/%Y")  # 24/11: en-GB, fr, es, it, nl, pt, and anything else
_DATE_FORMATS = {
    "en-us": _MONTH_FIRST, "ja": _MONTH_FIRST, "zh": _MONTH_FIRST,
    "de": _DOTTED, "da": _DOTTED, "fi": _DOTTED, "nb": _DOTTED, "no": _DOTTED, "pl": _DOTTED,
    "ru": _DOTTED,
}  # fmt: skip


class DateTicks:
    """The period's days as x positions 0..days-1, with date ticks in the reader's format.

    No more ticks than the medium allows, and each label with room beside the next: a phone,
    and a plot with a second y axis, get fewer.
    """

    def __init__(self, first_day, last_day, locale, medium):
        self.first_day = first_day
        self.last_day = last_day
        self.days = (last_day - first_day).days + 1
        self.x = np.arange(self.days)
        self.medium = medium
        day_month, month_year = _date_formats(locale)
        self.by_day = self.days <= _LONG_PERIOD_DAYS
        self.format = day_month if self.by_day else month_year

    def ticks(self, points_a_day):
        """The days to label, ``points_a_day`` apart on the plot."""
        label = self.first_day.strftime(self.format)
        # Its width (DejaVu's digits are 0.64 em, "/" and "." a third of one) and a gap of 0.75 em.
        em = self.medium.type_size
        room = (sum(DIGIT_EM if c.isdigit() else 0.34 for c in label) + 0.75) * em

        def fits(days_apart, most):
            return self.days / days_apart <= most and days_apart * points_a_day >= room

        if self.by_day:
            step = next((s for s in (1, 2, 7, 14, 28) if fits(s, self.medium.day_ticks)), 56)
            # Weekly ticks fall on Mondays, as the adherence weeks do.
            start = 0 if step < 7 else -self.first_day.weekday() % 7
            return [self.first_day + timedelta(days=d) for d in range(start, self.days, step)]
        months = next(
            (m for m in (1, 2, 3, 6, 12, 24) if fits(m * 30.44, self.medium.month_ticks)), 60
        )
        first = self.first_day.year * 12 + self.first_day.month - 1
        last = self.last_day.year * 12 + self.last_day.month - 1
        firsts = (date(n // 12, n % 12 + 1, 1) for n in range(first, last + 1) if n % months == 0)
        return [day for day in firsts if day >= self.first_day]

    def offset(self, day):
        return (day - self.first_day).days

    def series(self, values_by_day):
        """An array with a value per day of the period: NaN (a gap in a line) where none."""
        values = np.full(self.days, np.nan)
        for day, value in values_by_day.items():
            if 0 <= self.offset(day) < self.days:
                values[self.offset(day)] = value
        return values

    def apply(self, axes):
        axes.set_xlim(-0.5, self.days - 0.5)
        width = axes.get_position().width * axes.get_figure().get_figwidth() * 72
        ticks = self.ticks(width / self.days)
        axes.set_xticks(
            [self.offset(day) for day in ticks], [day.strftime(self.format) for day in ticks]
        )
        axes.grid(False, axis="x")


def _date_formats(locale):
    tag = (locale or "").lower().replace("_", "-")
    return _DATE_FORMATS.get(tag) or _DATE_FORMATS.get(tag.split("-")[0], _DAY_FIRST)


def daily_line(ticks, linewidth):
    """The style of a line with a value a day: markers on it, unless the period is long."""
    if ticks.days > _MARKERS_UP_TO_DAYS:
        return {"linewidth": 1, "marker": None, "markersize": 3.5}
    return {"linewidth": linewidth, "marker": "o", "markersize": 3.5}


def blocks(axes, spans, **style):
    """Draw rectangles ``(left, right, bottom, top)`` in data units as one patch (one SVG path).

    A patch per bar would make a 5-year chart slow and heavy; touching rectangles of one path
    fill as one shape, so a run of days reads as one band. Added as a plain artist: the axes'
    limits are set by hand, and updating them from every rectangle is most of the drawing time.
    """
    patch = PathPatch(block_path(spans), linewidth=0, **style)
    axes.add_artist(patch)
    return patch


def block_path(spans):
    """Rectangles ``(left, right, bottom, top)`` as one path."""
    vertices = [
        vertex
        for left, right, bottom, top in spans
        for vertex in ((left, bottom), (right, bottom), (right, top), (left, top), (left, bottom))
    ]
    codes = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY] * len(spans)
    return Path(vertices, codes)


def legend(figure, axes, handles, medium, above=0):
    """The legend above the plot: on paper in a row beside the title, on screen in rows under it.

    ``above`` is the room kept between it and the plot (``Medium.arrange``), in points.
    """
    if medium.legend_columns is None:
        x, y = LEGEND["bbox_to_anchor"]
        lift = above / (axes.get_position().height * figure.get_figheight() * 72)
        anchor = {**LEGEND, "bbox_to_anchor": (x, y + lift)}
        return axes.legend(handles=handles, ncols=len(handles), **anchor)
    below_title = medium.title_at[1] + medium.title_size * 1.4
    return figure.legend(
        handles=handles,
        ncols=medium.legend_columns,
        loc="upper left",
        bbox_to_anchor=(0, 1 - below_title / (figure.get_figheight() * 72)),
        borderaxespad=0,
        handlelength=1.5,
        columnspacing=1.2,
    )


def empty_chart(figure, medium, title, desc):
    """Say there is nothing to draw where the chart would be; return the title and description."""
    medium.arrange(figure, legend_entries=0)
    figure.text(
        0.5, 0.45, NO_DATA, ha="center", va="center", fontsize=medium.type_size + 1, color=GREY
    )
    return title, desc


def period_text(first_day, last_day, dash=False):
    """'from 1 Oct to 30 Oct 2026' (or '1 Oct – 30 Oct 2026'); 'on 1 Oct 2026' for one day."""
    last = f"{last_day.day} {_MONTHS[last_day.month - 1]} {last_day.year}"
    if first_day == last_day:
        return last if dash else f"on {last}"
    first = f"{first_day.day} {_MONTHS[first_day.month - 1]}"
    if first_day.year != last_day.year:
        first += f" {first_day.year}"
    return f"{first} – {last}" if dash else f"from {first} to {last}"
