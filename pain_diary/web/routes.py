"""Pages, health probes and the headers every response carries."""

from flask import Blueprint, current_app, render_template
from sqlalchemy import text

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
