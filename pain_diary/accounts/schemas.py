"""Marshmallow schemas of the accounts API."""

import email.policy
import re
from datetime import UTC, date, datetime, timedelta
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import getaddresses

import marshmallow as ma
from flask import g
from flask_wtf.csrf import generate_csrf
from marshmallow import fields, validate

from ..fields import Int, LocalTime
from .models import ROLES
from .passwords import MAX_LENGTH, MIN_LENGTH, password_problems
from .users import iana_timezones


def validate_timezone(name):
    if name not in iana_timezones():
        raise ma.ValidationError("Must be an IANA time zone name, such as Europe/Berlin.")


def validate_new_password(password):
    if problems := password_problems(password):
        raise ma.ValidationError(problems)


EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# The date on the calendar furthest ahead (UTC+14): no one is refused on their birthday.
AHEAD_OF_UTC = timedelta(hours=14)


def validate_date_of_birth(value):
    if value < EARLIEST_BIRTH_DATE:
        raise ma.ValidationError(f"Must not be before {EARLIEST_BIRTH_DATE.isoformat()}.")
    if value > (datetime.now(UTC) + AHEAD_OF_UTC).date():
        raise ma.ValidationError("Must not be in the future.")


# Encoded words (RFC 2047) are decoded by the email package, CR and LF included; control
# characters have no place in an address anyone types.
CONTROL_OR_ENCODED_WORD = re.compile(r"[\x00-\x1f\x7f]|=\?")


def unsendable_email_problem(address):
    """Why a reminder could not be emailed to ``address``, or None when it could.

    The reminders write the address as the To of an EmailMessage (default policy) and hand the
    message to smtplib, which takes the envelope's recipient from that header. The address must
    come back from both as itself, alone and without a defect. It must also be ASCII: smtplib
    sends to any other address only through a server that offers SMTPUTF8.
    """
    if not address.isascii():
        return "Must be in ASCII characters; write an international domain in its xn-- form."
    unsendable = "Must be one address that email can be sent to, such as ann@example.org."
    if CONTROL_OR_ENCODED_WORD.search(address):
        return unsendable
    message = EmailMessage(policy=email.policy.default)
    try:
        message["To"] = address
        header = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)["To"]
        parsed = [(to.display_name, to.addr_spec) for to in header.addresses]
    except (ValueError, IndexError, MessageError):
        return unsendable
    if header.defects or parsed != [("", address)] or getaddresses([header]) != parsed:
        return unsendable
    return None


class LowerEmail(fields.Email):
    """An address as stored (trimmed, lower case) that reminders can be emailed to."""

    def _deserialize(self, value, attr, data, **kwargs):
        address = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        if problem := unsendable_email_problem(address):
            raise ma.ValidationError(problem)
        return address


class QuietHoursSchema(ma.Schema):
    start = LocalTime(required=True)
    end = LocalTime(
        required=True, metadata={"description": "Before start: the hours span midnight."}
    )

    @ma.validates_schema
    def check_span(self, data, **kwargs):
        if data.get("start") is not None and data.get("start") == data.get("end"):
            raise ma.ValidationError("Must differ from start.", "end")


class UserSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    email = LowerEmail(
        required=True,
        validate=validate.Length(max=254),
        metadata={
            "description": "One address in ASCII that email can be sent to: no display name, "
            "control character or encoded word (=?). Stored trimmed and in lower case."
        },
    )
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    role = fields.String(dump_only=True)
    timezone = fields.String(
        required=True, validate=validate_timezone, metadata={"enum": sorted(iana_timezones())}
    )
    created_at = fields.DateTime(dump_only=True)
    date_of_birth = fields.Date(dump_only=True, allow_none=True)
    quiet_hours = fields.Nested(
        QuietHoursSchema,
        dump_only=True,
        allow_none=True,
        metadata={"description": "Local hours in which reminders do not buzz; null: none."},
    )


class RegisterSchema(UserSchema):
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate_new_password,
        metadata={
            "minLength": MIN_LENGTH,
            "maxLength": MAX_LENGTH,
            "description": "Not one of the 10,000 commonest passwords.",
        },
    )
    timezone = fields.String(
        load_default="UTC", validate=validate_timezone, metadata={"enum": sorted(iana_timezones())}
    )
    role = fields.String(load_default="patient", validate=validate.OneOf(ROLES))
    clinician_code = fields.String(load_only=True, validate=validate.Length(max=200))


class UserUpdateSchema(UserSchema):
    """Every field optional: send only what changes."""

    date_of_birth = fields.Date(
        allow_none=True,
        validate=validate_date_of_birth,
        metadata={
            "description": "From 1900-01-01 up to today; shown to the care team. null clears it."
        },
    )
    quiet_hours = fields.Nested(
        QuietHoursSchema,
        allow_none=True,
        metadata={"description": "Local hours in which reminders do not buzz; null clears them."},
    )


class LoginSchema(ma.Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))


class SignedInSchema(ma.Schema):
    user = fields.Nested(UserSchema)
    csrf_token = fields.String()


class SignOutSchema(ma.Schema):
    push_endpoint = fields.String(
        allow_none=True,
        metadata={"description": "This browser's push endpoint: its subscription is deleted."},
    )


class MeSchema(UserSchema):
    csrf_token = fields.Method(
        "session_csrf_token",
        allow_none=True,
        metadata={"description": "For X-CSRFToken; null when signed in with a bearer token."},
    )

    def session_csrf_token(self, user):
        return generate_csrf() if g.get("auth_method") == "session" else None


class PasswordChangeSchema(ma.Schema):
    current_password = fields.String(required=True, validate=validate.Length(max=MAX_LENGTH))
    new_password = fields.String(
        required=True,
        validate=validate_new_password,
        metadata={
            "minLength": MIN_LENGTH,
            "maxLength": MAX_LENGTH,
            "description": "Not one of the 10,000 commonest passwords.",
        },
    )


class TokenSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    expires_in_days = Int(1, 365, load_only=True, load_default=90)
    created_at = fields.DateTime(dump_only=True)
    expires_at = fields.DateTime(dump_only=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(dump_only=True, metadata={"description": "Shown once; store it now."})
