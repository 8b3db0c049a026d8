"""Sleep entries: the Consensus Sleep Diary rules of DESIGN.md §3, derived figures, one a night."""

import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from pain_diary.records.models import SleepEntry

from .factories import SleepEntryBody
from .helpers import assert_invalid

URL = "/api/v1/sleep-entries"


def count_entries(app, db, night_of):
    """How many sleep entries the database holds for ``night_of`` (any patient)."""
    with app.app_context():
        query = select(func.count()).select_from(SleepEntry)
        return db.session.scalar(query.where(SleepEntry.night_of == date.fromisoformat(night_of)))


def test_a_night_is_stored_with_its_derived_figures(patient):
    response = patient.post(URL, json=SleepEntryBody(note="Woke at 3 with back pain."))
    assert response.status_code == 201, response.json
    entry = response.json
    # Time in bed: 22:30 → 07:00 = 8 h 30 min = 510 min.
    # Sleep window: 23:00 → 06:30 = 7 h 30 min = 450 min; minus latency 20 and WASO 40 = 390 min.
    # Sleep efficiency: 390 / 510 × 100 = 76.47… → 76.5.
    assert entry["time_in_bed_minutes"] == 510
    assert entry["total_sleep_minutes"] == 390
    assert entry["sleep_efficiency"] == 76.5
    assert entry["night_of"] == "2024-03-09"
    assert entry["awakenings"] == 2 and entry["quality"] == 3
    assert entry["note"] == "Woke at 3 with back pain."
    assert entry["version"] == 1
    assert patient.get(f"{URL}/{entry['id']}").json == entry


def test_derived_figures_are_recomputed_on_edit(patient):
    entry = patient.post(URL, json=SleepEntryBody()).json
    edited = patient.put(
        f"{URL}/{entry['id']}",
        json=SleepEntryBody(
            in_bed_at="2024-03-09T23:00:00+01:00",
            wake_after_sleep_onset_minutes=10,
        ),
    )
    assert edited.status_code == 200, edited.json
    # TIB 23:00 → 07:00 = 480; TST 450 − 20 − 10 = 420; SE 420 / 480 × 100 = 87.5.
    assert edited.json["time_in_bed_minutes"] == 480
    assert edited.json["total_sleep_minutes"] == 420
    assert edited.json["sleep_efficiency"] == 87.5


def test_times_in_different_offsets_are_compared_as_instants(patient):
    # The same night as SleepEntryBody(), with two of the times written in UTC.
    body = SleepEntryBody(
        tried_to_sleep_at="2024-03-09T22:00:00Z", final_awakening_at="2024-03-10T05:30:00Z"
    )
    response = patient.post(URL, json=body)
    assert response.status_code == 201, response.json
    assert response.json["total_sleep_minutes"] == 390


@pytest.mark.parametrize(
    "field",
    [
        "night_of",
        "in_bed_at",
        "tried_to_sleep_at",
        "final_awakening_at",
        "out_of_bed_at",
        "sleep_latency_minutes",
        "wake_after_sleep_onset_minutes",
    ],
)
def test_required_fields(patient, field):
    body = SleepEntryBody()
    del body[field]
    assert_invalid(patient.post(URL, json=body), field)


@pytest.mark.parametrize("night_of", ["2024-02-30", "09.03.2024", "2024-03-09T22:00:00+01:00"])
def test_night_of_must_be_a_date(patient, night_of):
    assert_invalid(patient.post(URL, json=SleepEntryBody(night_of=night_of)), "night_of")


def night_from(in_bed_at, night_of):
    """The default night moved to start at ``in_bed_at`` (8 hours in bed)."""
    in_bed = datetime.fromisoformat(in_bed_at)
    return SleepEntryBody(
        night_of=night_of,
        in_bed=in_bed,
        final_awakening_at=(in_bed + timedelta(hours=7, minutes=30)).isoformat(),
        out_of_bed_at=(in_bed + timedelta(hours=8)).isoformat(),
    )


@pytest.mark.parametrize(
    ("in_bed_at", "night_of"),
    [
        ("2024-03-09T22:30:00+01:00", "2024-03-09"),  # an evening bedtime: that evening
        ("2024-03-10T00:30:00+01:00", "2024-03-09"),  # after midnight: the evening before
        ("2024-03-10T11:59:00+01:00", "2024-03-09"),  # after a night shift
        ("2024-03-10T00:30:00+01:00", "2024-03-10"),  # the bedtime's own date stays valid
        ("2024-03-10T14:00:00+01:00", "2024-03-10"),  # an afternoon bedtime: that day
    ],
)
def test_night_of_is_the_bedtimes_date_or_the_evening_before_a_small_hours_one(
    patient, in_bed_at, night_of
):
    response = patient.post(URL, json=night_from(in_bed_at, night_of))
    assert response.status_code == 201, response.json
    assert response.json["night_of"] == night_of


@pytest.mark.parametrize(
    ("in_bed_at", "night_of"),
    [
        ("2024-03-09T22:30:00+01:00", "2025-01-01"),  # a date unrelated to the times
        ("2024-03-09T22:30:00+01:00", "2024-03-10"),  # the morning after
        ("2024-03-09T22:30:00+01:00", "2024-03-08"),  # the evening before an evening bedtime
        ("2024-03-10T12:00:00+01:00", "2024-03-09"),  # from noon the night is that day's
        ("2024-03-10T00:30:00+01:00", "2024-03-08"),  # two days before
    ],
)
def test_a_night_of_that_does_not_fit_the_bedtime_is_refused_naming_night_of(
    patient, in_bed_at, night_of
):
    response = patient.post(URL, json=night_from(in_bed_at, night_of))
    assert_invalid(response, "night_of")
    assert patient.get(URL).json["items"] == []


def test_the_refusal_says_which_night_fits(patient):
    response = patient.post(URL, json=night_from("2024-03-09T22:30:00+01:00", "2025-01-01"))
    assert response.status_code == 422
    assert response.json == {
        "error": {
            "status": 422,
            "code": "validation_error",
            "message": "The request has invalid fields.",
            "fields": {
                "night_of": [
                    "Must be the date you went to bed (2024-03-09), "
                    "or the day before for a bedtime before noon."
                ]
            },
        }
    }


def test_the_night_is_read_on_the_clock_the_bedtime_was_sent_with(patient):
    # 20:00 in Chicago is 02:00 UTC and 03:00 in Berlin (the account's zone) the next day: on
    # either of those clocks the 10th would fit as the bedtime's date. The patient's own clock
    # at bedtime said the evening of the 9th.
    in_bed_at = "2024-03-09T20:00:00-06:00"
    assert_invalid(patient.post(URL, json=night_from(in_bed_at, "2024-03-10")), "night_of")
    response = patient.post(URL, json=night_from(in_bed_at, "2024-03-09"))
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(
    "field", ["in_bed_at", "tried_to_sleep_at", "final_awakening_at", "out_of_bed_at"]
)
def test_each_time_needs_an_offset(patient, field):
    naive = SleepEntryBody()[field][: -len("+01:00")]
    assert_invalid(patient.post(URL, json=SleepEntryBody(**{field: naive})), field)


@pytest.mark.parametrize(
    ("changes", "later_field"),
    [
        ({"tried_to_sleep_at": "2024-03-09T22:29:00+01:00"}, "tried_to_sleep_at"),
        ({"final_awakening_at": "2024-03-09T22:59:00+01:00"}, "final_awakening_at"),
        ({"out_of_bed_at": "2024-03-10T06:29:00+01:00"}, "out_of_bed_at"),
        # An earlier time moved past a later one: the error still names the later field.
        ({"in_bed_at": "2024-03-09T23:01:00+01:00"}, "tried_to_sleep_at"),
        ({"tried_to_sleep_at": "2024-03-10T06:31:00+01:00"}, "final_awakening_at"),
        ({"final_awakening_at": "2024-03-10T07:01:00+01:00"}, "out_of_bed_at"),
    ],
)
def test_times_out_of_order_name_the_later_field(patient, changes, later_field):
    assert_invalid(patient.post(URL, json=SleepEntryBody(**changes)), later_field)


def test_equal_neighbouring_times_are_in_order(patient):
    # Lights out on getting into bed, up at the final awakening: latency and WASO still fit.
    body = SleepEntryBody(
        tried_to_sleep_at="2024-03-09T22:30:00+01:00",
        out_of_bed_at="2024-03-10T06:30:00+01:00",
    )
    response = patient.post(URL, json=body)
    assert response.status_code == 201, response.json
    # TIB 22:30 → 06:30 = 480 = the sleep window; TST 480 − 20 − 40 = 420; SE 87.5.
    assert response.json["time_in_bed_minutes"] == 480
    assert response.json["sleep_efficiency"] == 87.5


def test_twenty_four_hours_in_bed_are_accepted(patient):
    body = SleepEntryBody(
        in_bed_at="2024-03-09T07:00:00+01:00", out_of_bed_at="2024-03-10T07:00:00+01:00"
    )
    response = patient.post(URL, json=body)
    assert response.status_code == 201, response.json
    assert response.json["time_in_bed_minutes"] == 24 * 60


def test_more_than_twenty_four_hours_in_bed_are_refused(patient):
    body = SleepEntryBody(
        in_bed_at="2024-03-09T06:59:00+01:00", out_of_bed_at="2024-03-10T07:00:00+01:00"
    )
    assert_invalid(patient.post(URL, json=body), "out_of_bed_at")


def test_latency_and_waso_may_fill_the_whole_sleep_window(patient):
    # The window 23:00 → 06:30 is 450 minutes: a night without sleep.
    body = SleepEntryBody(sleep_latency_minutes=400, wake_after_sleep_onset_minutes=50)
    response = patient.post(URL, json=body)
    assert response.status_code == 201, response.json
    assert response.json["total_sleep_minutes"] == 0
    assert response.json["sleep_efficiency"] == 0


def test_latency_and_waso_beyond_the_sleep_window_are_refused(patient):
    body = SleepEntryBody(sleep_latency_minutes=400, wake_after_sleep_onset_minutes=51)
    assert_invalid(patient.post(URL, json=body), "wake_after_sleep_onset_minutes")


@pytest.mark.parametrize("field", ["sleep_latency_minutes", "wake_after_sleep_onset_minutes"])
def test_latency_and_waso_may_be_zero(patient, field):
    response = patient.post(URL, json=SleepEntryBody(**{field: 0}))
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("field", ["sleep_latency_minutes", "wake_after_sleep_onset_minutes"])
@pytest.mark.parametrize("value", [-1, 12.5, "20", None])
def test_latency_and_waso_are_whole_minutes_from_zero(patient, field, value):
    assert_invalid(patient.post(URL, json=SleepEntryBody(**{field: value})), field)


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("awakenings", 0, True),
        ("awakenings", 50, True),
        ("awakenings", None, True),
        ("awakenings", -1, False),
        ("awakenings", 51, False),
        ("awakenings", 2.5, False),
        ("quality", 1, True),
        ("quality", 5, True),
        ("quality", None, True),
        ("quality", 0, False),
        ("quality", 6, False),
        ("quality", "3", False),
        pytest.param("note", "n" * 2000, True, id="note-2000-characters"),
        pytest.param("note", "n" * 2001, False, id="note-2001-characters"),
    ],
)
def test_awakenings_quality_and_note_rules(patient, field, value, accepted):
    response = patient.post(URL, json=SleepEntryBody(**{field: value}))
    if accepted:
        assert response.status_code == 201, response.json
        assert response.json[field] == value
    else:
        assert_invalid(response, field)


def test_a_second_entry_for_the_same_night_answers_409(app, db, patient):
    first = patient.post(URL, json=SleepEntryBody()).json
    second = patient.post(URL, json=SleepEntryBody(quality=5))
    assert second.status_code == 409, second.json
    error = second.json["error"]
    assert error["status"] == 409
    assert error["code"] == "conflict"
    assert error["message"]
    assert "night_of" in error["fields"]
    assert error["existing_id"] == first["id"]
    assert count_entries(app, db, "2024-03-09") == 1
    assert patient.get(f"{URL}/{first['id']}").json == first


def test_a_second_entry_put_by_id_for_the_same_night_answers_409(app, db, patient):
    patient.post(URL, json=SleepEntryBody())
    response = patient.put(f"{URL}/{uuid.uuid4()}", json=SleepEntryBody(quality=5))
    assert response.status_code == 409, response.json
    assert count_entries(app, db, "2024-03-09") == 1


def test_moving_an_entry_onto_a_taken_night_answers_409(patient):
    patient.post(URL, json=SleepEntryBody())
    other = patient.post(URL, json=SleepEntryBody(day=1)).json
    response = patient.put(f"{URL}/{other['id']}", json=SleepEntryBody())
    assert response.status_code == 409, response.json
    assert patient.get(f"{URL}/{other['id']}").json == other


def test_editing_the_entry_of_a_night_is_not_a_clash(patient):
    entry = patient.post(URL, json=SleepEntryBody()).json
    edited = patient.put(f"{URL}/{entry['id']}", json=SleepEntryBody(quality=5))
    assert edited.status_code == 200, edited.json
    assert edited.json["quality"] == 5
    assert edited.json["version"] == 2


def test_a_night_is_free_again_after_its_entry_is_deleted(patient):
    entry = patient.post(URL, json=SleepEntryBody()).json
    assert patient.delete(f"{URL}/{entry['id']}").status_code == 204
    again = patient.post(URL, json=SleepEntryBody(quality=4))
    assert again.status_code == 201, again.json
    assert again.json["id"] != entry["id"]


def test_two_patients_may_log_the_same_night(patient, accounts):
    other = accounts.signed_in(role="patient")
    assert patient.post(URL, json=SleepEntryBody()).status_code == 201
    response = other.post(URL, json=SleepEntryBody())
    assert response.status_code == 201, response.json


def test_consecutive_nights_are_separate_entries(patient):
    assert patient.post(URL, json=SleepEntryBody()).status_code == 201
    response = patient.post(URL, json=SleepEntryBody(day=1))
    assert response.status_code == 201, response.json
    assert [item["night_of"] for item in patient.get(URL).json["items"]] == [
        "2024-03-10",
        "2024-03-09",
    ]
