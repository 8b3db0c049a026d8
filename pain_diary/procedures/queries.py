"""What the summary reads of the patients' procedures: plain rows, one statement for many."""

from sqlalchemy import String, cast, select

from ..database import plain_rows
from .models import Procedure


def procedures_of_patients(patient_ids, first_day, last_day):
    """The patients' procedures of the local dates ``first_day``..``last_day``, oldest first.

    Rows of ``(patient_id, id, kind, performed_at, trial_ends_at, reported_relief_percent,
    level, body_sites)``, the patient id as text.
    """
    p = Procedure
    return plain_rows(
        select(cast(p.patient_id, String), p.id, p.kind, p.performed_at, p.trial_ends_at,
               p.reported_relief_percent, p.level, p.body_sites)
        .where(p.patient_id.in_(patient_ids), p.local_date >= first_day,
               p.local_date <= last_day)
        .order_by(p.performed_at),
        named=False,
    )  # fmt: skip
