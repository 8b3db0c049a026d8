"""A medication plan in words: dose, route and schedule, for the summary page and FHIR."""

COUNTED_UNITS = ("unit", "tablet", "capsule", "puff", "drop", "patch")
#: Weekday keys, Monday = 0 as a schedule's ``days_of_week`` counts them (also FHIR's day codes).
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def dosage_text(medication):
    """'5 mg oral at 08:00, 14:00 and 20:00 on Mon, Thu', '2 tablets every day', '... as needed'."""
    amount, unit = medication.dose_amount, medication.dose_unit.replace("_", " ")
    plural = amount != 1 and medication.dose_unit in COUNTED_UNITS
    words = [f"{amount:g} {unit}{'s' if plural else ''}"]
    if medication.route:
        words.append(medication.route)
    if not medication.schedule:
        return " ".join([*words, "as needed"])
    *earlier, last = medication.schedule["times"]
    words.append("at " + " and ".join([", ".join(earlier), last] if earlier else [last]))
    days = medication.schedule.get("days_of_week")
    words.append("on " + ", ".join(DAYS[d].title() for d in days) if days else "every day")
    return " ".join(words)
