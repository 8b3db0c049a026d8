"""Diary records owned by one patient: pain entries, sleep entries, therapy sessions."""

from datetime import date, datetime

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..sync.models import DailyRecord, PatientRecord
from ..types import UTCDateTime


class PainEntry(DailyRecord, db.Model):
    __tablename__ = "pain_entries"
    # Covers the daily pain and last entry of every patient on the clinicians' list.
    day_index_covers = ("intensity", "recorded_at")

    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
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


class TherapySession(DailyRecord, db.Model):
    __tablename__ = "therapy_sessions"

    modality: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int]
    pain_before: Mapped[int | None]
    pain_after: Mapped[int | None]
    program: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)
