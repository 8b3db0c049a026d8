"""The clinician summary of DESIGN.md §4, assembled from the pure analytics."""

from datetime import UTC, datetime, timedelta

from .. import analytics
from ..analytics.adherence import medication_adherence
from ..analytics.mme import daily_mme, mme_summary
from ..errors import ApiError
from ..localtime import local_date

DEFAULT_DAYS = 30
MAX_DAYS = 366 * 5
#: The settings (README) behind each attention-flag threshold of DESIGN §4.
FLAG_SETTINGS = {
    "worsening_points": "FLAG_PAIN_WORSENING_POINTS",
    "worsening_percent": "FLAG_PAIN_WORSENING_PERCENT",
    "adherence_percent": "FLAG_LOW_ADHERENCE_PERCENT",
    "adherence_min_scheduled": "FLAG_LOW_ADHERENCE_MIN_SCHEDULED",
    "mme_warning": "FLAG_HIGH_MME_WARNING",
    "mme_alert": "FLAG_HIGH_MME_ALERT",
    "logging_gap_days": "FLAG_LOGGING_GAP_DAYS",
    "sleep_efficiency_percent": "FLAG_POOR_SLEEP_EFFICIENCY_PERCENT",
    "sleep_total_minutes": "FLAG_POOR_SLEEP_TOTAL_MINUTES",
}


def flag_thresholds(config):
    """The flag thresholds of the app's ``config``; a setting left out keeps the contract's."""
    return analytics.FlagThresholds(
        **{name: config[setting] for name, setting in FLAG_SETTINGS.items() if setting in config}
    )


def period(query, tz, now=None):
    """The summary period from ``from``/``to`` (local dates); default the last 30 days."""
    today = local_date(now or datetime.now(UTC), tz)
    last_day = query.get("to", today)
    first_day = query.get("from_", last_day - timedelta(days=DEFAULT_DAYS - 1))
    if first_day > last_day:
        raise ApiError(
            422, "The period ends before it starts.", fields={"to": ["Must not be before from."]}
        )
    if (last_day - first_day).days >= MAX_DAYS:
        raise ApiError(
            422,
            "The period is too long.",
            fields={"to": [f"A summary covers at most {MAX_DAYS} days."]},
        )
    return first_day, last_day


def build_summary(diary, now, record_types, thresholds=analytics.DEFAULT_FLAG_THRESHOLDS):
    """Every figure of the summary contract for ``diary``'s period, as of ``now``: a section per
    record type that declares one (its ``summary``), then what reads across them."""
    first_day, last_day, tz = diary.first_day, diary.last_day, diary.tz
    today = local_date(now, tz)
    daily = analytics.daily_pain(diary.pain)
    mme_by_day = daily_mme(diary.opioid_doses, tz)
    fortnight = fortnight_adherence(diary.plans, diary.doses, tz, last_day, now)
    sections = {
        kind.name: kind.summary.compute(diary, now) for kind in record_types if kind.summary
    }
    return {
        "period": {
            "from": first_day, "to": last_day, "days": (last_day - first_day).days + 1,
        },
        **sections,
        "notes": analytics.recent_notes(diary.notes, first_day, last_day),
        "completion": analytics.completion(
            diary.pain, first_day, last_day, today, diary.started_on
        ),
        "flags": attention_flags(
            daily, diary.sleep, fortnight, mme_by_day, last_day, diary.started_on, thresholds
        ),
    }  # fmt: skip


def fortnight_adherence(plans, doses, tz, last_day, now):
    """Adherence over the 14 days ending ``last_day``, the window of the low_adherence flag."""
    first_day = last_day - timedelta(days=2 * analytics.WINDOW_DAYS - 1)
    return medication_adherence(plans, doses, tz, first_day, last_day, now)


def attention_flags(daily, sleep, fortnight, mme_by_day, last_day, diary_start, thresholds):
    """The flags of DESIGN §4 as of ``last_day``: the summary's and the dashboard's alike."""
    week_mme = mme_summary(
        mme_by_day, last_day - timedelta(days=analytics.WINDOW_DAYS - 1), last_day
    )
    return analytics.flags(
        daily, last_day, sleep,
        adherence_14d_percent=fortnight["adherence_percent"],
        scheduled_14d=sum(item["scheduled"] for item in fortnight["items"]),
        mme_7d_average=week_mme["average_daily"],
        mme_7d_on_opioid_days=week_mme["average_on_opioid_days"],
        mme_7d_opioid_days=week_mme["days_with_opioid"],
        diary_start=diary_start, thresholds=thresholds,
    )  # fmt: skip
