"""Marshmallow schemas of the accounts API."""

from functools import cache
from zoneinfo import available_timezones

import marshmallow as ma
from flask import g
from flask_wtf.csrf import generate_csrf
from marshmallow import fields, validate

from .models import ROLES
from .passwords import MAX_LENGTH, password_problems


@cache
def iana_timezones():
    return frozenset(available_timezones())


def validate_timezone(name):
    if name not in iana_timezones():
        raise ma.ValidationError("Must be an IANA time zone name, such as Europe/Berlin.")


def validate_new_password(password):
    if problems := password_problems(password):
        raise ma.ValidationError(problems)


class LowerEmail(fields.Email):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


class UserSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    email = LowerEmail(required=True, validate=validate.Length(max=254))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    role = fields.String(dump_only=True)
    timezone = fields.String(required=True, validate=validate_timezone)
    created_at = fields.DateTime(dump_only=True)


class RegisterSchema(UserSchema):
    password = fields.String(required=True, load_only=True, validate=validate_new_password)
    timezone = fields.String(load_default="UTC", validate=validate_timezone)
    role = fields.String(load_default="patient", validate=validate.OneOf(ROLES))
    clinician_code = fields.String(load_only=True, validate=validate.Length(max=200))


class UserUpdateSchema(UserSchema):
    """Every field optional: send only what changes."""


class LoginSchema(ma.Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))


class SignedInSchema(ma.Schema):
    user = fields.Nested(UserSchema)
    csrf_token = fields.String()


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
    new_password = fields.String(required=True, validate=validate_new_password)


class TokenSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    expires_in_days = fields.Integer(
        load_only=True, load_default=90, validate=validate.Range(min=1, max=365)
    )
    created_at = fields.DateTime(dump_only=True)
    expires_at = fields.DateTime(dump_only=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(dump_only=True, metadata={"description": "Shown once; store it now."})
