"""A procedure done to the patient on one day (DESIGN §3)."""

from datetime import date, datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..sync.models import PatientRecord, patient_day_index
from ..types import UTCDateTime


class Procedure(PatientRecord, db.Model):
    __tablename__ = "procedures"
    __table_args__ = (patient_day_index(__tablename__),)
    patient_id_index = False

    kind: Mapped[str] = mapped_column(String(40))
    performed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[date]
    #: The end of a stimulator trial (``scs_trial`` only).
    trial_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    body_sites: Mapped[list] = mapped_column(JSON, default=list)
    level: Mapped[str | None] = mapped_column(String(40))
    provider: Mapped[str | None] = mapped_column(String(120))
    reported_relief_percent: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
