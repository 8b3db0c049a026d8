"""The patient's diary under /api/v1: the routes of its collections, and sync."""

from flask_smorest import Blueprint

from ..sync.routes import collection_routes, sync_route
from .collections import COLLECTIONS

bp = Blueprint("records", __name__, url_prefix="/api/v1", description="The patient's diary.")

for collection in COLLECTIONS:
    collection_routes(bp, collection)
# The kernel's /sync is listed with the diary, as it always was ("records.Sync").
sync_route(bp)
