"""The adherence chart: the share of scheduled doses taken, week by week."""

from collections import Counter, defaultdict
from datetime import timedelta

from ...localtime import local_date
from ...medications.adherence import medication_adherence
from .. import analytics
from .frame import BLUE, GREY, LEGEND, blocks, empty_chart, period_text

ADHERENCE_TARGET = analytics.DEFAULT_FLAG_THRESHOLDS.adherence_percent


def draw(figure, diary, ticks, now):
    """Adherence per week (Monday to Sunday, cut to the period); 80 % reference line.

    A week without a scheduled dose that was taken, skipped or missed has no bar.
    """
    first_day, last_day = diary.first_day, diary.last_day
    title = f"Medication adherence by week, {period_text(first_day, last_day, dash=True)}"
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
        return empty_chart(figure, title, f"No scheduled doses {period_text(first_day, last_day)}.")
    # The weeks partition the period: pooling their doses gives the summary's adherence_percent
    # without expanding every schedule a second time.
    overall = round(counted["taken"] / counted["due"] * 100, 1)

    axes = figure.add_subplot()
    weekly = [
        (ticks.offset(week_first) - 0.4, ticks.offset(week_last) + 0.4, 0, percent)
        for (week_first, week_last), percent in weeks.items()
    ]
    bars = blocks(axes, weekly, color=BLUE, label="Doses taken in the week", gid="weekly-adherence")
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
    axes.legend(handles=[bars, target], ncols=2, **LEGEND)

    below = sum(1 for percent in weeks.values() if percent < ADHERENCE_TARGET)
    desc = (
        f"Medication adherence {period_text(first_day, last_day)}: "
        f"{overall:.1f} % of scheduled doses taken; weekly from "
        f"{min(weeks.values()):.1f} % to {max(weeks.values()):.1f} %, {below} of {len(weeks)} "
        f"weeks below {ADHERENCE_TARGET:g} %."
    )
    return title, desc
