"""The patient's diary as a FHIR R4 collection Bundle (validated against fhir.resources R4B).

The Patient, Observations and Procedures are made here, the medication resources in
:mod:`.fhir_medications`, their codes in :mod:`.fhir_codes` (LOINC, SNOMED CT where a concept
fits, this app's own system otherwise; the diary's key as text always). Times are given with the
patient's UTC offset, so a clinician sees the local clock time.
"""

import uuid
from datetime import UTC, datetime, timedelta

from ..localtime import local_date
from .export import patient_records
from .fhir_codes import (
    BODY_SITES,
    FINDING_SITE,
    MODALITIES,
    OBSERVATION_CATEGORY,
    PAIN_SEVERITY,
    PATIENT_IDENTIFIER,
    RECORD_IDENTIFIER,
    SLEEP_DURATION,
    SNOMED,
    UCUM,
    concept,
    local_concept,
    minutes,
    notes,
)
from .fhir_medications import administration, statement


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
            bundle.add(medication.id, statement(medication, subject, today, bundle.time)),
        )
    for dose in records["medication_doses"]:
        medication, statement_url = statements[dose.medication_id]
        bundle.add(dose.id, administration(dose, medication, statement_url, subject, bundle.time))
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


def _observation(subject, code, created_at, time):
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [concept(OBSERVATION_CATEGORY, "survey", "Survey")],
        "code": concept(*code),
        "subject": subject,
        "issued": time(created_at),
    }


def _site(body_site):
    """A body site: SNOMED CT where a concept fits, the site key (and side) as text."""
    text = body_site["site"]
    if body_site.get("side"):
        text = f"{text} ({body_site['side']})"
    if body_site["site"] in BODY_SITES:
        return concept(SNOMED, *BODY_SITES[body_site["site"]], text)
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
            components.append({"code": concept(*FINDING_SITE), "valueCodeableConcept": site})
            if body_site.get("intensity") is not None:
                code = concept(*PAIN_SEVERITY, f"Pain severity at {site['text']}")
                components.append({"code": code, "valueInteger": body_site["intensity"]})
    quality = local_concept("pain-quality", "Pain quality")
    components += [{"code": quality, "valueCodeableConcept": {"text": q}} for q in entry.qualities]
    peg_items = (
        ("enjoyment-interference", "Interference with enjoyment of life (0-10)",
         entry.enjoyment_interference),
        ("activity-interference", "Interference with general activity (0-10)",
         entry.activity_interference),
    )  # fmt: skip
    for code, text, value in peg_items:
        if value is not None:
            components.append({"code": local_concept(code, text), "valueInteger": value})
    if components:
        observation["component"] = components
    return observation | notes(entry.note)


def _sleep(night, subject, time):
    """LOINC 93832-4 total sleep time, with the Consensus Sleep Diary items as components."""
    observation = _observation(subject, SLEEP_DURATION, night.created_at, time)
    observation |= {
        "effectivePeriod": {"start": time(night.in_bed_at), "end": time(night.out_of_bed_at)},
        "valueQuantity": minutes(night.total_sleep_minutes),
    }
    components = [
        {"code": local_concept("sleep-latency", "Sleep onset latency"),
         "valueQuantity": minutes(night.sleep_latency_minutes)},
        {"code": local_concept("wake-after-sleep-onset", "Wake after sleep onset (WASO)"),
         "valueQuantity": minutes(night.wake_after_sleep_onset_minutes)},
        {"code": local_concept("time-in-bed", "Time in bed"),
         "valueQuantity": minutes(night.time_in_bed_minutes)},
        {"code": local_concept("sleep-efficiency", "Sleep efficiency"),
         "valueQuantity": {"value": night.sleep_efficiency, "unit": "%", "system": UCUM,
                           "code": "%"}},
    ]  # fmt: skip
    if night.awakenings is not None:
        components.append(
            {
                "code": local_concept("awakenings", "Number of awakenings"),
                "valueInteger": night.awakenings,
            }
        )
    if night.quality is not None:
        components.append(
            {"code": local_concept("sleep-quality", "Sleep quality (1 very poor - 5 very good)"),
             "valueInteger": night.quality}
        )  # fmt: skip
    return observation | {"component": components} | notes(night.note)


def _procedure(session, subject, time):
    """A therapy session: SNOMED CT where one fits, the modality key as text, and its period."""
    if session.modality in MODALITIES:
        code = concept(SNOMED, *MODALITIES[session.modality], session.modality)
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
    return procedure | notes(program, session.note)
