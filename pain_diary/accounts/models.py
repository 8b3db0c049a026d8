"""Users, their server-side sessions and their personal API tokens."""

import secrets
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..hashing import hash_secret
from ..types import UTCDateTime, user_reference, utcnow, uuid_primary_key

ROLES = ("patient", "clinician")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20), default="patient")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    date_of_birth: Mapped[date | None]
    #: Local "HH:MM": reminders in [start, end) do not buzz (DESIGN §5); end may be after midnight.
    quiet_hours_start: Mapped[str | None] = mapped_column(String(5))
    quiet_hours_end: Mapped[str | None] = mapped_column(String(5))
    is_disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_active(self):
        return not self.is_disabled

    @property
    def is_clinician(self):
        return self.role == "clinician"

    @property
    def quiet_hours(self):
        if self.quiet_hours_start is None:
            return None
        return {"start": self.quiet_hours_start, "end": self.quiet_hours_end}

    @property
    def tz(self):
        return ZoneInfo(self.timezone)

    def get_id(self):
        return str(self.id)


class Credential:
    """A secret a user signs in with, stored only as its hash, good until it is revoked."""

    id: Mapped[uuid.UUID] = uuid_primary_key()
    user_id: Mapped[uuid.UUID] = user_reference()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserSession(Credential, db.Model):
    """A signed-in browser; deleting or revoking the row ends it, whoever holds the cookie."""

    __tablename__ = "user_sessions"

    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)

    @classmethod
    def open(cls, user):
        """Start a session for ``user``; return it with the secret for the cookie."""
        secret = secrets.token_urlsafe(32)
        record = cls(user_id=user.id, secret_hash=hash_secret(secret))
        db.session.add(record)
        return record, secret


class ApiToken(Credential, db.Model):
    """A personal API token; the token is shown once, and it also ends at ``expires_at``."""

    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    PREFIX = "pd_"

    @classmethod
    def issue(cls, user, name, expires_at):
        token = cls.PREFIX + secrets.token_urlsafe(32)
        record = cls(
            user_id=user.id, name=name, token_hash=hash_secret(token), expires_at=expires_at
        )
        db.session.add(record)
        return record, token
