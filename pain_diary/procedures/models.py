"""A procedure done to the patient on one day (DESIGN §3)."""

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..sync.models import DailyRecord
from ..types import UTCDateTime


class Procedure(DailyRecord, db.Model):
    __tablename__ = "procedures"

    kind: Mapped[str] = mapped_column(String(40))
    performed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The end of a stimulator trial (``scs_trial`` only).
    trial_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    body_sites: Mapped[list] = mapped_column(JSON, default=list)
    level: Mapped[str | None] = mapped_column(String(40))
    provider: Mapped[str | None] = mapped_column(String(120))
    reported_relief_percent: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
