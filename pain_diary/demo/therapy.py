"""The demo patient's therapy: weekly physiotherapy, and weeks of VR and of mindfulness."""

from datetime import timedelta

from .story import nrs, stream

PHYSIO_WEEKDAY = 3  # Thursday
VR_WEEKS = frozenset({2, 3, 4, 5, 10, 11, 12, 15, 16})  # counted from the story's first day
MINDFULNESS_WEEKS = frozenset({6, 7, 8, 9, 13, 14, 15, 16})


def therapy_records(story):
    """Yield each logged day's sessions, with pain before and after showing modest relief."""
    for day in story.days:
        if not day.logged:
            continue
        rng = day.random("therapy")
        week = day.index // 7
        sessions = []
        if day.date.weekday() == PHYSIO_WEEKDAY:
            relief = rng.choice((-1, 0, 1, 1, 1, 2))  # -1: sore after new exercises
            sessions.append(("physiotherapy", "10:30", 45, "Praxis Lindner", relief))
        if week in VR_WEEKS and (day.index % 7) in _vr_days(week):
            sessions.append(("vr", "18:30", 20, "EaseVR", rng.choice((0, 1, 1, 2, 2))))
        if week in MINDFULNESS_WEEKS and rng.random() < 0.75:
            sessions.append(("mindfulness", "21:45", 15, "Body scan", rng.choice((0, 0, 1, 1, 2))))
        for modality, hhmm, duration, program, relief in sessions:
            started_at = story.at(day.date, hhmm, rng.randint(-10, 10))
            ended_at = started_at + timedelta(minutes=duration)
            if not story.happened(ended_at):
                continue
            pain_before = nrs(day.pain + rng.gauss(0, 0.5))
            body = {
                "modality": modality,
                "started_at": story.local_iso(started_at),
                "duration_minutes": duration,
                "pain_before": pain_before,
                "pain_after": nrs(pain_before - relief),
                "program": program,
            }
            if relief < 0:
                body["note"] = "Sore after the new exercises."
            record_id = story.record_id("therapy", modality, day.date)
            yield "therapy-sessions", record_id, body, story.saved_at(ended_at, rng)


def _vr_days(week):
    """The 2 or 3 days of a VR week (counted from the week's first day) with a session."""
    rng = stream("vr-week", week)
    return set(rng.sample(range(7), rng.randint(2, 3)))
