from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pain_diary.analytics.adherence import (
    DoseRecord,
    MedicationPlan,
    Schedule,
    as_needed_use,
    dose_status,
    doses_for_day,
    medication_adherence,
    scheduled_doses,
    taken_on_time,
)
from pain_diary.analytics.mme import TakenOpioidDose, daily_mme

BERLIN = ZoneInfo("Europe/Berlin")  # UTC+1 in January
JAN_1, JAN_2, JAN_3, JAN_5, JAN_31 = (date(2024, 1, d) for d in (1, 2, 3, 5, 31))

TWICE_DAILY = Schedule([time(8), time(20)])
OXYCODONE = MedicationPlan("oxy", "Oxycodone", TWICE_DAILY, start_date=JAN_1)


def berlin(day, hour, minute=0):
    return datetime(2024, 1, day, hour, minute, tzinfo=BERLIN)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def taken(scheduled_for, taken_at, medication_id="oxy", id=None):
    return DoseRecord(medication_id, "taken", scheduled_for, taken_at, id=id)


def skipped(scheduled_for, medication_id="oxy"):
    return DoseRecord(medication_id, "skipped", scheduled_for, None)


def daily_at_eight(medication_id, start_date=JAN_1, end_date=None):
    return MedicationPlan(medication_id, medication_id, Schedule([time(8)]), start_date, end_date)


def test_adherence_counts_taken_late_skipped_missed_and_leaves_pending_out():
    doses = [
        taken(berlin(1, 8), berlin(1, 8, 10)),  # on time (10 min late)
        taken(berlin(1, 20), berlin(1, 21, 30)),  # taken but 90 min late: not on time
        skipped(berlin(2, 8)),
        # 2 Jan 20:00 has no event: missed (now is 24 h later)
        taken(berlin(3, 8), berlin(3, 7, 0)),  # 60 min early: still on time
        # 3 Jan 20:00 has no event, 30 min ago: pending
    ]
    result = medication_adherence([OXYCODONE], doses, BERLIN, JAN_1, JAN_3, berlin(3, 20, 30))
    # taken 3 / (taken 3 + skipped 1 + missed 1) = 60 %; the pending dose is scheduled only.
    item = {
        "medication_id": "oxy",
        "name": "Oxycodone",
        "scheduled": 6,
        "taken": 3,
        "taken_on_time": 2,
        "skipped": 1,
        "missed": 1,
        "adherence_percent": 60.0,
    }
    assert result == {"adherence_percent": 60.0, "items": [item]}


@pytest.mark.parametrize(
    ("now", "status", "percent"),
    [
        (berlin(1, 9, 59), "pending", None),  # 1 h 59 min after 08:00: nothing to count yet
        (berlin(1, 10, 0), "missed", 0.0),  # exactly 2 h after: missed, 0 / 1
    ],
)
def test_a_dose_without_event_is_missed_exactly_two_hours_after_it_was_due(now, status, percent):
    plan = daily_at_eight("amitriptyline")
    assert dose_status(berlin(1, 8), None, now) == status
    result = medication_adherence([plan], [], BERLIN, JAN_1, JAN_1, now)
    assert result["items"][0]["scheduled"] == 1
    assert result["items"][0]["missed"] == (status == "missed")
    assert result["adherence_percent"] == percent


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (taken(berlin(1, 8), berlin(1, 8, 5)), "taken"),
        (skipped(berlin(1, 8)), "skipped"),
    ],
)
def test_a_dose_event_decides_the_status_even_long_after(event, expected):
    assert dose_status(berlin(1, 8), event, berlin(5, 8)) == expected


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (taken(berlin(1, 8), berlin(1, 9, 0)), True),  # 60 min late
        (taken(berlin(1, 8), berlin(1, 9, 1)), False),  # 61 min late
        (taken(berlin(1, 8), berlin(1, 7, 0)), True),  # 60 min early
        (taken(berlin(1, 8), berlin(1, 6, 59)), False),  # 61 min early
        (skipped(berlin(1, 8)), False),
    ],
)
def test_taken_on_time_means_within_sixty_minutes_either_side(event, expected):
    assert taken_on_time(event) is expected


def test_scheduled_doses_stop_at_the_end_date_inside_the_period():
    # 08:00 CET = 07:00 UTC on 1 and 2 Jan only, though the period runs to 5 Jan.
    plan = daily_at_eight("naproxen", end_date=JAN_2)
    due = scheduled_doses(plan, BERLIN, JAN_1, JAN_5, now=berlin(10, 12))
    assert due == [utc(2024, 1, 1, 7), utc(2024, 1, 2, 7)]


def test_scheduled_doses_run_up_to_now_inclusive():
    # Now is exactly the 2 Jan 08:00 dose: 1 Jan 08:00 and 20:00, then 2 Jan 08:00.
    due = scheduled_doses(OXYCODONE, BERLIN, JAN_1, JAN_3, now=berlin(2, 8))
    assert due == [utc(2024, 1, 1, 7), utc(2024, 1, 1, 19), utc(2024, 1, 2, 7)]


def test_a_medication_started_after_the_period_has_no_doses_and_no_item():
    plan = daily_at_eight("pregabalin", start_date=date(2024, 2, 1))
    now = datetime(2024, 2, 10, tzinfo=BERLIN)
    assert scheduled_doses(plan, BERLIN, JAN_1, JAN_31, now) == []
    assert medication_adherence([plan], [], BERLIN, JAN_1, JAN_31, now) == {
        "adherence_percent": None,
        "items": [],
    }


def test_an_as_needed_opioid_counts_in_mme_but_not_in_adherence():
    plan = MedicationPlan("oxy-prn", "Oxycodone as needed", None, start_date=JAN_1)
    dose = DoseRecord("oxy-prn", "taken", scheduled_for=None, taken_at=berlin(2, 14))
    assert medication_adherence([plan], [dose], BERLIN, JAN_1, JAN_3, berlin(3, 12)) == {
        "adherence_percent": None,
        "items": [],
    }
    # 5 mg × 1.5 = 7.5 MME on 2 Jan.
    opioid_dose = TakenOpioidDose("oxycodone", 5, "mg", dose.taken_at)
    assert daily_mme([opioid_dose], BERLIN) == {JAN_2: pytest.approx(7.5)}


def test_overall_adherence_pools_the_doses_of_all_medications():
    # A: 1 of 1 taken (100 %); B: 0 of 3 (0 %). Pooled: 1 / 4 = 25 %, not the mean 50 %.
    first = daily_at_eight("a", start_date=JAN_3)
    second = daily_at_eight("b")
    doses = [taken(berlin(3, 8), berlin(3, 8), medication_id="a")]
    result = medication_adherence([first, second], doses, BERLIN, JAN_1, JAN_3, berlin(3, 12))
    assert [item["adherence_percent"] for item in result["items"]] == [100.0, 0.0]
    assert result["adherence_percent"] == 25.0


@pytest.mark.parametrize(
    "event",
    [
        taken(berlin(1, 8, 1), berlin(1, 8, 1)),  # one minute off the scheduled instant
        taken(berlin(1, 8), berlin(1, 8), medication_id="other"),  # another medication
    ],
)
def test_an_event_matches_only_its_medication_and_scheduled_instant(event):
    plan = daily_at_eight("oxy")
    result = medication_adherence([plan], [event], BERLIN, JAN_1, JAN_1, berlin(1, 12))
    assert (result["items"][0]["taken"], result["items"][0]["missed"]) == (0, 1)


def test_a_naive_scheduled_for_is_refused_rather_than_guessed():
    event = taken(datetime(2024, 1, 1, 7), berlin(1, 8))
    with pytest.raises(ValueError, match="naive"):
        medication_adherence([OXYCODONE], [event], BERLIN, JAN_1, JAN_1, berlin(1, 12))


@pytest.mark.parametrize("order", [1, -1], ids=["skipped first", "taken first"])
def test_a_taken_event_wins_over_a_skipped_one_for_the_same_dose(order):
    events = [skipped(berlin(1, 8)), taken(berlin(1, 8), berlin(1, 8, 30))][::order]
    plan = daily_at_eight("oxy")
    result = medication_adherence([plan], events, BERLIN, JAN_1, JAN_1, berlin(1, 12))
    assert (result["items"][0]["taken"], result["items"][0]["skipped"]) == (1, 0)


def test_a_dose_in_the_spring_forward_gap_matches_its_event_at_the_first_valid_minute():
    # 02:30 does not exist in Berlin on 31 March: it is due at 03:00 CEST = 01:00 UTC.
    spring = date(2024, 3, 31)
    plan = MedicationPlan("mor", "Morphine", Schedule([time(2, 30)]), start_date=spring)
    due_at = datetime(2024, 3, 31, 3, 0, tzinfo=BERLIN)
    event = DoseRecord("mor", "taken", due_at, due_at + timedelta(minutes=5))
    now = utc(2024, 3, 31, 12)
    assert scheduled_doses(plan, BERLIN, spring, spring, now) == [utc(2024, 3, 31, 1)]
    result = medication_adherence([plan], [event], BERLIN, spring, spring, now)
    assert result["items"][0]["taken_on_time"] == 1


def test_no_medications_give_null_adherence():
    assert medication_adherence([], [], BERLIN, JAN_1, JAN_31, berlin(31, 23)) == {
        "adherence_percent": None,
        "items": [],
    }


def test_doses_for_day_lists_the_days_doses_with_their_status_in_time_order():
    oxycodone = OXYCODONE  # 08:00 and 20:00
    amitriptyline = MedicationPlan("ami", "Amitriptyline", Schedule([time(6), time(12)]), JAN_1)
    as_needed = MedicationPlan("ibu", "Ibuprofen", None, JAN_1)
    ended = daily_at_eight("stopped", end_date=JAN_2)
    doses = [taken(berlin(3, 8), berlin(3, 8, 15), id="e1")]
    # Now 13:00 CET on 3 Jan: 06:00 is 7 h past (missed), 12:00 is 1 h past (pending),
    # 20:00 is still to come (pending).
    checklist = doses_for_day(
        [oxycodone, amitriptyline, as_needed, ended], doses, BERLIN, JAN_3, berlin(3, 13)
    )
    assert checklist == [
        {
            "medication_id": "ami",
            "name": "Amitriptyline",
            "scheduled_for": utc(2024, 1, 3, 5),
            "status": "missed",
            "dose_event_id": None,
            "taken_at": None,
        },
        {
            "medication_id": "oxy",
            "name": "Oxycodone",
            "scheduled_for": utc(2024, 1, 3, 7),
            "status": "taken",
            "dose_event_id": "e1",
            "taken_at": berlin(3, 8, 15),
        },
        {
            "medication_id": "ami",
            "name": "Amitriptyline",
            "scheduled_for": utc(2024, 1, 3, 11),
            "status": "pending",
            "dose_event_id": None,
            "taken_at": None,
        },
        {
            "medication_id": "oxy",
            "name": "Oxycodone",
            "scheduled_for": utc(2024, 1, 3, 19),
            "status": "pending",
            "dose_event_id": None,
            "taken_at": None,
        },
    ]


def test_as_needed_use_counts_taken_doses_and_distinct_local_days():
    rescue = MedicationPlan("rescue", "Oxycodone 5 as needed", None, start_date=JAN_1)
    unused = MedicationPlan("spare", "Tramadol as needed", None, start_date=JAN_1)
    ended = MedicationPlan(
        "old", "Codeine", None, JAN_1 - timedelta(days=30), JAN_1 - timedelta(days=1)
    )
    doses = [
        taken(None, berlin(2, 9), "rescue"),
        taken(None, berlin(2, 21), "rescue"),
        taken(None, utc(2024, 1, 2, 23, 30), "rescue"),  # 00:30 on 3 Jan in Berlin
        taken(None, berlin(5, 23), "rescue"),  # after the period
        taken(berlin(2, 8), berlin(2, 8), "oxy"),  # a scheduled medication: not listed
    ]
    plans = [OXYCODONE, rescue, unused, ended]
    assert as_needed_use(plans, doses, BERLIN, JAN_1, JAN_3) == [
        {"medication_id": "rescue", "name": "Oxycodone 5 as needed", "doses": 3, "days_used": 2},
        # Prescribed and not used: listed with 0; the one ended before the period is not.
        {"medication_id": "spare", "name": "Tramadol as needed", "doses": 0, "days_used": 0},
    ]


def test_as_needed_use_lists_doses_of_a_medication_ended_before_the_period_when_logged_in_it():
    ended = MedicationPlan(
        "old", "Codeine", None, JAN_1 - timedelta(days=30), JAN_1 - timedelta(days=1)
    )
    doses = [taken(None, berlin(2, 9), "old")]
    assert as_needed_use([ended], doses, BERLIN, JAN_1, JAN_3) == [
        {"medication_id": "old", "name": "Codeine", "doses": 1, "days_used": 1}
    ]
