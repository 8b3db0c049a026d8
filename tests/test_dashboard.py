"""The clinician's patient list `GET /patients`: figures, order, who is listed, audit, queries."""

import json
import re
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from pain_diary.accounts.models import User
from pain_diary.care.models import AuditEvent, CareLink
from pain_diary.localtime import local_date
from pain_diary.medications.models import DoseEvent, Medication
from pain_diary.records.models import PainEntry, SleepEntry

from .helpers import recorded_statements

URL = "/api/v1/patients"


def link(app, db, patient, clinician_user, revoked=False):
    with app.app_context():
        care_link = CareLink(
            patient_id=uuid.UUID(patient.id),
            clinician_id=uuid.UUID(clinician_user.id),
            revoked_at=datetime.now(UTC) if revoked else None,
        )
        db.session.add(care_link)
        db.session.commit()
        return str(care_link.id)


class Diary:
    """One patient's records, placed by days before their local today, written in bulk."""

    def __init__(self, patient):
        self.patient_id = uuid.UUID(patient.id)
        self.tz = ZoneInfo(patient.timezone)
        self.today = local_date(datetime.now(UTC), self.tz)
        self.rows = {PainEntry: [], SleepEntry: [], Medication: [], DoseEvent: []}

    def day(self, days_ago):
        return self.today - timedelta(days=days_ago)

    def at(self, days_ago, hhmm):
        wall = datetime.combine(self.day(days_ago), time.fromisoformat(hhmm), tzinfo=self.tz)
        return wall.astimezone(UTC)

    def pain(self, days_ago, *intensities):
        for hour, intensity in enumerate(intensities, start=8):
            self.rows[PainEntry].append(
                {
                    "patient_id": self.patient_id, "local_date": self.day(days_ago),
                    "recorded_at": self.at(days_ago, f"{hour:02d}:00"), "intensity": intensity,
                    "body_sites": [], "qualities": [], "tags": [],
                }
            )  # fmt: skip
        return self

    def sleep(self, days_ago, latency=60, waso=60):
        """A night of 8 hours in bed and 8 hours trying to sleep."""
        in_bed = self.at(days_ago, "22:00")
        total = 480 - latency - waso
        self.rows[SleepEntry].append(
            {
                "patient_id": self.patient_id, "night_of": self.day(days_ago),
                "in_bed_at": in_bed, "tried_to_sleep_at": in_bed,
                "final_awakening_at": in_bed + timedelta(hours=8),
                "out_of_bed_at": in_bed + timedelta(hours=8),
                "sleep_latency_minutes": latency, "wake_after_sleep_onset_minutes": waso,
                "awakenings": 1, "quality": 3, "time_in_bed_minutes": 480,
                "total_sleep_minutes": total, "sleep_efficiency": round(total / 480 * 100, 1),
            }
        )  # fmt: skip
        return self

    def medication(
        self, ingredient="oxycodone", mg=40, unit="mg", start=30, end=None, times=("08:00",)
    ):
        """A medication taken at ``times`` every day, or as needed when ``times`` is None."""
        medication_id = uuid.uuid4()
        schedule = None if times is None else {"times": list(times), "days_of_week": None}
        self.rows[Medication].append(
            {
                "id": medication_id, "patient_id": self.patient_id, "name": f"{ingredient} {mg}",
                "ingredient": ingredient, "dose_amount": mg, "dose_unit": unit, "route": "oral",
                "schedule": schedule, "as_needed": schedule is None,
                "start_date": self.day(start), "end_date": None if end is None else self.day(end),
            }
        )  # fmt: skip
        return medication_id

    def dose(
        self, medication_id, days_ago, status="taken", hhmm="08:00", mg=40, unit="mg",
        as_needed=False,
    ):  # fmt: skip
        due = self.at(days_ago, hhmm)
        taken_at = due + timedelta(minutes=5) if status == "taken" else None
        self.rows[DoseEvent].append(
            {
                "patient_id": self.patient_id, "medication_id": medication_id, "status": status,
                "scheduled_for": None if as_needed else due, "taken_at": taken_at,
                "amount": mg, "dose_unit": unit, "occurred_at": taken_at or due,
                "local_date": self.day(days_ago),
            }
        )  # fmt: skip
        return self


def write(app, db, *diaries):
    with app.app_context():
        for model in (PainEntry, SleepEntry, Medication, DoseEvent):
            rows = [row for diary in diaries for row in diary.rows[model]]
            if rows:
                db.session.execute(insert(model), rows)
        db.session.commit()


def worsening_diary(patient):
    """Pain up, adherence low, opioid dose high, poor sleep: every figure worked out by hand."""
    diary = Diary(patient)
    # Daily pain of the last 7 days: 6.5, 6, 5 -> 5.8 (not 6.0: days weigh the same, not entries).
    diary.pain(1, 6, 7).pain(2, 6).pain(3, 5)
    # The 14 days before: 4, (3 + 5) / 2, 4 -> 4.0; day 22 is outside all windows, day 40 too.
    diary.pain(8, 4).pain(10, 3, 5).pain(12, 4).pain(22, 10).pain(40, 1)
    # Daily at 08:00 until yesterday: 13 doses due in the last 14 days; 10 taken, 1 skipped,
    # 2 missed -> 76.9 %. Days 14-30 were due too, and fall outside the fortnight.
    oxycodone = diary.medication(end=1)
    for days_ago in (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 20):
        diary.dose(oxycodone, days_ago)
    diary.dose(oxycodone, 7, status="skipped")
    # 6 taken days of the last 7 at 40 mg x 1.5 = 60 MME: 360 / 7 = 51.4 MME a day.
    # Three nights at 75.0 % efficiency; the good night 10 days ago is outside the 7.
    diary.sleep(1).sleep(2).sleep(3).sleep(10, latency=10, waso=0)
    return diary


@pytest.mark.parametrize(
    "timezones",
    [
        ["Europe/Berlin"],
        # 25 hours apart: their "today" differs most of the time, in one listing.
        ["Pacific/Kiritimati", "Europe/Berlin", "Pacific/Pago_Pago"],
    ],
)
def test_each_row_has_the_hand_computed_figures_and_the_summarys_flags(
    app, db, accounts, clinician, timezones
):
    patients = [accounts.create(role="patient", timezone=tz) for tz in timezones]
    diaries = [worsening_diary(patient) for patient in patients]
    links = [link(app, db, patient, clinician.user) for patient in patients]
    write(app, db, *diaries)

    response = clinician.get(URL)

    assert response.status_code == 200, response.json
    rows = {row["patient_id"]: row for row in response.json}
    assert set(rows) == {patient.id for patient in patients}
    for patient, diary, link_id in zip(patients, diaries, links, strict=True):
        row = rows[patient.id]
        assert row["link_id"] == link_id
        assert datetime.fromisoformat(row["last_entry_at"]) == diary.at(1, "09:00")
        assert row["pain_7d_mean"] == 5.8
        assert row["pain_change_percent"] == 45.0
        assert row["adherence_percent"] == 76.9
        assert [(flag["code"], flag["severity"]) for flag in row["flags"]] == [
            ("pain_worsening", "alert"),
            ("low_adherence", "warning"),
            ("high_mme", "warning"),
            ("poor_sleep", "warning"),
        ]
        assert "1.8 points (45 %)" in row["flags"][0]["message"]
        assert "51.4 MME/day" in row["flags"][2]["message"]
        assert "(3 logged)" in row["flags"][3]["message"]
        summary = clinician.get(f"{URL}/{patient.id}/summary").json
        assert row["flags"] == summary["flags"]
        assert row["pain_7d_mean"] == summary["pain"]["recent_mean"]


def test_the_clinic_card_labels_the_pain_change_with_the_days_it_is_computed_over(
    app, db, accounts, clinician
):
    # The label the page gives the card's script, in the words DESIGN §7 asks for.
    page = clinician.get("/clinic").get_data(as_text=True)
    words = re.search(r'<script type="application/json" id="words">(.*?)</script>', page, re.S)
    label = json.loads(words[1])["pain_change_comparison"]
    assert label == "last 7 days vs the 14 days before"
    recent_days, prior_days = map(
        int, re.fullmatch(r"last (\d+) days vs the (\d+) days before", label).groups()
    )
    # A diary whose figure is -50 % over exactly the days the label names: pain 3 on the recent
    # days, 6 on the prior ones, and 10 on every earlier day of the month, which would move the
    # figure if it counted them (the summary's first week against its last: -70 %).
    patient = accounts.create(role="patient")
    diary = Diary(patient)
    for days_ago in range(30):
        window = 0 if days_ago < recent_days else 1 if days_ago < recent_days + prior_days else 2
        diary.pain(days_ago, (3, 6, 10)[window])
    link(app, db, patient, clinician.user)
    write(app, db, diary)

    (row,) = clinician.get(URL).json
    assert row["pain_change_percent"] == -50.0
    summary = clinician.get(f"{URL}/{patient.id}/summary").json["pain"]
    assert summary["change_percent"] == -70.0  # not what the card shows
    # The card's script writes that label beside that figure, and no words of its own.
    script = Path(app.static_folder, "js", "clinic.js").read_text(encoding="utf-8")
    assert "words().pain_change_comparison" in script
    assert "PAIN_CHANGE)" in script and "last week vs first" not in script


def test_a_patient_without_records_has_empty_figures_and_a_logging_gap(
    app, db, accounts, clinician
):
    patient = accounts.create(role="patient", created_at=datetime.now(UTC) - timedelta(days=10))
    link(app, db, patient, clinician.user)

    (row,) = clinician.get(URL).json

    assert row["patient_id"] == patient.id
    figures = ("last_entry_at", "pain_7d_mean", "pain_change_percent", "adherence_percent")
    assert [row[name] for name in figures] == [None, None, None, None]
    assert row["flags"] == [
        {"code": "logging_gap", "severity": "warning", "message": "No pain entries logged"}
    ]


@pytest.mark.parametrize(("days_ago", "flagged"), [(0, False), (1, False), (2, True)])
def test_a_new_patient_without_entries_has_a_logging_gap_only_once_the_diary_is_3_days_old(
    app, db, accounts, clinician, days_ago, flagged
):
    # Registered today, or 1 day ago: 1 or 2 days of diary, under the 3 of the flag.
    joined = datetime.now(UTC) - timedelta(days=days_ago)
    patient = accounts.create(role="patient", timezone="UTC", created_at=joined)
    link(app, db, patient, clinician.user)

    (row,) = clinician.get(URL).json

    no_entries = {"code": "logging_gap", "severity": "warning", "message": "No pain entries logged"}
    assert row["flags"] == ([no_entries] if flagged else [])
    assert row["flags"] == clinician.get(f"{URL}/{patient.id}/summary").json["flags"]


def test_two_logged_days_give_no_7_day_mean_as_in_the_summary(app, db, accounts, clinician):
    patient = accounts.create(role="patient")
    link(app, db, patient, clinician.user)
    write(app, db, Diary(patient).pain(1, 6).pain(2, 4).pain(9, 3).pain(10, 3).pain(11, 3))

    (row,) = clinician.get(URL).json

    assert row["pain_7d_mean"] is None
    assert row["pain_change_percent"] is None
    assert row["last_entry_at"] is not None


@pytest.mark.parametrize(
    ("days_ago", "message"),
    [
        (25, "No pain entry in the last 25 days"),
        # The default summary's 30 days are today and the 29 before: this entry is not in them.
        (30, "No pain entries logged"),
    ],
)
def test_a_logging_gap_counts_back_as_far_as_the_summary(
    app, db, accounts, clinician, days_ago, message
):
    patient = accounts.create(role="patient")
    link(app, db, patient, clinician.user)
    write(app, db, Diary(patient).pain(days_ago, 5))

    (row,) = clinician.get(URL).json

    assert row["flags"][0]["message"] == message
    assert row["flags"] == clinician.get(f"{URL}/{patient.id}/summary").json["flags"]


def test_a_fentanyl_patch_applied_before_the_week_still_counts_in_it(app, db, accounts, clinician):
    patient = accounts.create(role="patient")
    link(app, db, patient, clinician.user)
    diary = Diary(patient)
    patch = diary.medication("fentanyl_transdermal", mg=100, unit="mcg_per_hour", times=None)
    # Each patch counts 100 x 2.4 = 240 MME on its day and the 2 after: days 8-6, 5-3 and 2-0.
    for days_ago in (8, 5, 2):
        diary.dose(patch, days_ago, mg=100, unit="mcg_per_hour", as_needed=True)
    write(app, db, diary.pain(1, 4))

    (row,) = clinician.get(URL).json

    assert row["adherence_percent"] is None  # as needed: no scheduled doses
    assert [flag["code"] for flag in row["flags"]] == ["high_mme"]
    assert "240.0 MME/day" in row["flags"][0]["message"]  # 205.7 without the first patch
    assert row["flags"] == clinician.get(f"{URL}/{patient.id}/summary").json["flags"]


def test_the_last_entry_may_be_older_than_the_month_the_figures_look_at(
    app, db, accounts, clinician
):
    quiet, active = accounts.create(role="patient"), accounts.create(role="patient")
    for patient in (quiet, active):
        link(app, db, patient, clinician.user)
    write(app, db, Diary(quiet).pain(40, 5).pain(90, 5), Diary(active).pain(2, 5).pain(45, 5))

    rows = {row["patient_id"]: row for row in clinician.get(URL).json}

    assert datetime.fromisoformat(rows[quiet.id]["last_entry_at"]) == Diary(quiet).at(40, "08:00")
    assert datetime.fromisoformat(rows[active.id]["last_entry_at"]) == Diary(active).at(2, "08:00")
    assert rows[quiet.id]["flags"][0]["message"] == "No pain entries logged"  # as the summary says


def test_alerts_come_first_then_most_warnings_then_the_longest_silent(app, db, accounts, clinician):
    def patient(name, *build):
        # Registered a month ago: a new patient's silence would be no gap (diary_start).
        joined = datetime.now(UTC) - timedelta(days=30)
        created = accounts.create(role="patient", display_name=name, created_at=joined)
        link(app, db, created, clinician.user)
        diary = Diary(created)
        for step in build:
            step(diary)
        write(app, db, diary)
        return created

    # Neither the order of creation nor that of the names (either way) is the expected one.
    patient("Ada", lambda d: d.pain(1, 3).pain(2, 3))
    patient("Ben", lambda d: d.pain(5, 4))
    patient("Cleo")
    patient("Dan", lambda d: d.pain(10, 4))
    patient("Eve", lambda d: d.pain(6, 4).sleep(1).sleep(2).sleep(3))
    patient("Fay", lambda d: d.pain(1, 8).pain(2, 8).pain(3, 8).pain(8, 4).pain(9, 4).pain(10, 4))
    write(app, db, worsening_diary(patient("Gus")))

    rows = clinician.get(URL).json

    assert [row["display_name"] for row in rows] == [
        "Gus",  # an alert and three warnings
        "Fay",  # an alert
        "Eve",  # two warnings
        "Cleo",  # one warning, never logged
        "Dan",  # one warning, silent for 10 days
        "Ben",  # one warning, silent for 5 days
        "Ada",  # nothing to flag
    ]
    assert [len(row["flags"]) for row in rows] == [4, 1, 2, 1, 1, 1, 0]


def test_only_patients_with_an_active_link_to_this_clinician_are_listed(
    app, db, accounts, clinician
):
    linked = accounts.signed_in(role="patient")
    code = linked.post("/api/v1/care-team/invitations").json["code"]
    link_id = clinician.post("/api/v1/care-team/links", json={"code": code}).json["id"]
    revoked = accounts.signed_in(role="patient")
    code = revoked.post("/api/v1/care-team/invitations").json["code"]
    revoked_link = clinician.post("/api/v1/care-team/links", json={"code": code}).json["id"]
    assert revoked.delete(f"/api/v1/care-team/{revoked_link}").status_code == 204
    someone_elses = accounts.create(role="patient")
    link(app, db, someone_elses, accounts.create(role="clinician"))
    accounts.create(role="patient")  # linked to nobody
    write(app, db, *(Diary(p.user).pain(1, 5) for p in (linked, revoked)))

    rows = clinician.get(URL).json

    assert [(row["patient_id"], row["link_id"]) for row in rows] == [(linked.user.id, link_id)]


def test_a_clinician_without_patients_gets_an_empty_list_and_no_audit(app, db, clinician):
    assert clinician.get(URL).json == []
    with app.app_context():
        assert db.session.scalars(select(AuditEvent)).all() == []


def test_a_patient_is_refused(patient):
    response = patient.get(URL)
    assert response.status_code == 403
    assert response.json["error"]["status"] == 403


def test_an_anonymous_caller_must_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json["error"]["status"] == 401


def test_each_listing_audits_one_read_of_each_listed_patient(app, db, accounts, clinician):
    listed = [accounts.create(role="patient") for _ in range(3)]
    for patient in listed:
        link(app, db, patient, clinician.user)
    link(app, db, accounts.create(role="patient"), clinician.user, revoked=True)

    for _ in range(2):
        assert clinician.get(URL).status_code == 200

    with app.app_context():
        events = db.session.scalars(select(AuditEvent)).all()
    assert sorted(str(e.patient_id) for e in events) == sorted(2 * [p.id for p in listed])
    assert {(str(e.actor_id), e.action, e.resource, e.outcome) for e in events} == {
        (clinician.user.id, "read", "patients", "allowed")
    }


def full_diary(patient):
    """Until yesterday, twice-daily oxycodone taken and skipped, daily ibuprofen missed: 33.3 %."""
    diary = Diary(patient)
    medication = diary.medication(times=("08:00", "20:00"), end=1)
    diary.medication(ingredient="ibuprofen", mg=400, end=1)
    for days_ago in range(1, 15):
        diary.pain(days_ago, 4, 5, 6).sleep(days_ago)
        diary.dose(medication, days_ago).dose(medication, days_ago, "skipped", hhmm="20:00")
    return diary


def test_the_number_of_queries_does_not_grow_with_the_number_of_patients(
    app, db, accounts, clinician
):
    with app.app_context():
        engine = db.engine

    def listing_statements(expected_rows):
        with recorded_statements(engine) as statements:
            response = clinician.get(URL)
        assert response.status_code == 200
        assert len(response.json) == expected_rows
        assert all(row["adherence_percent"] == 33.3 for row in response.json)
        return [statement for statement, _ in statements]

    def add_patients(count):
        patients = [accounts.create(role="patient") for _ in range(count)]
        for patient in patients:
            link(app, db, patient, clinician.user)
        write(app, db, *(full_diary(patient) for patient in patients))

    add_patients(2)
    with_2 = listing_statements(2)
    add_patients(10)
    with_12 = listing_statements(12)

    assert len(with_12) == len(with_2), "\n".join(with_12)
    audit_inserts = [s for s in with_12 if s.lstrip().upper().startswith("INSERT")]
    assert len(audit_inserts) == 1 and "audit_events" in audit_inserts[0]


def test_a_day_is_the_patients_local_day(app, db, accounts, clinician):
    # UTC+14 and UTC-11: at any hour, one of them is not on the UTC date.
    ahead = accounts.create(role="patient", timezone="Pacific/Kiritimati")
    behind = accounts.create(role="patient", timezone="Pacific/Pago_Pago")
    for patient in (ahead, behind):
        link(app, db, patient, clinician.user)
    # The last 7 local days hold days 4, 5, 6 -> 3.0; a window a day late adds day 7 (4.3), one
    # a day early drops day 6 (two logged days: None).
    diaries = (Diary(p).pain(4, 2).pain(5, 2).pain(6, 5).pain(7, 8) for p in (ahead, behind))
    write(app, db, *diaries)

    rows = clinician.get(URL).json

    assert {row["patient_id"]: row["pain_7d_mean"] for row in rows} == {
        ahead.id: 3.0,
        behind.id: 3.0,
    }


def test_a_dose_stored_before_the_bounds_does_not_take_the_list_down(app, db, accounts, clinician):
    poisoned, healthy = accounts.create(role="patient"), accounts.create(role="patient")
    for patient in (poisoned, healthy):
        link(app, db, patient, clinician.user)
    diary = Diary(poisoned)
    morphine = diary.medication("morphine", mg=1e20, times=None)
    diary.dose(morphine, 1, mg=1e20, as_needed=True)
    write(app, db, diary.pain(1, 5), worsening_diary(healthy))

    response = clinician.get(URL)

    assert response.status_code == 200, response.json
    rows = {row["patient_id"]: row for row in response.json}
    assert set(rows) == {poisoned.id, healthy.id}
    assert rows[healthy.id]["pain_7d_mean"] == 5.8
    assert rows[healthy.id]["adherence_percent"] == 76.9
    assert len(rows[healthy.id]["flags"]) == 4
    (flag,) = rows[poisoned.id]["flags"]
    assert (flag["code"], flag["severity"]) == ("high_mme", "alert")
    summary = clinician.get(f"{URL}/{poisoned.id}/summary")
    assert summary.status_code == 200, summary.json
    assert summary.json["flags"] == rows[poisoned.id]["flags"]


def test_a_patient_whose_figures_fail_is_listed_without_them_and_the_others_are_whole(
    app, db, accounts, clinician, caplog
):
    broken, healthy = accounts.create(role="patient"), accounts.create(role="patient")
    for patient in (broken, healthy):
        link(app, db, patient, clinician.user)
    diary = Diary(broken).pain(1, 5)
    diary.medication("ibuprofen")
    diary.rows[Medication][0]["schedule"] = {"times": ["25:00"], "days_of_week": None}  # bad
    write(app, db, diary, worsening_diary(healthy))

    with caplog.at_level("ERROR"):
        response = clinician.get(URL)

    assert response.status_code == 200, response.json
    rows = {row["patient_id"]: row for row in response.json}
    assert rows[broken.id] == {
        "patient_id": broken.id,
        "display_name": broken_name(app, db, broken),
        "link_id": rows[broken.id]["link_id"],
        "last_entry_at": Diary(broken).at(1, "08:00").isoformat(),
        "pain_7d_mean": None,
        "pain_change_percent": None,
        "adherence_percent": None,
        "flags": [
            {
                "code": "figures_unavailable",
                "severity": "warning",
                "message": "This patient's figures could not be computed from their records",
            }
        ],
    }
    assert (rows[healthy.id]["pain_7d_mean"], rows[healthy.id]["adherence_percent"]) == (5.8, 76.9)
    assert [row["patient_id"] for row in response.json] == [healthy.id, broken.id]  # alerts first
    (record,) = [r for r in caplog.records if r.name == "pain_diary.insights.dashboard"]
    assert record.getMessage().startswith("patient list: a row failed with ValueError\n")
    assert "25:00" not in record.getMessage() and broken.id not in record.getMessage()
    with app.app_context():
        audited = db.session.scalars(select(AuditEvent.patient_id)).all()
    assert sorted(map(str, audited)) == sorted([broken.id, healthy.id])


def broken_name(app, db, patient):
    with app.app_context():
        return db.session.get(User, uuid.UUID(patient.id)).display_name


class TestConfiguredThresholds:
    @pytest.fixture
    def config(self):
        return {"FLAG_PAIN_WORSENING_POINTS": 1.0, "FLAG_LOW_ADHERENCE_PERCENT": 70.0}

    def test_the_list_applies_the_configured_thresholds_as_the_summary_does(
        self, app, db, accounts, clinician
    ):
        patient = accounts.create(role="patient")
        link(app, db, patient, clinician.user)
        diary = Diary(patient)
        # Last 7 days 5.0, the 14 before 4.0: up 1.0 point (25 %), a flag only at 1 point.
        diary.pain(1, 5).pain(2, 5).pain(3, 5).pain(8, 4).pain(9, 4).pain(10, 4)
        # 76.9 % adherence as in worsening_diary: low at 80 %, not at the configured 70 %.
        oxycodone = diary.medication("ibuprofen", end=1)
        for days_ago in (1, 2, 3, 4, 5, 6, 8, 9, 10, 11):
            diary.dose(oxycodone, days_ago)
        diary.dose(oxycodone, 7, status="skipped")
        write(app, db, diary)

        (row,) = clinician.get(URL).json

        assert row["adherence_percent"] == 76.9
        assert [flag["code"] for flag in row["flags"]] == ["pain_worsening"]
        assert "1.0 points (25 %)" in row["flags"][0]["message"]
        assert row["flags"] == clinician.get(f"{URL}/{patient.id}/summary").json["flags"]
