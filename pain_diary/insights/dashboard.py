"""The clinician's patient list, alerts first, in a fixed number of queries.

Each record type is read once for all linked patients, whatever their number (the links are a
subquery, not a list of ids); the rows are then split by patient and handed to the same pure
functions as the summary. A row therefore agrees with the patient's default summary
(the last 30 days up to today): ``pain_7d_mean`` is its ``recent_mean`` (>= 3 logged days),
``pain_change_percent`` the comparison of its ``pain_worsening`` flag
(:data:`analytics.RECENT_VS_PRIOR`, whose words the clinic's card shows beside it),
``adherence_percent`` the 14-day figure of its ``low_adherence`` flag, and the flags are its flags.

The loading only sorts rows by patient; everything computed from one patient's rows happens in
:func:`_row`, so that one patient's bad data costs their figures alone (:data:`UNAVAILABLE`).
"""

import logging
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from .. import analytics
from ..analytics import WINDOW_DAYS, SleepNight
from ..analytics.adherence import DoseRecord
from ..analytics.mme import FENTANYL_PATCH_DAYS, TakenOpioidDose, daily_mme, is_opioid
from ..care.access import audit
from ..care.queries import active_links, linked_patients_query
from ..localtime import day_bounds, local_date
from ..medications.queries import (
    dose_events_of_patients,
    medication_plans,
    medications_of_patients,
)
from ..records.queries import (
    daily_pain_of_patients,
    first_pain_day_column,
    last_pain_entries,
    nights_of_patients,
)
from .summary import DEFAULT_DAYS, attention_flags, fortnight_adherence

log = logging.getLogger(__name__)

# Read as far back as the default summary does, so that even ``logging_gap`` ("no pain entry in
# the last N days") says the same N; the flags themselves look at the last 21 days.
PAIN_DAYS = DEFAULT_DAYS
ADHERENCE_DAYS = 2 * WINDOW_DAYS
# A dose is stored on the local day it was taken, which may be a day off its schedule.
DOSE_DAYS = ADHERENCE_DAYS + 1
# The high_mme flag's week, and the days before it whose fentanyl patches still count in it.
MME_DAYS = WINDOW_DAYS + FENTANYL_PATCH_DAYS - 1
_RANK = {analytics.ALERT: 0, analytics.WARNING: 1}
_NO_FLAG = len(_RANK)
_NEVER = datetime.min.replace(tzinfo=UTC)
_UNLISTED = (None, None)
#: The only flag of a patient whose figures could not be computed; the figures are then null.
UNAVAILABLE = {
    "code": "figures_unavailable",
    "severity": analytics.WARNING,
    "message": "This patient's figures could not be computed from their records",
}


@dataclass
class _Patient:
    """One linked patient's recent diary, as the plain data the analytics take."""

    link_id: uuid.UUID
    patient_id: uuid.UUID
    display_name: str
    tz: ZoneInfo
    today: date
    diary_start: date | None = None
    last_entry_at: datetime | None = None
    daily_pain: dict[date, float] = field(default_factory=dict)
    sleep: list[SleepNight] = field(default_factory=list)
    medications: list = field(default_factory=list)
    doses: list[DoseRecord] = field(default_factory=list)
    opioid_doses: list[TakenOpioidDose] = field(default_factory=list)

    def __post_init__(self):
        self.pain_since = self.today - timedelta(days=PAIN_DAYS - 1)
        # An instant, not a stored local date: MME places doses in the patient's timezone of now.
        self.mme_from = day_bounds(self.today - timedelta(days=MME_DAYS - 1), self.tz)[0]


def rows(clinician, now, thresholds=analytics.DEFAULT_FLAG_THRESHOLDS):
    """One row per linked patient; audits one read per patient in one statement."""
    patients = _linked_patients(clinician.id, now)
    if patients:
        _load_diaries(clinician.id, patients)
    listed = sorted(
        (_row_or_unavailable(patient, now, thresholds) for patient in patients.values()),
        key=_attention,
    )
    audit([row["patient_id"] for row in listed], "patients")
    return listed


def _row_or_unavailable(patient, now, thresholds):
    """The patient's row; if their records break a computation, a row saying so, and a log."""
    try:
        return _row(patient, now, thresholds)
    except Exception as error:  # whatever it is, the other patients' rows must still show
        # The kind and the frames only: a message can quote health data (DESIGN §6).
        frames = "".join(traceback.format_tb(error.__traceback__))
        log.error("patient list: a row failed with %s\n%s", type(error).__name__, frames)
        return {
            **_identity(patient),
            "pain_7d_mean": None, "pain_change_percent": None, "adherence_percent": None,
            "flags": [UNAVAILABLE],
        }  # fmt: skip


def _identity(patient):
    return {
        "patient_id": patient.patient_id,
        "display_name": patient.display_name,
        "link_id": patient.link_id,
        "last_entry_at": patient.last_entry_at,
    }


def _linked_patients(clinician_id, now):
    """The patients of the clinician's active links, by their id as text."""
    # One index lookup per patient, inside the one statement (see insights.diary.diary_start).
    patients = {}
    for link in active_links(clinician_id, first_pain_day_column):
        if link.key in patients:
            continue  # two active links to one patient (redeemed concurrently): the first
        tz = ZoneInfo(link.timezone)
        patient = _Patient(
            link.link_id, link.patient_id, link.display_name, tz, local_date(now, tz)
        )
        first_day = link.first_pain_day or patient.today
        patient.diary_start = min(local_date(link.created_at, tz), first_day)
        patients[link.key] = patient
    return patients


def _load_diaries(clinician_id, patients):
    """Fill in every patient's recent records with one query per record type."""
    linked = linked_patients_query(clinician_id)
    # Patients live in different timezones: read from the earliest "today" back, filter each.
    first_today = min(patient.today for patient in patients.values())
    last_today = max(patient.today for patient in patients.values())

    def since(days):
        return first_today - timedelta(days=days - 1)

    # One query gives daily pain and, for all but the patients quiet for a month, the last entry.
    # A day more: a later entry may bear an earlier local date when the patient moved west.
    # The reads of every patient's rows unpack tuples: names would cost a sixth of the list's time.
    for key, day, total, entries, last_at in daily_pain_of_patients(linked, since(PAIN_DAYS + 1)):
        if (patient := patients.get(key)) is None:
            continue
        patient.last_entry_at = max(patient.last_entry_at or last_at, last_at)
        if patient.pain_since <= day <= patient.today:
            # Σ/n of integers: exactly the summary's statistics.fmean of the day's intensities.
            patient.daily_pain[day] = total / entries
    # Only the quiet ones' whole history is read (named in a list: they are few).
    quiet = [patient.patient_id for patient in patients.values() if not patient.last_entry_at]
    for key, last_at in last_pain_entries(quiet):
        patients[key].last_entry_at = last_at

    # The flags pick each patient's last 7 nights out of these.
    for key, *night in nights_of_patients(linked, since(WINDOW_DAYS), last_today):
        if patient := patients.get(key):
            patient.sleep.append(SleepNight(*night))

    # Plans and doses name a medication by its id as text too: adherence only matches the two.
    medications = {}  # id -> its patient, and its ingredient if an opioid
    for medication in medications_of_patients(linked):
        if patient := patients.get(medication.patient_id):
            patient.medications.append(medication)
            opioid = medication.ingredient if is_opioid(medication.ingredient) else None
            medications[medication.id] = (patient, opioid)

    # Adherence picks the fortnight's scheduled doses out of these, MME the week's taken ones.
    doses = dose_events_of_patients(linked, since(DOSE_DAYS), last_today + timedelta(days=1))
    for medication_id, status, scheduled_for, taken_at, amount, unit in doses:
        patient, opioid = medications.get(medication_id, _UNLISTED)
        if patient is None:
            continue
        if scheduled_for is not None:
            patient.doses.append(DoseRecord(medication_id, status, scheduled_for, taken_at))
        if opioid and status == "taken":
            patient.opioid_doses.append(TakenOpioidDose(opioid, amount, unit, taken_at))


def _row(patient, now, thresholds):
    """The dashboard figures of one patient, from the summary's own functions."""
    today, tz = patient.today, patient.tz
    daily = dict(sorted(patient.daily_pain.items()))  # as analytics.daily_pain has it
    # The pain_worsening flag's comparison, which the clinic's card names by its words.
    pain = analytics.recent_pain_change(daily, today, comparison=analytics.RECENT_VS_PRIOR)
    plans = medication_plans(patient.medications)
    fortnight = fortnight_adherence(plans, patient.doses, tz, today, now)
    week = [dose for dose in patient.opioid_doses if dose.taken_at >= patient.mme_from]
    mme_by_day = daily_mme(week, tz)
    return {
        **_identity(patient),
        "pain_7d_mean": pain.recent_mean,
        "pain_change_percent": analytics.round1(pain.change_percent),
        "adherence_percent": fortnight["adherence_percent"],
        "flags": attention_flags(
            daily, patient.sleep, fortnight, mme_by_day, today, patient.diary_start, thresholds
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
