"""What the charts share: the palette, the legend's place, date ticks, blocks, the empty chart."""

from datetime import date, timedelta

import numpy as np
from matplotlib.patches import PathPatch
from matplotlib.path import Path

NO_DATA = "No data for this period"

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour vision.
BLUE, ORANGE, VERMILION, SKY, GREY = "#0072B2", "#E69F00", "#D55E00", "#56B4E9", "#555555"
LEGEND = {"loc": "lower right", "bbox_to_anchor": (1, 1.01), "borderaxespad": 0}
_MAX_TICKS = 8
# Beyond ~4 months a marker per day is too small to see and slow to print: a line alone.
_MARKERS_UP_TO_DAYS = 120
_LONG_PERIOD_DAYS = 183  # beyond this, ticks are months and labels month/year
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

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
    """The period's days as x positions 0..days-1, with date ticks in the reader's format."""

    def __init__(self, first_day, last_day, locale):
        self.first_day = first_day
        self.days = (last_day - first_day).days + 1
        self.x = np.arange(self.days)
        day_month, month_year = _date_formats(locale)
        if self.days <= _LONG_PERIOD_DAYS:
            step = next((s for s in (1, 2, 7, 14) if self.days / s <= _MAX_TICKS), 28)
            # Weekly ticks fall on Mondays, as the adherence weeks do.
            start = 0 if step < 7 else -first_day.weekday() % 7
            self.ticks = [first_day + timedelta(days=d) for d in range(start, self.days, step)]
            self.format = day_month
        else:
            months = next((m for m in (1, 2, 3, 6) if self.days / 30.4 / m <= _MAX_TICKS), 12)
            self.ticks = [
                date(year, month, 1)
                for year in range(first_day.year, last_day.year + 1)
                for month in range(1, 13, months)
                if first_day <= date(year, month, 1) <= last_day
            ]
            self.format = month_year

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
        axes.set_xticks(
            [self.offset(day) for day in self.ticks],
            [day.strftime(self.format) for day in self.ticks],
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
    vertices = [
        vertex
        for left, right, bottom, top in spans
        for vertex in ((left, bottom), (right, bottom), (right, top), (left, top), (left, bottom))
    ]
    codes = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY] * len(spans)
    patch = PathPatch(Path(vertices, codes), linewidth=0, **style)
    axes.add_artist(patch)
    return patch


def empty_chart(figure, title, desc):
    """Say there is nothing to draw where the chart would be; return the title and description."""
    figure.text(0.5, 0.45, NO_DATA, ha="center", va="center", fontsize=12, color=GREY)
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
