"""Accounts as the rest of the app reaches them: create, find by id or email; the IANA zones."""

from functools import cache
from importlib.resources import files

from sqlalchemy import func, select

from ..errors import ApiError
from ..extensions import db
from ..signals import user_created
from .models import User
from .passwords import hash_password


def normalised_email(email):
    return email.strip().lower()


def user_by_id(user_id):
    """The user with ``user_id``, or None."""
    return db.session.get(User, user_id)


def user_by_email(email):
    """The user with ``email`` (compared as stored: trimmed and lower case), or None."""
    return db.session.scalar(select(User).where(User.email == normalised_email(email)))


def ensure_email_free(email):
    """Refuse (409) an email that an account has already."""
    if db.session.scalar(select(func.count()).where(User.email == email)):
        message = "An account with this email exists already."
        raise ApiError(409, message, fields={"email": [message]})


def create_user(email, password, display_name, role="patient", timezone="UTC"):
    """Add a user with a hashed password; 409 if the email is taken. The caller commits."""
    email = normalised_email(email)
    ensure_email_free(email)
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name,
        role=role,
        timezone=timezone,
    )
    db.session.add(user)
    db.session.flush()  # the id, for what the other features add with it (default reminders)
    user_created.send(user)
    return user


@cache
def iana_timezones():
    """The IANA zone names, links such as US/Eastern included, from the tzdata package.

    Not zoneinfo.available_timezones(): on Debian it also counts files of the zone folder that
    name no zone, such as localtime (whatever zone the machine is set to). Factory is IANA's
    placeholder for "not set yet", no place either.
    """
    names = files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return frozenset(names) - {"Factory"}
