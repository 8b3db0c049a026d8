"""Therapy figures: sessions and minutes per modality, and the pain change they went with."""

import statistics
from collections import defaultdict
from collections.abc import Iterable

from .common import TherapyPoint, round1


def therapy_summary(sessions: Iterable[TherapyPoint]) -> dict:
    """Count therapy sessions and minutes, overall and per modality (most sessions, then name).

    ``mean_pain_change`` = mean of (pain_after - pain_before) over the modality's sessions rated
    both before and after (negative = relief); None when none is; ``rated_sessions`` counts those.
    """
    by_modality: dict[str, list[TherapyPoint]] = defaultdict(list)
    for session in sessions:
        by_modality[session.modality].append(session)
    rows = []
    for modality, group in by_modality.items():
        changes = [
            s.pain_after - s.pain_before
            for s in group
            if s.pain_before is not None and s.pain_after is not None
        ]
        rows.append(
            {
                "modality": modality,
                "sessions": len(group),
                "minutes": sum(s.duration_minutes for s in group),
                "mean_pain_change": round1(statistics.fmean(changes)) if changes else None,
                "rated_sessions": len(changes),
            }
        )
    rows.sort(key=lambda row: (-row["sessions"], row["modality"]))
    return {
        "sessions": sum(row["sessions"] for row in rows),
        "minutes": sum(row["minutes"] for row in rows),
        "by_modality": rows,
    }
