"""The activity part of patients' diaries: each source's figures of the period's days."""

from ..analytics.activity import ActivityRecord
from ..insights.diary import by_patient, span
from .queries import activity_of_patients


def _period(diary):
    return diary.first_day, diary.last_day


def load(patient_ids, diary_of, diaries):
    """Each diary's activity records of its period: one statement for every patient."""
    for diary in diaries:
        diary.records["activity"] = []
    rows = activity_of_patients(patient_ids, *span(diaries, _period))
    for diary, first, last, found in by_patient(rows, diary_of, _period):
        diary.records["activity"].extend(
            ActivityRecord(*row[1:]) for row in found if first <= row[1] <= last
        )
