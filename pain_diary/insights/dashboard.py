"""The clinician's patient list, alerts first, in a fixed number of queries.

Each record type is read once for all linked patients, whatever their number (the links are a
subquery, not a list of ids), by the summary's loader; each patient's diary then goes to the
same pure functions as the summary. A row therefore agrees with the patient's default summary
(the last 30 days up to today): ``pain_7d_mean`` is its ``recent_mean`` (>= 3 logged days),
``pain_change_percent`` the comparison of its ``pain_worsening`` flag
(:data:`analytics.RECENT_VS_PRIOR`, whose words the clinic's card shows beside it),
``adherence_percent`` the 14-day figure of its ``low_adherence`` flag, and the flags are its flags.

The loading (:func:`insights.diary.load_diaries`, the summary's own loader) only sorts rows into
a diary per patient; everything computed from one patient's diary happens in :func:`_row`, so
that one patient's bad data costs their figures alone (:data:`UNAVAILABLE`).
"""

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .. import analytics
from ..analytics.mme import daily_mme
from ..care.access import audit
from ..care.queries import active_links, linked_patients_query
from ..errors import kind_and_frames
from ..localtime import local_date
from .diary import Diary, load_diaries
from .summary import DEFAULT_DAYS, attention_flags, fortnight_adherence

log = logging.getLogger(__name__)

#: What a row reads: daily pain (not the entries), the last 7 nights, the fortnight's doses.
ROW_PARTS = frozenset({"daily_pain", "sleep", "medications", "started_on"})
_RANK = {analytics.ALERT: 0, analytics.WARNING: 1}
_NO_FLAG = len(_RANK)
_NEVER = datetime.min.replace(tzinfo=UTC)
#: The only flag of a patient whose figures could not be computed; the figures are then null.
UNAVAILABLE = {
    "code": "figures_unavailable",
    "severity": analytics.WARNING,
    "message": "This patient's figures could not be computed from their records",
}


def rows(clinician, now, thresholds=analytics.DEFAULT_FLAG_THRESHOLDS):
    """One row per linked patient; audits one read per patient in one statement."""
    links, diaries = _linked_patients(clinician.id, now)
    # The period of the default summary, so that even logging_gap ("no pain entry in the last
    # N days") says the same N; the other flags look at the last 21 days of it.
    load_diaries(linked_patients_query(clinician.id), diaries, ROW_PARTS, flags_only=True)
    listed = sorted(
        (_row_or_unavailable(links[key], diary, now, thresholds) for key, diary in diaries.items()),
        key=_attention,
    )
    audit([row["patient_id"] for row in listed], "patients")
    return listed


def _linked_patients(clinician_id, now):
    """The clinician's active links and an empty diary of each patient, by their id as text."""
    links, diaries = {}, {}
    today_in = {}  # timezone name -> today there: a clinic's patients share a few
    for link in active_links(clinician_id):
        if link.key in links:
            continue  # two active links to one patient (redeemed concurrently): the first
        if (today := today_in.get(link.timezone)) is None:
            today = today_in[link.timezone] = local_date(now, ZoneInfo(link.timezone))
        links[link.key] = link
        first_day = today - timedelta(days=DEFAULT_DAYS - 1)
        diaries[link.key] = Diary(ZoneInfo(link.timezone), first_day, today)
    return links, diaries


def _row_or_unavailable(link, diary, now, thresholds):
    """The patient's row; if their records break a computation, a row saying so, and a log."""
    try:
        return _row(link, diary, now, thresholds)
    except Exception as error:  # whatever it is, the other patients' rows must still show
        log.error("patient list: a row failed with %s\n%s", *kind_and_frames(error))
        return {
            **_identity(link, diary),
            "pain_7d_mean": None, "pain_change_percent": None, "adherence_percent": None,
            "flags": [UNAVAILABLE],
        }  # fmt: skip


def _identity(link, diary):
    return {
        "patient_id": link.patient_id,
        "display_name": link.display_name,
        "link_id": link.link_id,
        "last_entry_at": diary.last_entry_at,
    }


def _row(link, diary, now, thresholds):
    """The dashboard figures of one patient, from the summary's own functions."""
    if diary.failure is not None:
        raise diary.failure
    today, tz, daily = diary.last_day, diary.tz, diary.daily_pain
    # The pain_worsening flag's comparison, which the clinic's card names by its words.
    pain = analytics.recent_pain_change(daily, today, comparison=analytics.RECENT_VS_PRIOR)
    fortnight = fortnight_adherence(diary.plans, diary.doses, tz, today, now)
    mme_by_day = daily_mme(diary.opioid_doses, tz)
    return {
        **_identity(link, diary),
        "pain_7d_mean": pain.recent_mean,
        "pain_change_percent": analytics.round1(pain.change_percent),
        "adherence_percent": fortnight["adherence_percent"],
        "flags": attention_flags(
            daily, diary.sleep, fortnight, mme_by_day, today, diary.started_on, thresholds
        ),
    }  # fmt: skip


def _attention(row):
    """Alerts, then warnings, then the rest; within each, most flags, then the longest silent.

    A patient who never logged has been silent longest. Name and id only make the order stable.
    """
    flags = row["flags"]
    last_entry_at = row["last_entry_at"]
    return (
        min((_RANK[flag["severity"]] for flag in flags), default=_NO_FLAG),
        -len(flags),
        last_entry_at or _NEVER,
        row["display_name"].casefold(),
        str(row["patient_id"]),
    )
