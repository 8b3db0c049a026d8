"""The offline-write kernel: the record base, shared field rules, the store, the registry, /sync.

A feature package describes its records as collections (sync.store.Collection) and declares their
routes with sync.routes; create_app registers every collection (sync.registry), which is what
/sync and the clinician's reads know. The kernel imports no feature package.
"""
