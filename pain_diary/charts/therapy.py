"""The therapy chart: mean pain before and after sessions, by modality."""

import statistics
from collections import defaultdict

import numpy as np

from .. import analytics
from .frame import BLUE, ORANGE, empty_chart, legend, period_text

_MODALITY_LABELS = {"vr": "VR", "cbt": "CBT", "tens": "TENS"}
# On screen a modality's row is this many points high: its name and count on two lines, its bars.
_SCREEN_ROW = 36


def draw(figure, diary, ticks, now, medium):
    """Mean pain before and after sessions, per modality, over sessions rated both times.

    The loader gives only the period's sessions (a TherapyPoint carries no date).
    """
    first_day, last_day = diary.first_day, diary.last_day
    title = f"Therapy, {period_text(first_day, last_day, dash=True)}"
    rated = defaultdict(list)
    for session in diary.therapy:
        if session.pain_before is not None and session.pain_after is not None:
            rated[session.modality].append(session)
    if not rated:
        return empty_chart(
            figure,
            medium,
            title,
            f"No therapy sessions rated before and after {period_text(first_day, last_day)}.",
        )
    rows = sorted(rated.items(), key=lambda item: (-len(item[1]), item[0]))
    before = [analytics.round1(statistics.fmean(s.pain_before for s in group)) for _, group in rows]
    after = [analytics.round1(statistics.fmean(s.pain_after for s in group)) for _, group in rows]
    names = [_MODALITY_LABELS.get(modality, modality.capitalize()) for modality, _ in rows]

    # Bars run across: modality names (a fixed list, "Physiotherapy" the longest) fit the margin.
    # On paper a chart has a fixed height, so more than 5 rows get one line each and no figures;
    # on screen the chart grows a row at a time instead, its text as large as the rest.
    two_lines = len(rows) <= 5 or medium.screen
    if medium.screen:
        medium.arrange(
            figure, legend_entries=2, plot_height=max(len(rows), 3) * _SCREEN_ROW,
            left=100, right=26, bottom=47,
        )  # fmt: skip
    else:
        medium.arrange(figure, left=136, bottom=39.2)
    axes = figure.add_subplot()
    y = np.arange(len(rows))
    handles = []
    for offset, values, colour, label in (
        (-0.2, before, ORANGE, "Pain before"),
        (0.2, after, BLUE, "Pain after"),
    ):
        bars = axes.barh(y + offset, values, height=0.4, color=colour, label=label)
        handles.append(bars)
        if two_lines:  # with more rows the numbers would overlap; the <desc> still has them
            axes.bar_label(bars, fmt="%.1f", padding=3, fontsize=medium.value_size)
    axes.set_yticks(
        y,
        [
            f"{name}{chr(10) if two_lines else ' '}(n = {len(group)})"
            for name, (_, group) in zip(names, rows, strict=True)
        ],
        fontsize=medium.type_size if two_lines else medium.value_size,
    )
    axes.set_ylim(max(len(rows), 3) - 0.5, -0.5)  # the most sessions on top; no giant bars
    axes.grid(False, axis="y")
    axes.set_xlim(0, 10.5)
    axes.set_xticks(range(0, 11, 2))
    axes.set_xlabel("Mean pain (0–10)")
    legend(figure, axes, handles, medium)

    parts = "; ".join(
        f"{name} from {b:.1f} to {a:.1f} (n = {len(group)})"
        for name, b, a, (_, group) in zip(names, before, after, rows, strict=True)
    )
    desc = f"Mean pain before and after therapy {period_text(first_day, last_day)}: {parts}."
    return title, desc
