"""The patient's diary: pain entries, sleep entries and therapy sessions, as synced collections."""
