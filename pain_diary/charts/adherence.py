"""The adherence chart: the share of scheduled doses taken, week by week."""

from collections import Counter, defaultdict
from datetime import timedelta

from .. import analytics
from ..analytics.adherence import medication_adherence
from ..localtime import local_date
from .frame import BLUE, DIGIT_EM, GREY, PAPER, blocks, empty_chart, legend, period_text

ADHERENCE_TARGET = analytics.DEFAULT_FLAG_THRESHOLDS.adherence_percent
# Above the 100 % mark: room for the figure over a full bar.
_TOP = 116


def draw(figure, diary, ticks, now, medium):
    """Adherence per week (Monday to Sunday, cut to the period); 80 % reference line.

    A week without a scheduled dose that was taken, skipped or missed has no bar.
    """
    first_day, last_day = diary.first_day, diary.last_day
    title = f"Doses taken, {period_text(first_day, last_day, dash=True)}"
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
        return empty_chart(
            figure, medium, title, f"No scheduled doses {period_text(first_day, last_day)}."
        )
    # The weeks partition the period: pooling their doses gives the summary's adherence_percent
    # without expanding every schedule a second time.
    overall = round(counted["taken"] / counted["due"] * 100, 1)

    medium.arrange(figure, legend_entries=2)
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
    label_figures(axes, figure, ticks, weeks, medium.value_size)
    axes.set_ylim(0, _TOP)
    axes.set_yticks(range(0, 101, 20))
    axes.spines["left"].set_bounds(0, 100)
    axes.set_ylabel("Doses taken (%)")
    ticks.apply(axes)
    legend(figure, axes, [bars, target], medium)

    below = sum(1 for percent in weeks.values() if percent < ADHERENCE_TARGET)
    desc = (
        f"Medication adherence {period_text(first_day, last_day)}: "
        f"{overall:.1f} % of scheduled doses taken; weekly from "
        f"{min(weeks.values()):.1f} % to {max(weeks.values()):.1f} %, {below} of {len(weeks)} "
        f"weeks below {ADHERENCE_TARGET:g} %."
    )
    return title, desc


def label_figures(axes, figure, ticks, weeks, size):
    """Write each week's percent above its bar, where a figure has room.

    Only if every full week has room for its figure; a week cut short at an end of the period
    (a narrow bar) gets one if it does not crowd its neighbour's. The first stays clear of the y
    axis's figures; the last may reach into the right margin, which is kept free for it. A figure
    sits on a patch of paper, so that the target line does not cross it out.
    """
    points_a_day = axes.get_position().width * figure.get_figwidth() * 72 / ticks.days
    percents = list(weeks.values())
    labels = [f"{percent:.0f}" for percent in percents]
    width = 3 * DIGIT_EM * size / points_a_day  # in days: "100" is the widest figure
    apart = width + size / 2 / points_a_day  # with half an em between two
    if apart > 7:
        return  # too many weeks for a figure each; the <desc> still has them
    xs = [
        max((ticks.offset(first) + ticks.offset(last)) / 2, width / 2 - 0.5)
        for first, last in weeks
    ]
    lengths = [(last - first).days for first, last in weeks]
    shown = []
    for i in sorted(range(len(xs)), key=lambda i: -lengths[i]):  # full weeks first
        if all(abs(xs[i] - xs[j]) >= apart for j in shown):
            shown.append(i)
    for i in shown:
        axes.annotate(
            labels[i], (xs[i], percents[i]), xytext=(0, 2), textcoords="offset points",
            ha="center", va="bottom", fontsize=size,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": PAPER, "edgecolor": "none"},
        )  # fmt: skip
