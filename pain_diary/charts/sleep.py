"""The sleep chart: total sleep per night and sleep efficiency."""

import statistics

from .. import analytics
from .frame import SKY, VERMILION, blocks, daily_line, empty_chart, legend, period_text


def draw(figure, diary, ticks, now, medium):
    """Total sleep per night (bars, hours) and sleep efficiency (line, %, right axis)."""
    first_day, last_day = diary.first_day, diary.last_day
    nights = {n.night_of: n for n in diary.sleep if first_day <= n.night_of <= last_day}
    title = f"Sleep, {period_text(first_day, last_day, dash=True)}"
    if not nights:
        return empty_chart(
            figure, medium, title, f"No sleep logged {period_text(first_day, last_day)}."
        )
    hours = {night: n.total_sleep_minutes / 60 for night, n in nights.items()}
    efficiency = ticks.series({night: n.sleep_efficiency for night, n in nights.items()})

    medium.arrange(figure, legend_entries=2, right=medium.right_axis)
    axes = figure.add_subplot()
    nightly = [
        (ticks.offset(night) - 0.35, ticks.offset(night) + 0.35, 0, h) for night, h in hours.items()
    ]
    bars = blocks(axes, nightly, color=SKY, label="Total sleep", gid="total-sleep")
    axes.set_ylim(0, max(12, int(max(hours.values())) + 1))
    axes.set_ylabel("Total sleep (hours)")
    ticks.apply(axes)
    right = axes.twinx()
    right.plot(
        ticks.x,
        efficiency,
        color=VERMILION,
        **daily_line(ticks, 1.6),
        label="Sleep efficiency",
        gid="sleep-efficiency",
    )
    right.set_ylim(0, 100)
    right.set_ylabel("Sleep efficiency (%)")
    right.grid(False)
    right.spines["right"].set_visible(True)
    legend(figure, axes, [bars, *right.get_lines()], medium)

    mean_minutes = statistics.fmean(n.total_sleep_minutes for n in nights.values())
    mean_efficiency = statistics.fmean(n.sleep_efficiency for n in nights.values())
    desc = (
        f"Sleep {period_text(first_day, last_day)}, {len(nights)} nights logged: mean total sleep "
        f"{analytics.round1(mean_minutes / 60):.1f} hours, mean sleep efficiency "
        f"{analytics.round1(mean_efficiency):.1f} %."
    )
    return title, desc
