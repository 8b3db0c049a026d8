from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pain_diary.localtime import at_local_time, day_bounds, local_date, occurrences

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "tz", "expected"),
    [
        # 03:30 UTC is 22:30 EST the evening before.
        (utc(2024, 3, 10, 3, 30), NEW_YORK, date(2024, 3, 9)),
        # 22:30 UTC is 00:30 CEST (UTC+2) the next day.
        (utc(2024, 6, 30, 22, 30), BERLIN, date(2024, 7, 1)),
        # The same instant written with another offset is the same local day.
        (datetime(2024, 7, 1, 0, 30, tzinfo=BERLIN), NEW_YORK, date(2024, 6, 30)),
    ],
)
def test_local_date_is_the_patients_calendar_day(instant, tz, expected):
    assert local_date(instant, tz) == expected


def test_local_date_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2024, 1, 1, 12), BERLIN)


@pytest.mark.parametrize(
    ("day", "tz", "start", "end", "hours"),
    [
        # Berlin: midnight CET = 23:00 UTC the day before.
        (date(2024, 1, 15), BERLIN, utc(2024, 1, 14, 23), utc(2024, 1, 15, 23), 24),
        # Spring forward on 31 March: starts at CET (UTC+1), ends at CEST (UTC+2).
        (date(2024, 3, 31), BERLIN, utc(2024, 3, 30, 23), utc(2024, 3, 31, 22), 23),
        # Fall back on 27 October: starts at CEST, ends at CET.
        (date(2024, 10, 27), BERLIN, utc(2024, 10, 26, 22), utc(2024, 10, 27, 23), 25),
        # New York, 10 March: starts at EST (UTC-5), ends at EDT (UTC-4).
        (date(2024, 3, 10), NEW_YORK, utc(2024, 3, 10, 5), utc(2024, 3, 11, 4), 23),
        # New York, 3 November: starts at EDT, ends at EST.
        (date(2024, 11, 3), NEW_YORK, utc(2024, 11, 3, 4), utc(2024, 11, 4, 5), 25),
    ],
)
def test_day_bounds_is_a_half_open_utc_interval_of_23_24_or_25_hours(day, tz, start, end, hours):
    assert day_bounds(day, tz) == (start, end)
    assert end - start == timedelta(hours=hours)


def test_at_local_time_returns_an_aware_utc_instant():
    # 08:00 CET (UTC+1) is 07:00 UTC.
    instant = at_local_time(date(2024, 1, 15), time(8, 0), BERLIN)
    assert instant == utc(2024, 1, 15, 7)
    assert instant.tzinfo is UTC


@pytest.mark.parametrize(
    ("day", "local", "tz", "expected"),
    [
        # Berlin clocks jump 02:00 CET -> 03:00 CEST; 03:00 CEST is 01:00 UTC.
        (date(2024, 3, 31), time(2, 30), BERLIN, utc(2024, 3, 31, 1)),
        (date(2024, 3, 31), time(2, 0), BERLIN, utc(2024, 3, 31, 1)),
        # New York clocks jump 02:00 EST -> 03:00 EDT; 03:00 EDT is 07:00 UTC.
        (date(2024, 3, 10), time(2, 30), NEW_YORK, utc(2024, 3, 10, 7)),
        (date(2024, 3, 10), time(2, 59), NEW_YORK, utc(2024, 3, 10, 7)),
    ],
)
def test_spring_forward_time_fires_at_first_valid_minute(day, local, tz, expected):
    assert at_local_time(day, local, tz) == expected


@pytest.mark.parametrize(
    ("day", "local", "tz", "expected"),
    [
        # Berlin 02:30 happens at CEST (00:30 UTC) and again at CET (01:30 UTC): the first.
        (date(2024, 10, 27), time(2, 30), BERLIN, utc(2024, 10, 27, 0, 30)),
        # New York 01:30 happens at EDT (05:30 UTC) and again at EST (06:30 UTC): the first.
        (date(2024, 11, 3), time(1, 30), NEW_YORK, utc(2024, 11, 3, 5, 30)),
    ],
)
def test_fall_back_time_resolves_to_its_first_occurrence(day, local, tz, expected):
    assert at_local_time(day, local, tz) == expected


def test_occurrences_on_chosen_weekdays_are_sorted_utc_instants():
    # 1 January 2024 is a Monday; Monday and Wednesday at 08:00 and 20:00 CET (UTC+1).
    due = occurrences([time(20), time(8)], [0, 2], date(2024, 1, 1), date(2024, 1, 7), BERLIN)
    assert due == (
        utc(2024, 1, 1, 7),
        utc(2024, 1, 1, 19),
        utc(2024, 1, 3, 7),
        utc(2024, 1, 3, 19),
    )


@pytest.mark.parametrize("days_of_week", [None, []])
def test_occurrences_without_weekdays_fall_due_every_day(days_of_week):
    # Seven days from Monday 1 to Sunday 7 January, 09:00 EST = 14:00 UTC.
    due = occurrences([time(9)], days_of_week, date(2024, 1, 1), date(2024, 1, 7), NEW_YORK)
    assert due == tuple(utc(2024, 1, day, 14) for day in range(1, 8))


def test_two_times_in_one_spring_forward_gap_fall_due_once():
    # 02:15 and 02:45 both fall in Berlin's gap and both resolve to 03:00 CEST = 01:00 UTC.
    due = occurrences(
        [time(2, 15), time(2, 45)], None, date(2024, 3, 31), date(2024, 3, 31), BERLIN
    )
    assert due == (utc(2024, 3, 31, 1),)


def test_a_repeated_fall_back_time_falls_due_once_a_day():
    # 26-28 Oct at 02:30 Berlin: CEST (00:30 UTC), first occurrence (00:30 UTC), CET (01:30 UTC).
    due = occurrences([time(2, 30)], None, date(2024, 10, 26), date(2024, 10, 28), BERLIN)
    assert due == (utc(2024, 10, 26, 0, 30), utc(2024, 10, 27, 0, 30), utc(2024, 10, 28, 1, 30))


def test_occurrences_of_an_empty_range_are_none():
    assert occurrences([time(8)], None, date(2024, 1, 2), date(2024, 1, 1), BERLIN) == ()


def test_occurrences_are_expanded_once_for_equal_schedules():
    # Many patients share a schedule, a timezone and a window: later calls reuse the expansion.
    first = occurrences([time(8), time(20)], [1, 3], date(2024, 5, 1), date(2024, 5, 14), BERLIN)
    again = occurrences((time(8), time(20)), {3, 1}, date(2024, 5, 1), date(2024, 5, 14), BERLIN)
    assert again is first
    assert len(first) == 8  # four Tuesdays and Thursdays, twice each
