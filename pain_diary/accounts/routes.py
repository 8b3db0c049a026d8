"""Accounts API: register, sign in and out, the signed-in user, API tokens."""

import hmac
from datetime import timedelta

from flask import current_app, g, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from ..errors import ApiError
from ..extensions import db, limiter
from ..signals import timezone_changed
from ..throttle import failed_with
from ..types import utcnow
from . import auth
from .models import ApiToken
from .passwords import hash_password, needs_rehash, verify_password
from .schemas import (
    LoginSchema,
    MeSchema,
    NewTokenSchema,
    PasswordChangeSchema,
    RegisterSchema,
    SignedInSchema,
    SignOutSchema,
    TokenSchema,
    UserSchema,
    UserUpdateSchema,
)
from .users import create_user, ensure_email_free, user_by_email

bp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts and sign-in.")


def _account_key():
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return f"login:{str(email).strip().lower()[:254]}" if email else "login:-"


def _is_signup_code(code):
    """Compared as UTF-8 bytes: hmac.compare_digest refuses str beyond ASCII."""
    expected = current_app.config["CLINICIAN_SIGNUP_CODE"]
    return bool(expected and code) and hmac.compare_digest(code.encode(), expected.encode())


@bp.route("/auth/register")
class Register(MethodView):
    # Every attempt counts, and before the view: each one can cost an argon2 hash (64 MiB) or
    # tell whether an address has an account (409). Counted after the answer, as failed sign-ins
    # are, requests sent at once would all pass the check and all be hashed.
    decorators = [
        limiter.limit(
            lambda: current_app.config["REGISTER_LIMIT_PER_ADDRESS"], scope="register-address"
        )
    ]

    @bp.arguments(RegisterSchema)
    @bp.response(201, UserSchema)
    def post(self, data):
        """Create an account (a patient, or a clinician with the signup code)."""
        code = data.pop("clinician_code", None)
        if data["role"] == "clinician" and not _is_signup_code(code):
            raise ApiError(
                403,
                "Clinician accounts need a valid clinician signup code.",
                fields={"clinician_code": ["Ask your administrator for the signup code."]},
            )
        user = create_user(**data)
        db.session.commit()
        return user


@bp.route("/auth/login")
class Login(MethodView):
    decorators = [
        limiter.limit(
            lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
            key_func=_account_key,
            deduct_when=failed_with(401),
            scope="login-account",
        ),
        limiter.limit(
            lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
            deduct_when=failed_with(401),
            scope="login-address",
        ),
    ]

    @bp.arguments(LoginSchema)
    @bp.response(200, SignedInSchema)
    def post(self, data):
        """Sign in; sets the session cookie and returns the CSRF token."""
        user = user_by_email(data["email"])
        stored = user.password_hash if user else None
        if not verify_password(stored, data["password"]) or not user.is_active:
            raise ApiError(401, "Email or password is wrong.", code="invalid_credentials")
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(data["password"])
        auth.sign_in(user)
        db.session.commit()
        return {"user": user, "csrf_token": generate_csrf()}


@bp.route("/auth/logout")
class Logout(MethodView):
    @bp.arguments(SignOutSchema, required=False)
    @bp.response(204)
    def post(self, data):
        """Sign out; the session ends on the server, so a copied cookie stops working.

        With ``push_endpoint``, that browser's push subscription is deleted too.
        """
        auth.sign_out(data.get("push_endpoint"))
        db.session.commit()


@bp.route("/me")
class Me(MethodView):
    decorators = [auth.login_required]

    @bp.response(200, MeSchema)
    def get(self):
        """The signed-in user, with the CSRF token for cookie-authenticated writes."""
        return current_user

    @bp.arguments(UserUpdateSchema(partial=True))
    @bp.response(200, MeSchema)
    def patch(self, data):
        """Change the display name, email, time zone, date of birth or quiet hours."""
        if data.get("email", current_user.email) != current_user.email:
            ensure_email_free(data["email"])
        if "quiet_hours" in data:
            quiet = data.pop("quiet_hours") or {}
            current_user.quiet_hours_start = quiet.get("start")
            current_user.quiet_hours_end = quiet.get("end")
        previous = current_user.timezone
        for key, value in data.items():
            setattr(current_user, key, value)
        if current_user.timezone != previous:
            timezone_changed.send(current_user._get_current_object(), previous=previous)
        db.session.commit()
        return current_user


@bp.route("/me/password")
class Password(MethodView):
    decorators = [auth.login_required]

    @bp.arguments(PasswordChangeSchema)
    @bp.response(204)
    def post(self, data):
        """Change the password; every other session of the user ends."""
        if not verify_password(current_user.password_hash, data["current_password"]):
            raise ApiError(
                422,
                "The current password is wrong.",
                fields={"current_password": ["The current password is wrong."]},
            )
        current_user.password_hash = hash_password(data["new_password"])
        auth.end_sessions(current_user, keep=g.get("user_session_id"))
        db.session.commit()


@bp.route("/auth/tokens")
class Tokens(MethodView):
    decorators = [auth.login_required]

    @bp.response(200, TokenSchema(many=True))
    def get(self):
        """List your API tokens that are still valid (their secrets are never shown again)."""
        return db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == current_user.id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > utcnow(),
            )
            .order_by(ApiToken.created_at)
        ).all()

    @bp.arguments(TokenSchema)
    @bp.response(201, NewTokenSchema)
    def post(self, data):
        """Create a personal API token for `Authorization: Bearer`; it is shown only once."""
        expires_at = utcnow() + timedelta(days=data["expires_in_days"])
        record, token = ApiToken.issue(current_user, data["name"], expires_at)
        db.session.commit()
        return {
            "id": record.id,
            "name": record.name,
            "created_at": record.created_at,
            "expires_at": record.expires_at,
            "token": token,
        }


@bp.route("/auth/tokens/<uuid:token_id>")
class TokenItem(MethodView):
    decorators = [auth.login_required]

    @bp.response(204)
    def delete(self, token_id):
        """Revoke an API token at once."""
        record = db.session.get(ApiToken, token_id)
        if record is None or record.user_id != current_user.id:
            raise ApiError(404, "No such token.")
        record.revoked_at = record.revoked_at or utcnow()
        db.session.commit()
