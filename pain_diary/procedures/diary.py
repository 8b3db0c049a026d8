"""The procedures part of patients' diaries: each procedure of the year up to the period's end,
and the pain entries its response is measured on (DESIGN §4 Procedures)."""

from datetime import timedelta
from typing import NamedTuple

from ..analytics import PainPoint
from ..analytics.procedures import PROCEDURE_DAYS, ProcedurePoint
from ..insights.diary import by_patient, span
from ..localtime import local_date
from ..records import queries as records
from .queries import procedures_of_patients

#: The baseline's days before a procedure; a day more on each side for a patient who moved
#: timezone since (a stored local date may be a day off the one in today's zone).
BASELINE_DAYS = 14
_MARGIN = timedelta(days=1)


class ProcedureDiary(NamedTuple):
    procedures: list[ProcedurePoint]
    #: The pain entries from the earliest baseline to the period's end.
    pain: list[PainPoint]


def _listed(diary):
    """The local days whose procedures a summary lists: the year up to the period's end."""
    return diary.last_day - timedelta(days=PROCEDURE_DAYS - 1) - _MARGIN, diary.last_day + _MARGIN


def load(patient_ids, diary_of, diaries):
    """Each diary's procedures and, for a patient with some, the pain entries that measure them
    (from the earliest one's baseline on): a statement for the procedures, one for the pain."""
    for diary in diaries:
        diary.records["procedures"] = ProcedureDiary([], [])
    rows = procedures_of_patients(patient_ids, *span(diaries, _listed))
    baselines = {}  # id(diary) -> the first local day of its pain entries read
    for diary, _, _, found in by_patient(rows, diary_of, _listed):
        procedures = diary.records["procedures"].procedures
        procedures.extend(ProcedurePoint(*row[1:]) for row in found)
        first = min(local_date(procedure.performed_at, diary.tz) for procedure in procedures)
        baselines[id(diary)] = first - timedelta(days=BASELINE_DAYS) - _MARGIN
    if not baselines:
        return

    def measured(diary):
        return baselines.get(id(diary), diary.last_day), diary.last_day

    wanted = [diary for diary in diaries if id(diary) in baselines]
    rows = records.pain_entries_of_patients(patient_ids, *span(wanted, measured))
    for diary, first, last, entries in by_patient(rows, diary_of, measured):
        if id(diary) in baselines:
            diary.records["procedures"].pain.extend(
                PainPoint(day, intensity, recorded_at, created_at)
                for _, day, intensity, recorded_at, created_at, *_ in entries
                if first <= day <= last
            )
