"""The patient's diary as a FHIR R4 collection Bundle (validated against fhir.resources R4B)."""


def patient_bundle(patient):
    """A Bundle of type collection with the Patient and every record as FHIR resources."""
    raise NotImplementedError
