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
"""

import io
import re
import statistics
import threading
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from ..localtime import local_date
from ..medications.adherence import medication_adherence
from . import analytics

CHARTS = ("pain", "sleep", "adherence", "therapy")
#: The parts of a diary (see insights.diary.load_diary) each chart draws on.
NEEDS = {"pain": {"pain"}, "sleep": {"sleep"}, "adherence": {"medications"}, "therapy": {"therapy"}}
NO_DATA = "No data for this period"
ADHERENCE_TARGET = analytics.DEFAULT_FLAG_THRESHOLDS.adherence_percent

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour vision.
BLUE, ORANGE, VERMILION, SKY, GREY = "#0072B2", "#E69F00", "#D55E00", "#56B4E9", "#555555"

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
_LEGEND = {"loc": "lower right", "bbox_to_anchor": (1, 1.01), "borderaxespad": 0}
# No date (the same data must give the same bytes) and no RDF block nobody reads.
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_MAX_TICKS = 8
_LONG_PERIOD_DAYS = 183  # beyond this, ticks are months and labels month/year
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_MODALITY_LABELS = {"vr": "VR", "cbt": "CBT", "tens": "TENS"}
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")

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
    ticks = _DateTicks(diary.first_day, diary.last_day, locale)
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


def _pain(figure, diary, ticks, now):
    """Daily pain (mean of the day's entries), the range of the entries, a 7-day rolling mean.

    The rolling mean of a day is the mean daily pain of the logged days among it and the 6 before,
    within the period; like the summary's window means it needs >= 3 logged days.
    """
    first_day, last_day = diary.first_day, diary.last_day
    entries = [p for p in diary.pain if first_day <= p.local_date <= last_day]
    title = f"Pain intensity, {_period(first_day, last_day, dash=True)}"
    if not entries:
        return _empty(figure, title, f"No pain entries {_period(first_day, last_day)}.")
    summary = analytics.pain_summary(entries, first_day, last_day)
    intensities = defaultdict(list)
    for entry in entries:
        intensities[entry.local_date].append(entry.intensity)
    daily = ticks.series(analytics.daily_pain(entries))
    logged = ~np.isnan(daily)
    counts = np.convolve(logged, np.ones(analytics.WINDOW_DAYS))[: len(daily)]
    sums = np.convolve(np.where(logged, daily, 0.0), np.ones(analytics.WINDOW_DAYS))[: len(daily)]
    with np.errstate(invalid="ignore", divide="ignore"):
        rolling = np.where(counts >= analytics.MIN_LOGGED_DAYS, sums / counts, np.nan)

    axes = figure.add_subplot()
    ranges = [
        (ticks.offset(day) - 0.5, ticks.offset(day) + 0.5, min(values), max(values))
        for day, values in intensities.items()
    ]
    band = _blocks(
        axes, ranges, color=SKY, alpha=0.4, label="Range of the day's entries", gid="pain-range"
    )
    # Beyond ~4 months a marker per day is too small to see and slow to print: a line alone.
    small = len(daily) > 120
    lines = axes.plot(
        ticks.x,
        daily,
        color=BLUE,
        linewidth=1 if small else 1.4,
        marker=None if small else "o",
        markersize=3.5,
        clip_on=False,
        label="Daily pain",
        gid="daily-pain",
    )
    lines += axes.plot(
        ticks.x,
        rolling,
        color=VERMILION,
        linewidth=2.4,
        clip_on=False,
        label="7-day mean",
        gid="rolling-mean",
    )
    axes.set_ylim(0, 10)
    axes.set_yticks(range(0, 11, 2))
    axes.set_ylabel("Pain (0–10)")
    ticks.apply(axes)
    axes.legend(handles=[*lines, band], ncols=3, **_LEGEND)

    desc = (
        f"Daily pain {_period(first_day, last_day)}, logged on {summary['days_logged']} of "
        f"{ticks.days} days: mean {summary['mean']:.1f} "
        f"(days ranging {summary['min']:.1f} to {summary['max']:.1f})"
    )
    if summary["change_points"] is not None:
        desc += (
            f", from {summary['baseline_mean']:.1f} in the first week to "
            f"{summary['recent_mean']:.1f} in the last week"
        )
    return title, desc + "."


def _sleep(figure, diary, ticks, now):
    """Total sleep per night (bars, hours) and sleep efficiency (line, %, right axis)."""
    first_day, last_day = diary.first_day, diary.last_day
    nights = {n.night_of: n for n in diary.sleep if first_day <= n.night_of <= last_day}
    title = f"Sleep, {_period(first_day, last_day, dash=True)}"
    if not nights:
        return _empty(figure, title, f"No sleep logged {_period(first_day, last_day)}.")
    hours = {night: n.total_sleep_minutes / 60 for night, n in nights.items()}
    efficiency = ticks.series({night: n.sleep_efficiency for night, n in nights.items()})

    figure.subplots_adjust(right=0.905)
    axes = figure.add_subplot()
    nightly = [
        (ticks.offset(night) - 0.35, ticks.offset(night) + 0.35, 0, h) for night, h in hours.items()
    ]
    bars = _blocks(axes, nightly, color=SKY, label="Total sleep", gid="total-sleep")
    axes.set_ylim(0, max(12, int(max(hours.values())) + 1))
    axes.set_ylabel("Total sleep (hours)")
    ticks.apply(axes)
    right = axes.twinx()
    long = ticks.days > 120
    right.plot(
        ticks.x,
        efficiency,
        color=VERMILION,
        linewidth=1 if long else 1.6,
        marker=None if long else "o",
        markersize=3.5,
        label="Sleep efficiency",
        gid="sleep-efficiency",
    )
    right.set_ylim(0, 100)
    right.set_ylabel("Sleep efficiency (%)")
    right.grid(False)
    right.spines["right"].set_visible(True)
    axes.legend(handles=[bars, *right.get_lines()], ncols=2, **_LEGEND)

    mean_minutes = statistics.fmean(n.total_sleep_minutes for n in nights.values())
    mean_efficiency = statistics.fmean(n.sleep_efficiency for n in nights.values())
    desc = (
        f"Sleep {_period(first_day, last_day)}, {len(nights)} nights logged: mean total sleep "
        f"{analytics.round1(mean_minutes / 60):.1f} hours, mean sleep efficiency "
        f"{analytics.round1(mean_efficiency):.1f} %."
    )
    return title, desc


def _adherence(figure, diary, ticks, now):
    """Adherence per week (Monday to Sunday, cut to the period); 80 % reference line.

    A week without a scheduled dose that was taken, skipped or missed has no bar.
    """
    first_day, last_day = diary.first_day, diary.last_day
    title = f"Medication adherence by week, {_period(first_day, last_day, dash=True)}"
    # Each week sees only its own dose events: a 5-year chart then costs one pass over them.
    doses_by_week = defaultdict(list)
    for dose in diary.doses:
        if dose.scheduled_for is not None:
            day = local_date(dose.scheduled_for, diary.tz)
            doses_by_week[day - timedelta(days=day.weekday())].append(dose)
    weeks = {}
    counted = Counter()
    week_first = first_day
    while week_first <= last_day:
        monday = week_first - timedelta(days=week_first.weekday())
        week_last = min(monday + timedelta(days=6), last_day)
        adherence = medication_adherence(
            diary.plans, doses_by_week[monday], diary.tz, week_first, week_last, now
        )
        if adherence["adherence_percent"] is not None:
            weeks[(week_first, week_last)] = adherence["adherence_percent"]
        for item in adherence["items"]:
            counted.update(
                taken=item["taken"], due=item["taken"] + item["skipped"] + item["missed"]
            )
        week_first = week_last + timedelta(days=1)
    if not weeks:
        return _empty(figure, title, f"No scheduled doses {_period(first_day, last_day)}.")
    # The weeks partition the period: pooling their doses gives the summary's adherence_percent
    # without expanding every schedule a second time.
    overall = round(counted["taken"] / counted["due"] * 100, 1)

    axes = figure.add_subplot()
    weekly = [
        (ticks.offset(week_first) - 0.4, ticks.offset(week_last) + 0.4, 0, percent)
        for (week_first, week_last), percent in weeks.items()
    ]
    bars = _blocks(
        axes, weekly, color=BLUE, label="Doses taken in the week", gid="weekly-adherence"
    )
    target = axes.axhline(
        ADHERENCE_TARGET,
        color=GREY,
        linestyle="--",
        linewidth=1.2,
        label=f"{ADHERENCE_TARGET:g} % target",
        gid="adherence-target",
    )
    if len(weeks) <= 16:  # a label per bar while they stay legible
        for (week_first, week_last), percent in weeks.items():
            middle = (ticks.offset(week_first) + ticks.offset(week_last)) / 2
            inside = percent >= 15  # inside the bar's top, clear of the target line
            axes.annotate(
                f"{percent:.0f}",
                (middle, percent),
                xytext=(0, -3 if inside else 2),
                textcoords="offset points",
                ha="center",
                va="top" if inside else "bottom",
                color="white" if inside else "black",
                fontsize=9,
            )
    axes.set_ylim(0, 108)
    axes.set_yticks(range(0, 101, 20))
    axes.set_ylabel("Doses taken (%)")
    ticks.apply(axes)
    axes.legend(handles=[bars, target], ncols=2, **_LEGEND)

    below = sum(1 for percent in weeks.values() if percent < ADHERENCE_TARGET)
    desc = (
        f"Medication adherence {_period(first_day, last_day)}: "
        f"{overall:.1f} % of scheduled doses taken; weekly from "
        f"{min(weeks.values()):.1f} % to {max(weeks.values()):.1f} %, {below} of {len(weeks)} "
        f"weeks below {ADHERENCE_TARGET:g} %."
    )
    return title, desc


def _therapy(figure, diary, ticks, now):
    """Mean pain before and after sessions, per modality, over sessions rated both times.

    The loader gives only the period's sessions (a TherapyPoint carries no date).
    """
    first_day, last_day = diary.first_day, diary.last_day
    title = f"Pain before and after therapy, {_period(first_day, last_day, dash=True)}"
    rated = defaultdict(list)
    for session in diary.therapy:
        if session.pain_before is not None and session.pain_after is not None:
            rated[session.modality].append(session)
    if not rated:
        return _empty(
            figure,
            title,
            f"No therapy sessions rated before and after {_period(first_day, last_day)}.",
        )
    rows = sorted(rated.items(), key=lambda item: (-len(item[1]), item[0]))
    before = [analytics.round1(statistics.fmean(s.pain_before for s in group)) for _, group in rows]
    after = [analytics.round1(statistics.fmean(s.pain_after for s in group)) for _, group in rows]
    names = [_MODALITY_LABELS.get(modality, modality.capitalize()) for modality, _ in rows]

    # Bars run across: modality names (a fixed list, "Physiotherapy" the longest) fit the margin.
    figure.subplots_adjust(left=0.27, bottom=0.17)
    axes = figure.add_subplot()
    y = np.arange(len(rows))
    few = len(rows) <= 5
    for offset, values, colour, label in (
        (-0.2, before, ORANGE, "Before"),
        (0.2, after, BLUE, "After"),
    ):
        bars = axes.barh(y + offset, values, height=0.4, color=colour, label=label)
        if few:  # with more rows the numbers would overlap; the <desc> still has them
            axes.bar_label(bars, fmt="%.1f", padding=3, fontsize=9)
    axes.set_yticks(
        y,
        [
            f"{name}{chr(10) if few else ' '}(n = {len(group)})"
            for name, (_, group) in zip(names, rows, strict=True)
        ],
        fontsize=11 if few else 9,
    )
    axes.set_ylim(max(len(rows), 3) - 0.5, -0.5)  # the most sessions on top; no giant bars
    axes.grid(False, axis="y")
    axes.set_xlim(0, 10.5)
    axes.set_xticks(range(0, 11, 2))
    axes.set_xlabel("Mean pain (0–10)")
    axes.legend(ncols=2, **_LEGEND)

    parts = "; ".join(
        f"{name} from {b:.1f} to {a:.1f} (n = {len(group)})"
        for name, b, a, (_, group) in zip(names, before, after, rows, strict=True)
    )
    desc = f"Mean pain before and after therapy {_period(first_day, last_day)}: {parts}."
    return title, desc


_DRAWINGS = {"pain": _pain, "sleep": _sleep, "adherence": _adherence, "therapy": _therapy}


class _DateTicks:
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


def _blocks(axes, spans, **style):
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


def _empty(figure, title, desc):
    figure.text(0.5, 0.45, NO_DATA, ha="center", va="center", fontsize=12, color=GREY)
    return title, desc


def _period(first_day, last_day, dash=False):
    """'from 1 Oct to 30 Oct 2026' (or '1 Oct – 30 Oct 2026'); 'on 1 Oct 2026' for one day."""
    last = f"{last_day.day} {_MONTHS[last_day.month - 1]} {last_day.year}"
    if first_day == last_day:
        return last if dash else f"on {last}"
    first = f"{first_day.day} {_MONTHS[first_day.month - 1]}"
    if first_day.year != last_day.year:
        first += f" {first_day.year}"
    return f"{first} – {last}" if dash else f"from {first} to {last}"


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
