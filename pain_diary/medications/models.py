"""Medications a patient takes and the dose events they log."""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..sync.models import DailyRecord, PatientRecord, patient_day_index
from ..types import UTCDateTime


class Medication(PatientRecord, db.Model):
    __tablename__ = "medications"

    name: Mapped[str] = mapped_column(String(120))
    ingredient: Mapped[str | None] = mapped_column(String(80))
    rxnorm_code: Mapped[str | None] = mapped_column(String(12))
    dose_amount: Mapped[float] = mapped_column(Float)
    dose_unit: Mapped[str] = mapped_column(String(20))
    route: Mapped[str | None] = mapped_column(String(20))
    #: {"times": ["08:00"], "days_of_week": [0, 1, ...] or None}; None when taken as needed.
    schedule: Mapped[dict | None] = mapped_column(JSON)
    as_needed: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)


class DoseEvent(DailyRecord, db.Model):
    """A dose taken or skipped; a scheduled one names the due instant it answers."""

    __tablename__ = "medication_doses"
    __table_args__ = (
        UniqueConstraint("medication_id", "scheduled_for"),
        patient_day_index(__tablename__),
    )

    medication_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("medications.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10))
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amount: Mapped[float] = mapped_column(Float)
    dose_unit: Mapped[str] = mapped_column(String(20))
    skip_reason: Mapped[str | None] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
