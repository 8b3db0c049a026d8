"""Who is asking: server-side sessions for the PWA, bearer tokens for API clients, CSRF."""

from flask import current_app, g, request, session
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select, update

from ..errors import ApiError
from ..extensions import csrf, db, login_manager
from ..hashing import hash_secret
from ..roles import clinician_required, patient_required
from ..signals import signed_out
from ..types import utcnow
from .models import ApiToken, User, UserSession

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

__all__ = ["login_required", "patient_required", "clinician_required", "sign_in", "sign_out"]


@login_manager.request_loader
def load_user(req):
    """Authenticate by ``Authorization: Bearer`` if present, else by the session cookie."""
    header = req.headers.get("Authorization")
    if header is not None:
        g.auth_method = "token"
        scheme, _, token = header.partition(" ")
        return _user_from_token(token.strip()) if scheme.lower() == "bearer" else None
    if secret := session.get("sid"):
        g.auth_method = "session"
        return _user_from_session(secret)
    return None


# Built once: every API request runs it, and building it costs more than running it.
USER_BY_TOKEN = (
    select(User)
    .join(ApiToken, User.id == ApiToken.user_id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > bindparam("now"),
    )
)


def _user_from_token(token):
    user = db.session.scalar(USER_BY_TOKEN, {"token_hash": hash_secret(token), "now": utcnow()})
    return user if user is not None and user.is_active else None


def _user_from_session(secret):
    row = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.secret_hash == hash_secret(secret), UserSession.revoked_at.is_(None))
    ).first()
    lifetime = current_app.permanent_session_lifetime
    if row is None or row.UserSession.created_at + lifetime <= utcnow() or not row.User.is_active:
        return None
    g.user_session_id = row.UserSession.id
    return row.User


@login_manager.unauthorized_handler
def unauthorized():
    raise ApiError(401, "Sign in, or send a valid bearer token.")


def sign_in(user):
    """Open a server-side session for ``user`` and put its secret in the session cookie."""
    session.clear()
    record, secret = UserSession.open(user)
    session["sid"] = secret
    session.permanent = True
    return record


def sign_out(push_endpoint=None):
    """End the current session server-side, so a copied cookie stops working too.

    The other features hear of it first (signals.signed_out): the reminders forget the push
    subscription of the browser signing out, ``push_endpoint``.
    """
    if current_user.is_authenticated:
        signed_out.send(current_user._get_current_object(), push_endpoint=push_endpoint)
    if secret := session.get("sid"):
        db.session.execute(
            update(UserSession)
            .where(UserSession.secret_hash == hash_secret(secret))
            .values(revoked_at=utcnow())
        )
    session.clear()


def end_sessions(user, keep=None):
    """Revoke every session of ``user`` except the ``keep`` one."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep)
    db.session.execute(query.values(revoked_at=utcnow()))


#: The header naming a user: on an answer, the signed-in user it was for; on a request, the user
#: the page that sent it was made for. The service worker keeps a phone's copy for one user by
#: the first; the second keeps a tab left open by one patient from writing as the next.
USER_HEADER = "X-User-Id"


def check_intended_user():
    """Refuse a request sent for one user while another is signed in (a shared phone's old tab).

    :raise 401: the user the request names is not the one signed in here any longer.
    """
    intended = request.headers.get(USER_HEADER)
    if intended is not None and current_user.is_authenticated and intended != str(current_user.id):
        raise ApiError(
            401,
            "Someone else has signed in on this browser since this page was opened.",
            code="signed_in_as_someone_else",
        )


def name_the_user(response):
    """Say whose answer this is when a session signed in its user (read by the service worker)."""
    if g.get("user_session_id") is not None and current_user.is_authenticated:
        response.headers[USER_HEADER] = str(current_user.id)
    return response


def check_csrf():
    """Require ``X-CSRFToken`` on unsafe requests that a session cookie authenticates."""
    if request.method in SAFE_METHODS or "Authorization" in request.headers:
        return
    if "sid" in session and current_user.is_authenticated:
        csrf.protect()


def init_app(app):
    login_manager.session_protection = None  # sessions are checked server-side instead
    app.before_request(check_intended_user)
    app.before_request(check_csrf)
    app.after_request(name_the_user)
