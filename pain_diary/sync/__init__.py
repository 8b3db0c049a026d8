"""The offline-write kernel: the record base, the store, the registry of record types, /sync.

A feature package describes its records as collections (sync.store.Collection), declares their
routes with sync.routes, and declares each kind of record once as a sync.registry.RecordType;
create_app registers the record types, which is what /sync, the clinician's reads, the export,
the summary, the charts, FHIR, the pages' words and the reminders iterate. The kernel imports no
feature package.
"""
