"""The demo patient's pain entries (2–3 a day) and their Consensus Sleep Diary nights."""

from datetime import timedelta

from .story import BLOCK_DAY, FLARE_DAYS, USUAL_SLEEP, clamp, nrs

ACTIVITIES = ("desk work", "walk", "driving", "housework", "shopping", "long sitting", "stairs")
GARDENING_DAY = min(FLARE_DAYS) - 1
RECALLED_DAYS = frozenset({29, 57, 96})  # the evening entry was typed in a day or more later


def pain_records(story):
    """Yield a morning, often a midday, and an evening entry with the PEG items per logged day."""
    for day in story.days:
        if not day.logged:
            continue
        rng = day.random("pain")
        slots = [("morning", "07:30", rng.randint(-20, 70) + 50 * day.weekend, 0.4)]
        # On the block's day its own check-ins (procedures.py) stand for the midday one.
        if rng.random() < 0.55 and day.index != BLOCK_DAY:
            slots.append(("midday", "12:45", rng.randint(-30, 120), -0.4))
        slots.append(("evening", "20:30", rng.randint(-30, 75), 0.2))
        if rng.random() < 0.08:
            slots = slots[-1:]  # a day with a single check-in
        for slot, hhmm, minutes, shift in slots:
            recorded_at = story.at(day.date, hhmm, minutes)
            if not story.happened(recorded_at):
                continue
            intensity = nrs(day.pain + shift + rng.gauss(0, 0.6))
            body = {
                "recorded_at": story.local_iso(recorded_at),
                "intensity": intensity,
                "body_sites": _sites(day, intensity, rng),
                "qualities": _qualities(day, slot, intensity, rng),
                "tags": _tags(day, slot, rng),
            }
            if slot == "evening":
                body["enjoyment_interference"] = nrs(intensity - 0.5 + rng.gauss(0, 1))
                body["activity_interference"] = nrs(intensity + 0.3 + rng.gauss(0, 1))
            if slot == "morning" and day.index == GARDENING_DAY + 1:
                body["note"] = "Back locked up after a day in the garden."
            if slot == "evening" and day.index in RECALLED_DAYS:
                saved_at = story.saved_at(recorded_at, rng, (26 * 60, 40 * 60))
            else:
                saved_at = story.saved_at(recorded_at, rng)
            yield "pain-entries", story.record_id("pain", day.date, slot), body, saved_at


def _sites(day, intensity, rng):
    sites = [{"site": "lower_back", "side": "center", "intensity": intensity}]
    if day.radiating:
        site = "hip" if rng.random() < 0.3 else "leg"
        sites.append(
            {"site": site, "side": "left", "intensity": nrs(intensity - rng.randint(1, 2))}
        )
    return sites


def _qualities(day, slot, intensity, rng):
    qualities = ["stiff", "aching"] if slot == "morning" else ["aching"]
    qualities.append("sharp" if intensity >= 7 else "dull")
    if day.radiating:
        qualities += ["radiating", rng.choice(("shooting", "tingling", "burning"))]
    return qualities


def _tags(day, slot, rng):
    if slot == "morning":
        return ["poor sleep"] if day.sleep_minutes < USUAL_SLEEP - 60 else []
    if slot == "evening" and day.index == GARDENING_DAY:
        return ["gardening"]
    return rng.sample(ACTIVITIES, rng.choice((0, 0, 0, 1, 1, 2)))


def sleep_records(story):
    """Yield the night before each logged day (logged that morning), bar a few forgotten ones."""
    for day in story.days[1:]:
        rng = day.random("sleep")
        if not day.logged or rng.random() < 0.04:
            continue
        night_of = day.date - timedelta(days=1)
        total_sleep = day.sleep_minutes
        lost = max(0, USUAL_SLEEP - total_sleep)
        in_bed = story.at(
            night_of, "22:40", round(rng.gauss(0, 20)) + 30 * (night_of.weekday() >= 4)
        )
        tried = in_bed + timedelta(minutes=rng.randint(5, 25))
        latency = round(clamp(rng.gauss(15 + 3 * (day.pain - 5), 7), 4, 75))
        waso = round(clamp(rng.gauss(25 + 0.25 * lost, 10), 5, 120))
        final_awakening = tried + timedelta(minutes=latency + total_sleep + waso)
        out_of_bed = final_awakening + timedelta(minutes=rng.randint(5, 25) + 10 * day.weekend)
        if not story.happened(out_of_bed):
            continue
        body = {
            "night_of": night_of.isoformat(),
            "in_bed_at": story.local_iso(in_bed),
            "tried_to_sleep_at": story.local_iso(tried),
            "final_awakening_at": story.local_iso(final_awakening),
            "out_of_bed_at": story.local_iso(out_of_bed),
            "sleep_latency_minutes": latency,
            "wake_after_sleep_onset_minutes": waso,
            "awakenings": int(clamp(round(waso / 15 + rng.gauss(0, 1)), 1, 50)),
            "quality": int(clamp(round((total_sleep - 220) / 60 + rng.gauss(0, 0.6)), 1, 5)),
        }
        if lost >= 90:
            body["note"] = "Woke with back pain in the night."
        saved_at = story.saved_at(out_of_bed, rng, (5, 40))
        yield "sleep-entries", story.record_id("sleep", night_of), body, saved_at
