"""The activity chart: the day's steps and their 7-day mean."""

import statistics

import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .. import analytics
from ..analytics.activity import day_figures
from .frame import SKY, VERMILION, blocks, empty_chart, legend, period_text


def draw(figure, diary, ticks, now, medium):
    """The day's figure of steps per day (bars) and the 7-day mean (line).

    The day's figure is the one ``day_figures`` keeps (the manual record, else the source with
    the most steps). A day without steps has no bar. The 7-day mean of a day is the mean of the
    days with steps among it and the 6 before, within the period; like the pain chart's it needs
    >= 3 such days, so a week with too few leaves a gap in the line.
    """
    first_day, last_day = diary.first_day, diary.last_day
    figures = day_figures(diary.records.get("activity", ()))
    steps = {
        day: figure.steps
        for day, figure in figures.items()
        if first_day <= day <= last_day and figure.steps is not None
    }
    title = f"Activity, {period_text(first_day, last_day, dash=True)}"
    if not steps:
        return empty_chart(
            figure, medium, title, f"No steps recorded {period_text(first_day, last_day)}."
        )
    weekly = _rolling_mean(ticks.series(steps))

    medium.arrange(figure, legend_entries=2)
    axes = figure.add_subplot()
    daily = [
        (ticks.offset(day) - 0.35, ticks.offset(day) + 0.35, 0, count)
        for day, count in steps.items()
    ]
    bars = blocks(axes, daily, color=SKY, label="Steps", gid="daily-steps")
    lines = axes.plot(
        ticks.x, weekly, color=VERMILION, linewidth=2.4, label="7-day mean",
        gid="steps-rolling-mean",
    )  # fmt: skip
    axes.set_ylim(0, max(1000, max(steps.values()) * 1.08))
    # Thousands as "8k": "10,000" would not fit beside the plot on a phone.
    axes.yaxis.set_major_locator(MaxNLocator(6, steps=[1, 2, 5, 10], integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
    axes.set_ylabel("Steps a day")
    ticks.apply(axes)
    legend(figure, axes, [bars, *lines], medium)

    mean_steps = analytics.round1(statistics.fmean(steps.values()))
    desc = (
        f"Steps {period_text(first_day, last_day)}: on {len(steps)} of {ticks.days} days, "
        f"{mean_steps:,.0f} a day on average"
    )
    minutes = [
        f.active_minutes
        for day, f in figures.items()
        if first_day <= day <= last_day and f.active_minutes is not None
    ]
    if minutes:
        mean_minutes = statistics.fmean(minutes)
        desc += f"; {mean_minutes:.0f} active minutes a day on {len(minutes)} days"
    return title, desc + "."


def _rolling_mean(daily):
    """Each day's mean of the days with a value among it and the 6 before (NaN below 3)."""
    before = np.full(analytics.WINDOW_DAYS - 1, np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(
        np.concatenate([before, daily]), analytics.WINDOW_DAYS
    )
    counted = np.count_nonzero(~np.isnan(windows), axis=1)
    totals = np.nansum(windows, axis=1)
    return np.where(counted >= analytics.MIN_LOGGED_DAYS, totals / np.maximum(counted, 1), np.nan)


def _thousands(value, _position):
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"
