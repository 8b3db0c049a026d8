"""The FHIR R4 Bundle (DESIGN §4): valid R4B, one resource per record, who may read it."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle

from pain_diary.fhir.bundle import Bundle as DiaryBundle
from pain_diary.insights.fhir import add_records
from pain_diary.sync.registry import RecordType, registry

from .helpers import assert_invalid
from .test_export import ago, log_diary, put

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
PAIN_SEVERITY = "72514-3"
SLEEP_DURATION = "93832-4"
FINDING_SITE = "363698007"


def valid_bundle(response, mimetype="application/json"):
    """The response's Bundle, after checking it against the R4B models."""
    assert response.status_code == 200, response.json
    assert response.mimetype == mimetype
    document = response.get_json(force=True)
    Bundle.model_validate(document)
    assert document["type"] == "collection"
    return document


def own_bundle(client):
    return valid_bundle(client.get("/api/v1/export?format=fhir"))


def resources(bundle, resource_type=None):
    found = [entry["resource"] for entry in bundle["entry"]]
    return [r for r in found if resource_type in (None, r["resourceType"])]


def by_record(bundle, resource_type):
    """Resources of a type by the id of the diary record they came from."""
    return {
        r["identifier"][0]["value"].removeprefix("urn:uuid:"): r
        for r in resources(bundle, resource_type)
    }


def codes(concept, system):
    return [coding["code"] for coding in concept.get("coding", []) if coding["system"] == system]


def references(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference":
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def same_instant(fhir_value, api_value):
    return datetime.fromisoformat(fhir_value) == datetime.fromisoformat(api_value)


def link(patient, clinician):
    code = patient.post("/api/v1/care-team/invitations").json["code"]
    response = clinician.post("/api/v1/care-team/links", json={"code": code})
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_the_bundle_holds_the_patient_and_one_resource_per_record(patient):
    log_diary(patient)
    bundle = own_bundle(patient)
    counts = {}
    for resource in resources(bundle):
        counts[resource["resourceType"]] = counts.get(resource["resourceType"], 0) + 1
    assert counts == {
        "Patient": 1, "Observation": 5, "MedicationStatement": 2,  # 3 pain, 1 night, 1 day's steps
        "MedicationAdministration": 3, "Procedure": 3,  # 2 therapy sessions, 1 procedure
    }  # fmt: skip
    me = patient.get("/api/v1/me").json
    (person,) = resources(bundle, "Patient")
    assert person["identifier"] == [{"system": "urn:pain-diary:patient", "value": me["id"]}]
    assert person["name"] == [{"text": me["display_name"]}]
    assert "birthDate" not in person  # none given
    assert me["email"] not in str(bundle)  # minimal personal data


def test_the_patient_carries_the_date_of_birth_as_birth_date(patient):
    assert patient.patch("/api/v1/me", json={"date_of_birth": "1961-03-04"}).status_code == 200
    (person,) = resources(own_bundle(patient), "Patient")
    assert person["birthDate"] == "1961-03-04"


def test_every_entry_has_a_unique_urn_uuid_and_every_reference_resolves(patient):
    log_diary(patient)
    bundle = own_bundle(patient)
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert all(url.startswith("urn:uuid:") and uuid.UUID(url[9:]) for url in urls)
    assert len(set(urls)) == len(urls)
    found = list(references(bundle))
    assert len(found) >= 11 and set(found) <= set(urls)
    patient_url = bundle["entry"][0]["fullUrl"]
    assert bundle["entry"][0]["resource"]["resourceType"] == "Patient"
    assert all(r["subject"] == {"reference": patient_url} for r in resources(bundle)[1:])


def empty_values(value, path="$"):
    if value in (None, "", [], {}):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from empty_values(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from empty_values(item, f"{path}[{index}]")


def test_the_bundle_has_no_empty_elements(patient):
    log_diary(patient)  # some records with a note, some without
    assert list(empty_values(own_bundle(patient))) == []  # FHIR JSON forbids empty elements


def test_each_pain_entry_is_one_pain_severity_observation_with_its_intensity(patient):
    created = log_diary(patient)["pain_entries"]
    bundle = own_bundle(patient)
    pain = [r for r in resources(bundle, "Observation") if PAIN_SEVERITY in codes(r["code"], LOINC)]
    assert len(pain) == len(created) == 3
    observations = {r["identifier"][0]["value"].removeprefix("urn:uuid:"): r for r in pain}
    for entry in created:
        observation = observations[entry["id"]]
        assert observation["valueInteger"] == entry["intensity"]
        assert observation["status"] == "final"
        assert same_instant(observation["effectiveDateTime"], entry["recorded_at"])
        assert codes(observation["category"][0], "http://terminology.hl7.org/CodeSystem/"
                     "observation-category") == ["survey"]  # fmt: skip


def test_one_body_site_is_the_body_site_and_several_are_components(patient):
    one_site, many_sites, no_site = log_diary(patient)["pain_entries"]
    observations = by_record(own_bundle(patient), "Observation")

    single = observations[one_site["id"]]
    assert codes(single["bodySite"], SNOMED) == ["37822005"]
    assert "lower_back" in single["bodySite"]["text"] and "left" in single["bodySite"]["text"]
    site_components = [c for c in single.get("component", []) if codes(c["code"], SNOMED)]
    assert site_components == []

    several = observations[many_sites["id"]]
    assert "bodySite" not in several
    components = [
        (codes(c["code"], SNOMED) + codes(c["code"], LOINC),
         c.get("valueCodeableConcept") or c.get("valueInteger"))
        for c in several["component"]
    ]  # fmt: skip
    shown = [
        (code, value if isinstance(value, int) else value["text"]) for code, value in components
    ]
    assert shown == [
        ([FINDING_SITE], "neck"), ([PAIN_SEVERITY], 5),
        ([FINDING_SITE], "knee (right)"), ([PAIN_SEVERITY], 8),
        ([FINDING_SITE], "wrist_hand"),
    ]  # fmt: skip
    assert codes(components[0][1], SNOMED) == ["45048000"]
    assert codes(components[2][1], SNOMED) == ["72696002"]
    assert codes(components[4][1], SNOMED) == []  # no SNOMED concept for wrist and hand

    bare = observations[no_site["id"]]
    assert "bodySite" not in bare and "component" not in bare


def test_a_sleep_entry_is_a_sleep_duration_observation_with_the_diary_items(patient):
    (night,) = log_diary(patient)["sleep_entries"]
    observation = by_record(own_bundle(patient), "Observation")[night["id"]]
    assert codes(observation["code"], LOINC) == [SLEEP_DURATION]
    assert observation["valueQuantity"] == {
        "value": night["total_sleep_minutes"], "unit": "min",
        "system": "http://unitsofmeasure.org", "code": "min",
    }  # fmt: skip
    assert night["total_sleep_minutes"] == 415
    assert same_instant(observation["effectivePeriod"]["start"], night["in_bed_at"])
    assert same_instant(observation["effectivePeriod"]["end"], night["out_of_bed_at"])
    values = {
        c["code"]["coding"][0]["code"]: c.get("valueQuantity", {}).get(
            "value", c.get("valueInteger")
        )
        for c in observation["component"]
    }
    assert values["sleep-latency"] == 20
    assert values["wake-after-sleep-onset"] == 30
    assert values["awakenings"] == 2
    assert values["sleep-efficiency"] == night["sleep_efficiency"] == 81.4


def test_doses_are_administrations_completed_when_taken_and_not_done_when_skipped(patient):
    created = log_diary(patient)
    taken, skipped, as_needed = created["medication_doses"]
    bundle = own_bundle(patient)
    administrations = by_record(bundle, "MedicationAdministration")
    statements = {
        record_id: next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is statement)
        for record_id, statement in by_record(bundle, "MedicationStatement").items()
    }

    assert administrations[taken["id"]]["status"] == "completed"
    assert same_instant(administrations[taken["id"]]["effectiveDateTime"], taken["taken_at"])
    assert administrations[taken["id"]]["dosage"]["dose"]["value"] == 400
    assert administrations[taken["id"]]["dosage"]["dose"]["code"] == "mg"

    not_done = administrations[skipped["id"]]
    assert not_done["status"] == "not-done"
    assert not_done["statusReason"] == [{"text": "Felt sick"}]
    assert same_instant(not_done["effectiveDateTime"], skipped["scheduled_for"])
    assert not_done["medicationCodeableConcept"] == {"text": "Ibuprofen 400"}

    assert administrations[as_needed["id"]]["status"] == "completed"
    for dose in (taken, skipped, as_needed):
        assert administrations[dose["id"]]["supportingInformation"] == [
            {"reference": statements[dose["medication_id"]]}
        ]


def test_medications_are_statements_with_their_schedule(patient):
    scheduled, as_needed = log_diary(patient)["medications"]
    statements = by_record(own_bundle(patient), "MedicationStatement")
    plan = statements[scheduled["id"]]
    assert plan["status"] == "active"
    assert plan["medicationCodeableConcept"] == {"text": "Ibuprofen 400"}
    assert plan["effectivePeriod"] == {"start": scheduled["start_date"]}
    (dosage,) = plan["dosage"]
    assert dosage["text"] == "400 mg oral at 08:00 and 20:00 every day"
    assert dosage["timing"]["repeat"]["timeOfDay"] == ["08:00:00", "20:00:00"]
    assert dosage["asNeededBoolean"] is False
    (dosage,) = statements[as_needed["id"]]["dosage"]
    assert dosage["asNeededBoolean"] is True
    assert dosage["text"] == "5 mg oral as needed"
    assert "timing" not in dosage


def test_a_cbt_session_is_a_snomed_coded_procedure_with_its_period(patient):
    cbt, vr = log_diary(patient)["therapy_sessions"]
    procedures = by_record(own_bundle(patient), "Procedure")
    session = procedures[cbt["id"]]
    assert session["status"] == "completed"
    assert codes(session["code"], SNOMED) == ["304891004"]
    assert session["code"]["text"] == "cbt"
    start, end = (datetime.fromisoformat(session["performedPeriod"][k]) for k in ("start", "end"))
    assert start == datetime.fromisoformat(cbt["started_at"])
    assert end - start == timedelta(minutes=50)
    assert procedures[vr["id"]]["code"] == {"text": "vr"}  # no SNOMED concept for VR therapy


def test_records_sharing_an_id_still_get_distinct_full_urls(patient):
    shared = str(uuid.uuid4())
    put(patient, "pain-entries", {"recorded_at": ago(hours=2).isoformat(), "intensity": 5}, shared)
    put(patient, "therapy-sessions", {
        "modality": "cbt", "started_at": ago(hours=3).isoformat(), "duration_minutes": 30,
    }, shared)  # fmt: skip
    bundle = own_bundle(patient)
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(urls)) == len(urls) == 3
    assert f"urn:uuid:{shared}" in urls
    assert set(by_record(bundle, "Observation")) == set(by_record(bundle, "Procedure")) == {shared}


def test_a_linked_clinician_reads_the_patients_bundle_as_fhir_json(patient, clinician):
    log_diary(patient)
    link(patient, clinician)
    patient_id = patient.user.id
    response = clinician.get(f"/api/v1/patients/{patient_id}/fhir")
    bundle = valid_bundle(response, mimetype="application/fhir+json")
    own = own_bundle(patient)
    assert [e["fullUrl"] for e in bundle["entry"]] == [e["fullUrl"] for e in own["entry"]]
    events = patient.get("/api/v1/audit-events").json["items"]
    assert any(e["resource"] == "fhir" and e["outcome"] == "allowed" for e in events)


def test_an_unlinked_clinician_gets_404(patient, clinician, accounts):
    log_diary(patient)
    other = accounts.signed_in(role="patient")
    link(other, clinician)  # linked to someone else only
    response = clinician.get(f"/api/v1/patients/{patient.user.id}/fhir")
    assert response.status_code == 404, response.json
    assert response.json["error"]["status"] == 404


def test_a_revoked_link_reads_no_more(patient, clinician):
    link_id = link(patient, clinician)
    url = f"/api/v1/patients/{patient.user.id}/fhir"
    assert clinician.get(url).status_code == 200
    assert patient.delete(f"/api/v1/care-team/{link_id}").status_code == 204
    assert clinician.get(url).status_code == 404


def test_a_patient_cannot_read_another_patients_bundle(patient, accounts):
    other = accounts.signed_in(role="patient")
    response = patient.get(f"/api/v1/patients/{other.user.id}/fhir")
    assert response.status_code == 403, response.json


RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def test_an_rxnorm_code_is_a_coding_beside_the_name_in_statement_and_administrations(patient):
    start = ago(days=3).date().isoformat()
    coded = put(patient, "medications", {
        "name": "Oxycodone 5 mg IR", "ingredient": "oxycodone", "rxnorm_code": "1049621",
        "dose_amount": 5, "dose_unit": "mg", "route": "oral", "as_needed": True,
        "start_date": start,
    })  # fmt: skip
    uncoded = put(patient, "medications", {
        "name": "Naproxen 500", "dose_amount": 500, "dose_unit": "mg",
        "schedule": {"times": ["08:00"]}, "start_date": start, "rxnorm_code": None,
    })  # fmt: skip
    dose = put(patient, "medication-doses", {
        "medication_id": coded["id"], "status": "taken", "scheduled_for": None,
        "taken_at": ago(hours=2).isoformat(),
    })  # fmt: skip
    bundle = own_bundle(patient)  # validates against R4B
    concept = {"coding": [{"system": RXNORM, "code": "1049621"}], "text": "Oxycodone 5 mg IR"}
    statements = by_record(bundle, "MedicationStatement")
    assert statements[coded["id"]]["medicationCodeableConcept"] == concept
    assert statements[uncoded["id"]]["medicationCodeableConcept"] == {"text": "Naproxen 500"}
    administration = by_record(bundle, "MedicationAdministration")[dose["id"]]
    assert administration["medicationCodeableConcept"] == concept


@pytest.mark.parametrize(
    "code", ["", "12a", "１２３", "1234567890123", "123\n", " 123", "-5", 1049621]
)
def test_an_rxnorm_code_is_1_to_12_digits(patient, code):
    response = patient.post("/api/v1/medications", json={
        "name": "Oxycodone", "rxnorm_code": code, "dose_amount": 5, "dose_unit": "mg",
        "as_needed": True, "start_date": ago(days=1).date().isoformat(),
    })  # fmt: skip
    assert_invalid(response, "rxnorm_code")
    expected = "Not a valid string." if isinstance(code, int) else (
        "Must be an RxNorm concept id: 1 to 12 digits."
    )  # fmt: skip
    assert response.json["error"]["fields"]["rxnorm_code"] == [expected]


def test_the_openapi_document_gives_the_rxnorm_pattern(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    field = schemas["Medication"]["properties"]["rxnorm_code"]
    assert (field["type"], field["pattern"], field["nullable"]) == ("string", "^[0-9]{1,12}$", True)


def test_each_record_type_adds_its_resources_in_the_order_declared():
    def adding(resource_type):
        def add(records, bundle):
            for record_id in records[resource_type]:
                bundle.add(record_id, {"resourceType": resource_type, "subject": bundle.subject})

        return add

    first, second, shared = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    records = {"Procedure": [first, shared], "Observation": [shared, second], "mood": [first]}
    bundle = DiaryBundle(UTC, date(2025, 11, 12))
    bundle.add_patient(uuid.uuid4(), {"resourceType": "Patient"})
    declared = [
        RecordType("procedures", fhir=adding("Procedure")),
        RecordType("mood"),  # no fhir part: nothing in the bundle
        RecordType("observations", fhir=adding("Observation")),
    ]
    add_records(bundle, records, declared)
    added = [(e["resource"]["resourceType"], e["resource"]["identifier"][0]["value"])
             for e in bundle.entries[1:]]  # fmt: skip
    assert added == [
        ("Procedure", f"urn:uuid:{first}"), ("Procedure", f"urn:uuid:{shared}"),
        ("Observation", f"urn:uuid:{shared}"), ("Observation", f"urn:uuid:{second}"),
    ]  # fmt: skip
    assert all(e["resource"]["subject"] == bundle.subject for e in bundle.entries[1:])


def test_a_record_type_without_fhir_leaves_the_bundle_as_it_was(app, patient, monkeypatch):
    log_diary(patient)
    before = own_bundle(patient)
    with app.app_context():  # declared after the others, for this test only
        monkeypatch.setitem(registry().record_types, "mood", RecordType("mood"))
        assert list(registry().record_types)[-1] == "mood"
    after = own_bundle(patient)
    assert len(after["entry"]) == 14
    assert after["entry"] == before["entry"]
