"""Create-or-replace, read, list and delete any patient record, the same way for every collection.

A collection describes one kind of record (its model, schema and derived fields); the functions
here give all of them the same offline-safe behaviour: idempotent PUT by client UUID, a version
for optimistic concurrency, and tombstones so a deleted record stays deleted.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from sqlalchemy import bindparam, exists, select
from sqlalchemy.exc import IntegrityError

from ..errors import ApiError, flatten_messages
from ..extensions import db
from ..localtime import local_date
from ..paging import page
from ..signals import record_saved
from ..types import utcnow
from .models import DeletedRecord


@dataclass
class Collection:
    """One kind of record: where it lives, how it validates and what the server derives."""

    name: str
    model: Any
    schema: ma.Schema
    sort_column: str
    date_column: str | None = None
    #: derive(values, user) -> derived values, or raises ApiError (e.g. a foreign key check).
    derive: Any = None
    #: conflicts(values, user, record_id) -> raise ApiError(409) for a clash with another record.
    conflicts: Any = None
    #: (collection, foreign key column) of records deleted with this one.
    dependents: tuple = ()
    #: What one record is, for the README.txt of the patient's export (every collection is in
    #: it, a file each, named as the collection with underscores).
    about: str = ""
    writable: tuple = field(init=False)

    def __post_init__(self):
        self.writable = tuple(
            name for name, f in self.schema.load_fields.items() if name not in ("id", "version")
        )
        # Statements built once: building one per request costs more than running it.
        # SQLite compiles FOR UPDATE to nothing; PostgreSQL locks the row for the write.
        self.by_id = select(self.model).where(self.model.id == bindparam("id")).with_for_update()
        self._inserts = {}

    def values(self, data, user):
        """The full replacement values: what the body gave, defaults for the rest, derived."""
        values = {name: _as_stored(data.get(name, self._default(name))) for name in self.writable}
        if self.derive:
            values.update(self.derive(values, user))
        return values

    def _default(self, name):
        return [] if isinstance(self.schema.load_fields[name], ma.fields.List) else None

    def dump(self, record):
        return self.schema.dump(record)

    def insert_if_new(self, row):
        """INSERT ``row`` in one statement unless a record or a tombstone of ours has its id."""
        names = tuple(row)
        if (statement := self._inserts.get(names)) is None:
            table = self.model.__table__
            given = [bindparam(name, type_=table.c[name].type) for name in names]
            taken = exists().where(table.c.id == bindparam("id"))
            deleted = exists().where(
                DeletedRecord.id == bindparam("id"), DeletedRecord.collection == self.name
            )
            statement = (
                table.insert()
                .from_select(names, select(*given).where(~taken, ~deleted))
                .execution_options(preserve_rowcount=True)  # INSERT rowcounts are kept on request
            )
            self._inserts[names] = statement
        return db.session.execute(statement, row).rowcount == 1


def dated_by(instant):
    """A ``derive`` that files a record under its patient's local date of its ``instant``."""

    def derive(values, user):
        return {"local_date": local_date(values[instant], user.tz)}

    return derive


def _as_stored(value):
    # Instants are stored in UTC; converting here keeps a write's answer (built from the values
    # written, not read back) identical to every later read of the record.
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def validated(schema, data, message):
    """Load ``data`` with ``schema``; raise a 422 ApiError naming each field."""
    try:
        return schema.load(data)
    except ma.ValidationError as error:
        raise ApiError(422, message, fields=flatten_messages(error.messages)) from None


def load_body(collection, body):
    """Validate a record's body."""
    return validated(
        collection.schema, body if body is not None else {}, "The record has invalid fields."
    )


def refuse_a_second(model, key, record_id, message, field_message):
    """Raise a 409 naming the other record of ``model`` that has the ``key`` values, if any.

    For a collection's ``conflicts``: the unique constraint on the key's columns would refuse the
    write too, but without the id of the record to edit instead (``existing_id``). The error
    names the key's last column; as in the constraint, a null value clashes with nothing.
    """
    if None in key.values():
        return
    clash = db.session.scalar(
        select(model.id).where(
            *(getattr(model, column) == value for column, value in key.items()),
            model.id != record_id,
        )
    )
    if clash is not None:
        field = list(key)[-1]
        raise ApiError(409, message, fields={field: [field_message]}, existing_id=str(clash))


def not_found():
    return ApiError(404, "No such record.")


def _owned(collection, user, record_id):
    record = db.session.scalar(collection.by_id, {"id": record_id})
    if record is not None and record.patient_id != user.id:
        raise not_found()
    return record


def _tombstone(collection, record_id):
    return db.session.get(DeletedRecord, (record_id, collection.name))


def _deleted_error(collection, user, record_id):
    """The answer for an id a deleted record held: 410 if it was the user's, else 404; or None."""
    tombstone = _tombstone(collection, record_id)
    if tombstone is None:
        return None
    if tombstone.patient_id != user.id:
        return not_found()
    return ApiError(410, "This record was deleted and stays deleted.")


def get_record(collection, user, record_id):
    record = _owned(collection, user, record_id)
    if record is None:
        raise _deleted_error(collection, user, record_id) or not_found()
    return record


def put_record(collection, user, record_id, data):
    """Create (True) or replace (False) a record by id; retried once if a concurrent PUT won."""
    try:
        return _put(collection, user, record_id, data)
    except IntegrityError:
        db.session.rollback()
        return _put(collection, user, record_id, data)


def _put(collection, user, record_id, data):
    if data.get("id", record_id) != record_id:
        raise ApiError(
            422,
            "The id in the body differs from the URL.",
            fields={"id": ["Must match the id in the URL."]},
        )
    try:
        values = collection.values(data, user)
        if collection.conflicts:
            collection.conflicts(values, user, record_id)
    except ApiError as invalid:
        # Whose id it is answers first: someone else's is 404, a deleted record stays deleted.
        if _owned(collection, user, record_id) is None:
            raise _deleted_error(collection, user, record_id) or invalid from None
        raise
    # Most PUTs bring a new record: try that first, in one statement.
    if (created := _create(collection, user, record_id, values)) is not None:
        return created, True
    record = _owned(collection, user, record_id)
    if record is None:
        raise _deleted_error(collection, user, record_id) or not_found()
    if all(getattr(record, name) == value for name, value in values.items()):
        return record, False  # a replay: nothing changes, not even the version
    if "version" in data and data["version"] != record.version:
        raise ApiError(
            409,
            "This record changed since you read it.",
            code="version_conflict",
            current=collection.dump(record),
        )
    for name, value in values.items():
        setattr(record, name, value)
    record.version += 1
    record.updated_at = utcnow()
    db.session.flush()
    record_saved.send(collection.name, patient_id=user.id, record_id=record_id)
    db.session.commit()
    return record, False


def _create(collection, user, record_id, values):
    """Store a new record and return it; None, writing nothing, if its id is taken."""
    now = utcnow()
    row = {"id": record_id, "patient_id": user.id, "version": 1, "created_at": now}
    row |= {"updated_at": now, **values}
    if not collection.insert_if_new(row):
        return None
    record_saved.send(collection.name, patient_id=user.id, record_id=record_id)
    db.session.commit()
    # The row as written, without reading it back: the answer equals every later read.
    return collection.model(**row)


def delete_record(collection, user, record_id):
    """Delete a record for good, leaving a tombstone; deleting it again is fine."""
    record = _owned(collection, user, record_id)
    if record is None:
        tombstone = _tombstone(collection, record_id)
        if tombstone is None or tombstone.patient_id != user.id:
            raise not_found()
        return  # deleted before: deleting again changes nothing
    deleted = [(collection.name, record_id)]
    for dependent, column in collection.dependents:
        model = dependent.model
        ids = db.session.scalars(select(model.id).where(getattr(model, column) == record_id))
        deleted += [(dependent.name, dependent_id) for dependent_id in ids]
    db.session.delete(record)  # the database cascades to the dependents' rows
    db.session.add_all(
        DeletedRecord(id=deleted_id, patient_id=user.id, collection=name)
        for name, deleted_id in deleted
    )
    db.session.commit()


def deleted_ids(patient_id):
    """The ids of every record the patient deleted: they stay deleted (a PUT answers 410)."""
    return set(
        db.session.scalars(select(DeletedRecord.id).where(DeletedRecord.patient_id == patient_id))
    )


def list_records(collection, user, query):
    """One page of records, newest first; ``next_cursor`` fetches the next page."""
    model = collection.model
    sort = getattr(model, collection.sort_column)
    statement = select(model).where(model.patient_id == user.id)
    if collection.date_column:
        day = getattr(model, collection.date_column)
        if "from_" in query:
            statement = statement.where(day >= query["from_"])
        if "to" in query:
            statement = statement.where(day <= query["to"])
    return page(statement, sort, model.id, query)
