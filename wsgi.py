"""The WSGI entry point: ``gunicorn wsgi:app``."""

import gc

from pain_diary import create_app

app = create_app()

# The app and the libraries it loaded (matplotlib, WeasyPrint, the FHIR models) live as long as
# the worker: set them aside, so that each garbage collection a big request triggers (a
# clinician's list of 1,000 patients) scans only what requests made, not these objects.
gc.freeze()
