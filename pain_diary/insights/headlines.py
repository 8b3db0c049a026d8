"""The headline sentences of the clinician summary, in plain Python.

Made here, not in the template, so that the page, the PDF and the tests read the same words. A
figure without enough data prints as "—", never as 0 (DESIGN §4).
"""

from ..analytics import DEFAULT_FLAG_THRESHOLDS, MIN_CORRELATION_PAIRS, MIN_LOGGED_DAYS

DASH = "—"
# IMMPACT benchmarks (Dworkin 2008; Farrar 2001), as analytics.immpact_response names them.
RESPONSE_MEANINGS = {
    "substantial": "a substantial improvement (≥ 50 %)",
    "moderate": "a moderate, clinically meaningful improvement",
    "minimal": "a minimal improvement",
    "none": "no meaningful change",
    "worse": "a clinically meaningful worsening",
}
NO_COMPARISON = "not enough entries to compare the first and last weeks"
SHORT_PERIOD = "the period is too short to compare its first and last weeks"
TOO_FEW_TO_COMPARE = "Too few entries to compare"
TOO_SHORT_TO_COMPARE = "Period too short to compare"
_RESPONSE_THRESHOLDS = (10, 30, 50)


def figure(value, unit="", places=1):
    """Format a summary number for print: "—" when there is none, never 0."""
    if value is None:
        return DASH
    return f"{value:.{places}f}{unit}"


def signed(value, places=1):
    """Format a change with its sign (+0.4, −1.2): relief reads as a true minus."""
    if value is None:
        return DASH
    text = f"{value:+.{places}f}"
    return text.replace("-", "−") if value else text.lstrip("+")


def duration(minutes):
    """Format minutes as "6 h 12 min" (or "6 h")."""
    if minutes is None:
        return DASH
    hours, rest = divmod(round(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def _whole_percent(size):
    # 29.6 % printed as "30 %" beside "a minimal improvement" would contradict the benchmark.
    whole = int(size + 0.5)
    crosses = any((size >= t) != (whole >= t) for t in _RESPONSE_THRESHOLDS)
    return f"{size:.1f}" if crosses else f"{whole}"


def pain_headline(pain):
    """The change from the first to the last week, and what it means by IMMPACT."""
    baseline, recent, response = pain["baseline_mean"], pain["recent_mean"], pain["response"]
    if response is None:
        short = baseline is not None and recent is not None
        return f"Pain: {SHORT_PERIOD if short else NO_COMPARISON}."
    meaning = RESPONSE_MEANINGS[response]
    means = f"({baseline:.1f} → {recent:.1f})"
    change, percent = pain["change_points"], pain["change_percent"]
    if not change:
        return f"Pain unchanged {means} — {meaning}."
    direction = "down" if change < 0 else "up"
    size = (
        f"{_whole_percent(abs(percent))} %"
        if percent is not None
        else f"{abs(change):.1f} points"  # from a baseline of 0 only points are defined
    )
    return f"Pain {direction} {size} {means} — {meaning}."


def week_change(pain, needed=MIN_LOGGED_DAYS):
    """The first and last weeks' means as a figure and a note in words, never "— → —".

    "6.8 → 4.5" with "−2.3 points"; without a mean, that there are too few entries to compare and
    in which week; with both means but no change (weeks that overlap), that the period is too
    short.
    """
    baseline, recent = pain["baseline_mean"], pain["recent_mean"]
    if baseline is None or recent is None:
        weeks = " and ".join(
            name for name, mean in (("first", baseline), ("last", recent)) if mean is None
        )
        return TOO_FEW_TO_COMPARE, f"fewer than {needed} days logged in the {weeks} week"
    if pain["change_points"] is None:
        return TOO_SHORT_TO_COMPARE, (
            f"first week {baseline:.1f}, last week {recent:.1f}: the two overlap"
        )
    return f"{baseline:.1f} → {recent:.1f}", f"{signed(pain['change_points'])} points"


def sleep_headline(sleep, marks=DEFAULT_FLAG_THRESHOLDS):
    """Mean sleep per night and its efficiency (Consensus Sleep Diary, Carney 2012)."""
    nights = sleep["nights"]
    if not nights:
        return "Sleep: no nights logged in this period."
    total, efficiency = sleep["mean_total_sleep_minutes"], sleep["mean_sleep_efficiency"]
    text = (
        f"Slept {duration(total)} a night on average, sleep efficiency "
        f"{figure(efficiency, ' %')} ({nights} night{'s' if nights != 1 else ''})"
    )
    # The poor_sleep flag's marks, applied here to the whole period.
    poor = []
    if total is not None and total < marks.sleep_total_minutes:
        poor.append(f"short (under {duration(marks.sleep_total_minutes)})")
    if efficiency is not None and efficiency < marks.sleep_efficiency_percent:
        poor.append(f"inefficient (under {marks.sleep_efficiency_percent:g} %)")
    if poor:
        text += f" — {' and '.join(poor)} sleep"
    return text + "."


def sleep_pain_headline(correlation, needed=MIN_CORRELATION_PAIRS):
    """Spearman's rho between a night's sleep and the next day's pain, in words."""
    rho, pairs = correlation["spearman_rho"], correlation["n"]
    if rho is None:
        reason = (
            f"too few nights to compare ({pairs} with next-day pain; needs {needed})"
            if pairs < needed
            else "sleep or pain did not vary enough to compare"
        )
        return f"Sleep and next-day pain: {reason}."
    shown = f"ρ = {signed(rho, 2).lstrip('+')} over {pairs} nights"
    size = abs(rho)
    if size < 0.1:
        return f"Sleep and next-day pain: {shown} — no clear link."
    strength = "weak" if size < 0.3 else "moderate" if size < 0.5 else "strong"
    direction = "less" if rho < 0 else "more"
    return (
        f"Sleep and next-day pain: {shown} — a {strength} link: "
        f"longer nights went with {direction} pain the next day."
    )


def adherence_headline(medications, marks=DEFAULT_FLAG_THRESHOLDS):
    """Taken / (taken + skipped + missed) over every scheduled dose of the period."""
    items = medications["items"]
    if not items:
        return "Adherence: no scheduled medications in this period."
    percent = medications["adherence_percent"]
    if percent is None:
        return "Adherence: no scheduled dose has been due long enough to count yet."
    taken = sum(item["taken"] for item in items)
    skipped = sum(item["skipped"] for item in items)
    missed = sum(item["missed"] for item in items)
    on_time = sum(item["taken_on_time"] for item in items)
    text = (
        f"Medication adherence {percent:.1f} %: {taken} of {taken + skipped + missed} doses "
        f"taken ({on_time} on time), {skipped} skipped, {missed} missed"
    )
    below = percent < marks.adherence_percent
    return text + (f" — below {marks.adherence_percent:g} %." if below else ".")


def opioid_days(mme, period_days):
    """ "2 of 90 days": the days with an opioid, which the MME in words is averaged over."""
    return f"{mme['days_with_opioid']} of {period_days} day{'s' if period_days != 1 else ''}"


def mme_headline(mme, period_days):
    """Opioid exposure in morphine milligram equivalents (CDC 2022), over the opioid days.

    The average over the days with an opioid, with how many they are (DESIGN §4): a patient on
    15 MME a day since yesterday reads 15 MME/day on 2 days, not 0.2 over 90.
    """
    if mme["average_on_opioid_days"] is None:
        return "Opioids: none taken in this period (no MME)."
    over_50, over_90 = mme["days_at_or_over_50"], mme["days_at_or_over_90"]
    those = "those days" if mme["days_with_opioid"] != 1 else "that day"
    return (
        f"Opioids on {opioid_days(mme, period_days)}: "
        f"{mme['average_on_opioid_days']:.1f} MME/day on {those} "
        f"(highest {mme['max_daily']:.1f}); "
        f"{over_50} day{'s' if over_50 != 1 else ''} at or over 50 MME, {over_90} at or over 90."
    )


def headlines(summary, marks=DEFAULT_FLAG_THRESHOLDS):
    """The headline sentences, in the order a clinician reads them, by the flags' ``marks``."""
    return [
        pain_headline(summary["pain"]),
        sleep_headline(summary["sleep"], marks),
        sleep_pain_headline(summary["sleep"]["pain_correlation"]),
        adherence_headline(summary["medications"], marks),
        mme_headline(summary["medications"]["mme"], summary["period"]["days"]),
    ]
