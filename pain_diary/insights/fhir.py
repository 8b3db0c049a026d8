"""The patient's diary as a FHIR R4 collection Bundle (validated against fhir.resources R4B).

Codes: LOINC for the two measurements DESIGN §4 names, SNOMED CT only where a concept fits the
diary's term (a body site, a therapy), the diary's own key as text always. Items LOINC has no
code for (sleep latency, PEG items, ...) carry a code of this app's own system and a text.
Times are given with the patient's UTC offset, so a clinician sees the local clock time.
"""

import uuid
from datetime import UTC, datetime, timedelta

from ..localtime import local_date
from .export import patient_records

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
LOCAL = "urn:pain-diary:code"
PATIENT_IDENTIFIER = "urn:pain-diary:patient"
RECORD_IDENTIFIER = "urn:ietf:rfc:3986"

PAIN_SEVERITY = (LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
SLEEP_DURATION = (LOINC, "93832-4", "Sleep duration")
FINDING_SITE = (SNOMED, "363698007", "Finding site")

#: SNOMED CT body structures; a site without a concept that fits (upper back, wrist and hand,
#: ankle and foot, ...) is given as text only.
BODY_SITES = {
    "head": ("69536005", "Head structure"),
    "neck": ("45048000", "Neck structure"),
    "shoulder": ("16982005", "Shoulder region structure"),
    "lower_back": ("37822005", "Lower back structure"),
    "chest": ("51185008", "Thoracic structure"),
    "abdomen": ("113345001", "Abdominal structure"),
    "pelvis": ("12921003", "Pelvic structure"),
    "hip": ("29836001", "Hip region structure"),
    "buttock": ("46862004", "Buttock structure"),
    "arm": ("53120007", "Upper limb structure"),
    "elbow": ("127949000", "Elbow region structure"),
    "thigh": ("68367000", "Thigh structure"),
    "knee": ("72696002", "Knee region structure"),
    "leg": ("61685007", "Lower limb structure"),
}
#: SNOMED CT procedures and regimes; VR, mindfulness, acupuncture, TENS, massage: text only.
MODALITIES = {
    "cbt": ("304891004", "Cognitive behavioral therapy"),
    "physiotherapy": ("91251008", "Physical therapy procedure"),
    "exercise": ("229065009", "Exercise therapy"),
}
UCUM_UNITS = {"mg": "mg", "mcg": "ug", "g": "g", "ml": "mL", "mcg_per_hour": "ug/h"}
COUNTED_UNITS = ("unit", "tablet", "capsule", "puff", "drop", "patch")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def patient_bundle(patient):
    """A Bundle of type collection with the Patient and every record as FHIR resources."""
    records = patient_records(patient)
    bundle = _Bundle(patient.tz)
    person = {
        "resourceType": "Patient",
        # No email or other contact data: the receiving record system has its own.
        "identifier": [{"system": PATIENT_IDENTIFIER, "value": str(patient.id)}],
        "name": [{"text": patient.display_name}],
    }
    if patient.date_of_birth:  # with the name, how a clinic matches the patient to its own
        person["birthDate"] = patient.date_of_birth.isoformat()
    patient_url = bundle.add(patient.id, person)
    subject = {"reference": patient_url}
    for entry in records["pain_entries"]:
        bundle.add(entry.id, _pain(entry, subject, bundle.time))
    for night in records["sleep_entries"]:
        bundle.add(night.id, _sleep(night, subject, bundle.time))
    statements = {}
    today = local_date(datetime.now(UTC), patient.tz)
    for medication in records["medications"]:
        statements[medication.id] = (
            medication,
            bundle.add(medication.id, _statement(medication, subject, today, bundle.time)),
        )
    for dose in records["medication_doses"]:
        medication, statement_url = statements[dose.medication_id]
        bundle.add(dose.id, _administration(dose, medication, statement_url, subject, bundle.time))
    for session in records["therapy_sessions"]:
        bundle.add(session.id, _procedure(session, subject, bundle.time))
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "entry": bundle.entries,
    }


class _Bundle:
    """Entries with a ``urn:uuid`` fullUrl each, unique even if two records share an id."""

    def __init__(self, tz):
        self.tz = tz
        self.entries = []
        self._used = set()

    def add(self, record_id, resource):
        # Clients choose ids, and nothing stops one id in two collections; a bundle's fullUrls
        # must differ, so a repeated id gets a name-based UUID derived from it.
        entry_id = record_id
        if entry_id in self._used:
            entry_id = uuid.uuid5(record_id, resource["resourceType"])
        self._used.add(entry_id)
        url = f"urn:uuid:{entry_id}"
        resource_type = resource.pop("resourceType")
        head = {"resourceType": resource_type, "id": str(entry_id)}
        if resource_type != "Patient":
            head["identifier"] = [{"system": RECORD_IDENTIFIER, "value": f"urn:uuid:{record_id}"}]
        self.entries.append({"fullUrl": url, "resource": head | resource})
        return url

    def time(self, instant):
        return None if instant is None else instant.astimezone(self.tz).isoformat("T", "seconds")


def _concept(system, code, display, text=None):
    concept = {"coding": [{"system": system, "code": code, "display": display}]}
    return {**concept, "text": text} if text else concept


def _local(code, text):
    return _concept(LOCAL, code, text, text)


def _quantity(value, unit):
    quantity = {"value": value, "unit": unit.replace("_per_hour", "/h")}
    if unit in UCUM_UNITS:  # tablets, puffs, patches ... have no UCUM code: unit text only
        quantity |= {"system": UCUM, "code": UCUM_UNITS[unit]}
    return quantity


def _minutes(value):
    return {"value": value, "unit": "min", "system": UCUM, "code": "min"}


def _notes(*texts):
    notes = [{"text": text} for text in texts if text]
    return {"note": notes} if notes else {}  # FHIR JSON has no empty arrays


def _observation(subject, code, created_at, time):
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [_concept(OBSERVATION_CATEGORY, "survey", "Survey")],
        "code": _concept(*code),
        "subject": subject,
        "issued": time(created_at),
    }


def _site(body_site):
    """A body site: SNOMED CT where a concept fits, the site key (and side) as text."""
    text = body_site["site"]
    if body_site.get("side"):
        text = f"{text} ({body_site['side']})"
    if body_site["site"] in BODY_SITES:
        return _concept(SNOMED, *BODY_SITES[body_site["site"]], text)
    return {"text": text}


def _pain(entry, subject, time):
    """LOINC 72514-3; one site as bodySite, several as components (a site, then its rating)."""
    observation = _observation(subject, PAIN_SEVERITY, entry.created_at, time)
    observation |= {"effectiveDateTime": time(entry.recorded_at), "valueInteger": entry.intensity}
    components = []
    if len(entry.body_sites) == 1:
        observation["bodySite"] = _site(entry.body_sites[0])
    else:
        for body_site in entry.body_sites:
            site = _site(body_site)
            components.append({"code": _concept(*FINDING_SITE), "valueCodeableConcept": site})
            if body_site.get("intensity") is not None:
                code = _concept(*PAIN_SEVERITY, f"Pain severity at {site['text']}")
                components.append({"code": code, "valueInteger": body_site["intensity"]})
    quality = _local("pain-quality", "Pain quality")
    components += [{"code": quality, "valueCodeableConcept": {"text": q}} for q in entry.qualities]
    peg_items = (
        ("enjoyment-interference", "Interference with enjoyment of life (0-10)",
         entry.enjoyment_interference),
        ("activity-interference", "Interference with general activity (0-10)",
         entry.activity_interference),
    )  # fmt: skip
    for code, text, value in peg_items:
        if value is not None:
            components.append({"code": _local(code, text), "valueInteger": value})
    if components:
        observation["component"] = components
    return observation | _notes(entry.note)


def _sleep(night, subject, time):
    """LOINC 93832-4 total sleep time, with the Consensus Sleep Diary items as components."""
    observation = _observation(subject, SLEEP_DURATION, night.created_at, time)
    observation |= {
        "effectivePeriod": {"start": time(night.in_bed_at), "end": time(night.out_of_bed_at)},
        "valueQuantity": _minutes(night.total_sleep_minutes),
    }
    components = [
        {"code": _local("sleep-latency", "Sleep onset latency"),
         "valueQuantity": _minutes(night.sleep_latency_minutes)},
        {"code": _local("wake-after-sleep-onset", "Wake after sleep onset (WASO)"),
         "valueQuantity": _minutes(night.wake_after_sleep_onset_minutes)},
        {"code": _local("time-in-bed", "Time in bed"),
         "valueQuantity": _minutes(night.time_in_bed_minutes)},
        {"code": _local("sleep-efficiency", "Sleep efficiency"),
         "valueQuantity": {"value": night.sleep_efficiency, "unit": "%", "system": UCUM,
                           "code": "%"}},
    ]  # fmt: skip
    if night.awakenings is not None:
        components.append(
            {"code": _local("awakenings", "Number of awakenings"), "valueInteger": night.awakenings}
        )
    if night.quality is not None:
        components.append(
            {"code": _local("sleep-quality", "Sleep quality (1 very poor - 5 very good)"),
             "valueInteger": night.quality}
        )  # fmt: skip
    return observation | {"component": components} | _notes(night.note)


def _dose(amount, unit, dose_key):
    # A patch's strength is a rate (mcg/hour), every other unit an amount per dose.
    if unit == "mcg_per_hour":
        return {"rateQuantity": _quantity(amount, unit)}
    return {dose_key: _quantity(amount, unit)}


def _statement(medication, subject, today, time):
    """What the patient says they take: the plan, with its schedule as Dosage text and timing."""
    if medication.start_date > today:
        status = "intended"
    elif medication.end_date is not None and medication.end_date < today:
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
        "subject": subject,
        "effectivePeriod": period,
        "dateAsserted": time(medication.created_at),
        "informationSource": subject,
        "dosage": [dosage],
    } | _notes(medication.note)


def _medication_concept(medication):
    """The name as the patient wrote it, and its RxNorm concept when they gave one."""
    concept = {"text": medication.name}
    if medication.rxnorm_code:
        concept["coding"] = [{"system": RXNORM, "code": medication.rxnorm_code}]
    return concept


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


def _administration(dose, medication, statement_url, subject, time):
    """A dose taken (completed) or skipped (not-done), tied to its MedicationStatement."""
    administration = {
        "resourceType": "MedicationAdministration",
        "status": "completed" if dose.status == "taken" else "not-done",
        "medicationCodeableConcept": _medication_concept(medication),
        "subject": subject,
        "supportingInformation": [{"reference": statement_url}],
        "effectiveDateTime": time(dose.taken_at or dose.scheduled_for),
        "dosage": _dose(dose.amount, dose.dose_unit, "dose"),
    }
    if dose.status == "skipped" and dose.skip_reason:
        administration["statusReason"] = [{"text": dose.skip_reason}]
    return administration


def _procedure(session, subject, time):
    """A therapy session: SNOMED CT where one fits, the modality key as text, and its period."""
    if session.modality in MODALITIES:
        code = _concept(SNOMED, *MODALITIES[session.modality], session.modality)
    else:
        code = {"text": session.modality}
    end = session.started_at + timedelta(minutes=session.duration_minutes)
    procedure = {
        "resourceType": "Procedure",
        "status": "completed",
        "code": code,
        "subject": subject,
        "performedPeriod": {"start": time(session.started_at), "end": time(end)},
    }
    ratings = [
        f"pain {value}/10 {when}"
        for when, value in (("before", session.pain_before), ("after", session.pain_after))
        if value is not None
    ]
    if ratings:
        procedure["outcome"] = {"text": ", ".join(ratings).capitalize()}
    program = f"Program: {session.program}" if session.program else None
    return procedure | _notes(program, session.note)
