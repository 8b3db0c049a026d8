"""Activity days, and the imports that write them (DESIGN §3)."""

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..sync.models import PatientRecord
from ..types import UTCDateTime, user_reference, utcnow, uuid_primary_key


class ActivityDay(PatientRecord, db.Model):
    """One local day's steps and active minutes from one source."""

    __tablename__ = "activity_days"
    # One per patient, day and source; also the patient's index, by day.
    __table_args__ = (UniqueConstraint("patient_id", "date", "source"),)
    patient_id_index = False

    date: Mapped[date]
    source: Mapped[str] = mapped_column(String(20))
    steps: Mapped[int | None]
    active_minutes: Mapped[int | None]
    #: The import that wrote it, or None for a day typed by hand.
    import_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("activity_imports.id", ondelete="SET NULL")
    )


class ActivityImport(db.Model):
    """An export a patient uploaded, parsed by the worker process (never in a web request)."""

    __tablename__ = "activity_imports"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    patient_id: Mapped[uuid.UUID] = user_reference()
    #: queued, running, done or failed.
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    #: apple_health_zip, apple_health_xml, google_fit_csv or csv, once recognised.
    format: Mapped[str | None] = mapped_column(String(20))
    filename: Mapped[str | None] = mapped_column(String(255))
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_read: Mapped[int] = mapped_column(BigInteger, default=0)
    days_written: Mapped[int | None]
    #: The sources the file named ("iPhone", "Apple Watch"), for the result in words.
    devices: Mapped[list | None] = mapped_column(db.JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ActivityImportChunk(db.Model):
    """A piece of an upload, kept in the database so that the worker reads it from any machine;
    deleted once the import is parsed."""

    __tablename__ = "activity_import_chunks"

    import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("activity_imports.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
