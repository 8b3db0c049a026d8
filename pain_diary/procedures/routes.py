"""The patient's procedures under /api/v1 (GET/POST/PUT/DELETE, like every collection)."""

from flask_smorest import Blueprint

from ..sync.routes import collection_routes
from .collections import procedures

bp = Blueprint("procedures", __name__, url_prefix="/api/v1", description="Procedures.")
collection_routes(bp, procedures)
