"""The patient's activity under /api/v1: the activity-days collection, and imports of exports."""

from flask import current_app, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from werkzeug.datastructures import ImmutableMultiDict

from ..errors import ApiError, ErrorSchema
from ..extensions import db
from ..roles import patient_required
from ..sync.routes import collection_routes
from .collections import activity_days
from .import_schemas import UPLOAD_BODY, ImportAcceptedSchema, ImportSchema
from .models import ActivityImport
from .uploads import ENVELOPE_BYTES, RECEIVING, receive, too_large

bp = Blueprint("activity", __name__, url_prefix="/api/v1", description="Physical activity.")
collection_routes(bp, activity_days)

UPLOAD_ENDPOINT = "activity.ActivityImports"


@bp.url_value_preprocessor
def leave_the_upload_unread(endpoint, values):
    """Keep an upload's body for the view to stream: nothing before it may parse the form.

    This runs before the app's before_request hooks, among them the CSRF check, which looks for
    its token in the form before the header: parsing a 1 GiB multipart body there would spool
    it to a temporary file. An upload carries the token in ``X-CSRFToken``, as every API write.
    """
    if endpoint == UPLOAD_ENDPOINT and request.method == "POST":
        request.__dict__.update(form=ImmutableMultiDict(), files=ImmutableMultiDict())
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] + ENVELOPE_BYTES


@bp.route("/activity-imports")
class ActivityImports(MethodView):
    @patient_required
    @bp.doc(requestBody=UPLOAD_BODY)
    @bp.response(202, ImportAcceptedSchema)
    @bp.alt_response(413, schema=ErrorSchema, description="Over IMPORT_MAX_BYTES: nothing kept.")
    def post(self):
        """Upload an export of a phone or watch; the worker process imports it."""
        limit = current_app.config["IMPORT_MAX_BYTES"]
        if (request.content_length or 0) > limit + ENVELOPE_BYTES:
            raise too_large(limit)
        boundary = request.mimetype_params.get("boundary")
        if request.mimetype != "multipart/form-data" or not boundary:
            raise ApiError(
                415, "Send the export as multipart/form-data, in the field 'file'.",
                fields={"file": ["Missing data for required field."]},
            )  # fmt: skip
        return receive(current_user.id, request.stream, boundary.encode("latin-1"), limit)


@bp.route("/activity-imports/<uuid:import_id>")
class ActivityImportItem(MethodView):
    @patient_required
    @bp.response(200, ImportSchema)
    def get(self, import_id):
        """An import's progress, and its result once done or failed.

        :raise 404: another patient's import, like one that does not exist.
        """
        record = db.session.get(ActivityImport, import_id)
        if record is None or record.patient_id != current_user.id or record.status == RECEIVING:
            raise ApiError(404, "Not found.")
        return record
