from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from pain_diary.analytics.mme import (
    CDC_CAVEAT,
    CONVERSION_FACTORS,
    MME_TABLE_VERSION,
    TakenOpioidDose,
    daily_mme,
    dose_in_mg,
    is_opioid,
    mme_summary,
    unconvertible_unit,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_the_table_holds_the_cdc_2022_factors():
    assert MME_TABLE_VERSION == "CDC-2022"
    assert dict(CONVERSION_FACTORS) == {
        "codeine": 0.15,
        "hydrocodone": 1,
        "hydromorphone": 5,
        "methadone": 4.7,
        "morphine": 1,
        "oxycodone": 1.5,
        "oxymorphone": 3,
        "tapentadol": 0.4,
        "tramadol": 0.2,
        "fentanyl_transdermal": 2.4,
    }


def test_the_caveat_warns_against_converting_one_opioid_into_another():
    assert "not for converting one opioid into another" in CDC_CAVEAT
    assert "CDC 2022" in CDC_CAVEAT


@pytest.mark.parametrize(
    ("ingredient", "expected"),
    [
        ("oxycodone", True),
        (" Tramadol ", True),
        ("fentanyl_transdermal", True),
        ("ibuprofen", False),
        ("", False),
        (None, False),
    ],
)
def test_an_ingredient_is_an_opioid_when_it_is_in_the_table(ingredient, expected):
    assert is_opioid(ingredient) is expected


@pytest.mark.parametrize(
    ("amount", "unit", "ingredient", "expected"),
    [
        (10, "mg", "oxycodone", 10),
        (500, "mcg", "hydromorphone", 0.5),
        (0.03, "g", "morphine", 30),
        # A patch's factor is per mcg/hour, so its rate is taken as-is.
        (25, "mcg_per_hour", "fentanyl_transdermal", 25),
    ],
)
def test_dose_in_mg_converts_mass_units(amount, unit, ingredient, expected):
    assert dose_in_mg(amount, unit, ingredient) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("amount", "unit", "ingredient"),
    [
        (2, "tablet", "oxycodone"),
        (5, "ml", "morphine"),
        (25, "mcg_per_hour", "oxycodone"),
        (1, "patch", "fentanyl_transdermal"),
        (12, "mg", "fentanyl_transdermal"),
    ],
)
def test_dose_in_mg_is_none_for_units_without_a_strength(amount, unit, ingredient):
    assert dose_in_mg(amount, unit, ingredient) is None


def test_daily_mme_sums_the_doses_of_each_local_day():
    doses = [
        # Oxycodone 10 mg at 08:00 and 20:00 CET on 15 Jan: 2 × 10 × 1.5 = 30.
        TakenOpioidDose("oxycodone", 10, "mg", utc(2024, 1, 15, 7)),
        TakenOpioidDose("oxycodone", 10, "mg", utc(2024, 1, 15, 19)),
        # Tramadol 50 mg at 00:30 CET on 16 Jan (23:30 UTC on the 15th): 50 × 0.2 = 10.
        TakenOpioidDose("tramadol", 50, "mg", utc(2024, 1, 15, 23, 30)),
    ]
    assert daily_mme(doses, BERLIN) == {
        date(2024, 1, 15): pytest.approx(30),
        date(2024, 1, 16): pytest.approx(10),
    }


def test_daily_mme_converts_mcg_to_mg():
    # Hydromorphone 2000 mcg = 2 mg; 2 × 5 = 10, on 15 Jan in New York (21:00 EST).
    dose = TakenOpioidDose("hydromorphone", 2000, "mcg", utc(2024, 1, 16, 2))
    assert daily_mme([dose], NEW_YORK) == {date(2024, 1, 15): pytest.approx(10)}


def test_daily_mme_ignores_unconvertible_units_and_non_opioids():
    doses = [
        TakenOpioidDose("morphine", 2, "tablet", utc(2024, 1, 15, 8)),
        TakenOpioidDose("ibuprofen", 400, "mg", utc(2024, 1, 15, 8)),
        # Morphine 15 mg × 1 = 15 is all that counts.
        TakenOpioidDose("morphine", 15, "mg", utc(2024, 1, 15, 9)),
    ]
    assert daily_mme(doses, BERLIN) == {date(2024, 1, 15): pytest.approx(15)}


def test_fentanyl_patch_counts_on_its_application_day_and_the_two_after():
    # 25 mcg/h × 2.4 = 60 MME on 30 Jan, 31 Jan and 1 Feb (applied 09:00 CET on 30 Jan).
    patch = TakenOpioidDose("fentanyl_transdermal", 25, "mcg_per_hour", utc(2024, 1, 30, 8))
    assert daily_mme([patch], BERLIN) == {
        date(2024, 1, 30): pytest.approx(60),
        date(2024, 1, 31): pytest.approx(60),
        date(2024, 2, 1): pytest.approx(60),
    }


def test_fentanyl_patch_crossing_the_period_end_counts_only_days_inside_it():
    # 60 MME on 30 and 31 Jan inside January: average 120 / 31 = 3.87 -> 3.9.
    patch = TakenOpioidDose("fentanyl_transdermal", 25, "mcg_per_hour", utc(2024, 1, 30, 8))
    summary = mme_summary(daily_mme([patch], BERLIN), date(2024, 1, 1), date(2024, 1, 31))
    assert summary == {
        "average_daily": 3.9,
        "average_on_opioid_days": 60.0,
        "days_with_opioid": 2,
        "max_daily": 60.0,
        "days_at_or_over_50": 2,
        "days_at_or_over_90": 0,
    }


def test_mme_summary_averages_over_every_day_of_the_period():
    # 10 days, 60 and 95 MME inside, 500 outside: (60 + 95) / 10 = 15.5; max 95.
    daily = {date(2024, 1, 2): 60, date(2024, 1, 3): 95, date(2024, 1, 20): 500}
    assert mme_summary(daily, date(2024, 1, 1), date(2024, 1, 10)) == {
        "average_daily": 15.5,
        "average_on_opioid_days": 77.5,
        "days_with_opioid": 2,
        "max_daily": 95.0,
        "days_at_or_over_50": 2,
        "days_at_or_over_90": 1,
    }


def test_an_opioid_started_yesterday_averages_its_own_days_not_the_whole_period():
    # 15 MME yesterday and today, in a 90-day period: 30 / 90 = 0.33 over the period, but
    # 15 MME a day on the 2 days with an opioid (DESIGN §4).
    daily = {date(2024, 3, 30): 15.0, date(2024, 3, 31): 15.0}
    summary = mme_summary(daily, date(2024, 1, 2), date(2024, 3, 31))
    assert summary["average_daily"] == 0.3
    assert (summary["average_on_opioid_days"], summary["days_with_opioid"]) == (15.0, 2)


def test_a_dose_too_small_to_show_still_makes_an_opioid_day():
    # 0.04 MME is shown as 0.0, yet it is a day with daily MME > 0: 10.04 / 2 = 5.02.
    daily = {date(2024, 1, 1): 0.04, date(2024, 1, 2): 10.0, date(2024, 1, 3): 0.0}
    summary = mme_summary(daily, date(2024, 1, 1), date(2024, 1, 5))
    assert (summary["days_with_opioid"], summary["average_on_opioid_days"]) == (2, 5.0)


def test_mme_summary_compares_thresholds_with_the_value_shown():
    # 49.96 is shown as 50.0, so it counts at or over 50; 89.94 is shown as 89.9, the max, and
    # does not reach 90.
    daily = {date(2024, 1, 1): 49.96, date(2024, 1, 2): 89.94}
    summary = mme_summary(daily, date(2024, 1, 1), date(2024, 1, 2))
    assert summary["days_at_or_over_50"] == 2
    assert summary["days_at_or_over_90"] == 0
    assert summary["max_daily"] == 89.9


@pytest.mark.parametrize(
    "daily",
    [{}, {date(2023, 12, 31): 60.0}],
    ids=["no opioid at all", "opioid only outside the period"],
)
def test_mme_summary_without_opioid_in_the_period_is_null(daily):
    assert mme_summary(daily, date(2024, 1, 1), date(2024, 1, 31)) == {
        "average_daily": None,
        "average_on_opioid_days": None,
        "days_with_opioid": 0,
        "max_daily": None,
        "days_at_or_over_50": 0,
        "days_at_or_over_90": 0,
    }


def test_mme_summary_refuses_a_period_that_ends_before_it_starts():
    with pytest.raises(ValueError):
        mme_summary({}, date(2024, 1, 2), date(2024, 1, 1))


@pytest.mark.parametrize(
    ("ingredient", "unit"),
    [
        ("oxycodone", "mg"),
        ("Tramadol", "mcg"),
        ("morphine", "g"),
        ("fentanyl_transdermal", "mcg_per_hour"),
        ("ibuprofen", "tablet"),  # not an opioid: any unit
        (None, "ml"),
    ],
)
def test_a_unit_that_converts_to_mme_has_no_problem(ingredient, unit):
    assert unconvertible_unit(ingredient, unit) is None


@pytest.mark.parametrize(
    ("ingredient", "unit", "words"),
    [
        ("tramadol", "tablet", "from a count of tablets"),
        ("codeine", "ml", "from a volume (ml)"),
        ("oxycodone", "mcg_per_hour", "from a patch rate"),
        ("fentanyl_transdermal", "mcg", "in mcg_per_hour"),
    ],
)
def test_an_opioid_unit_without_mme_says_why(ingredient, unit, words):
    problem = unconvertible_unit(ingredient, unit)
    assert words in problem
    assert "MME" in problem
