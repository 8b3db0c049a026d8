"""GET /medications/today: the patient's dose checklist for their local day (DESIGN §4, §5).

The checklist depends on the clock, so each test signs in a patient whose timezone puts "now"
between 12:00 and 13:00 local time: doses at 07:00–09:00 are then hours overdue, one at 12:00 is
due but within its 2-hour grace, one at 18:00 is still to come, and midnight is far away.
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

# Fixed-offset zones from UTC−12 to UTC+14 (the Etc sign is inverted: Etc/GMT-5 is UTC+5).
FIXED_OFFSET_ZONES = [f"Etc/GMT{-hours:+d}" for hours in range(-12, 15)]


def midday_timezone():
    """A timezone whose local clock shows 12:xx right now."""
    now = datetime.now(UTC)
    return next(name for name in FIXED_OFFSET_ZONES if now.astimezone(ZoneInfo(name)).hour == 12)


class MiddayPatient:
    """A signed-in patient for whom it is now 12:xx local time, with helpers to fill the diary."""

    def __init__(self, accounts):
        self.timezone = midday_timezone()
        self.tz = ZoneInfo(self.timezone)
        self.client = accounts.signed_in(timezone=self.timezone)
        self.today = datetime.now(self.tz).date()

    def at(self, clock, day=None):
        """The instant the local clock shows ``clock`` ("HH:MM") on ``day`` (today by default)."""
        return datetime.combine(day or self.today, time.fromisoformat(clock), self.tz)

    def add_medication(self, name, times=None, days_of_week=None, **fields):
        """A medication due at the local ``times`` every day since a month ago, or as needed."""
        body = {
            "name": name,
            "dose_amount": 10,
            "dose_unit": "mg",
            "schedule": {"times": times, "days_of_week": days_of_week} if times else None,
            "as_needed": not times,
            "start_date": (self.today - timedelta(days=30)).isoformat(),
            **fields,
        }
        medication_id = str(uuid.uuid4())
        response = self.client.put(f"/api/v1/medications/{medication_id}", json=body)
        assert response.status_code == 201, response.json
        return medication_id

    def log_dose(self, medication_id, status, scheduled_for=None, taken_at=None):
        body = {
            "medication_id": medication_id,
            "status": status,
            "scheduled_for": scheduled_for and scheduled_for.isoformat(),
            "taken_at": taken_at and taken_at.isoformat(),
        }
        response = self.client.put(f"/api/v1/medication-doses/{uuid.uuid4()}", json=body)
        assert response.status_code == 201, response.json
        return response.json["id"]

    def checklist(self):
        response = self.client.get("/api/v1/medications/today")
        assert response.status_code == 200, response.json
        return response.json


@pytest.fixture
def midday(accounts):
    return MiddayPatient(accounts)


def checklist_rows(doses):
    """(scheduled_for, name, status, dose_event_id) per dose, in the order given."""
    return [
        (
            datetime.fromisoformat(dose["scheduled_for"]),
            dose["name"],
            dose["status"],
            dose["dose_event_id"],
        )
        for dose in doses
    ]


def test_the_checklist_shows_taken_skipped_missed_and_pending_doses_in_time_order(midday):
    # Names in alphabetical order differ from the order of the times, so sorting is visible.
    zolpidem = midday.add_medication("Zolpidem", ["18:00", "07:00"])
    amitriptyline = midday.add_medication("Amitriptyline", ["08:00"])
    metformin = midday.add_medication("Metformin", ["12:00", "09:00"])
    taken = midday.log_dose(zolpidem, "taken", midday.at("07:00"), midday.at("07:20"))
    skipped = midday.log_dose(amitriptyline, "skipped", midday.at("08:00"))

    checklist = midday.checklist()

    assert checklist["date"] == midday.today.isoformat()
    assert checklist_rows(checklist["doses"]) == [
        (midday.at("07:00"), "Zolpidem", "taken", taken),
        (midday.at("08:00"), "Amitriptyline", "skipped", skipped),
        (midday.at("09:00"), "Metformin", "missed", None),
        (midday.at("12:00"), "Metformin", "pending", None),
        (midday.at("18:00"), "Zolpidem", "pending", None),
    ]
    assert [dose["medication_id"] for dose in checklist["doses"]] == [
        zolpidem,
        amitriptyline,
        metformin,
        metformin,
        zolpidem,
    ]


def test_each_dose_carries_the_medications_amount_and_unit(midday):
    midday.add_medication("Tapentadol", ["09:00"], dose_amount=50, dose_unit="mg")
    midday.add_medication("Fentanyl patch", ["10:00"], dose_amount=12, dose_unit="mcg_per_hour")
    doses = midday.checklist()["doses"]
    assert [(dose["name"], dose["dose_amount"], dose["dose_unit"]) for dose in doses] == [
        ("Tapentadol", 50, "mg"),
        ("Fentanyl patch", 12, "mcg_per_hour"),
    ]


def test_a_dose_logged_yesterday_does_not_tick_off_todays_dose(midday):
    metformin = midday.add_medication("Metformin", ["09:00"])
    yesterday = midday.today - timedelta(days=1)
    midday.log_dose(
        metformin, "taken", midday.at("09:00", yesterday), midday.at("09:05", yesterday)
    )
    assert checklist_rows(midday.checklist()["doses"]) == [
        (midday.at("09:00"), "Metformin", "missed", None)
    ]


def test_a_dose_taken_late_still_ticks_off_its_scheduled_dose(midday):
    metformin = midday.add_medication("Metformin", ["07:00"])
    event = midday.log_dose(metformin, "taken", midday.at("07:00"), midday.at("11:30"))
    assert checklist_rows(midday.checklist()["doses"]) == [
        (midday.at("07:00"), "Metformin", "taken", event)
    ]


def weekdays_except(day):
    return [weekday for weekday in range(7) if weekday != day.weekday()]


NOT_DUE_TODAY = {
    "taken as needed": lambda today: {},
    "ended yesterday": lambda today: {
        "times": ["08:00"],
        "end_date": (today - timedelta(days=1)).isoformat(),
    },
    "starts tomorrow": lambda today: {
        "times": ["08:00"],
        "start_date": (today + timedelta(days=1)).isoformat(),
    },
    "not scheduled on today's weekday": lambda today: {
        "times": ["08:00"],
        "days_of_week": weekdays_except(today),
    },
}


@pytest.mark.parametrize("case", list(NOT_DUE_TODAY))
def test_a_medication_not_due_today_is_not_listed(midday, case):
    listed = midday.add_medication("Listed", ["10:00"])
    midday.add_medication("Absent", **NOT_DUE_TODAY[case](midday.today))
    assert [dose["medication_id"] for dose in midday.checklist()["doses"]] == [listed]


def test_an_as_needed_dose_taken_today_adds_nothing_to_the_checklist(midday):
    paracetamol = midday.add_medication("Paracetamol")
    midday.log_dose(paracetamol, "taken", taken_at=midday.at("08:00"))
    assert midday.checklist()["doses"] == []


def test_a_medication_that_ends_today_is_still_listed(midday):
    midday.add_medication("Prednisolone", ["08:00"], end_date=midday.today.isoformat())
    assert [dose["name"] for dose in midday.checklist()["doses"]] == ["Prednisolone"]


def test_only_the_signed_in_patients_medications_are_listed(midday, accounts):
    other = MiddayPatient(accounts)
    other.add_medication("Not mine", ["08:00"])
    midday.add_medication("Mine", ["08:00"])
    assert [dose["name"] for dose in midday.checklist()["doses"]] == ["Mine"]


def test_the_checklist_is_for_the_patients_own_local_date(accounts):
    # UTC+14 and UTC−12 are 26 hours apart: their dates always differ, so at least one of them
    # differs from the date in UTC (or any other single zone) at any moment.
    for timezone in ("Etc/GMT-14", "Etc/GMT+12"):
        patient = accounts.signed_in(timezone=timezone)
        before = datetime.now(ZoneInfo(timezone)).date()
        answered = date.fromisoformat(patient.get("/api/v1/medications/today").json["date"])
        after = datetime.now(ZoneInfo(timezone)).date()
        assert answered in {before, after}, timezone  # both only if midnight passed meanwhile


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("clinician", 403)])
def test_only_a_signed_in_patient_has_a_checklist(client, accounts, role, status):
    asker = accounts.signed_in(role=role) if role else client
    response = asker.get("/api/v1/medications/today")
    assert response.status_code == status
    assert response.json["error"]["status"] == status
