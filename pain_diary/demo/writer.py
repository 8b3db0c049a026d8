"""Write demo records by the API's rules, never twice and never over the patient's own."""

from collections import Counter

from sqlalchemy import select

from ..errors import ApiError
from ..extensions import db
from ..sync.registry import registered_collections
from ..sync.store import deleted_ids, load_body


class DiaryWriter:
    """Add records as a PUT would create them: validated, derived, checked for clashes.

    Unlike the store's ``put_record``, which commits each record, the writer leaves committing to
    its caller (some 1,000 commits take seconds of fsync on SQLite), and it stamps each record
    with when the phone would have saved it rather than with the time of this run, so that the
    diary does not look typed in today, every entry "late" (DESIGN §4, Completion).
    """

    def __init__(self, patient):
        self.patient = patient
        self.collections = registered_collections()
        self.created = Counter()
        self.kept = Counter()
        self._stored = self._stored_ids()
        self._taken_ids = set().union(*self._stored.values())
        # Held so the session's identity map keeps them: each dose looks up its medication.
        self._added = []

    def _stored_ids(self):
        """The patient's record ids by model, tombstones included (a deleted record stays so)."""
        models = {collection.model for collection in self.collections.values()}
        stored = {
            model: set(
                db.session.scalars(select(model.id).where(model.patient_id == self.patient.id))
            )
            for model in models
        }
        return {**stored, "deleted": deleted_ids(self.patient.id)}

    def add(self, name, record_id, body, saved_at):
        """Add a record to the collection ``name`` unless it exists; a clash with one the patient
        logged keeps theirs."""
        collection = self.collections[name]
        if record_id in self._taken_ids:
            self.kept[collection.name] += 1
            return
        values = collection.values(load_body(collection, body), self.patient)
        # Only a stored record can clash: the demo's own are one per night and one per scheduled
        # dose (as unique constraints check too). So a fresh diary skips the queries, and without
        # autoflush the commit inserts everything in bulk.
        if collection.conflicts and self._stored[collection.model]:
            try:
                with db.session.no_autoflush:
                    collection.conflicts(values, self.patient, record_id)
            except ApiError as error:
                if error.status != 409:
                    raise
                self.kept[collection.name] += 1
                return
        record = collection.model(
            id=record_id,
            patient_id=self.patient.id,
            version=1,
            created_at=saved_at,
            updated_at=saved_at,
            **values,
        )
        db.session.add(record)
        self._added.append(record)
        self._taken_ids.add(record_id)
        self.created[collection.name] += 1
