"""The therapy chart: mean pain before and after sessions, by modality."""

import statistics
from collections import defaultdict

import numpy as np

from .. import analytics
from .frame import BLUE, LEGEND, ORANGE, empty_chart, period_text

_MODALITY_LABELS = {"vr": "VR", "cbt": "CBT", "tens": "TENS"}


def draw(figure, diary, ticks, now):
    """Mean pain before and after sessions, per modality, over sessions rated both times.

    The loader gives only the period's sessions (a TherapyPoint carries no date).
    """
    first_day, last_day = diary.first_day, diary.last_day
    title = f"Pain before and after therapy, {period_text(first_day, last_day, dash=True)}"
    rated = defaultdict(list)
    for session in diary.therapy:
        if session.pain_before is not None and session.pain_after is not None:
            rated[session.modality].append(session)
    if not rated:
        return empty_chart(
            figure,
            title,
            f"No therapy sessions rated before and after {period_text(first_day, last_day)}.",
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
    axes.legend(ncols=2, **LEGEND)

    parts = "; ".join(
        f"{name} from {b:.1f} to {a:.1f} (n = {len(group)})"
        for name, b, a, (_, group) in zip(names, before, after, rows, strict=True)
    )
    desc = f"Mean pain before and after therapy {period_text(first_day, last_day)}: {parts}."
    return title, desc
