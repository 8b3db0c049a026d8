"""The patient's own data, all of it: JSON, or a zip of CSV files."""


def everything(patient):
    """Every record of the patient, machine-readable."""
    raise NotImplementedError


def csv_zip(patient):
    """A zip with one CSV per record type."""
    raise NotImplementedError
