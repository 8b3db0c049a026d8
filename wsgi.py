"""The WSGI entry point: ``gunicorn wsgi:app``."""

import gc

from pain_diary import create_app

app = create_app()

# The app and the libraries it loaded (matplotlib, WeasyPrint, the FHIR models) live as long as
# the worker: set them aside, so that each garbage collection a big request triggers (a
# clinician's list of 1,000 patients) scans only what requests made, not these objects.
gc.freeze()
# A request that reads tens of thousands of rows makes hundreds of thousands of objects; with the
# default young generation of 700 the clinicians' list ran some 300 collections, 33-48 ms of its
# CPU time (measured). Those rows are freed by reference counting as soon as the request ends;
# a larger young generation just looks for reference cycles less often.
gc.set_threshold(10_000, 10, 10)
