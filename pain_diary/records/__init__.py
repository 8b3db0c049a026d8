"""The patient's diary: pain and sleep entries, therapy sessions, and offline sync."""
