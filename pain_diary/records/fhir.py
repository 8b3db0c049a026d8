"""Pain entries, sleep entries and therapy sessions as FHIR R4 resources (DESIGN §4).

Each function is a record type's ``fhir`` part: it adds that type's records, oldest first, to
the patient's :class:`~pain_diary.fhir.bundle.Bundle`.
"""

from datetime import timedelta

from ..fhir.bundle import observation
from ..fhir.codes import (
    FINDING_SITE,
    LOINC,
    SNOMED,
    UCUM,
    body_site,
    concept,
    local_concept,
    minutes,
    notes,
)

PAIN_SEVERITY = (LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
SLEEP_DURATION = (LOINC, "93832-4", "Sleep duration")
#: SNOMED CT procedures and regimes; VR, mindfulness, acupuncture, TENS, massage: text only.
MODALITY_PROCEDURES = {
    "cbt": ("304891004", "Cognitive behavioral therapy"),
    "physiotherapy": ("91251008", "Physical therapy procedure"),
    "exercise": ("229065009", "Exercise therapy"),
}


def pain_resources(records, bundle):
    """One pain severity Observation per pain entry."""
    for entry in records["pain_entries"]:
        bundle.add(entry.id, _pain(entry, bundle))


def sleep_resources(records, bundle):
    """One sleep duration Observation per night."""
    for night in records["sleep_entries"]:
        bundle.add(night.id, _sleep(night, bundle))


def therapy_resources(records, bundle):
    """One Procedure per therapy session."""
    for session in records["therapy_sessions"]:
        bundle.add(session.id, _procedure(session, bundle))


def _pain(entry, bundle):
    """LOINC 72514-3; one site as bodySite, several as components (a site, then its rating)."""
    time = bundle.time
    pain = observation(bundle, PAIN_SEVERITY, entry.created_at)
    pain |= {"effectiveDateTime": time(entry.recorded_at), "valueInteger": entry.intensity}
    components = []
    if len(entry.body_sites) == 1:
        pain["bodySite"] = body_site(entry.body_sites[0])
    else:
        for site in entry.body_sites:
            where = body_site(site)
            components.append({"code": concept(*FINDING_SITE), "valueCodeableConcept": where})
            if site.get("intensity") is not None:
                code = concept(*PAIN_SEVERITY, f"Pain severity at {where['text']}")
                components.append({"code": code, "valueInteger": site["intensity"]})
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
        pain["component"] = components
    return pain | notes(entry.note)


def _sleep(night, bundle):
    """LOINC 93832-4 total sleep time, with the Consensus Sleep Diary items as components."""
    time = bundle.time
    sleep = observation(bundle, SLEEP_DURATION, night.created_at)
    sleep |= {
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
    return sleep | {"component": components} | notes(night.note)


def _procedure(session, bundle):
    """A therapy session: SNOMED CT where one fits, the modality key as text, and its period."""
    if session.modality in MODALITY_PROCEDURES:
        code = concept(SNOMED, *MODALITY_PROCEDURES[session.modality], session.modality)
    else:
        code = {"text": session.modality}
    end = session.started_at + timedelta(minutes=session.duration_minutes)
    procedure = {
        "resourceType": "Procedure",
        "status": "completed",
        "code": code,
        "subject": bundle.subject,
        "performedPeriod": {"start": bundle.time(session.started_at), "end": bundle.time(end)},
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
