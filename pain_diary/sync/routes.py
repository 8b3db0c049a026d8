"""Routes any blueprint can give a collection (list, create, read, replace, delete), and /sync.

The feature that owns a collection declares its routes on its own blueprint, so endpoints and
the document's tags stay the feature's; what /sync and the clinician's reads know comes from the
app's registry (sync.registry), filled by create_app.
"""

import sys
import uuid

from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, OperationalError

from ..errors import ApiError
from ..extensions import db
from ..roles import clinician_required, patient_required
from .registry import registered_collections, registry
from .schemas import (
    ListQuerySchema,
    OperationSchema,
    SyncRequestSchema,
    SyncResponseSchema,
    page_schema,
)
from .store import delete_record, get_record, list_records, load_body, put_record, validated


def _saved(collection, record_id, data):
    """Create or replace the signed-in patient's record: 201 when new, 200 otherwise."""
    record, created = put_record(collection, current_user, record_id, data)
    return record, 201 if created else 200


def collection_routes(blueprint, collection, query_schema=ListQuerySchema):
    """Add list, create, read, create-or-replace and delete routes for ``collection``."""
    schema = collection.schema  # one instance: building a schema per request is costly
    page = page_schema(collection)
    label = collection.name.replace("-", " ")

    def listing(view):
        """A page of records, newest first, as ``query_schema`` asks."""
        view = blueprint.response(200, page)(view)
        return blueprint.arguments(query_schema, location="query")(view)

    def saving(status, other, description):
        """Create or replace from the body: ``status``, or ``other`` (``description``)."""

        def decorate(view):
            view = blueprint.alt_response(other, schema=schema, description=description)(view)
            return blueprint.arguments(schema)(blueprint.response(status, schema)(view))

        return decorate

    class Items(MethodView):
        decorators = [patient_required]

        @listing
        def get(self, query):
            return list_records(collection, current_user, query)

        @saving(201, 200, "A replay: the stored record.")
        def post(self, data):
            return _saved(collection, data.get("id", uuid.uuid4()), data)

    class Item(MethodView):
        decorators = [patient_required]

        @blueprint.response(200, schema)
        def get(self, record_id):
            return get_record(collection, current_user, record_id)

        @saving(200, 201, "Created with this id.")
        def put(self, data, record_id):
            return _saved(collection, record_id, data)

        @blueprint.response(204)
        def delete(self, record_id):
            delete_record(collection, current_user, record_id)

    class PatientItems(MethodView):
        decorators = [clinician_required]

        @listing
        def get(self, query, patient_id):
            patient = registry().readable_patient(patient_id, collection.name)
            return list_records(collection, patient, query)

    PatientItems.get.__doc__ = f"List a linked patient's {label} (audited)."
    Items.get.__doc__ = f"List your {label} (local dates, newest first)."
    Items.post.__doc__ = f"Add one of your {label}; a client id makes it idempotent."
    Item.get.__doc__ = f"Read one of your {label}."
    Item.put.__doc__ = f"Create or replace one of your {label} by its id (idempotent)."
    Item.delete.__doc__ = f"Delete one of your {label}; it stays deleted."
    for view in (Items, Item, PatientItems):
        view.__name__ = f"{collection.name.title().replace('-', '')}{view.__name__}"
    blueprint.route(f"/{collection.name}", endpoint=Items.__name__)(Items)
    blueprint.route(f"/{collection.name}/<uuid:record_id>", endpoint=Item.__name__)(Item)
    blueprint.route(
        f"/patients/<uuid:patient_id>/{collection.name}", endpoint=PatientItems.__name__
    )(PatientItems)


def sync_route(blueprint):
    """Add ``POST /sync``, which applies operations to every collection the app registered."""

    class Sync(MethodView):
        decorators = [patient_required]

        @blueprint.arguments(SyncRequestSchema)
        @blueprint.response(200, SyncResponseSchema)
        def post(self, data):
            """Apply up to 200 queued offline operations in order; one result each."""
            return {"results": [apply_operation(raw) for raw in data["operations"]]}

    blueprint.route("/sync")(Sync)


operation_schema = OperationSchema()


def apply_operation(raw):
    """Apply one queued operation in a transaction of its own; its failure is its result.

    Whatever goes wrong inside it, its writes are rolled back and the batch goes on: one record
    that trips over something unforeseen must not make the phone resend the whole batch for ever.
    Only an unreachable database fails the whole batch (503).
    """
    if not isinstance(raw, dict):
        error = ApiError(
            422, "Each operation must be an object.", fields={"body": ["Not an object."]}
        )
        return {"status": 422, "record": None, "error": error.body()}
    result = {key: raw[key] for key in ("op", "collection", "id") if isinstance(raw.get(key), str)}
    try:
        operation = validated(operation_schema, raw, "The operation is invalid.")
        collections = registered_collections()
        collection = collections.get(operation["collection"])
        if collection is None:
            raise ApiError(
                422,
                "Unknown collection.",
                fields={"collection": [f"Must be one of: {', '.join(collections)}."]},
            )
        if operation["op"] == "delete":
            delete_record(collection, current_user, operation["id"])
            return {**result, "status": 204, "record": None, "error": None}
        body = load_body(collection, operation.get("body"))
        record, created = put_record(collection, current_user, operation["id"], body)
        status = 201 if created else 200
        return {**result, "status": status, "record": collection.dump(record), "error": None}
    except ApiError as error:
        failure = error
    except IntegrityError:
        # A constraint the checks before the write did not foresee, e.g. a concurrent writer.
        failure = ApiError(409, "The record conflicts with one already stored.")
    except Exception as error:
        if _unreachable(error):
            raise  # so it is for every later operation: the batch answers 503, to be retried
        current_app.log_exception(sys.exc_info())  # by kind and place, never by message
        failure = ApiError(500, "Something went wrong on our side with this operation.")
    db.session.rollback()
    return {**result, "status": failure.status, "record": None, "error": failure.body()}


def _unreachable(error):
    """Whether the database itself failed (down, restarted, locked) rather than this operation."""
    return isinstance(error, OperationalError) or getattr(error, "connection_invalidated", False)
