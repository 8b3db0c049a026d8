"""What the patient takes, as FHIR R4: MedicationStatement (the plan), MedicationAdministration
(a dose taken or skipped) referring to its statement (DESIGN §4)."""

from ..fhir.codes import RXNORM, notes, quantity
from .dosage import DAYS, dosage_text


def medication_resources(records, bundle):
    """A MedicationStatement per medication, then a MedicationAdministration per dose event."""
    statements = {}
    for medication in records["medications"]:
        url = bundle.add(medication.id, _statement(medication, bundle))
        statements[medication.id] = (medication, url)
    for dose in records["medication_doses"]:
        medication, statement_url = statements[dose.medication_id]
        bundle.add(dose.id, _administration(dose, medication, statement_url, bundle))


def _statement(medication, bundle):
    """What the patient says they take: the plan, with its schedule as Dosage text and timing."""
    if medication.start_date > bundle.today:
        status = "intended"
    elif medication.end_date is not None and medication.end_date < bundle.today:
        status = "completed"
    else:
        status = "active"
    period = {"start": medication.start_date.isoformat()}
    if medication.end_date:
        period["end"] = medication.end_date.isoformat()
    dosage = {"text": dosage_text(medication), "asNeededBoolean": medication.as_needed}
    if medication.schedule:
        repeat = {"timeOfDay": [f"{hhmm}:00" for hhmm in medication.schedule["times"]]}
        if medication.schedule.get("days_of_week"):
            repeat["dayOfWeek"] = [DAYS[day] for day in medication.schedule["days_of_week"]]
        dosage["timing"] = {"repeat": repeat}
    if medication.route:
        dosage["route"] = {"text": medication.route}
    dosage["doseAndRate"] = [_dose(medication.dose_amount, medication.dose_unit, "doseQuantity")]
    return {
        "resourceType": "MedicationStatement",
        "status": status,
        "medicationCodeableConcept": _medication_concept(medication),
        "subject": bundle.subject,
        "effectivePeriod": period,
        "dateAsserted": bundle.time(medication.created_at),
        "informationSource": bundle.subject,
        "dosage": [dosage],
    } | notes(medication.note)


def _administration(dose, medication, statement_url, bundle):
    """A dose taken (completed) or skipped (not-done), tied to its MedicationStatement."""
    administration = {
        "resourceType": "MedicationAdministration",
        "status": "completed" if dose.status == "taken" else "not-done",
        "medicationCodeableConcept": _medication_concept(medication),
        "subject": bundle.subject,
        "supportingInformation": [{"reference": statement_url}],
        "effectiveDateTime": bundle.time(dose.taken_at or dose.scheduled_for),
        "dosage": _dose(dose.amount, dose.dose_unit, "dose"),
    }
    if dose.status == "skipped" and dose.skip_reason:
        administration["statusReason"] = [{"text": dose.skip_reason}]
    return administration


def _medication_concept(medication):
    """The name as the patient wrote it, and its RxNorm concept when they gave one."""
    named = {"text": medication.name}
    if medication.rxnorm_code:
        named["coding"] = [{"system": RXNORM, "code": medication.rxnorm_code}]
    return named


def _dose(amount, unit, dose_key):
    # A patch's strength is a rate (mcg/hour), every other unit an amount per dose.
    if unit == "mcg_per_hour":
        return {"rateQuantity": quantity(amount, unit)}
    return {dose_key: quantity(amount, unit)}
