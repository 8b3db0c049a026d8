"""Pain entries: the field rules of DESIGN.md §3 and the local date the server derives."""

from datetime import datetime

import pytest

from .factories import PainEntryBody
from .helpers import assert_invalid, in_minutes

URL = "/api/v1/pain-entries"

# The enumerations exactly as DESIGN.md §3 lists them, so that a drift in the app shows up here.
BODY_SITES = [
    "head", "jaw", "neck", "shoulder", "upper_back", "mid_back", "lower_back", "chest", "abdomen",
    "pelvis", "hip", "buttock", "arm", "elbow", "wrist_hand", "thigh", "knee", "leg",
    "ankle_foot", "other",
]  # fmt: skip
SIDES = ["left", "right", "both", "center"]
QUALITIES = [
    "aching", "burning", "stabbing", "shooting", "throbbing", "tingling", "numb", "cramping",
    "dull", "sharp", "radiating", "stiff",
]  # fmt: skip


def test_a_full_entry_is_stored_and_read_back(patient):
    body = PainEntryBody(
        body_sites=[
            {"site": "lower_back", "intensity": 6, "side": "center"},
            {"site": "thigh", "side": "left"},
        ],
        qualities=["aching", "radiating"],
        enjoyment_interference=5,
        activity_interference=7,
        tags=["gardening", "long drive"],
        note="Worse after the drive home.",
    )
    created = patient.post(URL, json=body)
    assert created.status_code == 201, created.json
    entry = created.json
    for name in ("intensity", "body_sites", "qualities", "tags", "note"):
        assert entry[name] == body[name]
    assert entry["enjoyment_interference"] == 5
    assert entry["activity_interference"] == 7
    assert datetime.fromisoformat(entry["recorded_at"]) == datetime.fromisoformat(
        body["recorded_at"]
    )
    assert entry["local_date"] == "2024-03-10"
    assert entry["version"] == 1
    assert entry["created_at"] and entry["updated_at"]
    assert patient.get(f"{URL}/{entry['id']}").json == entry


def test_optional_fields_default_to_empty(patient):
    entry = patient.post(URL, json=PainEntryBody()).json
    assert entry["body_sites"] == [] and entry["qualities"] == [] and entry["tags"] == []
    assert entry["note"] is None
    assert entry["enjoyment_interference"] is None and entry["activity_interference"] is None


@pytest.mark.parametrize("field", ["recorded_at", "intensity"])
def test_required_fields(patient, field):
    body = PainEntryBody()
    del body[field]
    assert_invalid(patient.post(URL, json=body), field)


@pytest.mark.parametrize("intensity", [0, 10])
def test_intensity_accepts_the_ends_of_the_scale(patient, intensity):
    response = patient.post(URL, json=PainEntryBody(intensity=intensity))
    assert response.status_code == 201, response.json
    assert response.json["intensity"] == intensity


@pytest.mark.parametrize("intensity", [11, -1, 5.5, "5", True, None])
def test_intensity_must_be_an_integer_from_0_to_10(patient, intensity):
    assert_invalid(patient.post(URL, json=PainEntryBody(intensity=intensity)), "intensity")


@pytest.mark.parametrize(
    "recorded_at",
    [
        "2024-03-10T08:15:00",  # no offset: which clock was it?
        "2024-03-10",
        "yesterday morning",
        None,
    ],
)
def test_recorded_at_must_be_a_datetime_with_offset(patient, recorded_at):
    assert_invalid(patient.post(URL, json=PainEntryBody(recorded_at=recorded_at)), "recorded_at")


def test_recorded_at_more_than_5_minutes_ahead_is_refused(patient):
    assert_invalid(patient.post(URL, json=PainEntryBody(recorded_at=in_minutes(10))), "recorded_at")


def test_recorded_at_a_few_minutes_ahead_is_tolerated(patient):
    # A phone clock running a little fast must not lose the entry.
    response = patient.post(URL, json=PainEntryBody(recorded_at=in_minutes(4)))
    assert response.status_code == 201, response.json


def test_every_body_site_and_side_of_the_design_is_accepted(patient):
    for first in range(0, len(BODY_SITES), 12):
        sites = [
            {"site": site, "side": SIDES[i % len(SIDES)]}
            for i, site in enumerate(BODY_SITES[first : first + 12])
        ]
        response = patient.post(URL, json=PainEntryBody(body_sites=sites))
        assert response.status_code == 201, response.json
        assert response.json["body_sites"] == sites


def test_twelve_body_sites_are_accepted(patient):
    sites = [{"site": site} for site in BODY_SITES[:12]]
    response = patient.post(URL, json=PainEntryBody(body_sites=sites))
    assert response.status_code == 201, response.json
    assert len(response.json["body_sites"]) == 12


def test_thirteen_body_sites_are_refused(patient):
    sites = [{"site": site} for site in BODY_SITES[:13]]
    assert_invalid(patient.post(URL, json=PainEntryBody(body_sites=sites)), "body_sites")


@pytest.mark.parametrize(
    ("body_site", "field"),
    [
        ({"site": "toe"}, "body_sites.1.site"),
        ({"site": "Lower_Back"}, "body_sites.1.site"),
        ({"side": "left"}, "body_sites.1.site"),
        ({"site": "knee", "side": "front"}, "body_sites.1.side"),
        ({"site": "knee", "intensity": 11}, "body_sites.1.intensity"),
        ({"site": "knee", "intensity": -1}, "body_sites.1.intensity"),
        ({"site": "knee", "intensity": 2.5}, "body_sites.1.intensity"),
        ({"site": "knee", "colour": "red"}, "body_sites.1.colour"),
        ("knee", "body_sites.1"),
    ],
)
def test_a_bad_body_site_is_named_by_its_position(patient, body_site, field):
    body = PainEntryBody(body_sites=[{"site": "neck"}, body_site])
    assert_invalid(patient.post(URL, json=body), field)


@pytest.mark.parametrize("intensity", [0, 10, None])
def test_a_body_site_may_carry_its_own_intensity(patient, intensity):
    sites = [{"site": "hip", "intensity": intensity, "side": "both"}]
    response = patient.post(URL, json=PainEntryBody(body_sites=sites))
    assert response.status_code == 201, response.json
    assert response.json["body_sites"] == sites


def test_all_twelve_qualities_are_accepted(patient):
    response = patient.post(URL, json=PainEntryBody(qualities=QUALITIES))
    assert response.status_code == 201, response.json
    assert response.json["qualities"] == QUALITIES


def test_thirteen_qualities_are_refused(patient):
    body = PainEntryBody(qualities=[*QUALITIES, "aching"])
    assert_invalid(patient.post(URL, json=body), "qualities")


@pytest.mark.parametrize("quality", ["itchy", "Aching", "", 3])
def test_an_unknown_quality_is_refused(patient, quality):
    body = PainEntryBody(qualities=["dull", quality])
    assert_invalid(patient.post(URL, json=body), "qualities.1")


@pytest.mark.parametrize("field", ["enjoyment_interference", "activity_interference"])
@pytest.mark.parametrize("value", [0, 10, None])
def test_peg_items_accept_0_to_10_or_nothing(patient, field, value):
    response = patient.post(URL, json=PainEntryBody(**{field: value}))
    assert response.status_code == 201, response.json
    assert response.json[field] == value


@pytest.mark.parametrize("field", ["enjoyment_interference", "activity_interference"])
@pytest.mark.parametrize("value", [-1, 11, 5.5, "5"])
def test_peg_items_refuse_anything_else(patient, field, value):
    assert_invalid(patient.post(URL, json=PainEntryBody(**{field: value})), field)


def test_ten_tags_of_up_to_40_characters_are_accepted(patient):
    tags = ["a" * 40, "b"] + [f"tag {n}" for n in range(8)]
    response = patient.post(URL, json=PainEntryBody(tags=tags))
    assert response.status_code == 201, response.json
    assert response.json["tags"] == tags


def test_eleven_tags_are_refused(patient):
    tags = [f"tag {n}" for n in range(11)]
    assert_invalid(patient.post(URL, json=PainEntryBody(tags=tags)), "tags")


@pytest.mark.parametrize("tag", ["a" * 41, "", 7])
def test_a_tag_must_be_a_string_of_1_to_40_characters(patient, tag):
    assert_invalid(patient.post(URL, json=PainEntryBody(tags=["walking", tag])), "tags.1")


@pytest.mark.parametrize("note", ["n" * 2000, "", None], ids=["2000-characters", "empty", "null"])
def test_a_note_of_up_to_2000_characters_is_accepted(patient, note):
    response = patient.post(URL, json=PainEntryBody(note=note))
    assert response.status_code == 201, response.json
    assert response.json["note"] == note


def test_a_note_of_2001_characters_is_refused(patient):
    assert_invalid(patient.post(URL, json=PainEntryBody(note="n" * 2001)), "note")


def test_every_offending_field_is_named_at_once(patient):
    body = PainEntryBody(intensity=11, tags=["x" * 41], note="n" * 2001)
    response = patient.post(URL, json=body)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"intensity", "tags.0", "note"}


@pytest.mark.parametrize(
    ("timezone", "recorded_at", "local_date"),
    [
        # 23:30 UTC is already 00:30 the next day in Berlin (UTC+1 in March).
        ("Europe/Berlin", "2024-03-09T23:30:00+00:00", "2024-03-10"),
        # The same instant is 18:30 the evening before in New York (UTC-5).
        ("America/New_York", "2024-03-09T23:30:00+00:00", "2024-03-09"),
        # The offset the phone sent does not matter, the patient's timezone does.
        ("Europe/Berlin", "2024-03-09T18:30:00-05:00", "2024-03-10"),
        ("America/New_York", "2024-03-10T00:30:00+01:00", "2024-03-09"),
        # Summer time: 22:30 UTC is 00:30 in Berlin (UTC+2).
        ("Europe/Berlin", "2024-07-01T22:30:00Z", "2024-07-02"),
        ("Europe/Berlin", "2024-07-01T21:59:00Z", "2024-07-01"),
    ],
)
def test_local_date_is_the_date_on_the_patients_clock(accounts, timezone, recorded_at, local_date):
    patient = accounts.signed_in(role="patient", timezone=timezone)
    response = patient.post(URL, json=PainEntryBody(recorded_at=recorded_at))
    assert response.status_code == 201, response.json
    assert response.json["local_date"] == local_date


def test_local_date_follows_a_corrected_recorded_at(patient):
    entry = patient.post(URL, json=PainEntryBody(recorded_at="2024-03-09T22:00:00Z")).json
    assert entry["local_date"] == "2024-03-09"
    moved = patient.put(
        f"{URL}/{entry['id']}", json=PainEntryBody(recorded_at="2024-03-09T23:30:00Z")
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["local_date"] == "2024-03-10"


def test_local_date_cannot_be_set_by_the_client(patient):
    patient.post(URL, json=PainEntryBody(local_date="2020-01-01"))
    # Refused or ignored, the stored date is always the derived one.
    stored = patient.get(URL).json["items"]
    assert all(entry["local_date"] == "2024-03-10" for entry in stored)
    assert patient.get(URL, query_string={"to": "2020-01-01"}).json["items"] == []
