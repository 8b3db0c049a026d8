"""Pages, health probes and the headers every response carries."""

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import text

from ..errors import ApiError
from ..extensions import db

bp = Blueprint("web", __name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Swagger UI and charts set style attributes; scripts stay strict.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@bp.get("/")
def index():
    """The landing page."""
    return render_template("index.html")


@bp.get("/api/docs")
def api_docs():
    """Swagger UI for the OpenAPI document, from local assets only."""
    return render_template("api_docs.html")


@bp.get("/healthz")
def healthz():
    """The process is alive."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """The database answers; otherwise 503 in the error shape."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}


@bp.before_app_request
def refuse_nul_characters():
    """Refuse text with NUL characters: PostgreSQL cannot store them, SQLite would; both say 422."""
    # Only a body that can hold a NUL is parsed here; the others are parsed once, by the view.
    raw = request.get_data(cache=True) if request.is_json else b""
    body = request.get_json(silent=True) if b"\\u0000" in raw or b"\x00" in raw else None
    names = [name for name, value in request.args.items(multi=True) if "\x00" in value]
    names += _nul_fields(body)
    if names:
        message = "Text must not contain NUL characters."
        raise ApiError(422, message, fields={name: [message] for name in names})


def _nul_fields(value, path=""):
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        pairs = value.items()
    elif isinstance(value, list):
        pairs = enumerate(value)
    else:
        return []
    found = []
    for key, item in pairs:
        found += _nul_fields(item, f"{path}.{key}" if path else str(key))
        if "\x00" in str(key):
            found.append(path or "body")
    return found


@bp.after_app_request
def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["HSTS_ENABLED"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if response.mimetype == "application/json":
        # Health data must not linger in shared caches or the browser's disk cache.
        headers.setdefault("Cache-Control", "no-store")
    return response
