"""The columns every synced record has, and the tombstones of deleted ones."""

import uuid
from datetime import date, datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..extensions import db
from ..types import UTCDateTime, user_reference, utcnow, uuid_primary_key


class PatientRecord:
    """Columns every synced record has: a client-creatable UUID, its owner and a version."""

    id: Mapped[uuid.UUID] = uuid_primary_key()
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    #: False where another index starts with ``patient_id`` (see :func:`patient_day_index`).
    patient_id_index = True

    @declared_attr
    def patient_id(cls) -> Mapped[uuid.UUID]:
        return user_reference(index=cls.patient_id_index)


class DailyRecord(PatientRecord):
    """A synced record of one of its patient's local days, found by patient and day."""

    patient_id_index = False
    #: Columns the patient-day index holds too, so a query of only them reads no table.
    day_index_covers = ()

    local_date: Mapped[date]

    @declared_attr.directive
    def __table_args__(cls):
        return (patient_day_index(cls.__tablename__, *cls.day_index_covers),)


def patient_day_index(table_name, *covered):
    """One index for a patient's records by local day: lists, summaries, the clinicians' list.

    It also serves every lookup by patient alone, so such a table needs no other index. The
    ``covered`` columns let a query that needs only them read the index and not the table.
    """
    return Index(f"ix_{table_name}_patient_day", "patient_id", "local_date", *covered)


class DeletedRecord(db.Model):
    """What is left of a deleted record: its id, so that a replayed PUT cannot bring it back.

    Keyed by id and collection: each collection checks only its own table for a taken id, so one
    UUID may live in two collections, and deleting it from one leaves the other untouched.
    """

    __tablename__ = "deleted_records"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    patient_id: Mapped[uuid.UUID] = user_reference()
    collection: Mapped[str] = mapped_column(String(40), primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
