"""Pin the procedure response of DESIGN §4 "Procedures" with hand-computed cases (pure, no app)."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pain_diary.analytics import (
    PROCEDURE_DAYS,
    PainPoint,
    ProcedurePoint,
    immpact_response,
    procedure_responses,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
D = date(2024, 3, 4)  # the procedure's local date; London is on GMT until 31 March
AT = datetime.combine(D, time(10), tzinfo=LONDON)
LATER = D + timedelta(days=200)  # a period's end after every window (month_6 ends on D+194)
WINDOWS = ["same_day", "week_1", "weeks_2_3", "month_3", "month_6"]
AT_MONTH_6 = """radiofrequency_ablation scs_implant drg_stimulator peripheral_nerve_stimulator
surgery""".split()
AT_MONTH_3 = """epidural_steroid_injection facet_joint_injection trigger_point_injection
botulinum_toxin_injection prp_injection stem_cell_injection prolotherapy other""".split()
ROW_KEYS = ["window", "from", "to", "mean", "days_logged", "relief_percent", "response"]
DAY_WINDOWS = [("week_1", 1, 7), ("weeks_2_3", 8, 21), ("month_3", 76, 104), ("month_6", 166, 194)]


def on(offset, intensity, at=time(12)):
    """A pain entry on local day D + offset, at ``at`` London time."""
    day = D + timedelta(days=offset)
    recorded = datetime.combine(day, at, tzinfo=LONDON)
    return PainPoint(day, intensity, recorded, recorded)


def at_instant(moment, intensity, tz=LONDON):
    """A pain entry recorded at ``moment``, on its local day in ``tz``."""
    return PainPoint(moment.astimezone(tz).date(), intensity, moment, moment)


def days(first, last, intensity):
    return [on(offset, intensity) for offset in range(first, last + 1)]


def baseline(intensity=8, count=4):
    return days(-count, -1, intensity)


def procedure(kind="other", performed_at=AT, trial_ends_at=None, **fields):
    return ProcedurePoint(uuid.uuid4(), kind, performed_at, trial_ends_at, None, **fields)


def respond(pain, kind="other", last_day=LATER, tz=LONDON, **fields):
    (result,) = procedure_responses([procedure(kind, **fields)], pain, tz, last_day)
    return result


def window(result, name):
    (found,) = [w for w in result["windows"] if w["window"] == name]
    return found


def test_a_response_reads_every_field_and_lists_every_window_in_order():
    sites = ({"site": "lower_back", "side": "left"},)
    point = ProcedurePoint(uuid.uuid4(), "other", AT, None, 40, "L4-L5", sites)
    (result,) = procedure_responses([point], [], LONDON, LATER)
    assert result == {
        "procedure_id": point.id,
        "kind": "other",
        "performed_at": AT,
        "trial_ends_at": None,
        "level": "L4-L5",
        "body_sites": sites,
        "baseline_mean": None,
        "windows": result["windows"],
        "goal": {"window": "month_3", "relief_percent": 50},
        "goal_met": None,
        "reported_relief_percent": 40,
    }
    assert [w["window"] for w in result["windows"]] == WINDOWS
    for row in result["windows"]:  # no pain at all: every figure is null, never 0
        assert list(row) == ROW_KEYS
        assert (row["mean"], row["days_logged"], row["relief_percent"]) == (None, 0, None)
        assert row["response"] is None


@pytest.mark.parametrize(("name", "first", "last"), DAY_WINDOWS)
def test_a_day_window_counts_its_local_days_and_no_other(name, first, last):
    # The day before and the day after each window are logged at 10: they must not count.
    pain = baseline() + [on(first - 1, 10), on(first, 2), on(first + 1, 2), on(last, 2)]
    pain.append(on(last + 1, 10))
    row = window(respond(pain), name)
    assert (row["from"], row["to"]) == (D + timedelta(days=first), D + timedelta(days=last))
    assert (row["mean"], row["days_logged"]) == (2.0, 3)
    assert (row["relief_percent"], row["response"]) == (75.0, "substantial")


def test_baseline_is_the_mean_daily_pain_of_the_14_days_before():
    pain = [on(-15, 0), on(-14, 8), on(-7, 5), on(-3, 7), on(-1, 6, time(9)), on(-1, 10)]
    pain.append(on(0, 0, time(9)))  # the procedure's own day, before it: not a baseline day
    # Daily pain 8, 5, 7, 8 -> 7.0 (the mean of the five entries would be 7.2).
    assert respond(pain)["baseline_mean"] == 7.0


def test_baseline_needs_four_logged_days():
    pain = baseline(count=3) + days(1, 7, 2)
    result = respond(pain, "radiofrequency_ablation")
    assert result["baseline_mean"] is None
    row = window(result, "week_1")
    assert row["mean"] == 2.0
    assert (row["relief_percent"], row["response"]) == (None, None)
    assert respond(baseline(count=4) + days(1, 7, 2))["baseline_mean"] == 8.0


def test_a_day_window_needs_three_logged_days():
    row = window(respond(baseline() + [on(1, 2), on(7, 3)]), "week_1")
    assert (row["mean"], row["days_logged"]) == (None, 2)
    assert (row["relief_percent"], row["response"]) == (None, None)
    row = window(respond(baseline() + [on(1, 2), on(4, 4), on(7, 3)]), "week_1")
    assert (row["mean"], row["days_logged"]) == (3.0, 3)


def test_relief_is_the_rounded_fall_from_baseline_and_response_is_immpact():
    pain = baseline(7) + [on(1, 4), on(2, 5), on(3, 5)] + days(8, 21, 5) + days(76, 78, 9)
    result = respond(pain)
    # Taken on the means shown: (7.0 - 4.7) / 7.0 = 32.857 %, not (7 - 4.667) / 7 = 33.3 %.
    assert window(result, "week_1")["mean"] == 4.7
    assert window(result, "week_1")["relief_percent"] == 32.9
    assert window(result, "week_1")["response"] == "moderate"
    assert window(result, "weeks_2_3")["relief_percent"] == 28.6
    assert window(result, "weeks_2_3")["response"] == "moderate"  # 2 points
    assert window(result, "month_3")["relief_percent"] == -28.6
    assert window(result, "month_3")["response"] == "worse"


def test_a_baseline_of_zero_gives_no_relief_but_the_immpact_response():
    result = respond(baseline(0) + days(1, 7, 3) + days(76, 80, 0))
    assert result["baseline_mean"] == 0.0
    week_1, month_3 = window(result, "week_1"), window(result, "month_3")
    assert week_1["relief_percent"] is None
    assert week_1["response"] == immpact_response(0.0, 3.0) == "worse"
    assert month_3["relief_percent"] is None
    assert month_3["response"] == immpact_response(0.0, 0.0) == "none"
    assert result["goal_met"] is None  # month_3 has a mean but no relief figure


def test_same_day_is_the_mean_of_the_entries_of_the_six_hours_after():
    pain = baseline() + [on(0, 10, time(9, 59)), on(0, 2, time(10)), on(0, 3, time(13))]
    pain += [on(0, 3, time(13)), on(0, 2, time(16)), on(0, 10, time(16, 1))]
    row = window(respond(pain), "same_day")
    # Entries 2, 3, 3, 2 -> 2.5; the 09:59 entry is before it and the 16:01 one is too late.
    assert (row["from"], row["to"], row["mean"], row["days_logged"]) == (D, D, 2.5, 1)
    assert (row["relief_percent"], row["response"]) == (68.8, "substantial")


def test_same_day_reaching_past_midnight_counts_both_local_days():
    pain = baseline() + [on(0, 4, time(23)), on(1, 2, time(2)), on(1, 9, time(4))]
    evening = datetime.combine(D, time(21), tzinfo=LONDON)  # 6 hours later is 03:00 on D+1
    row = window(respond(pain, performed_at=evening), "same_day")
    assert (row["from"], row["to"]) == (D, D + timedelta(days=1))
    assert (row["mean"], row["days_logged"]) == (3.0, 2)


@pytest.mark.parametrize(
    "performed_at",
    [
        datetime(2026, 3, 8, 1, 30, tzinfo=NEW_YORK),  # clocks go forward at 02:00
        datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK),  # clocks go back at 02:00
    ],
)
def test_same_day_over_a_clock_change_is_six_real_hours(performed_at):
    start = performed_at.astimezone(UTC)
    inside = (start + timedelta(hours=5, minutes=59)).astimezone(NEW_YORK)
    outside = (start + timedelta(hours=6, minutes=1)).astimezone(NEW_YORK)
    # Wall-clock arithmetic (01:30 + 6 h = 07:30) would miss the entry at 08:29 in March and
    # keep the one at 05:31 in November.
    assert inside.time() in (time(8, 29), time(5, 29))
    pain = [at_instant(inside, 4, NEW_YORK), at_instant(outside, 9, NEW_YORK)]
    result = respond(pain, tz=NEW_YORK, last_day=performed_at.date(), performed_at=performed_at)
    row = window(result, "same_day")
    assert (row["from"], row["to"]) == (performed_at.date(), performed_at.date())
    assert (row["mean"], row["days_logged"]) == (4.0, 1)


@pytest.mark.parametrize(("same_day", "met"), [((1, 1), True), ((1, 2), False)])
def test_medial_branch_block_goal_is_80_percent_the_same_day(same_day, met):
    pain = baseline(5) + [on(0, intensity, time(11)) for intensity in same_day]
    result = respond(pain, "medial_branch_block")
    assert result["goal"] == {"window": "same_day", "relief_percent": 80}
    assert result["goal_met"] is met  # 80.0 % meets it, 70.0 % does not


@pytest.mark.parametrize(("same_day", "met"), [((3, 3), True), ((3, 4), False)])
def test_nerve_block_goal_is_50_percent_the_same_day(same_day, met):
    pain = baseline(6) + [on(0, intensity, time(11)) for intensity in same_day]
    result = respond(pain, "nerve_block")
    assert result["goal"] == {"window": "same_day", "relief_percent": 50}
    assert result["goal_met"] is met  # 50.0 % meets it, 41.7 % does not


def test_scs_trial_goal_is_50_percent_over_the_trial_to_the_day_it_ends():
    ends = datetime.combine(D + timedelta(days=5), time(9), tzinfo=LONDON)
    pain = baseline(6) + days(1, 5, 2) + [on(6, 10)]
    result = respond(pain, "scs_trial", trial_ends_at=ends)
    assert [w["window"] for w in result["windows"]] == ["same_day", "trial", *WINDOWS[1:]]
    row = window(result, "trial")
    assert (row["from"], row["to"]) == (D + timedelta(days=1), D + timedelta(days=5))
    assert (row["mean"], row["days_logged"]) == (2.0, 5)
    assert (row["relief_percent"], result["trial_ends_at"]) == (66.7, ends)
    assert result["goal"] == {"window": "trial", "relief_percent": 50}
    assert result["goal_met"] is True


def test_a_trial_without_an_end_has_no_trial_days():
    result = respond(baseline(6) + days(1, 7, 2), "scs_trial")
    row = window(result, "trial")
    assert (row["to"], row["mean"], row["days_logged"]) == (None, None, 0)
    assert result["goal_met"] is None  # the records refuse such a trial; it reads as no data


@pytest.mark.parametrize("kind", AT_MONTH_6)
def test_lasting_treatments_aim_at_50_percent_at_month_6(kind):
    pain = baseline(6) + days(76, 80, 1)  # relief at month 3 does not decide it
    assert respond(pain, kind, last_day=D + timedelta(days=120))["goal_met"] is None
    result = respond(pain + days(166, 170, 4), kind)
    assert result["goal"] == {"window": "month_6", "relief_percent": 50}
    assert result["goal_met"] is False  # 33.3 %
    assert respond(pain + days(166, 170, 3), kind)["goal_met"] is True
    assert "trial" not in [w["window"] for w in result["windows"]]


@pytest.mark.parametrize("kind", AT_MONTH_3)
def test_every_other_kind_aims_at_50_percent_at_month_3(kind):
    pain = baseline(6) + days(166, 170, 1)
    result = respond(pain + days(76, 80, 3), kind)
    assert result["goal"] == {"window": "month_3", "relief_percent": 50}
    assert result["goal_met"] is True
    assert respond(pain + days(76, 80, 4), kind)["goal_met"] is False


def test_a_window_not_yet_over_shows_what_it_has_so_far():
    # Entries after the period's end are ignored, as if the summary were read on last_day.
    later, soon = [on(4, 9), on(5, 9), on(6, 9)], D + timedelta(days=3)
    row = window(respond(baseline() + days(1, 3, 2) + later, last_day=soon), "week_1")
    assert (row["to"], row["mean"], row["days_logged"]) == (D + timedelta(days=7), 2.0, 3)
    row = window(respond(baseline() + days(2, 3, 2) + later, last_day=soon), "week_1")
    assert (row["mean"], row["days_logged"]) == (None, 2)


def test_same_day_ignores_entries_after_the_period_end():
    evening = datetime.combine(D, time(22), tzinfo=LONDON)
    pain = baseline() + [on(0, 4, time(23)), on(1, 0, time(1))]
    row = window(respond(pain, last_day=D, performed_at=evening), "same_day")
    assert (row["to"], row["mean"], row["days_logged"]) == (D + timedelta(days=1), 4.0, 1)


def test_only_procedures_of_the_365_local_days_up_to_the_period_end_are_listed():
    # Local days in the patient's zone (New York), whatever zone a time is written in.
    last_day = date(2024, 12, 31)
    first_day = date(2024, 1, 2)  # 365 days up to last_day, the 29th of February among them
    assert (last_day - first_day).days + 1 == PROCEDURE_DAYS == 365
    midnight = datetime.combine(first_day, time(0), tzinfo=NEW_YORK)
    kept = [
        procedure(performed_at=midnight),
        procedure(performed_at=datetime(2025, 1, 1, 3, 0, tzinfo=LONDON)),  # 22:00 on the 31st
    ]
    left_out = [
        procedure(performed_at=midnight - timedelta(minutes=1)),
        procedure(performed_at=datetime(2025, 1, 1, 5, 0, tzinfo=UTC)),  # 00:00 on the 1st
    ]
    result = procedure_responses(kept + left_out, [], NEW_YORK, last_day)
    assert [r["procedure_id"] for r in result] == [kept[1].id, kept[0].id]


def test_procedures_are_listed_newest_first_by_the_instant_they_were_performed():
    morning = procedure(performed_at=datetime(2024, 3, 4, 9, 0, tzinfo=LONDON))
    # 10:00 in New York is 15:00 in London: the newest, though its wall clock reads earlier.
    afternoon = procedure(performed_at=datetime(2024, 3, 4, 10, 0, tzinfo=NEW_YORK))
    older = procedure(performed_at=datetime(2024, 2, 1, 12, 0, tzinfo=LONDON))
    result = procedure_responses(iter([older, morning, afternoon]), iter([]), LONDON, LATER)
    assert [r["procedure_id"] for r in result] == [afternoon.id, morning.id, older.id]


def test_pain_of_the_whole_diary_serves_every_procedure():
    first = procedure(performed_at=AT)
    second = procedure("nerve_block", performed_at=AT + timedelta(days=30))
    pain = iter(baseline(8) + days(26, 29, 6) + [on(30, 3, time(11))])  # read once
    newest, oldest = procedure_responses([first, second], pain, LONDON, LATER)
    assert (newest["procedure_id"], newest["baseline_mean"]) == (second.id, 6.0)
    assert window(newest, "same_day")["relief_percent"] == 50.0
    assert (oldest["procedure_id"], oldest["baseline_mean"]) == (first.id, 8.0)


def test_a_procedure_time_without_a_zone_is_refused():
    with pytest.raises(ValueError, match="no time zone"):
        procedure_responses([procedure(performed_at=datetime(2024, 3, 4, 10))], [], LONDON, D)
