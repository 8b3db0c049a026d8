"""The patient's diary as a FHIR R4 collection Bundle (validated against fhir.resources R4B).

The Patient is made here; every other resource by the record type it comes from, through the
``fhir`` part of its declaration, in the order the record types were declared (DESIGN §1). The
codes and the Bundle they share are in :mod:`pain_diary.fhir`.
"""

from datetime import UTC, datetime

from ..fhir.bundle import Bundle
from ..fhir.codes import PATIENT_IDENTIFIER
from ..localtime import local_date
from ..sync.registry import registry
from .export import patient_records


def patient_bundle(patient):
    """A Bundle of type collection with the Patient and every record as FHIR resources."""
    records = patient_records(patient)
    bundle = Bundle(patient.tz, today=local_date(datetime.now(UTC), patient.tz))
    person = {
        "resourceType": "Patient",
        # No email or other contact data: the receiving record system has its own.
        "identifier": [{"system": PATIENT_IDENTIFIER, "value": str(patient.id)}],
        "name": [{"text": patient.display_name}],
    }
    if patient.date_of_birth:  # with the name, how a clinic matches the patient to its own
        person["birthDate"] = patient.date_of_birth.isoformat()
    bundle.add_patient(patient.id, person)
    add_records(bundle, records, registry().record_types.values())
    return bundle.document(datetime.now(UTC))


def add_records(bundle, records, record_types):
    """Each record type's resources in turn; one without a ``fhir`` part adds nothing."""
    for record_type in record_types:
        if record_type.fhir is not None:
            record_type.fhir(records, bundle)
