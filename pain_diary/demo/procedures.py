"""The demo patient's procedures: a medial branch block and a spinal cord stimulator trial.

The block numbs the facet joints for a few hours: two check-ins after it, instead of the day's
midday one, say how little it hurt then (its "same day" window). The trial's week of relief is
in the story's pain itself (story.TRIAL_PAIN_SHARE).
"""

from datetime import timedelta

from .story import BLOCK_DAY, TRIAL_DAY, TRIAL_DAYS, stream

PROVIDER = "Dr Weber, St. Anna pain clinic"
BLOCK_AT = "10:00"
#: The check-ins after the block: (minutes after it, intensity).
AFTER_THE_BLOCK = ((90, 2), (240, 2))
TRIAL_AT = "09:00"


def procedure_records(story):
    """Yield the block, logged that evening, and the trial, logged once the leads were out."""
    block_at = story.at(story.days[BLOCK_DAY].date, BLOCK_AT)
    trial_day = story.days[TRIAL_DAY].date
    trial_at = story.at(trial_day, TRIAL_AT)
    trial_ends_at = story.at(trial_day + timedelta(days=TRIAL_DAYS), TRIAL_AT)
    block = {
        "kind": "medial_branch_block",
        "performed_at": story.local_iso(block_at),
        "level": "L4-L5",
        "body_sites": [{"site": "lower_back", "side": "both"}],
        "provider": PROVIDER,
        "reported_relief_percent": 80,
    }
    trial = {
        "kind": "scs_trial",
        "performed_at": story.local_iso(trial_at),
        "trial_ends_at": story.local_iso(trial_ends_at),
        "level": "T9-T10",
        "body_sites": [{"site": "lower_back", "side": "center"}, {"site": "leg", "side": "left"}],
        "provider": PROVIDER,
        "reported_relief_percent": 60,
        "note": "Tingling over the back and left leg; walked to the shops without stopping.",
    }
    for body, logged_after in ((block, block_at + timedelta(hours=9)), (trial, trial_ends_at)):
        if story.happened(logged_after):
            rng = stream("procedure", body["kind"])
            record_id = story.record_id("procedure", body["kind"])
            yield "procedures", record_id, body, story.saved_at(logged_after, rng)


def block_relief_records(story):
    """Yield the check-ins of the hours after the block."""
    day = story.days[BLOCK_DAY]
    performed_at = story.at(day.date, BLOCK_AT)
    rng = day.random("after-the-block")
    for number, (minutes, intensity) in enumerate(AFTER_THE_BLOCK, 1):
        recorded_at = performed_at + timedelta(minutes=minutes)
        if not story.happened(recorded_at):
            continue
        body = {
            "recorded_at": story.local_iso(recorded_at),
            "intensity": intensity,
            "body_sites": [{"site": "lower_back", "side": "center", "intensity": intensity}],
            "qualities": ["dull"],
            "tags": ["after the block"],
        }
        if number == 1:
            body["note"] = "Back numb after the block, almost no pain."
        record_id = story.record_id("pain", day.date, f"after-the-block-{number}")
        yield "pain-entries", record_id, body, story.saved_at(recorded_at, rng)
