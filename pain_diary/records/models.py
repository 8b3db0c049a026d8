"""Diary records owned by one patient, and the tombstones of deleted ones."""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow


class PatientRecord:
    """Columns every synced record has: a client-creatable UUID, its owner and a version."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    #: False where another index starts with ``patient_id`` (see :func:`patient_day_index`).
    patient_id_index = True

    @declared_attr
    def patient_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=cls.patient_id_index)


def patient_day_index(table_name, *covered):
    """One index for a patient's records by local day: lists, summaries, the clinicians' list.

    It also serves every lookup by patient alone, so such a table needs no other index. The
    ``covered`` columns let a query that needs only them read the index and not the table.
    """
    return Index(f"ix_{table_name}_patient_day", "patient_id", "local_date", *covered)


class PainEntry(PatientRecord, db.Model):
    __tablename__ = "pain_entries"
    # Covers the daily pain and last entry of every patient on the clinicians' list.
    __table_args__ = (patient_day_index(__tablename__, "intensity", "recorded_at"),)
    patient_id_index = False

    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[date]
    intensity: Mapped[int]
    body_sites: Mapped[list] = mapped_column(JSON, default=list)
    qualities: Mapped[list] = mapped_column(JSON, default=list)
    enjoyment_interference: Mapped[int | None]
    activity_interference: Mapped[int | None]
    tags: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)


class SleepEntry(PatientRecord, db.Model):
    """One night of the Consensus Sleep Diary (Carney 2012)."""

    __tablename__ = "sleep_entries"
    __table_args__ = (UniqueConstraint("patient_id", "night_of"),)  # also the patient's index
    patient_id_index = False

    night_of: Mapped[date]
    in_bed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tried_to_sleep_at: Mapped[datetime] = mapped_column(UTCDateTime)
    final_awakening_at: Mapped[datetime] = mapped_column(UTCDateTime)
    out_of_bed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sleep_latency_minutes: Mapped[int]
    wake_after_sleep_onset_minutes: Mapped[int]
    awakenings: Mapped[int | None]
    quality: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    time_in_bed_minutes: Mapped[int]
    total_sleep_minutes: Mapped[int]
    sleep_efficiency: Mapped[float]


class TherapySession(PatientRecord, db.Model):
    __tablename__ = "therapy_sessions"
    __table_args__ = (patient_day_index(__tablename__),)
    patient_id_index = False

    modality: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[date]
    duration_minutes: Mapped[int]
    pain_before: Mapped[int | None]
    pain_after: Mapped[int | None]
    program: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)


class DeletedRecord(db.Model):
    """What is left of a deleted record: its id, so that a replayed PUT cannot bring it back."""

    __tablename__ = "deleted_records"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    collection: Mapped[str] = mapped_column(String(40))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
