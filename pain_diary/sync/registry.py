"""The collections an app syncs and the check a clinician's read passes, both given by create_app.

Nothing registers itself on import: /sync knows exactly what create_app registered, whatever
was imported first, and each app (every test builds one) has its own registry.
"""

from flask import current_app

EXTENSION = "pain_diary.sync"


class Registry:
    """The app's collections by name, in the order registered, and who may read a patient's."""

    def __init__(self, collections, readable_patient):
        self.collections = {}
        for collection in collections:
            if collection.name in self.collections:
                raise ValueError(f"Two collections are named {collection.name!r}.")
            self.collections[collection.name] = collection
        #: readable_patient(patient_id, resource) -> the patient, or raises ApiError (404).
        self.readable_patient = readable_patient


def register_collections(app, collections, *, readable_patient):
    """Make ``collections`` the ones /sync of ``app`` applies operations to."""
    app.extensions[EXTENSION] = Registry(collections, readable_patient)


def registry():
    """The current app's registry."""
    return current_app.extensions[EXTENSION]


def registered_collections():
    """The current app's collections by name."""
    return registry().collections
