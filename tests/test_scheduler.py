"""The scheduler of DESIGN §5 against the real database: tick(now) with the clock controlled.

Rules are made through the API with the reminders' clock (``utcnow`` in rules, dispatch, routes
and the CLI) set by the ``clock`` fixture, then ``tick(now)`` runs as if the clock read ``now``.
Every test counts the delivery and notification rows and reads each channel's outcome. Push goes
to the local push service of push_service.py, which verifies and decrypts what it gets.
Diary records are dated in 2026 up to November: the diary refuses records in the future.
"""

import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from pain_diary import create_app
from pain_diary.extensions import db
from pain_diary.reminders import cli, dispatch, routes, rules
from pain_diary.reminders.dispatch import tick
from pain_diary.reminders.models import Delivery, Notification, ReminderRule
from pain_diary.reminders.vapid import vapid_keys

from . import push_service
from .factories import PASSWORD, DoseEventBody, MedicationBody, PainEntryBody, SleepEntryBody

service = push_service.service  # the fixture: a local push service for each test

MINUTE = timedelta(minutes=1)
IN_APP = {"status": "sent"}
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]
NO_SUBSCRIPTION = {"status": "skipped", "reason": "no_subscription"}


def utc(*fields):
    return datetime(*fields, tzinfo=UTC)


def iso(instant):
    return instant.isoformat()


class Clock:
    """What ``utcnow()`` reads in the reminders package; ``clock.now = ...`` moves it."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def config():
    return {
        "VAPID_PRIVATE_KEY": push_service.vapid_private_pem(),
        "PUSH_ALLOW_HTTP": True,
    }


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(utc(2026, 12, 1, 12))
    for module in (rules, dispatch, routes, cli):
        monkeypatch.setattr(module, "utcnow", clock)
    return clock


def subscribe(app, client, service):
    """Subscribe ``client``'s patient to the push service, as a browser does."""
    with app.app_context():
        keys = vapid_keys(app.config, app.instance_path)
    response = client.post("/api/v1/push-subscriptions", json=service.subscribe(keys))
    assert response.status_code == 201, response.json


def add_rule(client, **fields):
    """POST a rule: a pain_log at 20:00 in the inbox unless told; a field given ``...`` is out."""
    body = {"kind": "pain_log", "times": ["20:00"], "channels": ["in_app"]} | fields
    body = {name: value for name, value in body.items() if value is not ...}
    response = client.post("/api/v1/reminders", json=body)
    assert response.status_code == 201, response.json
    return response.json


def read_rule(client, rule_id):
    response = client.get(f"/api/v1/reminders/{rule_id}")
    assert response.status_code == 200, response.json
    return response.json


def change_me(client, **fields):
    response = client.patch("/api/v1/me", json=fields)
    assert response.status_code == 200, response.json


def add_medication(client, **fields):
    medication_id = str(uuid.uuid4())
    response = client.put(f"/api/v1/medications/{medication_id}", json=MedicationBody(**fields))
    assert response.status_code == 201, response.json
    return medication_id


def run(app, now):
    with app.app_context():
        return tick(now)


def run_every_minute(app, start, end):
    """Tick each minute from ``start`` to ``end`` inclusive; the reports that did something."""
    reports, now = [], start
    with app.app_context():
        while now <= end:
            report = tick(now)
            if report.claimed or report.skipped:
                reports.append((now, report))
            now += MINUTE
    return reports


def deliveries(app):
    with app.app_context():
        statement = select(Delivery).order_by(Delivery.due_at, Delivery.created_at)
        return [
            SimpleNamespace(
                id=row.id, rule_id=str(row.rule_id), due_at=row.due_at, reason=row.reason,
                status=row.status, outcomes=row.outcomes, occurrence_at=row.occurrence_at,
            )
            for row in db.session.scalars(statement)
        ]  # fmt: skip


def sent_at(app):
    """The due instants of the deliveries that reached the patient on some channel."""
    return [
        d.due_at for d in deliveries(app)
        if any(outcome["status"] == "sent" for outcome in d.outcomes.values())
    ]  # fmt: skip


def notifications(app):
    with app.app_context():
        statement = select(Notification).order_by(Notification.created_at, Notification.due_at)
        return [
            SimpleNamespace(id=str(n.id), due_at=n.due_at, delivery_id=n.delivery_id, kind=n.kind,
                            title=n.title, body=n.body, read_at=n.read_at)
            for n in db.session.scalars(statement)
        ]  # fmt: skip


def next_due(app, rule_id):
    with app.app_context():
        return db.session.get(ReminderRule, uuid.UUID(rule_id)).next_due_at


# A new patient's rules


def test_a_new_patient_gets_the_two_default_rules_in_their_zone_and_a_clinician_none(app, clock):
    clock.now = utc(2026, 12, 1, 12)  # 07:00 in New York
    client = app.test_client()
    body = {"email": "new@example.org", "password": PASSWORD, "display_name": "New",
            "timezone": "America/New_York"}  # fmt: skip
    assert client.post("/api/v1/auth/register", json=body).status_code == 201
    login = client.post("/api/v1/auth/login", json={"email": body["email"], "password": PASSWORD})
    client.environ_base["HTTP_X_CSRFTOKEN"] = login.json["csrf_token"]
    got = [
        {key: rule[key] for key in ("kind", "times", "days_of_week", "dates", "channels",
                                    "enabled", "next_due_at")}
        for rule in client.get("/api/v1/reminders").json
    ]  # fmt: skip
    every_day = {"days_of_week": [], "dates": None, "channels": ["in_app", "push"], "enabled": True}
    assert got == [
        {"kind": "pain_log", "times": ["20:00"], **every_day,
         "next_due_at": "2026-12-02T01:00:00+00:00"},  # 20:00 EST on the 1st
        {"kind": "sleep_log", "times": ["09:00"], **every_day,
         "next_due_at": "2026-12-01T14:00:00+00:00"},  # 09:00 EST on the 1st
    ]  # fmt: skip
    clinician = {**body, "email": "doc@example.org", "role": "clinician",
                 "clinician_code": "let-me-in-clinician"}  # fmt: skip
    assert client.post("/api/v1/auth/register", json=clinician).status_code == 201
    with app.app_context():
        assert len(db.session.scalars(select(ReminderRule)).all()) == 2


def test_building_more_apps_leaves_each_new_patient_with_the_two_default_rules(app, base_config):
    # Every app connects the reminders' receivers (register_listeners); a second connection of
    # the same receiver must not make it run twice.
    create_app(base_config)
    create_app(base_config)
    body = {"email": "new@example.org", "password": PASSWORD, "display_name": "New"}
    assert app.test_client().post("/api/v1/auth/register", json=body).status_code == 201
    with app.app_context():
        assert len(db.session.scalars(select(ReminderRule)).all()) == 2


# Daylight saving time, ticking every minute across the change


@pytest.mark.parametrize(
    ("zone", "times", "created", "window", "due", "next_day"),
    [
        pytest.param("America/New_York", ["02:30"], utc(2026, 3, 7, 12),
                     (utc(2026, 3, 8, 5), utc(2026, 3, 8, 9)), utc(2026, 3, 8, 7),
                     utc(2026, 3, 9, 6, 30), id="New York spring forward, 02:30"),
        pytest.param("America/New_York", ["02:00", "02:30"], utc(2026, 3, 7, 12),
                     (utc(2026, 3, 8, 5), utc(2026, 3, 8, 9)), utc(2026, 3, 8, 7),
                     (utc(2026, 3, 9, 6), utc(2026, 3, 9, 6, 30)),
                     id="New York spring forward, 02:00 and 02:30"),
        pytest.param("America/New_York", ["01:30"], utc(2026, 10, 31, 12),
                     (utc(2026, 11, 1, 2), utc(2026, 11, 1, 14)), utc(2026, 11, 1, 5, 30),
                     utc(2026, 11, 2, 6, 30), id="New York fall back, 01:30"),
        pytest.param("Australia/Sydney", ["02:30"], utc(2026, 4, 4),
                     (utc(2026, 4, 4, 13), utc(2026, 4, 4, 18)), utc(2026, 4, 4, 15, 30),
                     utc(2026, 4, 5, 16, 30), id="Sydney fall back, 02:30"),
        pytest.param("Australia/Sydney", ["02:00", "02:30"], utc(2026, 10, 3),
                     (utc(2026, 10, 3, 14), utc(2026, 10, 3, 18)), utc(2026, 10, 3, 16),
                     (utc(2026, 10, 4, 15), utc(2026, 10, 4, 15, 30)),
                     id="Sydney spring forward, 02:00 and 02:30"),
    ],
)  # fmt: skip
def test_across_a_dst_change_a_rule_fires_once_then_at_its_usual_time(
    app, accounts, clock, zone, times, created, window, due, next_day
):
    client = accounts.signed_in(timezone=zone)
    clock.now = created
    rule = add_rule(client, times=times, channels=["in_app", "push"])
    assert rule["next_due_at"] == iso(due)
    reports = run_every_minute(app, *window)
    assert [(now, report.claimed, report.sent) for now, report in reports] == [(due, 1, 1)]
    assert [(d.due_at, d.reason, d.status, d.outcomes) for d in deliveries(app)] == [
        (due, "scheduled", "done", {"in_app": IN_APP, "push": NO_SUBSCRIPTION})
    ]
    assert [n.due_at for n in notifications(app)] == [due]
    next_days = next_day if isinstance(next_day, tuple) else (next_day,)
    assert next_due(app, rule["id"]) == next_days[0]
    run_every_minute(app, next_days[0] - 30 * MINUTE, next_days[-1] + 30 * MINUTE)
    assert sent_at(app) == [due, *next_days]


# A patient who moves


def test_moving_from_new_york_to_berlin_after_the_20_00_reminder_sends_the_next_at_20_00_berlin(
    app, accounts, clock
):
    client = accounts.signed_in(timezone="America/New_York")
    rule = add_rule(client)
    assert rule["next_due_at"] == "2026-12-02T01:00:00+00:00"  # 20:00 EST on 1 December
    assert run(app, utc(2026, 12, 2, 1)).sent == 1
    clock.now = utc(2026, 12, 2, 1, 5)  # 02:05 in Berlin on the 2nd
    change_me(client, timezone="Europe/Berlin")
    assert read_rule(client, rule["id"])["next_due_at"] == "2026-12-02T19:00:00+00:00"
    now = utc(2026, 12, 2, 1)
    while now <= utc(2026, 12, 3, 2):
        run(app, now)
        now += 15 * MINUTE
    assert sent_at(app) == [utc(2026, 12, 2, 1), utc(2026, 12, 2, 19)]
    assert len(notifications(app)) == 2


def test_moving_from_berlin_to_new_york_the_same_day_does_not_send_todays_20_00_again(
    app, accounts, clock
):
    client = accounts.signed_in(timezone="Europe/Berlin")
    rule = add_rule(client)
    assert run(app, utc(2026, 12, 1, 19)).sent == 1
    clock.now = utc(2026, 12, 1, 19, 30)  # 14:30 in New York: its 20:00 is still to come
    change_me(client, timezone="America/New_York")
    assert read_rule(client, rule["id"])["next_due_at"] == "2026-12-03T01:00:00+00:00"
    now = utc(2026, 12, 1, 19)
    while now <= utc(2026, 12, 3, 2):
        run(app, now)
        now += 15 * MINUTE
    assert sent_at(app) == [utc(2026, 12, 1, 19), utc(2026, 12, 3, 1)]


# Downtime


@pytest.mark.parametrize(
    ("late_by", "status"),
    [(10, "sent"), (30, "sent"), (31, "late")],
)
def test_an_occurrence_missed_within_the_grace_period_is_sent_once_and_after_it_is_late(
    app, accounts, clock, late_by, status
):
    client = accounts.signed_in(timezone="Europe/Berlin")
    rule = add_rule(client, channels=["in_app", "push"])
    now = utc(2026, 12, 1, 19) + late_by * MINUTE
    report = run(app, now)
    assert (report.claimed, report.sent) == ((1, 1) if status == "sent" else (0, 0))
    expected = (
        {"in_app": IN_APP, "push": NO_SUBSCRIPTION}
        if status == "sent"
        else {"in_app": {"status": "skipped", "reason": "late"},
              "push": {"status": "skipped", "reason": "late"}}
    )  # fmt: skip
    assert [(d.due_at, d.status, d.outcomes) for d in deliveries(app)] == [
        (utc(2026, 12, 1, 19), "done", expected)
    ]
    assert len(notifications(app)) == (status == "sent")
    again = run(app, now)
    assert (again.claimed, again.skipped) == (0, {})
    assert len(deliveries(app)) == 1
    assert next_due(app, rule["id"]) == utc(2026, 12, 2, 19)


def test_after_three_hours_down_each_missed_time_is_recorded_late_once_and_nothing_is_sent(
    app, accounts, clock
):
    client = accounts.signed_in(timezone="Europe/Berlin")
    rule = add_rule(client, times=["17:00", "18:00", "19:00", "20:00"])
    report = run(app, utc(2026, 12, 1, 22))  # 3 hours after the 20:00 (19:00 UTC) one
    assert (report.claimed, report.sent, report.skipped) == (0, 0, {"late": 4})
    assert [(d.due_at, d.outcomes) for d in deliveries(app)] == [
        (utc(2026, 12, 1, hour), {"in_app": {"status": "skipped", "reason": "late"}})
        for hour in (16, 17, 18, 19)
    ]
    assert notifications(app) == []
    assert next_due(app, rule["id"]) == utc(2026, 12, 2, 16)
    for now in (utc(2026, 12, 1, 22), utc(2026, 12, 1, 22, 1)):
        assert run(app, now).skipped == {}
    assert len(deliveries(app)) == 4


def test_a_restart_sends_the_recent_occurrence_and_records_the_older_ones_late(
    app, accounts, clock
):
    client = accounts.signed_in(timezone="Europe/Berlin")
    add_rule(client, times=["17:00", "18:00", "19:00", "20:00"])
    report = run(app, utc(2026, 12, 1, 19, 10))
    assert (report.claimed, report.sent, report.skipped) == (1, 1, {"late": 3})
    assert [(d.due_at, d.outcomes["in_app"]["status"]) for d in deliveries(app)] == [
        (utc(2026, 12, 1, 16), "skipped"), (utc(2026, 12, 1, 17), "skipped"),
        (utc(2026, 12, 1, 18), "skipped"), (utc(2026, 12, 1, 19), "sent"),
    ]  # fmt: skip
    assert [n.due_at for n in notifications(app)] == [utc(2026, 12, 1, 19)]


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (utc(2027, 3, 1, 19, 1), utc(2027, 3, 1, 19)),  # 90 days later, still winter time
        (utc(2027, 4, 1, 18, 1), utc(2027, 4, 1, 18)),  # across the change to summer time
    ],
    ids=["90-days", "across-dst"],
)
def test_after_a_long_outage_the_occurrence_just_due_is_still_sent(app, accounts, clock, now, due):
    client = accounts.signed_in(timezone="Europe/Berlin")
    rule = add_rule(client)  # 20:00 every day, from 1 December 2026
    report = run(app, now)
    assert (report.claimed, report.sent) == (1, 1)
    assert report.skipped["late"] == dispatch.claiming.BACKLOG  # the rest passed over unrecorded
    assert [n.due_at for n in notifications(app)] == [due]
    assert next_due(app, rule["id"]) == due + timedelta(days=1)
    assert run(app, now).claimed == 0


# Quiet hours


def test_inside_quiet_hours_push_and_email_are_skipped_and_the_inbox_is_still_written(
    app, accounts, clock, service
):
    client = accounts.signed_in(timezone="America/New_York")
    change_me(client, quiet_hours={"start": "22:00", "end": "07:00"})
    subscribe(app, client, service)
    add_rule(client, times=["23:30"], channels=["in_app", "push", "email"])
    report = run(app, utc(2026, 12, 2, 4, 30))  # 23:30 in New York
    assert (report.claimed, report.sent) == (1, 1)
    quiet = {"status": "skipped", "reason": "quiet_hours"}
    assert [d.outcomes for d in deliveries(app)] == [
        {"in_app": IN_APP, "push": quiet, "email": quiet}
    ]
    assert len(notifications(app)) == 1
    assert service.received == []


def test_outside_quiet_hours_push_is_sent_without_health_data(app, accounts, clock, service):
    client = accounts.signed_in(timezone="America/New_York")
    change_me(client, quiet_hours={"start": "22:00", "end": "07:00"})
    subscribe(app, client, service)
    add_rule(client, times=["21:59"], channels=["in_app", "push", "email"])
    assert run(app, utc(2026, 12, 2, 2, 59)).sent == 1
    [delivery] = deliveries(app)
    assert delivery.outcomes == {
        "in_app": IN_APP, "push": {"status": "sent"},
        "email": {"status": "skipped", "reason": "email_not_configured"},
    }  # fmt: skip
    [notification] = notifications(app)
    [request] = service.received
    assert request.headers["Topic"] == delivery.id.hex
    assert request.message == {
        "kind": "pain_log", "title": "Pain Diary", "body": "Time for your evening check-in",
        "url": "/today", "tag": str(delivery.id), "notification_id": notification.id,
    }  # fmt: skip


# Already logged


def days_after(start, day):
    return (day - start).days


def test_a_pain_reminder_is_skipped_on_a_day_with_pain_logged(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    clock.now = utc(2026, 11, 20, 12)
    add_rule(client, channels=["in_app", "push"])
    entry = PainEntryBody(day=days_after(date(2024, 3, 10), date(2026, 11, 20)))
    assert client.post("/api/v1/pain-entries", json=entry).status_code == 201
    report = run(app, utc(2026, 11, 20, 19))
    assert (report.claimed, report.sent, report.skipped) == (1, 0, {"already_logged": 1})
    logged = {"status": "skipped", "reason": "already_logged"}
    assert [d.outcomes for d in deliveries(app)] == [{"in_app": logged, "push": logged}]
    assert notifications(app) == []
    assert run(app, utc(2026, 11, 21, 19)).sent == 1  # nothing logged on the 21st


def test_a_sleep_reminder_is_skipped_when_the_night_that_ended_is_logged(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    clock.now = utc(2026, 11, 20, 6)
    add_rule(client, kind="sleep_log", times=["09:00"])
    night = SleepEntryBody(day=days_after(date(2024, 3, 9), date(2026, 11, 19)))
    assert night["night_of"] == "2026-11-19"
    assert client.post("/api/v1/sleep-entries", json=night).status_code == 201
    assert run(app, utc(2026, 11, 20, 8)).skipped == {"already_logged": 1}
    assert run(app, utc(2026, 11, 21, 8)).sent == 1  # the night of the 20th is not logged
    assert [n.due_at for n in notifications(app)] == [utc(2026, 11, 21, 8)]


def test_a_medication_reminder_is_skipped_when_its_dose_has_an_event(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    clock.now = utc(2026, 11, 20, 6)
    medication_id = add_medication(client)
    add_rule(client, kind="medication", medication_id=medication_id, times=...)
    dose = DoseEventBody(medication_id=medication_id)  # the 08:00 dose of the 20th
    assert client.post("/api/v1/medication-doses", json=dose).status_code == 201
    assert run(app, utc(2026, 11, 20, 7)).skipped == {"already_logged": 1}
    assert run(app, utc(2026, 11, 20, 19)).sent == 1
    [notification] = notifications(app)
    assert notification.body == "Time for your 20:00 dose: Ibuprofen 400 400 mg."


# Medication rules


def test_a_medication_rule_takes_its_times_from_the_medication_and_follows_its_edits(
    app, accounts, clock
):
    client = accounts.signed_in(timezone="Europe/Berlin")
    clock.now = utc(2026, 11, 20, 12)
    medication_id = add_medication(client)
    rule = add_rule(client, kind="medication", medication_id=medication_id, times=...)
    assert (rule["times"], rule["days_of_week"]) == (["08:00", "20:00"], [0, 1, 2, 3, 4, 5, 6])
    assert rule["next_due_at"] == "2026-11-20T19:00:00+00:00"
    refused = client.patch(f"/api/v1/reminders/{rule['id']}", json={"times": ["09:00"]})
    assert refused.status_code == 422
    assert list(refused.json["error"]["fields"]) == ["times"]
    moved = MedicationBody(schedule={"times": ["09:00", "21:00"], "days_of_week": EVERY_DAY})
    assert client.put(f"/api/v1/medications/{medication_id}", json=moved).status_code == 200
    rule = read_rule(client, rule["id"])
    assert (rule["times"], rule["next_due_at"]) == (["09:00", "21:00"], "2026-11-20T20:00:00+00:00")
    assert run(app, utc(2026, 11, 20, 19)).claimed == 0  # the old 20:00 is gone
    assert run(app, utc(2026, 11, 20, 20)).sent == 1


def test_a_medication_rule_for_an_as_needed_medication_is_refused(accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    medication_id = add_medication(client, schedule=None, as_needed=True)
    response = client.post(
        "/api/v1/reminders",
        json={"kind": "medication", "medication_id": medication_id, "channels": ["in_app"]},
    )
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["medication_id"]
    assert client.get("/api/v1/reminders").json == []


def test_making_the_medication_as_needed_disables_its_rule(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    clock.now = utc(2026, 11, 20, 12)
    medication_id = add_medication(client)
    rule = add_rule(client, kind="medication", medication_id=medication_id, times=...)
    as_needed = MedicationBody(schedule=None, as_needed=True)
    assert client.put(f"/api/v1/medications/{medication_id}", json=as_needed).status_code == 200
    rule = read_rule(client, rule["id"])
    assert (rule["enabled"], rule["next_due_at"]) == (False, None)
    assert run(app, utc(2026, 11, 20, 19)).claimed == 0
    assert deliveries(app) == []


def test_deleting_the_medication_deletes_its_rule(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    medication_id = add_medication(client)
    rule = add_rule(client, kind="medication", medication_id=medication_id, times=...)
    assert client.delete(f"/api/v1/medications/{medication_id}").status_code == 204
    assert client.get(f"/api/v1/reminders/{rule['id']}").status_code == 404
    assert client.get("/api/v1/reminders").json == []


# Follow-ups


def follow_up_rule(client, clock, times=("08:00", "20:00")):
    clock.now = utc(2026, 11, 20, 6)
    schedule = {"times": list(times), "days_of_week": EVERY_DAY}
    medication_id = add_medication(client, schedule=schedule)
    add_rule(client, kind="medication", medication_id=medication_id, times=...,
             follow_up={"every_minutes": 10, "max": 3})  # fmt: skip
    return medication_id


def test_follow_ups_repeat_every_10_minutes_3_times_while_the_dose_is_unlogged(
    app, accounts, clock
):
    client = accounts.signed_in(timezone="Europe/Berlin")
    follow_up_rule(client, clock)
    reports = run_every_minute(app, utc(2026, 11, 20, 6, 50), utc(2026, 11, 20, 8))
    assert [(now, report.sent) for now, report in reports] == [
        (utc(2026, 11, 20, 7, minute), 1) for minute in (0, 10, 20, 30)
    ]
    assert [(d.due_at, d.reason, d.occurrence_at) for d in deliveries(app)] == [
        (utc(2026, 11, 20, 7), "scheduled", utc(2026, 11, 20, 7)),
        *((utc(2026, 11, 20, 7, m), "follow_up", utc(2026, 11, 20, 7)) for m in (10, 20, 30)),
    ]
    assert [n.due_at for n in notifications(app)] == [utc(2026, 11, 20, 7)] * 4


def test_logging_the_dose_stops_the_follow_ups(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    medication_id = follow_up_rule(client, clock)
    run_every_minute(app, utc(2026, 11, 20, 7), utc(2026, 11, 20, 7, 14))
    dose = DoseEventBody(medication_id=medication_id)  # the 08:00 dose, taken at 08:05
    assert client.post("/api/v1/medication-doses", json=dose).status_code == 201
    reports = run_every_minute(app, utc(2026, 11, 20, 7, 15), utc(2026, 11, 20, 8))
    assert [(now, report.skipped) for now, report in reports] == [
        (utc(2026, 11, 20, 7, 20), {"already_logged": 1}),
        (utc(2026, 11, 20, 7, 30), {"already_logged": 1}),
    ]
    logged = {"in_app": {"status": "skipped", "reason": "already_logged"}}
    assert [(d.reason, d.outcomes) for d in deliveries(app)] == [
        ("scheduled", {"in_app": IN_APP}), ("follow_up", {"in_app": IN_APP}),
        ("follow_up", logged), ("follow_up", logged),
    ]  # fmt: skip
    assert len(notifications(app)) == 2


def test_follow_ups_stop_before_the_next_doses_reminder(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    follow_up_rule(client, clock, times=("08:00", "08:20"))
    run_every_minute(app, utc(2026, 11, 20, 6, 50), utc(2026, 11, 20, 8, 30))
    assert [(d.due_at.minute, d.reason, d.occurrence_at.minute) for d in deliveries(app)] == [
        (0, "scheduled", 0), (10, "follow_up", 0),
        (20, "scheduled", 20), (30, "follow_up", 20), (40, "follow_up", 20), (50, "follow_up", 20),
    ]  # fmt: skip
    assert len(notifications(app)) == 6


def test_after_downtime_the_follow_ups_already_past_are_not_sent_with_the_reminder(
    app, accounts, clock
):
    client = accounts.signed_in(timezone="Europe/Berlin")
    follow_up_rule(client, clock)
    report = run(app, utc(2026, 11, 20, 7, 25))  # the 08:00 reminder, 25 minutes late
    assert (report.claimed, report.sent) == (1, 1)
    assert len(notifications(app)) == 1
    run_every_minute(app, utc(2026, 11, 20, 7, 26), utc(2026, 11, 20, 8))
    assert [(d.due_at, d.reason) for d in deliveries(app)] == [
        (utc(2026, 11, 20, 7), "scheduled"), (utc(2026, 11, 20, 7, 30), "follow_up"),
    ]  # fmt: skip


# Snooze


def test_a_snooze_sends_the_reminder_once_more_on_the_rules_channels(app, accounts, clock, service):
    client = accounts.signed_in(timezone="Europe/Berlin")
    subscribe(app, client, service)
    add_rule(client, channels=["in_app", "push"])
    assert run(app, utc(2026, 12, 1, 19)).sent == 1
    [first] = notifications(app)
    clock.now = utc(2026, 12, 1, 19, 2)
    for _ in range(2):  # a double tap: the same instant, the same snooze
        response = client.post(f"/api/v1/notifications/{first.id}/snooze", json={"minutes": 15})
        assert response.status_code == 200, response.json
        assert response.json["read_at"] == "2026-12-01T19:02:00+00:00"
        assert response.json["snoozed_until"] == "2026-12-01T19:17:00+00:00"
    assert run(app, utc(2026, 12, 1, 19, 16)).claimed == 0
    report = run(app, utc(2026, 12, 1, 19, 17))
    assert (report.claimed, report.sent) == (1, 1)
    assert run(app, utc(2026, 12, 1, 19, 17)).claimed == 0
    assert [(d.due_at, d.reason, d.outcomes) for d in deliveries(app)] == [
        (utc(2026, 12, 1, 19), "scheduled", {"in_app": IN_APP, "push": {"status": "sent"}}),
        (utc(2026, 12, 1, 19, 17), "snooze", {"in_app": IN_APP, "push": {"status": "sent"}}),
    ]
    assert [n.due_at for n in notifications(app)] == [utc(2026, 12, 1, 19)] * 2
    assert len(service.received) == 2
    unread = client.get("/api/v1/notifications?unread=true").json["items"]
    assert [item["id"] for item in unread] == [notifications(app)[1].id]


def test_a_snooze_ending_at_the_rules_next_time_sends_one_reminder(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    other = accounts.signed_in(timezone="Europe/Berlin")
    add_rule(client, times=["20:00", "20:15"])
    add_rule(other, times=["20:15"])  # in the same batch: its reminder must not be lost
    assert run(app, utc(2026, 12, 1, 19)).sent == 1
    [first] = notifications(app)
    clock.now = utc(2026, 12, 1, 19)
    response = client.post(f"/api/v1/notifications/{first.id}/snooze", json={"minutes": 15})
    assert response.status_code == 200
    report = run(app, utc(2026, 12, 1, 19, 15))
    assert (report.claimed, report.sent) == (2, 2)
    assert sorted((d.due_at, d.reason, d.status) for d in deliveries(app)) == [
        (utc(2026, 12, 1, 19), "scheduled", "done"),
        (utc(2026, 12, 1, 19, 15), "scheduled", "done"),
        (utc(2026, 12, 1, 19, 15), "scheduled", "done"),
    ]
    assert len(notifications(app)) == 3
    assert run(app, utc(2026, 12, 1, 19, 16)).claimed == 0


# Exactly once, disabled rules, one-off dates


def test_a_second_tick_at_the_same_instant_sends_nothing(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    add_rule(client)
    assert run(app, utc(2026, 12, 1, 19)).sent == 1
    again = run(app, utc(2026, 12, 1, 19))
    assert (again.claimed, again.sent, again.skipped) == (0, 0, {})
    assert (len(deliveries(app)), len(notifications(app))) == (1, 1)


def test_a_disabled_rule_has_no_next_due_at_and_sends_nothing(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    rule = add_rule(client)
    patched = client.patch(f"/api/v1/reminders/{rule['id']}", json={"enabled": False})
    assert (patched.json["enabled"], patched.json["next_due_at"]) == (False, None)
    assert run(app, utc(2026, 12, 1, 19)).claimed == 0
    assert run(app, utc(2026, 12, 2, 19)).claimed == 0
    assert deliveries(app) == []


def test_a_rule_on_a_date_fires_once_that_day_and_then_has_no_next_due_at(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    clock.now = utc(2026, 12, 3, 12)
    rule = add_rule(client, kind="therapy", times=["14:00"], dates=["2026-12-10"])
    assert rule["next_due_at"] == "2026-12-10T13:00:00+00:00"
    assert run(app, utc(2026, 12, 9, 13)).claimed == 0
    assert run(app, utc(2026, 12, 10, 13)).sent == 1
    assert read_rule(client, rule["id"])["next_due_at"] is None
    assert run(app, utc(2026, 12, 11, 13)).claimed == 0
    [notification] = notifications(app)
    assert (notification.title, notification.body) == ("Session", "Time for your 14:00 session.")


# The command line


def test_scheduler_tick_at_an_instant_prints_the_counts(app, accounts, clock):
    client = accounts.signed_in(timezone="America/New_York")
    add_rule(client)  # 20:00 in New York: 01:00 UTC on 2 December
    add_rule(client, kind="sleep_log", times=["19:00"])  # 00:00 UTC: more than 30 minutes ago
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scheduler", "tick", "--at", "2026-12-02T01:00:00Z"])
    assert result.exit_code == 0, result.output
    assert result.output == "claimed 1, sent 1, failed 0, skipped late 1\n"
    again = runner.invoke(args=["scheduler", "tick", "--at", "2026-12-02T01:00:00Z"])
    assert again.output == "claimed 0, sent 0, failed 0, skipped 0\n"


@pytest.mark.parametrize(
    ("at", "problem"),
    [
        ("tomorrow", "an ISO 8601 instant with its offset"),
        ("2026-13-03T01:00:00Z", "an ISO 8601 instant with its offset"),
        ("2026-12-03T01:00:00", "give the offset (2026-03-08T07:00:00+00:00 or ...Z)"),
    ],
)
def test_scheduler_tick_refuses_an_instant_it_cannot_read_as_a_usage_error(app, at, problem):
    result = app.test_cli_runner().invoke(args=["scheduler", "tick", "--at", at])
    assert result.exit_code == 2
    assert f"Error: Invalid value for '--at': {problem}\n" in result.output
    with app.app_context():
        assert db.session.scalars(select(Delivery)).all() == []


def test_scheduler_status_prints_rules_what_is_due_soon_and_the_last_day(app, accounts, clock):
    client = accounts.signed_in(timezone="Europe/Berlin")
    add_rule(client, channels=["in_app", "push"])  # 19:00 UTC
    add_rule(client, times=["20:30"])  # 19:30 UTC
    rule = add_rule(client, times=["09:00"])
    client.patch(f"/api/v1/reminders/{rule['id']}", json={"enabled": False})
    run(app, utc(2026, 12, 1, 19))
    clock.now = utc(2026, 12, 1, 19, 5)
    result = app.test_cli_runner().invoke(args=["scheduler", "status"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "rules: 3 (2 scheduled)\n"
        "due in the next hour: 1; due now, not sent yet: 0\n"
        "last 24 h:\n"
        "  in_app: sent 1, skipped 0, failed 0, sending 0, retrying 0\n"
        "  push: sent 0, skipped 1, failed 0, sending 0, retrying 0\n"
        "  email: sent 0, skipped 0, failed 0, sending 0, retrying 0\n"
    )
