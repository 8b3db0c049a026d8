"""The demo patient's medications and the doses they logged, skipped or forgot."""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Prescription:
    key: str
    name: str
    ingredient: str
    dose_amount: float
    times: tuple[str, ...] = ()  # none: taken as needed
    note: str | None = None
    skip_reasons: tuple[str, ...] = ()


NAPROXEN = Prescription(
    "naproxen", "Naproxen 500 mg", "naproxen", 500, ("08:00", "20:00"), "With food.",
    ("Stomach upset", "Forgot to take it with food"),
)  # fmt: skip
# 3 × 50 mg a day = 150 mg tramadol × 0.2 = 30 MME a day (CDC 2022).
TRAMADOL = Prescription(
    "tramadol", "Tramadol 50 mg", "tramadol", 50, ("08:00", "14:00", "20:00"), None,
    ("Felt drowsy", "Pain was mild", "Driving later"),
)  # fmt: skip
OXYCODONE = Prescription(
    "oxycodone", "Oxycodone 5 mg", "oxycodone", 5, (), "For breakthrough pain, at most 2 a day."
)
PRESCRIPTIONS = (NAPROXEN, TRAMADOL, OXYCODONE)
BREAKTHROUGH_PAIN = 6.8  # day's pain level at which the as-needed opioid gets taken


def medication_records(story):
    """Yield the three medications, all started on the story's first day."""
    saved_at = story.at(story.days[0].date, "07:00")  # before the first dose
    for prescription in PRESCRIPTIONS:
        schedule = {"times": list(prescription.times)} if prescription.times else None
        body = {
            "name": prescription.name,
            "ingredient": prescription.ingredient,
            "dose_amount": prescription.dose_amount,
            "dose_unit": "mg",
            "route": "oral",
            "schedule": schedule,
            "as_needed": schedule is None,
            "start_date": story.days[0].date.isoformat(),
            "note": prescription.note,
        }
        yield "medications", story.record_id("medication", prescription.key), body, saved_at


def dose_records(story):
    """Yield the logged doses: scheduled ones mostly taken, sometimes late, skipped or missed."""
    for day in story.days:
        if not day.logged:
            continue  # nothing logged that day, so its scheduled doses count as missed
        rng = day.random("doses")
        for prescription in (NAPROXEN, TRAMADOL):
            medication_id = story.record_id("medication", prescription.key)
            for hhmm in prescription.times:
                due = story.at(day.date, hhmm)
                roll = rng.random()
                missed = 0.12 if hhmm == "14:00" else 0.04  # the midday dose is the one forgotten
                if roll < missed:
                    continue
                body = {"medication_id": str(medication_id), "scheduled_for": story.local_iso(due)}
                if roll < missed + 0.03:
                    body.update(status="skipped", skip_reason=rng.choice(prescription.skip_reasons))
                    instant = due
                else:
                    instant = due + _delay(rng, day, hhmm)
                    body.update(status="taken", taken_at=story.local_iso(instant))
                if story.happened(instant):
                    record_id = story.record_id("dose", prescription.key, due)
                    yield "medication-doses", record_id, body, story.saved_at(instant, rng, (0, 5))
        yield from _breakthrough_doses(story, day, rng)


def _delay(rng, day, hhmm):
    """Draw how late a dose was taken: minutes either side of the time, sometimes over an hour."""
    if rng.random() < 0.07:
        minutes = rng.randint(65, 150)
    else:
        minutes = round(min(55, max(-25, rng.gauss(8, 14))))
        if day.weekend and hhmm == "08:00":
            minutes += rng.randint(20, 50)  # a lie-in
    return timedelta(minutes=minutes)


def _breakthrough_doses(story, day, rng):
    """Yield an oxycodone dose on bad afternoons, and a second one on the worst days."""
    medication_id = str(story.record_id("medication", OXYCODONE.key))
    doses = (day.pain >= BREAKTHROUGH_PAIN) + (day.pain >= BREAKTHROUGH_PAIN + 1.2)
    for number, hhmm in enumerate(("15:30", "21:30")[:doses]):
        taken_at = story.at(day.date, hhmm, rng.randint(-60, 60))
        if story.happened(taken_at):
            body = {"medication_id": medication_id, "status": "taken"}
            body["taken_at"] = story.local_iso(taken_at)
            record_id = story.record_id("dose", OXYCODONE.key, day.date, number)
            yield "medication-doses", record_id, body, story.saved_at(taken_at, rng, (0, 5))
