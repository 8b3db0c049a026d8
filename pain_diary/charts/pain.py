"""The pain chart: daily pain, the range of the day's entries and a 7-day rolling mean, with
the days other records mark (a procedure, a stimulator trial: :mod:`.marks`)."""

from collections import defaultdict

import numpy as np

from .. import analytics
from .frame import BLUE, SKY, VERMILION, blocks, daily_line, empty_chart, legend, period_text
from .marks import draw_marks, lay_out_marks, marks_text


def draw(figure, diary, ticks, now, medium):
    """Daily pain (mean of the day's entries), the range of the entries, a 7-day rolling mean.

    The rolling mean of a day is the mean daily pain of the logged days among it and the 6 before,
    within the period; like the summary's window means it needs >= 3 logged days.
    """
    first_day, last_day = diary.first_day, diary.last_day
    entries = [p for p in diary.pain if first_day <= p.local_date <= last_day]
    title = f"Pain intensity, {period_text(first_day, last_day, dash=True)}"
    if not entries:
        return empty_chart(
            figure, medium, title, f"No pain entries {period_text(first_day, last_day)}."
        )
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

    labels = lay_out_marks(diary.marks, ticks, medium)
    medium.arrange(figure, legend_entries=3, above=labels.height)
    axes = figure.add_subplot()
    ranges = [
        (ticks.offset(day) - 0.5, ticks.offset(day) + 0.5, min(values), max(values))
        for day, values in intensities.items()
    ]
    band = blocks(
        axes, ranges, color=SKY, alpha=0.4, label="Range of the day's entries", gid="pain-range"
    )
    lines = axes.plot(
        ticks.x,
        daily,
        color=BLUE,
        **daily_line(ticks, 1.4),
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
    legend(figure, axes, [*lines, band], medium, above=labels.height)
    draw_marks(axes, labels, ticks, medium)

    desc = (
        f"Daily pain {period_text(first_day, last_day)}, logged on {summary['days_logged']} of "
        f"{ticks.days} days: mean {summary['mean']:.1f} "
        f"(days ranging {summary['min']:.1f} to {summary['max']:.1f})"
    )
    if summary["change_points"] is not None:
        desc += (
            f", from {summary['baseline_mean']:.1f} in the first week to "
            f"{summary['recent_mean']:.1f} in the last week"
        )
    return title, desc + "." + marks_text(diary.marks, ticks)
