"""When a rule falls due (DESIGN §5), as pure functions: DST gaps and repeats, days, dates, zones.

The instants are worked out by hand from the zones' 2026 transitions: New York springs forward on
8 March at 02:00 EST (07:00 UTC) and falls back on 1 November at 02:00 EDT (06:00 UTC); Sydney
falls back on 5 April at 03:00 AEDT (16:00 UTC on the 4th) and springs forward on 4 October at
02:00 AEST (16:00 UTC on the 3rd).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pain_diary.reminders.schedule import Plan, in_quiet_hours, next_occurrence, wall_clock

NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*fields):
    return datetime(*fields, tzinfo=UTC)


def every_occurrence(plan, tz, start, end):
    """Every instant the plan falls due in ``(start, end]``, by chaining next_occurrence."""
    found, after = [], start
    while (due := next_occurrence(plan, tz, after)) is not None and due <= end:
        found.append(due)
        after = due
    return found


def test_plan_of_sorts_and_deduplicates_times_and_reads_empty_weekdays_as_every_day():
    plan = Plan.of(["20:00", "08:00", "20:00"], [])
    assert plan.times == (time(8), time(20))
    assert plan.weekdays == frozenset(range(7))
    assert plan.dates is None
    assert Plan.of(["09:00"], None, ["2026-12-10", "2026-12-03"]).dates == (
        date(2026, 12, 3),
        date(2026, 12, 10),
    )  # stored as ISO strings, read as dates


def test_a_daily_time_falls_due_at_that_local_time_and_strictly_after_the_instant_given():
    plan = Plan.of(["20:00"])
    assert next_occurrence(plan, BERLIN, utc(2026, 12, 3, 12)) == utc(2026, 12, 3, 19)
    assert next_occurrence(plan, BERLIN, utc(2026, 12, 3, 19)) == utc(2026, 12, 4, 19)
    assert next_occurrence(plan, BERLIN, utc(2026, 12, 3, 18, 59)) == utc(2026, 12, 3, 19)


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="naive"):
        next_occurrence(Plan.of(["20:00"]), BERLIN, datetime(2026, 12, 3, 12))


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        pytest.param(
            ["02:30"], [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7), utc(2026, 3, 9, 6, 30)],
            id="02:30 fires at 03:00 EDT on the day of the gap",
        ),
        pytest.param(
            ["02:00", "02:30"],
            [utc(2026, 3, 7, 7), utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7), utc(2026, 3, 9, 6),
             utc(2026, 3, 9, 6, 30)],
            id="02:00 and 02:30 fire once together at 03:00 EDT",
        ),
    ],
)  # fmt: skip
def test_new_york_spring_forward_fires_a_missing_time_once_at_the_end_of_the_gap(times, expected):
    plan = Plan.of(times)
    assert every_occurrence(plan, NEW_YORK, utc(2026, 3, 7, 0), utc(2026, 3, 9, 12)) == expected


def test_new_york_fall_back_fires_a_repeated_time_once_at_its_first_occurrence():
    plan = Plan.of(["01:30"])
    found = every_occurrence(plan, NEW_YORK, utc(2026, 10, 31, 0), utc(2026, 11, 2, 12))
    # 05:30 UTC is 01:30 EDT; 06:30 UTC, 01:30 EST, is the same wall clock again and is passed over
    assert found == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_sydney_fall_back_fires_a_repeated_time_once_at_its_first_occurrence():
    plan = Plan.of(["02:30"])
    found = every_occurrence(plan, SYDNEY, utc(2026, 4, 3, 0), utc(2026, 4, 6, 0))
    # 15:30 UTC on the 4th is 02:30 AEDT on the 5th; 16:30 UTC, 02:30 AEST, is passed over
    assert found == [utc(2026, 4, 3, 15, 30), utc(2026, 4, 4, 15, 30), utc(2026, 4, 5, 16, 30)]


def test_sydney_spring_forward_fires_missing_times_once_at_the_end_of_the_gap():
    plan = Plan.of(["02:00", "02:30"])
    found = every_occurrence(plan, SYDNEY, utc(2026, 10, 2, 12), utc(2026, 10, 5, 0))
    assert found == [
        utc(2026, 10, 2, 16), utc(2026, 10, 2, 16, 30),  # 02:00 and 02:30 AEST on the 3rd
        utc(2026, 10, 3, 16),  # 03:00 AEDT on the 4th, for both
        utc(2026, 10, 4, 15), utc(2026, 10, 4, 15, 30),  # 02:00 and 02:30 AEDT on the 5th
    ]  # fmt: skip


def test_a_time_just_after_the_gap_is_not_doubled_by_a_time_inside_it():
    plan = Plan.of(["02:30", "03:00"])
    found = every_occurrence(plan, NEW_YORK, utc(2026, 3, 8, 0), utc(2026, 3, 8, 12))
    assert found == [utc(2026, 3, 8, 7)]


def test_weekdays_limit_the_days_and_monday_is_zero():
    plan = Plan.of(["09:00"], [0, 3])  # Monday and Thursday; 7 December 2026 is a Monday
    found = every_occurrence(plan, BERLIN, utc(2026, 12, 6, 0), utc(2026, 12, 20, 0))
    assert found == [utc(2026, 12, 7, 8), utc(2026, 12, 10, 8), utc(2026, 12, 14, 8),
                     utc(2026, 12, 17, 8)]  # fmt: skip


def test_dates_fire_on_those_days_only_and_then_never_again():
    plan = Plan.of(["14:00"], dates=["2026-12-10"])
    assert next_occurrence(plan, BERLIN, utc(2026, 12, 1)) == utc(2026, 12, 10, 13)
    assert next_occurrence(plan, BERLIN, utc(2026, 12, 10, 13)) is None


def test_dates_weeks_apart_are_found_beyond_the_daily_horizon():
    plan = Plan.of(["14:00"], dates=["2026-12-10", "2027-02-01"])
    assert next_occurrence(plan, BERLIN, utc(2026, 12, 10, 13)) == utc(2027, 2, 1, 13)


def test_first_and_last_day_bound_the_occurrences():
    plan = Plan.of(["08:00"], first_day=date(2026, 12, 20), last_day=date(2026, 12, 21))
    found = every_occurrence(plan, BERLIN, utc(2026, 12, 1), utc(2027, 1, 1))
    assert found == [utc(2026, 12, 20, 7), utc(2026, 12, 21, 7)]
    assert next_occurrence(plan, BERLIN, utc(2027, 3, 1)) is None


def test_wall_after_passes_over_a_wall_clock_already_sent_in_another_zone():
    plan = Plan.of(["20:00"])
    sent_in_berlin = wall_clock(utc(2026, 12, 3, 19), BERLIN)
    assert sent_in_berlin == datetime(2026, 12, 3, 20)
    # In New York, 20:00 on the 3rd is still to come (01:00 UTC on the 4th) but was sent already.
    after = utc(2026, 12, 3, 19, 30)
    assert next_occurrence(plan, NEW_YORK, after) == utc(2026, 12, 4, 1)
    assert next_occurrence(plan, NEW_YORK, after, sent_in_berlin) == utc(2026, 12, 5, 1)


def test_wall_after_keeps_the_next_days_time_after_a_move_east():
    plan = Plan.of(["20:00"])
    sent_in_new_york = wall_clock(utc(2026, 12, 4, 1), NEW_YORK)  # 20:00 on the 3rd
    after = utc(2026, 12, 4, 1, 5)
    assert next_occurrence(plan, BERLIN, after, sent_in_new_york) == utc(2026, 12, 4, 19)


def test_a_long_gap_between_weekdays_is_within_the_horizon_after_a_move():
    plan = Plan.of(["20:00"], [6])  # Sundays only; 6 December 2026 is a Sunday
    sent = wall_clock(utc(2026, 12, 6, 19), BERLIN)
    assert next_occurrence(plan, NEW_YORK, utc(2026, 12, 6, 19), sent) == utc(2026, 12, 14, 1)


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        (datetime(2026, 12, 3, 21, 59), False),
        (datetime(2026, 12, 3, 22, 0), True),
        (datetime(2026, 12, 3, 23, 59), True),
        (datetime(2026, 12, 4, 0, 0), True),
        (datetime(2026, 12, 4, 6, 59, 59), True),
        (datetime(2026, 12, 4, 7, 0), False),
        (datetime(2026, 12, 4, 12, 0), False),
    ],
)
def test_quiet_hours_spanning_midnight_are_start_inclusive_end_exclusive(local, quiet):
    instant = local.replace(tzinfo=NEW_YORK)
    assert in_quiet_hours(instant, NEW_YORK, "22:00", "07:00") is quiet


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        (datetime(2026, 12, 3, 12, 59), False),
        (datetime(2026, 12, 3, 13, 0), True),
        (datetime(2026, 12, 3, 14, 59), True),
        (datetime(2026, 12, 3, 15, 0), False),
    ],
)
def test_quiet_hours_within_a_day(local, quiet):
    assert in_quiet_hours(local.replace(tzinfo=BERLIN), BERLIN, "13:00", "15:00") is quiet


def test_quiet_hours_are_read_on_the_patients_clock_not_utc():
    instant = utc(2026, 12, 4, 3)  # 22:00 in New York, 04:00 in Berlin
    assert in_quiet_hours(instant, NEW_YORK, "22:00", "07:00") is True
    assert in_quiet_hours(instant, BERLIN, "22:00", "07:00") is True
    assert in_quiet_hours(instant + timedelta(hours=5), BERLIN, "22:00", "07:00") is False
    assert in_quiet_hours(instant, NEW_YORK, None, None) is False
