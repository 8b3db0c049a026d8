"""The demo patient's steps, typed in from their phone each evening: more on the easier days,
the most on the day of gardening before the flare.

A day's steps fall by about 650 for each point of its pain, so the summary's steps line finds
the next day's pain lower after the days with more steps (the days run on, so one predicts the
next), apart from the gardening day.
"""

from .story import FLARE_DAYS, clamp

GARDENING_DAY = min(FLARE_DAYS) - 1
STEPS_AT_NO_PAIN = 9_000
STEPS_PER_PAIN_POINT = 650
WEEKEND_STEPS = 800
#: Steps a minute of brisk walking takes; a share of the day's steps is that brisk.
BRISK_CADENCE = 105


def activity_records(story):
    """Yield the steps and active minutes of each logged day before today (today's is not over)."""
    today = story.days[-1].date
    for day in story.days:
        if not day.logged or day.date == today:
            continue
        rng = day.random("activity")
        if day.index == GARDENING_DAY:
            steps = rng.gauss(14_500, 500)
        else:
            steps = STEPS_AT_NO_PAIN - STEPS_PER_PAIN_POINT * day.pain + rng.gauss(0, 900)
            steps += WEEKEND_STEPS if day.weekend else 0
        steps = round(clamp(steps, 800, 20_000))
        body = {
            "date": day.date.isoformat(),
            "steps": steps,
            "active_minutes": round(steps / BRISK_CADENCE * rng.uniform(0.3, 0.45)),
        }
        typed_at = story.at(day.date, "21:30", rng.randint(0, 60))
        yield (
            "activity-days",
            story.record_id("activity", day.date),
            body,
            story.saved_at(typed_at, rng),
        )
