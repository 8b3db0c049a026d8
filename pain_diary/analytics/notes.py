"""The patient's own words: the notes of the period's records (DESIGN §4 "Notes")."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple

from .common import check_period

#: How many notes a summary shows.
NOTES_COUNT = 20


class PatientNote(NamedTuple):
    """A record's note; ``kind`` is its collection ("pain-entries", "sleep-entries", ...)."""

    local_date: date
    recorded_at: datetime
    kind: str
    text: str | None


def recent_notes(
    notes: Iterable[PatientNote], first_day: date, last_day: date, count: int = NOTES_COUNT
) -> list[dict]:
    """Return the ``count`` most recent non-empty notes of ``first_day..last_day``, newest first.

    Each is ``{recorded_at, kind, text}`` with the text exactly as the patient wrote it; a note of
    only spaces or line breaks is empty. ``local_date`` places a note in the period (a night by
    its ``night_of``); ``recorded_at`` orders them. Notes are health data: never log them.
    """
    check_period(first_day, last_day)
    kept = [
        note
        for note in notes
        if first_day <= note.local_date <= last_day and note.text and note.text.strip()
    ]
    # Newest first; the kind and the text only make the order of simultaneous notes stable.
    kept.sort(key=lambda note: (note.recorded_at, note.kind, note.text), reverse=True)
    return [
        {"recorded_at": note.recorded_at, "kind": note.kind, "text": note.text}
        for note in kept[:count]
    ]
