"""Pin the clinical formulas of DESIGN §4 with hand-computed cases (pure functions, no app)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pain_diary.analytics import (
    RECENT_VS_PRIOR,
    FlagThresholds,
    PainComparison,
    PainPoint,
    PatientNote,
    SleepNight,
    TherapyPoint,
    completion,
    daily_pain,
    flags,
    immpact_response,
    pain_summary,
    recent_notes,
    recent_pain_change,
    round1,
    round2,
    sleep_summary,
    spearman_rho,
    therapy_summary,
)


def jan(day: int) -> date:
    return date(2024, 1, day)


def pain(day, intensity, *, enjoyment=None, activity=None, sites=(), qualities=(), delay=None):
    recorded = datetime.combine(day, time(12), tzinfo=UTC)
    created = recorded + (delay if delay is not None else timedelta(minutes=5))
    return PainPoint(
        day, intensity, recorded, created, enjoyment, activity, tuple(sites), tuple(qualities)
    )


def night(day, total=420, efficiency=90.0, latency=15, waso=20, quality=3):
    return SleepNight(day, total, efficiency, latency, waso, quality)


# --- rounding -------------------------------------------------------------------------------


def test_round1_rounds_halves_away_from_zero_and_keeps_none():
    # Python's round(2.25, 1) gives 2.2 (half-even on binary floats); by hand it is 2.3.
    assert round1(2.25) == 2.3
    assert round1(-2.25) == -2.3
    assert round1(0.35) == 0.4
    assert round1(None) is None


def test_round1_ignores_binary_noise_and_never_shows_minus_zero():
    assert round1(2.2499999999999996) == 2.3  # a computed 2.25
    assert str(round1(-0.04)) == "0.0"


@pytest.mark.parametrize("value", [1e20, -1e20, 1.5e300, 1.7976931348623157e308])
def test_round1_rounds_any_finite_float_however_large(value):
    # The default 28 digits of decimal stop near 1e19: a stored dose of 1e20 mg must not crash.
    assert round1(value) == value
    assert round2(value) == value


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_round1_of_a_non_finite_figure_is_none(value):
    assert round1(value) is None
    assert round2(value) is None


def test_round2_for_correlations():
    assert round2(0.125) == 0.13
    assert round2(-0.98788) == -0.99


# --- daily pain and the pain summary ---------------------------------------------------------


def test_daily_pain_is_the_mean_of_each_local_day():
    # Jan 1: (4 + 7) / 2 = 5.5; Jan 2: 3
    points = [pain(jan(2), 3), pain(jan(1), 4), pain(jan(1), 7)]
    assert daily_pain(points) == {jan(1): 5.5, jan(2): 3.0}


def test_dst_day_entry_counts_on_its_local_date():
    new_york = ZoneInfo("America/New_York")
    # 23:30 on the fall-back day (EST, UTC-5) is 04:30 UTC the next day.
    recorded = datetime(2024, 11, 3, 23, 30, tzinfo=new_york).astimezone(UTC)
    assert recorded.date() == date(2024, 11, 4)
    point = PainPoint(recorded.astimezone(new_york).date(), 7, recorded, recorded)
    assert daily_pain([point]) == {date(2024, 11, 3): 7.0}
    assert pain_summary([point], date(2024, 11, 1), date(2024, 11, 3))["entries"] == 1
    assert pain_summary([point], date(2024, 11, 4), date(2024, 11, 4))["entries"] == 0


def test_pain_summary_without_entries_is_all_none():
    summary = pain_summary([], jan(1), jan(28))
    assert summary == {
        "entries": 0,
        "days_logged": 0,
        "mean": None,
        "min": None,
        "max": None,
        "baseline_mean": None,
        "recent_mean": None,
        "change_points": None,
        "change_percent": None,
        "response": None,
        "trend_per_week": None,
        "peg": None,
        "top_sites": [],
        "top_qualities": [],
    }


def test_pain_summary_of_one_day():
    # one day of entries 4 and 6: daily pain 5; no window has 3 days; no slope from 1 point
    summary = pain_summary([pain(jan(10), 4), pain(jan(10), 6)], jan(1), jan(28))
    assert (summary["entries"], summary["days_logged"]) == (2, 1)
    assert (summary["mean"], summary["min"], summary["max"]) == (5.0, 5.0, 5.0)
    assert summary["baseline_mean"] is None
    assert summary["recent_mean"] is None
    assert summary["trend_per_week"] is None


def test_pain_summary_worked_example():
    points = [
        pain(date(2023, 12, 31), 10, enjoyment=10, activity=10),  # before the period: ignored
        pain(jan(1), 5, enjoyment=5, activity=6),
        pain(jan(1), 7),
        pain(jan(2), 6, enjoyment=9),  # one interference item only: no PEG
        pain(jan(3), 6),
        pain(jan(26), 4, enjoyment=2, activity=3),
        pain(jan(27), 4),
        pain(jan(28), 4),
    ]
    summary = pain_summary(points, jan(1), jan(28))
    # daily pain: Jan 1 (5+7)/2 = 6, Jan 2 6, Jan 3 6, Jan 26-28 4 each
    assert summary["entries"] == 7
    assert summary["days_logged"] == 6
    # over days (6*3 + 4*3) / 6 = 5.0, not over entries (36/7 = 5.1); max 6 not 7
    assert (summary["mean"], summary["min"], summary["max"]) == (5.0, 4.0, 6.0)
    assert summary["baseline_mean"] == 6.0  # Jan 1-7
    assert summary["recent_mean"] == 4.0  # Jan 22-28
    assert summary["change_points"] == -2.0
    assert summary["change_percent"] == -33.3  # -2 / 6 * 100
    assert summary["response"] == "moderate"
    # x = 0,1,2,25,26,27 (mean 13.5), y = 6,6,6,4,4,4 (mean 5)
    # Sxy = -(13.5+12.5+11.5) - (11.5+12.5+13.5) = -75; Sxx = 2 * (182.25+156.25+132.25) = 941.5
    # slope * 7 = -75 / 941.5 * 7 = -0.558
    assert summary["trend_per_week"] == -0.6
    # PEG: (5+5+6)/3 = 5.333 and (4+2+3)/3 = 3.0; mean 4.167
    assert summary["peg"] == 4.2


def test_top_sites_and_qualities_by_count_then_name():
    points = [
        pain(jan(5), 5, sites=["lower_back", "hip"], qualities=["aching"]),
        pain(jan(5), 5, sites=["lower_back", "hip"], qualities=["aching", "burning"]),
        pain(jan(5), 5, sites=["hip", "lower_back"]),
        pain(jan(5), 5, sites=["knee", "knee"]),  # left and right knee: one entry
        pain(jan(5), 5, sites=["neck", "arm", "head"]),
        pain(date(2024, 2, 1), 5, sites=["neck"]),  # outside the period
        pain(date(2024, 2, 2), 5, sites=["neck"]),
    ]
    summary = pain_summary(points, jan(1), jan(28))
    # hip 3, lower_back 3, then the 1s by name: arm, head, knee (neck is sixth)
    assert summary["top_sites"] == [
        {"site": "hip", "count": 3},
        {"site": "lower_back", "count": 3},
        {"site": "arm", "count": 1},
        {"site": "head", "count": 1},
        {"site": "knee", "count": 1},
    ]
    assert summary["top_qualities"] == [
        {"quality": "aching", "count": 2},
        {"quality": "burning", "count": 1},
    ]


def test_days_logged_only_in_the_baseline_window():
    points = [pain(jan(1), 6), pain(jan(2), 6), pain(jan(3), 7)]
    summary = pain_summary(points, jan(1), jan(28))
    assert summary["baseline_mean"] == 6.3  # 19 / 3
    assert summary["recent_mean"] is None
    assert summary["change_points"] is None
    assert summary["change_percent"] is None
    assert summary["response"] is None


def test_period_longer_than_the_data_has_no_baseline():
    points = [pain(jan(day), 5) for day in range(24, 31)]
    summary = pain_summary(points, jan(1), jan(30))
    assert summary["baseline_mean"] is None
    assert summary["recent_mean"] == 5.0
    assert summary["response"] is None


def test_baseline_needs_three_logged_days():
    two_days = [pain(jan(1), 8), pain(jan(7), 8)] + [pain(jan(d), 4) for d in (26, 27, 28)]
    assert pain_summary(two_days, jan(1), jan(28))["baseline_mean"] is None
    three_days = two_days + [pain(jan(4), 8)]
    assert pain_summary(three_days, jan(1), jan(28))["baseline_mean"] == 8.0


def test_overlapping_windows_of_a_short_period_give_no_change():
    # 10 days: baseline Jan 1-7 and recent Jan 4-10 share Jan 4-7.
    points = [pain(jan(d), 8) for d in (1, 2, 3)] + [pain(jan(d), 2) for d in (8, 9, 10)]
    summary = pain_summary(points, jan(1), jan(10))
    assert (summary["baseline_mean"], summary["recent_mean"]) == (8.0, 2.0)
    assert summary["change_points"] is None
    assert summary["change_percent"] is None
    assert summary["response"] is None


def test_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        pain_summary([], jan(10), jan(1))


@pytest.mark.parametrize(
    ("baseline", "recent", "expected"),
    [
        (6.0, 3.0, "substantial"),  # -3 / 6 = exactly -50 %
        (10.0, 5.1, "moderate"),  # -49 %
        (10.0, 7.0, "moderate"),  # exactly -30 %
        (8.0, 6.0, "moderate"),  # -25 % but exactly 2 points
        (8.2, 6.2, "moderate"),  # 2 points, -24 % (6.2 - 8.2 is 1.9999999999999991 in floats)
        (8.0, 6.1, "minimal"),  # 1.9 points, -23.75 %
        (10.0, 9.0, "minimal"),  # exactly -10 %
        (3.0, 2.7, "minimal"),  # -10 % (computed as -9.999999999999993)
        (10.0, 9.1, "none"),  # -9 %
        (5.0, 6.5, "worse"),  # exactly +30 %
        (8.0, 10.0, "worse"),  # +25 % but exactly 2 points
        (7.2, 9.2, "worse"),  # 2 points (computed as 1.9999999999999991), +27.8 %
        (8.0, 9.9, "none"),  # +1.9 points, +23.75 %
        (5.0, 5.0, "none"),
        (0.0, 2.0, "worse"),  # baseline 0: percent undefined, 2 points up
        (0.0, 1.9, "none"),
        (0.0, 0.0, "none"),
        (None, 5.0, None),
        (5.0, None, None),
    ],
)
def test_immpact_response(baseline, recent, expected):
    assert immpact_response(baseline, recent) == expected


def test_baseline_zero_has_no_change_percent_but_a_response():
    points = [pain(jan(d), 0) for d in (1, 2, 3)] + [pain(jan(d), 3) for d in (26, 27, 28)]
    summary = pain_summary(points, jan(1), jan(28))
    assert summary["change_points"] == 3.0
    assert summary["change_percent"] is None
    assert summary["response"] == "worse"


# --- Spearman and sleep ----------------------------------------------------------------------


def test_spearman_perfect_orders():
    assert spearman_rho([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert spearman_rho([1, 2, 3], [30, 20, 10]) == pytest.approx(-1.0)


def test_spearman_ties_take_average_ranks():
    # x ranks 1, 2.5, 2.5, 4; y ranks 1, 2, 3, 4; Pearson of ranks: Sxy 4.5, Sxx 4.5, Syy 5
    # rho = 4.5 / sqrt(22.5) = 3 / sqrt(10) = 0.9487 (the no-ties shortcut would give 0.95)
    assert spearman_rho([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.948683, abs=1e-6)


def test_spearman_without_enough_data_is_none():
    assert spearman_rho([5, 5, 5], [1, 2, 3]) is None  # constant side
    assert spearman_rho([1, 2], [2, 1]) is None  # two pairs always correlate perfectly
    assert spearman_rho([], []) is None
    with pytest.raises(ValueError):
        spearman_rho([1, 2, 3], [1, 2])


def test_sleep_means_over_nights_in_the_period():
    nights = [
        night(jan(1), total=420, efficiency=90.0, latency=10, waso=30, quality=3),
        night(jan(2), total=390, efficiency=85.5, latency=20, waso=0, quality=4),
        night(jan(3), total=360, efficiency=80.0, latency=25, waso=15, quality=4),
        night(jan(4), total=60, efficiency=10.0, latency=300, waso=300, quality=1),  # outside
    ]
    summary = sleep_summary(nights, {}, jan(1), jan(3))
    assert summary == {
        "nights": 3,
        "mean_total_sleep_minutes": 390.0,  # 1170 / 3
        "mean_sleep_efficiency": 85.2,  # 255.5 / 3 = 85.17
        "mean_sleep_latency_minutes": 18.3,  # 55 / 3
        "mean_wake_after_sleep_onset_minutes": 15.0,  # 45 / 3
        "mean_quality": 3.7,  # 11 / 3
        "pain_correlation": {"spearman_rho": None, "n": 0},
    }


def test_sleep_quality_averages_over_the_nights_that_rated_it():
    nights = [night(jan(1), quality=2), night(jan(2), quality=None), night(jan(3), quality=5)]
    summary = sleep_summary(nights, {}, jan(1), jan(7))
    # (2 + 5) / 2 = 3.5; the unrated night still counts as a night
    assert (summary["mean_quality"], summary["nights"]) == (3.5, 3)
    unrated = sleep_summary([night(jan(1), quality=None)], {}, jan(1), jan(1))
    assert unrated["mean_quality"] is None


def test_sleep_without_nights_is_none():
    summary = sleep_summary([], {jan(2): 5.0}, jan(1), jan(28))
    assert summary["nights"] == 0
    assert summary["mean_total_sleep_minutes"] is None
    assert summary["mean_quality"] is None
    assert summary["pain_correlation"] == {"spearman_rho": None, "n": 0}


def correlated_diary(pairs: int):
    """Nights Jan 1.. with TST 300, 310, ...; the next day's pain falls, first two swapped."""
    pains = [8, 9, 7, 6, 5, 4, 3, 2, 1, 0][:pairs]
    nights = [night(jan(1 + i), total=300 + 10 * i) for i in range(pairs)]
    daily = {jan(2 + i): float(p) for i, p in enumerate(pains)}
    return nights, daily


def test_sleep_pain_correlation_pairs_a_night_with_the_next_day():
    nights, daily = correlated_diary(10)
    # the period's last night pairs with a day outside the period: not counted
    nights.append(night(jan(11), total=999))
    daily[jan(12)] = 10.0
    summary = sleep_summary(nights, daily, jan(1), jan(11))
    # TST ranks 1..10; pain ranks 9, 10, 8, 7, ..., 1; d = -8,-8,-5,-3,-1,1,3,5,7,9
    # sum d^2 = 328; rho = 1 - 6 * 328 / (10 * 99) = -0.988
    assert summary["nights"] == 11
    assert summary["pain_correlation"] == {"spearman_rho": -0.99, "n": 10}


def test_sleep_pain_correlation_needs_ten_pairs():
    nights, daily = correlated_diary(9)
    summary = sleep_summary(nights, daily, jan(1), jan(28))
    assert summary["pain_correlation"] == {"spearman_rho": None, "n": 9}


# --- therapy ---------------------------------------------------------------------------------


def test_therapy_summary_by_modality():
    sessions = [
        TherapyPoint("vr", 20, 6, 4),
        TherapyPoint("vr", 15, 5, 5),
        TherapyPoint("vr", 10, 6, None),  # rated before only: not rated
        TherapyPoint("mindfulness", 30, 7, 6),
        TherapyPoint("acupuncture", 45),
    ]
    assert therapy_summary(sessions) == {
        "sessions": 5,
        "minutes": 120,
        "by_modality": [
            # ((4 - 6) + (5 - 5)) / 2 = -1.0
            {
                "modality": "vr",
                "sessions": 3,
                "minutes": 45,
                "mean_pain_change": -1.0,
                "rated_sessions": 2,
            },
            # one session each: by name
            {
                "modality": "acupuncture",
                "sessions": 1,
                "minutes": 45,
                "mean_pain_change": None,
                "rated_sessions": 0,
            },
            {
                "modality": "mindfulness",
                "sessions": 1,
                "minutes": 30,
                "mean_pain_change": -1.0,
                "rated_sessions": 1,
            },
        ],
    }


def test_therapy_summary_without_sessions():
    assert therapy_summary([]) == {"sessions": 0, "minutes": 0, "by_modality": []}


# --- completion ------------------------------------------------------------------------------


def test_completion_counts_days_up_to_today():
    points = [pain(jan(1), 5), pain(jan(2), 5), pain(jan(2), 6), pain(jan(5), 5)]
    # Jan 1-5 only (today Jan 5): 3 of 5 days = 60 %; gap Jan 3-4 = 2 days
    assert completion(points, jan(1), jan(10), today=jan(5)) == {
        "percent_days_logged": 60.0,
        "longest_gap_days": 2,
        "late_entries": 0,
    }


def test_completion_of_a_past_period_counts_every_day():
    # Jan 1-4, one entry on Jan 2: 25 %; gaps Jan 1 (1 day) and Jan 3-4 (2 days)
    result = completion([pain(jan(2), 5)], jan(1), jan(4), today=date(2024, 2, 1))
    assert (result["percent_days_logged"], result["longest_gap_days"]) == (25.0, 2)


def test_completion_of_a_period_longer_than_the_data():
    points = [pain(jan(day), 5) for day in range(24, 31)]
    result = completion(points, jan(1), jan(30), today=jan(30))
    assert result["percent_days_logged"] == 23.3  # 7 / 30
    assert result["longest_gap_days"] == 23  # Jan 1-23


def test_completion_without_entries_is_a_real_zero():
    result = completion([], jan(1), jan(10), today=jan(20))
    assert result == {"percent_days_logged": 0.0, "longest_gap_days": 10, "late_entries": 0}


def test_completion_of_a_period_not_yet_begun():
    result = completion([], jan(10), jan(20), today=jan(5))
    assert result["percent_days_logged"] is None
    assert result["longest_gap_days"] is None


def test_completion_counts_from_the_diary_start_inside_the_period():
    # Account created Jan 8, entries Jan 8 and 10, period Jan 1-10: 2 of Jan 8-10 = 66.7 %,
    # longest gap Jan 9 (1 day), not Jan 1-7.
    points = [pain(jan(8), 5), pain(jan(10), 5)]
    result = completion(points, jan(1), jan(10), today=jan(10), diary_start=jan(8))
    assert (result["percent_days_logged"], result["longest_gap_days"]) == (66.7, 1)


def test_completion_of_a_diary_begun_today_with_an_entry():
    result = completion([pain(jan(10), 5)], jan(1), jan(10), today=jan(10), diary_start=jan(10))
    assert result == {"percent_days_logged": 100.0, "longest_gap_days": 0, "late_entries": 0}


def test_completion_of_a_diary_begun_today_without_an_entry():
    result = completion([], jan(1), jan(10), today=jan(10), diary_start=jan(10))
    assert (result["percent_days_logged"], result["longest_gap_days"]) == (0.0, 1)


def test_completion_with_a_diary_start_before_the_period_counts_the_whole_period():
    result = completion(
        [pain(jan(2), 5)], jan(1), jan(4), today=jan(4), diary_start=jan(1) - timedelta(days=9)
    )
    assert (result["percent_days_logged"], result["longest_gap_days"]) == (25.0, 2)


def test_completion_of_a_period_before_the_diary_began_is_none():
    result = completion([], jan(1), jan(10), today=jan(20), diary_start=jan(15))
    assert (result["percent_days_logged"], result["longest_gap_days"]) == (None, None)


def test_late_entry_is_more_than_24_hours_after_recording():
    on_time = pain(jan(2), 5, delay=timedelta(hours=24))
    late = pain(jan(3), 5, delay=timedelta(hours=24, minutes=1))
    assert completion([on_time, late], jan(1), jan(10), today=jan(10))["late_entries"] == 1


def test_late_entry_measures_real_time_across_dst():
    berlin = ZoneInfo("Europe/Berlin")
    # Clocks go forward on 2024-03-31: 12:00 CET to 12:30 CEST next day is 23 h 30 min,
    # although the wall clocks are 24 h 30 min apart.
    recorded = datetime(2024, 3, 30, 12, 0, tzinfo=berlin)
    created = datetime(2024, 3, 31, 12, 30, tzinfo=berlin)
    point = PainPoint(date(2024, 3, 30), 5, recorded, created)
    day = date(2024, 3, 30)
    assert completion([point], day, day, today=day)["late_entries"] == 0


# --- flags -----------------------------------------------------------------------------------

END = jan(21)  # last 7 days Jan 15-21; the 14 days before: Jan 1-14


def codes(result):
    return [flag["code"] for flag in result]


def test_flag_threshold_defaults_are_the_contract():
    assert FlagThresholds() == FlagThresholds(
        worsening_points=2.0,
        worsening_percent=30.0,
        worsening_min_logged_days=3,
        adherence_percent=80.0,
        adherence_min_scheduled=5,
        mme_warning=50.0,
        mme_alert=90.0,
        logging_gap_days=3,
        sleep_efficiency_percent=85.0,
        sleep_total_minutes=360.0,
        sleep_min_nights=3,
    )


def test_pain_worsening_message():
    daily = {
        date(2023, 12, 31): 0.0,  # before the 14-day window: ignored
        jan(1): 5.0,
        jan(4): 6.0,
        jan(8): 6.0,
        jan(11): 5.0,
        jan(14): 6.0,  # 28 / 5 = 5.6
        jan(15): 8.0,
        jan(18): 7.9,
        jan(21): 7.8,  # 23.7 / 3 = 7.9
        jan(22): 0.0,  # after the period end: ignored
    }
    # 7.9 - 5.6 = 2.3 points; 2.3 / 5.6 = 41.07 %
    assert flags(daily, END, []) == [
        {
            "code": "pain_worsening",
            "severity": "alert",
            "message": "Pain up 2.3 points (41 %) over the last 7 days vs the 14 days before",
        }
    ]


def worsening(prior: float, recent: float, recent_days=(15, 18, 21)):
    daily = {jan(d): prior for d in (2, 6, 10)} | {jan(d): recent for d in recent_days}
    return flags(daily, END, [])


@pytest.mark.parametrize(
    ("prior", "recent", "flagged"),
    [
        (5.0, 6.5, True),  # exactly +30 %
        (5.0, 6.4, False),  # +28 %, 1.4 points
        (8.0, 10.0, True),  # exactly 2 points, +25 %
        (7.2, 9.2, True),  # 2 points despite float noise, +27.8 %
        (8.0, 9.9, False),
        (0.0, 2.0, True),  # prior 0: points only
        (0.0, 1.9, False),
        (6.0, 3.0, False),  # better, not worse
    ],
)
def test_pain_worsening_thresholds(prior, recent, flagged):
    assert (codes(worsening(prior, recent)) == ["pain_worsening"]) is flagged


def test_pain_worsening_from_zero_has_no_percent():
    assert worsening(0.0, 2.0)[0]["message"] == (
        "Pain up 2.0 points (from 0.0) over the last 7 days vs the 14 days before"
    )


def test_pain_worsening_needs_three_logged_days_in_each_window():
    assert codes(worsening(2.0, 9.0, recent_days=(18, 21))) == []


@pytest.mark.parametrize(
    ("percent", "scheduled", "flagged"),
    [
        (79.9, 5, True),
        (80.0, 5, False),
        (79.96, 10, False),  # shown as 80.0
        (50.0, 4, False),  # too few scheduled doses to judge
        (None, 10, False),
    ],
)
def test_low_adherence(percent, scheduled, flagged):
    result = flags({END: 5.0}, END, [], adherence_14d_percent=percent, scheduled_14d=scheduled)
    assert (codes(result) == ["low_adherence"]) is flagged


def test_low_adherence_message():
    (flag,) = flags({END: 5.0}, END, [], adherence_14d_percent=72.45, scheduled_14d=20)
    assert flag == {
        "code": "low_adherence",
        "severity": "warning",
        "message": "Medication adherence 72.5 % over the last 14 days (20 scheduled doses)",
    }


@pytest.mark.parametrize(
    ("average", "severity"),
    [(None, None), (49.9, None), (49.96, "warning"), (50.0, "warning"), (89.9, "warning"),
     (90.0, "alert"), (150.0, "alert")],
)  # fmt: skip
def test_high_mme_severity(average, severity):
    result = flags({END: 5.0}, END, [], mme_7d_average=average)
    assert [flag["severity"] for flag in result if flag["code"] == "high_mme"] == (
        [severity] if severity else []
    )


def test_high_mme_message_carries_the_cdc_caveat():
    (flag,) = flags({END: 5.0}, END, [], mme_7d_average=62)
    assert flag["message"].startswith("Opioid dose averages 62.0 MME/day over the last 7 days")
    assert "not for converting one opioid into another" in flag["message"]


def test_high_mme_message_says_mme_over_the_opioid_days_with_their_number():
    # 4 days at 100 MME in the week: 57.1 a day over 7 days, 100.0 on the 4 days with an opioid.
    (flag,) = flags(
        {END: 5.0}, END, [], mme_7d_average=400 / 7, mme_7d_on_opioid_days=100.0,
        mme_7d_opioid_days=4,
    )  # fmt: skip
    assert flag["message"].startswith(
        "Opioid dose averages 57.1 MME/day over the last 7 days (at or above 50): "
        "100.0 MME/day on the 4 days with an opioid; "
    )
    (one,) = flags(
        {END: 5.0}, END, [], mme_7d_average=60, mme_7d_on_opioid_days=420.0,
        mme_7d_opioid_days=1,
    )  # fmt: skip
    assert "420.0 MME/day on the 1 day with an opioid;" in one["message"]


def test_logging_gap_counts_days_since_the_last_entry():
    # last entry Jan 18: Jan 19, 20 and 21 without one; Jan 22 is after the period end
    (flag,) = flags({jan(18): 5.0, jan(22): 5.0}, END, [])
    assert flag == {
        "code": "logging_gap",
        "severity": "warning",
        "message": "No pain entry in the last 3 days",
    }
    assert flags({jan(19): 5.0}, END, []) == []  # 2 days


def test_logging_gap_without_any_entry():
    assert flags({}, END, []) == [
        {"code": "logging_gap", "severity": "warning", "message": "No pain entries logged"}
    ]


@pytest.mark.parametrize(
    ("diary_start", "expected"),
    [
        (jan(21), []),  # begun on the period's last day: 1 day
        (jan(20), []),  # 2 days
        (jan(19), ["No pain entries logged"]),  # 3 days without an entry
    ],
)
def test_logging_gap_without_any_entry_counts_from_the_diary_start(diary_start, expected):
    result = flags({}, END, [], diary_start=diary_start)
    assert [flag["message"] for flag in result] == expected


def test_logging_gap_after_an_entry_is_the_same_whatever_the_diary_start():
    (flag,) = flags({jan(18): 5.0}, END, [], diary_start=jan(18))
    assert flag["message"] == "No pain entry in the last 3 days"


def test_logging_gap_threshold_comes_from_config():
    result = flags({jan(19): 5.0}, END, [], thresholds=FlagThresholds(logging_gap_days=2))
    assert codes(result) == ["logging_gap"]


def test_poor_sleep_by_efficiency():
    nights = [night(jan(15), efficiency=85.0), night(jan(17), efficiency=85.0)]
    nights.append(night(jan(20), efficiency=84.7))  # mean 254.7 / 3 = 84.9
    nights.append(night(jan(14), efficiency=10.0))  # before the last 7 nights: ignored
    assert flags({END: 5.0}, END, nights) == [
        {
            "code": "poor_sleep",
            "severity": "warning",
            "message": "Poor sleep over the last 7 nights (3 logged): "
            "mean sleep efficiency 84.9 % (below 85 %)",
        }
    ]


@pytest.mark.parametrize(
    ("efficiency", "total", "count", "flagged"),
    [
        (85.0, 360, 3, False),  # exactly at both thresholds: fine
        (90.0, 359, 3, True),
        (50.0, 200, 2, False),  # too few nights to judge
    ],
)
def test_poor_sleep_thresholds(efficiency, total, count, flagged):
    nights = [night(jan(21 - i), total=total, efficiency=efficiency) for i in range(count)]
    assert (codes(flags({END: 5.0}, END, nights)) == ["poor_sleep"]) is flagged


def test_flags_list_alerts_first():
    daily = {jan(d): 3.0 for d in (2, 6, 10)} | {jan(d): 8.0 for d in (15, 18, 21)}
    result = flags(daily, END, [], adherence_14d_percent=50.0, scheduled_14d=10, mme_7d_average=95)
    assert [(f["code"], f["severity"]) for f in result] == [
        ("pain_worsening", "alert"),
        ("high_mme", "alert"),
        ("low_adherence", "warning"),
    ]


def test_recent_pain_change_compares_the_last_7_days_with_the_14_before():
    end = date(2025, 3, 21)
    # The 14 days before the last 7: pain 4 on three days; the last 7 days: 5, 6 and 7.
    daily = {date(2025, 3, 1): 4.0, date(2025, 3, 7): 4.0, date(2025, 3, 14): 4.0}
    daily |= {date(2025, 3, 15): 5.0, date(2025, 3, 18): 6.0, end: 7.0}
    change = recent_pain_change(daily, end)
    assert change == (6.0, 4.0, 2.0, 50.0)
    # A day before the 21-day span does not count; two logged days are too few for a mean.
    assert recent_pain_change({**daily, date(2025, 2, 28): 10.0}, end) == change
    fewer = {day: pain for day, pain in daily.items() if day != end}
    assert recent_pain_change(fewer, end) == (None, 4.0, None, None)


def test_the_comparison_s_words_name_the_days_it_compares():
    # DESIGN §7, word for word: the clinic's card names its comparison as computed.
    assert RECENT_VS_PRIOR.words == "last 7 days vs the 14 days before"
    assert (RECENT_VS_PRIOR.recent_days, RECENT_VS_PRIOR.prior_days) == (7, 14)
    end = date(2025, 3, 21)
    # Another definition moves both its figure and its words: 3 days against the 4 before.
    short = PainComparison(3, 4)
    assert short.words == "last 3 days vs the 4 days before"
    daily = {date(2025, 3, day): 2.0 for day in range(15, 19)}  # the 4 days before the last 3
    daily |= {date(2025, 3, day): 3.0 for day in range(19, 22)}
    daily |= {date(2025, 3, 14): 9.0}  # before the 4: outside this comparison
    assert recent_pain_change(daily, end, comparison=short) == (3.0, 2.0, 1.0, 50.0)


# --- notes ----------------------------------------------------------------------------------


def note(day, hour, text, kind="pain-entries"):
    return PatientNote(day, datetime.combine(day, time(hour), tzinfo=UTC), kind, text)


def test_notes_are_the_period_s_latest_non_empty_ones_newest_first_verbatim():
    notes = [
        note(jan(2), 9, "Flare after gardening.\n"),
        note(jan(2), 20, "Woke twice.", "sleep-entries"),
        note(jan(3), 9, ""),
        note(jan(3), 10, " \n\t "),
        note(jan(3), 11, None),
        note(jan(4), 15, "Sore after the exercises.", "therapy-sessions"),
        note(jan(9), 9, "After the period."),
        note(date(2023, 12, 31), 9, "Before the period."),
    ]
    assert recent_notes(notes, jan(1), jan(8)) == [
        {"recorded_at": datetime(2024, 1, 4, 15, tzinfo=UTC), "kind": "therapy-sessions",
         "text": "Sore after the exercises."},
        {"recorded_at": datetime(2024, 1, 2, 20, tzinfo=UTC), "kind": "sleep-entries",
         "text": "Woke twice."},
        {"recorded_at": datetime(2024, 1, 2, 9, tzinfo=UTC), "kind": "pain-entries",
         "text": "Flare after gardening.\n"},
    ]  # fmt: skip


def test_notes_keep_the_20_most_recent():
    notes = [note(jan(1) + timedelta(days=n % 25), n % 24, f"Note {n}") for n in range(30)]
    kept = recent_notes(notes, jan(1), jan(31))
    assert len(kept) == 20
    assert [n["recorded_at"] for n in kept] == sorted((n.recorded_at for n in notes), reverse=True)[
        :20
    ]
    assert recent_notes([], jan(1), jan(31)) == []
