"""The patient's activity under /api/v1: the activity-days collection."""

from flask_smorest import Blueprint

from ..sync.routes import collection_routes
from .collections import activity_days

bp = Blueprint("activity", __name__, url_prefix="/api/v1", description="Physical activity.")
collection_routes(bp, activity_days)
