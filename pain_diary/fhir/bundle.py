"""The Bundle each record type adds its resources to, and the Observation they start from."""

import uuid

from .codes import OBSERVATION_CATEGORY, RECORD_IDENTIFIER, concept


class Bundle:
    """A collection Bundle's entries, each with a ``urn:uuid`` fullUrl, unique even if two
    records share an id.

    A record type's ``fhir(records, bundle)`` uses :meth:`add`, :attr:`subject` (the reference
    to the Patient), :meth:`time` and :attr:`today` (the patient's local date).
    """

    def __init__(self, tz, today):
        self.tz = tz
        self.today = today
        self.subject = None
        self.entries = []
        self._used = set()

    def add_patient(self, patient_id, resource):
        """Add the Patient, whom every later resource names as its subject."""
        self.subject = {"reference": self.add(patient_id, resource)}

    def add(self, record_id, resource):
        """Add the resource made of record ``record_id``; its fullUrl, for references to it."""
        # Clients choose ids, and nothing stops one id in two collections; a bundle's fullUrls
        # must differ, so a repeated id gets a name-based UUID derived from it.
        entry_id = record_id
        if entry_id in self._used:
            entry_id = uuid.uuid5(record_id, resource["resourceType"])
        self._used.add(entry_id)
        url = f"urn:uuid:{entry_id}"
        resource_type = resource.pop("resourceType")
        head = {"resourceType": resource_type, "id": str(entry_id)}
        if resource_type != "Patient":
            head["identifier"] = [{"system": RECORD_IDENTIFIER, "value": f"urn:uuid:{record_id}"}]
        self.entries.append({"fullUrl": url, "resource": head | resource})
        return url

    def time(self, instant):
        """An instant with the patient's UTC offset, so a clinician sees the local clock time."""
        return None if instant is None else instant.astimezone(self.tz).isoformat("T", "seconds")

    def document(self, timestamp):
        """The Bundle resource of type collection, made at ``timestamp``."""
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": timestamp.isoformat(timespec="seconds"),
            "entry": self.entries,
        }


def observation(bundle, code, created_at):
    """A final survey Observation about the bundle's patient, issued when it was recorded."""
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [concept(OBSERVATION_CATEGORY, "survey", "Survey")],
        "code": concept(*code),
        "subject": bundle.subject,
        "issued": bundle.time(created_at),
    }
