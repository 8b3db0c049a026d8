"""A procedure as a FHIR R4 Procedure (DESIGN §4): the fields a clinic's record reads, valid R4B."""

import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.procedure import Procedure

from pain_diary.fhir.bundle import Bundle as DiaryBundle
from pain_diary.procedures.fhir import KIND_PROCEDURES, KIND_WORDS, procedure_resources
from pain_diary.procedures.schemas import KINDS

SNOMED = "http://snomed.info/sct"
BERLIN = ZoneInfo("Europe/Berlin")
#: 10:30 in Berlin, an hour ahead of UTC in November.
PERFORMED_AT = datetime(2025, 11, 10, 9, 30, tzinfo=UTC)


def procedure(**values):
    """A procedure as the record type's ``fhir`` part receives it; a plain one by default."""
    record = {
        "id": uuid.uuid4(), "kind": "medial_branch_block", "performed_at": PERFORMED_AT,
        "trial_ends_at": None, "body_sites": [], "level": None, "provider": None,
        "reported_relief_percent": None, "note": None,
    }  # fmt: skip
    return SimpleNamespace(**(record | values))


def resources_of(*procedures):
    """Each procedure's resource, after checking it and the whole Bundle against R4B."""
    bundle = DiaryBundle(BERLIN, date(2025, 11, 12))
    bundle.add_patient(uuid.uuid4(), {"resourceType": "Patient"})
    procedure_resources({"procedures": list(procedures)}, bundle)
    Bundle.model_validate(bundle.document(datetime.now(UTC)))
    found = [entry["resource"] for entry in bundle.entries[1:]]
    for resource in found:
        Procedure.model_validate(resource)
    return bundle, found


def test_a_procedure_on_one_sided_site_is_a_completed_procedure_at_its_local_time():
    record = procedure(body_sites=[{"site": "lower_back", "side": "left"}])
    bundle, (resource,) = resources_of(record)
    assert resource == {
        "resourceType": "Procedure",
        "id": str(record.id),
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{record.id}"}],
        "status": "completed",
        "code": {"text": "Medial branch block"},
        "subject": bundle.subject,
        "performedDateTime": "2025-11-10T10:30:00+01:00",
        "bodySite": [{
            "coding": [{"system": SNOMED, "code": "37822005", "display": "Lower back structure"}],
            "text": "lower_back (left)",
        }],
    }  # fmt: skip
    assert bundle.subject == {"reference": bundle.entries[0]["fullUrl"]}


def test_a_stimulator_trial_is_performed_over_its_period_to_the_lead_removal():
    record = procedure(kind="scs_trial", trial_ends_at=PERFORMED_AT + timedelta(days=7, hours=2))
    _, (resource,) = resources_of(record)
    assert resource["performedPeriod"] == {
        "start": "2025-11-10T10:30:00+01:00",
        "end": "2025-11-17T12:30:00+01:00",
    }
    assert "performedDateTime" not in resource
    assert resource["code"] == {"text": "Spinal cord stimulator trial"}


@pytest.mark.parametrize("kind", sorted(set(KINDS) - set(KIND_PROCEDURES)))
def test_a_kind_without_a_verified_snomed_code_is_its_words_only(kind):
    _, (resource,) = resources_of(procedure(kind=kind))
    assert resource["code"] == {"text": KIND_WORDS[kind]}


def test_surgery_carries_its_verified_snomed_code_and_its_words():
    _, (resource,) = resources_of(procedure(kind="surgery"))
    assert resource["code"] == {
        "coding": [{"system": SNOMED, "code": "387713003", "display": "Surgical procedure"}],
        "text": "Surgery",
    }


def test_level_provider_relief_and_note_are_carried_where_fhir_has_a_place_for_them():
    record = procedure(
        kind="epidural_steroid_injection",
        body_sites=[{"site": "lower_back", "side": "both"}, {"site": "leg", "side": "right"}],
        level="L4-L5",
        provider="Dr. Ana Ruiz, Spine Clinic",
        reported_relief_percent=60,
        note="Leg pain eased within a day; back still stiff.",
    )
    _, (resource,) = resources_of(record)
    assert [site["text"] for site in resource["bodySite"]] == [
        "lower_back (both)", "leg (right)", "Level L4-L5",
    ]  # fmt: skip
    assert resource["bodySite"][-1] == {"text": "Level L4-L5"}  # the level has no code
    assert resource["performer"] == [{"actor": {"display": "Dr. Ana Ruiz, Spine Clinic"}}]
    assert resource["outcome"] == {"text": "Relief reported by the patient: 60 %"}
    assert resource["note"] == [{"text": "Leg pain eased within a day; back still stiff."}]


def test_no_relief_is_still_an_outcome_and_an_unanswered_one_is_none():
    none, unanswered = procedure(reported_relief_percent=0), procedure()
    _, (with_zero, without) = resources_of(none, unanswered)
    assert with_zero["outcome"] == {"text": "Relief reported by the patient: 0 %"}
    assert not {"outcome", "performer", "note", "bodySite"} & set(without)


def test_a_site_without_a_snomed_concept_or_a_side_is_text_only():
    record = procedure(body_sites=[{"site": "upper_back"}, {"site": "neck", "side": None}])
    _, (resource,) = resources_of(record)
    assert resource["bodySite"] == [
        {"text": "upper_back"},
        {"coding": [{"system": SNOMED, "code": "45048000", "display": "Neck structure"}],
         "text": "neck"},
    ]  # fmt: skip


def test_a_level_without_sites_is_the_one_body_site():
    _, (resource,) = resources_of(procedure(level="C5-C6"))
    assert resource["bodySite"] == [{"text": "Level C5-C6"}]


def test_each_procedure_is_one_resource_in_the_order_given():
    older, newer = procedure(), procedure(kind="prolotherapy")
    _, found = resources_of(older, newer)
    assert [r["identifier"][0]["value"] for r in found] == [
        f"urn:uuid:{older.id}", f"urn:uuid:{newer.id}",
    ]  # fmt: skip
    assert [r["code"]["text"] for r in found] == ["Medial branch block", "Prolotherapy"]


def test_every_kind_has_words_and_only_kinds_have_codes():
    assert set(KIND_WORDS) == set(KINDS)
    assert set(KIND_PROCEDURES) <= set(KINDS)
