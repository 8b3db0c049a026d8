"""Pages and health probes."""

from flask import Blueprint, render_template
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("web", __name__)


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
