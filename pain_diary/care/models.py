"""Invitations, care links and audit events."""

import uuid
from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, user_reference, utcnow, uuid_primary_key


class Invitation(db.Model):
    """A single-use code a patient gives a clinician; only its hash is stored."""

    __tablename__ = "care_invitations"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    patient_id: Mapped[uuid.UUID] = user_reference()
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CareLink(db.Model):
    """A patient's consent for one clinician to read their diary, until either side revokes it."""

    __tablename__ = "care_links"
    __table_args__ = (Index("ix_care_links_clinician_active", "clinician_id", "revoked_at"),)

    id: Mapped[uuid.UUID] = uuid_primary_key()
    patient_id: Mapped[uuid.UUID] = user_reference()
    clinician_id: Mapped[uuid.UUID] = user_reference(index=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Named, not imported: care reaches accounts through its public functions, not its models.
    patient = relationship("User", foreign_keys=[patient_id], lazy="joined")
    clinician = relationship("User", foreign_keys=[clinician_id], lazy="joined")


class AuditEvent(db.Model):
    """One read of a patient's data by a clinician. Append-only: no API changes or deletes it.

    Ids are kept without foreign keys so the trail outlives the accounts it names. Each side
    lists its own events newest first (``GET /audit-events``): one index per side, in that order.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_actor_at", "actor_id", "at", "id"),
        Index("ix_audit_events_patient_at", "patient_id", "at", "id"),
    )

    id: Mapped[uuid.UUID] = uuid_primary_key()
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[uuid.UUID]
    patient_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(String(20))
    resource: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(10))
    ip: Mapped[str | None] = mapped_column(String(45))

    actor = relationship(
        "User", primaryjoin="foreign(AuditEvent.actor_id) == User.id", lazy="joined", viewonly=True
    )
