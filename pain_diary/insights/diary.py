"""Patients' diaries as the plain data the analytics work on: one patient's, or a clinic's.

One loader serves the summary, the charts, the printable page and the clinicians' list. It reads
each record type once for all the patients asked for (a subquery of their ids: one patient, or a
clinician's linked ones), whatever their number, and sorts the rows into a :class:`Diary` per
patient. Plain rows, not ORM objects: a two-year diary is thousands of them, a clinic's list
tens of thousands. A record type outside the built-in four reads its own (its ``load`` part).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, Uuid, cast, literal, select

from ..accounts.queries import with_user_fields
from ..analytics import (
    NOTES_COUNT,
    WINDOW_DAYS,
    PainPoint,
    PatientNote,
    SleepNight,
    TherapyPoint,
)
from ..analytics.adherence import DoseRecord, MedicationPlan
from ..analytics.mme import FENTANYL_PATCH_DAYS, TakenOpioidDose, is_opioid
from ..database import plain_rows
from ..localtime import day_bounds, local_date
from ..medications import queries as medications
from ..records import queries as records
from ..sync.registry import registry
from .notes import notes_of_patients

#: Flags look back 21 days (the last 7 against the 14 before) from the period's end.
FLAG_LOOKBACK = timedelta(days=20)
#: The low_adherence flag's fortnight, and a day more: a dose is filed on the local date it was
#: taken or skipped, which may be a day off the date it was due.
FORTNIGHT_DOSE_DAYS = 2 * WINDOW_DAYS + 1
#: The high_mme flag's week, and the days before it whose fentanyl patches still count in it.
MME_DAYS = WINDOW_DAYS + FENTANYL_PATCH_DAYS - 1
_ONE_DAY = timedelta(days=1)
_UNLISTED = (None, None, None, None)


@dataclass(slots=True)
class Diary:
    """What a summary, chart or list row of ``first_day``..``last_day`` needs, and no rows:
    only the parts asked for are filled in, the others stay empty."""

    tz: ZoneInfo
    first_day: date
    last_day: date
    pain: list[PainPoint] = field(default_factory=list)
    #: Daily pain by local day, in order (the part ``daily_pain``, read without the entries):
    #: Σ intensity / entries of the day, exactly the ``statistics.fmean`` of
    #: :func:`analytics.daily_pain`, since the sum of integers is exact.
    daily_pain: dict[date, float] = field(default_factory=dict)
    #: When the patient last recorded pain, however long ago (with ``daily_pain``).
    last_entry_at: datetime | None = None
    sleep: list[SleepNight] = field(default_factory=list)
    therapy: list[TherapyPoint] = field(default_factory=list)
    #: The medications by name as plain rows (medications.queries): a regimen's words.
    medications: list = field(default_factory=list)
    #: Plans and doses name a medication by its ``id`` in ``medications``.
    plans: list[MedicationPlan] = field(default_factory=list)
    doses: list[DoseRecord] = field(default_factory=list)
    opioid_doses: list[TakenOpioidDose] = field(default_factory=list)
    #: The period's latest notes of each collection (never logged: they are health data).
    notes: list[PatientNote] = field(default_factory=list)
    #: The diary's first local day: the earlier of the account's creation and the first entry.
    started_on: date | None = None
    #: Why the analytics cannot read this patient's records (a medication's schedule), or None.
    failure: Exception | None = None
    #: What each record type's ``load`` part read, by its name; the days its ``marks`` name.
    records: dict = field(default_factory=dict)
    marks: list = field(default_factory=list)


#: The parts of a summary read here; a chart asks for fewer (``daily_pain`` is the list's).
PARTS = frozenset({"pain", "sleep", "therapy", "medications", "notes", "started_on"})


def summary_parts():
    """Every part of a summary: those read here and each declared loader's record type."""
    return PARTS | {kind.name for kind in registry().record_types.values() if kind.load}


def load_diary(patient, first_day, last_day, parts=None):
    """The patient's diary of the period, with what its summary (and flags) use.

    ``parts`` narrows it for a chart. A medication schedule that cannot be read raises here.
    """
    parts = summary_parts() if parts is None else parts
    diary = Diary(patient.tz, first_day, last_day)
    patient_ids = select(literal(patient.id, Uuid).label("patient_id"))
    _load(patient_ids, lambda key: diary, [diary], parts, flags_only=False)
    if diary.failure is not None:
        raise diary.failure
    return diary


def load_diaries(patient_ids, diaries, parts, *, flags_only=False):
    """Fill in ``diaries`` (a :class:`Diary` by patient id as text) with ``parts`` of the records.

    ``patient_ids`` is a select of ``patient_id`` (a subquery: the links of a clinician, say)
    naming the patients of ``diaries`` (rows of anyone else are left out), each in their own
    timezone and period. Each record type is one statement for them all. With ``flags_only``,
    sleep and doses are read only over the days the flags as of ``last_day`` look at (the last
    7 nights, the fortnight's doses, the week's opioid doses), pain over the whole period still:
    the logging gap counts back over it. A medication schedule that cannot be read becomes its
    patient's ``failure``, not an exception: it costs that patient's figures alone.
    """
    if diaries:
        _load(patient_ids, diaries.get, list(diaries.values()), parts, flags_only)
    return diaries


def _load(patient_ids, diary_of, diaries, parts, flags_only):
    """Read ``parts`` for ``diaries``; ``diary_of(key)`` is a row's diary, None for nobody's."""
    if "started_on" in parts or "daily_pain" in parts:
        # A day more: a later entry may bear an earlier local date when the patient moved west.
        since = span(diaries, _summary_days)[0] - _ONE_DAY
        _per_patient(patient_ids, diary_of, parts, since)
    if "pain" in parts:
        _pain(patient_ids, diary_of, diaries)
    if "daily_pain" in parts:
        _daily_pain(patient_ids, diary_of, diaries)
    if "sleep" in parts:
        _sleep(patient_ids, diary_of, diaries, _last_nights if flags_only else _summary_days)
    if "therapy" in parts:
        _therapy(patient_ids, diary_of, diaries)
    if "medications" in parts:
        _medications(patient_ids, diary_of, diaries, flags_only)
    if "notes" in parts:
        _notes(patient_ids, diary_of, diaries)
    for kind in registry().record_types.values():
        if kind.load and kind.name in parts:
            kind.load(patient_ids, diary_of, diaries)


# What each part reads of a diary, as ``(first, last)`` local days.


def _summary_days(diary):
    """The period, and the 21 days the flags look back if longer: a summary's pain and sleep."""
    return min(diary.first_day, diary.last_day - FLAG_LOOKBACK), diary.last_day


def _period(diary):
    return diary.first_day, diary.last_day


def _last_nights(diary):
    """The poor_sleep flag's 7 nights."""
    return diary.last_day - timedelta(days=WINDOW_DAYS - 1), diary.last_day


def _dose_days(diary):
    """A summary's dose events: a fentanyl patch applied before the period still counts in it,
    and a dose due on the last day may be filed on the day after."""
    first_day = _summary_days(diary)[0] - timedelta(days=FENTANYL_PATCH_DAYS)
    return first_day, diary.last_day + _ONE_DAY


def _fortnight_doses(diary):
    """The dose events of the low_adherence flag's fortnight (which hold the high_mme week's)."""
    return diary.last_day - timedelta(days=FORTNIGHT_DOSE_DAYS - 1), diary.last_day + _ONE_DAY


def span(diaries, days):
    """The local days that hold ``days(diary)`` of each diary: what one statement reads."""
    firsts, lasts = zip(*map(days, diaries), strict=True)
    return min(firsts), max(lasts)


def by_patient(rows, diary_of, days):
    """``(diary, first, last, rows)`` for each patient's rows, keyed by their first column (the
    patient id as text): a declared loader sorts its rows with it too."""
    split = defaultdict(list)
    for row in rows:
        split[row[0]].append(row)
    for key, patient_rows in split.items():
        if (diary := diary_of(key)) is not None:
            yield diary, *days(diary), patient_rows


def _per_patient(patient_ids, diary_of, parts, since):
    """``started_on``, and (for ``daily_pain``) the last entry: one index look-up per patient.

    The last entry is looked for from ``since`` on first: only a patient quiet since then has
    their whole history read.
    """
    ids = patient_ids.subquery()
    columns = []
    if "started_on" in parts:
        columns.append(records.first_pain_day_column)
    if "daily_pain" in parts:
        columns.append(lambda patient_id: records.last_pain_entry_column(patient_id, since))
    statement = with_user_fields(
        select(cast(ids.c.patient_id, String).label("key")), ids.c.patient_id, *columns
    )
    for row in plain_rows(statement):
        if (diary := diary_of(row.key)) is None:
            continue
        if "started_on" in parts:
            created = local_date(row.created_at, diary.tz)
            first_entry = row.first_pain_day
            diary.started_on = created if first_entry is None else min(created, first_entry)
        if "daily_pain" in parts:
            diary.last_entry_at = row.last_pain_at


def _pain(patient_ids, diary_of, diaries):
    rows = records.pain_entries_of_patients(patient_ids, *span(diaries, _summary_days))
    for diary, first, last, entries in by_patient(rows, diary_of, _summary_days):
        diary.pain = [
            PainPoint(day, intensity, recorded_at, created_at, enjoyment, activity,
                      tuple(site["site"] for site in sites), tuple(qualities))
            for _, day, intensity, recorded_at, created_at, enjoyment, activity, sites, qualities
            in entries
            if first <= day <= last
        ]  # fmt: skip


def _daily_pain(patient_ids, diary_of, diaries):
    rows = records.daily_pain_of_patients(patient_ids, *span(diaries, _summary_days))
    for diary, first, last, days in by_patient(rows, diary_of, _summary_days):
        # The days come in order; each patient's own only, for the logging gap counts back
        # over them.
        diary.daily_pain = {
            day: total / entries for _, day, total, entries in days if first <= day <= last
        }


def _sleep(patient_ids, diary_of, diaries, nights):
    rows = records.nights_of_patients(patient_ids, *span(diaries, nights))
    for diary, first, last, entries in by_patient(rows, diary_of, nights):
        diary.sleep = [
            SleepNight(night_of, total, efficiency, latency, waso, quality)
            for _, night_of, total, efficiency, latency, waso, quality in entries
            if first <= night_of <= last
        ]


def _therapy(patient_ids, diary_of, diaries):
    rows = records.therapy_sessions_of_patients(patient_ids, *span(diaries, _period))
    for diary, first, last, sessions in by_patient(rows, diary_of, _period):
        diary.therapy = [
            TherapyPoint(*session) for _, day, *session in sessions if first <= day <= last
        ]


def _notes(patient_ids, diary_of, diaries):
    noted = registry().parts("notes")
    rows = notes_of_patients(patient_ids, *span(diaries, _period), NOTES_COUNT, noted)
    for diary, first, last, notes in by_patient(rows, diary_of, _period):
        diary.notes = [PatientNote(*note) for _, *note in notes if first <= note[0] <= last]


def _medications(patient_ids, diary_of, diaries, flags_only):
    """The medications, their plans, and the doses of them; for the flags, only theirs.

    A dose goes to its medication's patient, under the medication's id: the UUID a summary
    shows, or for the flags alone its text (see ``text_ids`` of the query). Doses are not
    filtered by their diary's days: adherence picks each dose it counts by the instant it was
    due, however many days it was filed off that.
    """
    # medication key -> its diary, id, ingredient if an opioid, and the MME week's start
    owners = {}
    rows = medications.medications_of_patients(patient_ids, text_ids=flags_only)
    for diary, _, _, prescribed in by_patient(rows, diary_of, _period):
        diary.medications = prescribed
        try:
            diary.plans = medications.medication_plans(prescribed)
        except Exception as error:  # a schedule the analytics cannot read: this patient's only
            diary.failure = error
        # An instant, not a stored local date: MME places doses in the patient's timezone now.
        mme_from = _mme_week_start(diary) if flags_only else None
        for medication in prescribed:
            opioid = medication.ingredient if is_opioid(medication.ingredient) else None
            owners[medication.key] = (diary, medication.id, opioid, mme_from)
    if not owners:
        return
    days = _fortnight_doses if flags_only else _dose_days
    doses = medications.dose_events_of_patients(patient_ids, *span(diaries, days))
    for medication_key, status, scheduled_for, taken_at, amount, unit in doses:
        diary, medication_id, opioid, mme_from = owners.get(medication_key, _UNLISTED)
        if diary is None:
            continue
        # The flags count scheduled doses only; a summary also lists the as-needed ones.
        if scheduled_for is not None or not flags_only:
            diary.doses.append(DoseRecord(medication_id, status, scheduled_for, taken_at))
        if opioid and status == "taken" and (mme_from is None or taken_at >= mme_from):
            diary.opioid_doses.append(TakenOpioidDose(opioid, amount, unit, taken_at))


def _mme_week_start(diary):
    return day_bounds(diary.last_day - timedelta(days=MME_DAYS - 1), diary.tz)[0]
