"""The notes a summary quotes ("In the patient's words"), of every collection declared noted.

A record type names its noted collections (sync.registry.Noted): the instant a note belongs to
(a night's is its end, as History dates it) and the local date that places it in a period.
"""

from sqlalchemy import String, cast, func, select

from ..database import plain_rows

_BLANKS = " \t\r\n\f\v"


def notes_of_patients(patient_ids, first_day, last_day, count, noted):
    """Each patient's ``count`` latest notes of each ``noted`` collection of the days given.

    Rows of ``(patient_id, local_date, recorded_at, kind, text)``, ``kind`` the collection;
    notes of only blanks are left out. One statement per collection: each patient's notes are
    ranked newest first, and the first ``count`` kept. Notes are health data: never log them.
    """
    rows = []
    for source in noted:
        model = source.collection.model
        instant = getattr(model, source.instant)
        day = getattr(model, source.collection.date_column)
        newest_first = func.row_number().over(
            partition_by=model.patient_id, order_by=instant.desc()
        )
        ranked = (
            select(
                cast(model.patient_id, String).label("patient_id"),
                day.label("local_date"),
                instant.label("at"),
                model.note,
                newest_first.label("rank"),
            )
            .where(
                model.patient_id.in_(patient_ids),
                day >= first_day,
                day <= last_day,
                func.rtrim(model.note, _BLANKS) != "",
            )
            .subquery()
        )
        latest = plain_rows(
            select(ranked.c.patient_id, ranked.c.local_date, ranked.c.at, ranked.c.note).where(
                ranked.c.rank <= count
            ),
            named=False,
        )
        kind = source.collection.name
        rows += [(patient, local_date, at, kind, text) for patient, local_date, at, text in latest]
    return rows
