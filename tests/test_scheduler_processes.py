"""Real scheduler processes on one database: two send each reminder once; one killed in the
middle of a tick loses none (DESIGN §5).

Each process runs the real ``flask scheduler tick --at`` command once per instant of a 20-minute
range. Before each instant both wait on a file barrier, so the two ticks start within a
millisecond of each other, read the same due rules and race for them: the compare-and-set on
``next_due_at`` is all that keeps the loser from sending them again.
"""

import os
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from itertools import cycle
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, insert, select

from pain_diary.reminders.dispatch import tick
from pain_diary.reminders.models import Delivery, Notification, PushSubscription, ReminderRule
from pain_diary.reminders.schedule import wall_clock
from pain_diary.reminders.vapid import vapid_keys

from . import push_service
from .factories import UserFactory
from .server import ROOT

pytestmark = pytest.mark.slow  # starts two scheduler processes

PATIENTS = 100
RULES_PER_PATIENT = 5
INSTANTS = 20  # one a minute: each tick finds 25 rules due, well within the grace period
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC")
KINDS = ("pain_log", "sleep_log", "therapy")
# in_app+push with no subscription: push is skipped, so no network is involved.
CHANNELS = (["in_app"], ["in_app", "push"])

# The real CLI (Flask's own group, the app's `scheduler tick`) in a process of its own: the app is
# made once, then before each instant the process waits until the other one has arrived too.
RACER = """
import sys, time
from pathlib import Path
from flask.cli import FlaskGroup
from pain_diary import create_app

barrier, me, *instants = sys.argv[1:]
app = create_app()
cli = FlaskGroup(create_app=lambda: app)
for n, at in enumerate(instants):
    Path(barrier, f"{n}-{me}").touch()
    deadline = time.monotonic() + 30
    while len(list(Path(barrier).glob(f"{n}-*"))) < 2:
        if time.monotonic() > deadline:
            sys.exit(f"the other scheduler never reached instant {n}: it failed")
        time.sleep(0.0005)
    cli.main(["scheduler", "tick", "--at", at], prog_name="flask", standalone_mode=False)
"""
CLAIMED = re.compile(r"^claimed (\d+), sent (\d+), failed 0, skipped", re.MULTILINE)


def rule_row(patient, due, kind, channels):
    """A rule of ``patient``'s, due once a day at ``due``'s local time, next at ``due``."""
    return {
        "id": uuid.uuid4(), "patient_id": patient.id, "kind": kind, "medication_id": None,
        "times": [wall_clock(due, ZoneInfo(patient.timezone)).strftime("%H:%M")],
        "days_of_week": [], "dates": None, "first_day": None, "last_day": None,
        "channels": channels, "enabled": True, "follow_up": None,
        "timezone": patient.timezone, "next_due_at": due, "last_due_at": None, "version": 1,
        "created_at": START - timedelta(days=1), "updated_at": START - timedelta(days=1),
    }  # fmt: skip


def due_rules(app, db):
    """500 rules, each due once in the range: 25 a minute, in four timezones; return the dues."""
    with app.app_context():
        patients = [UserFactory(timezone=zone) for _, zone in zip(range(PATIENTS), cycle(ZONES))]
        db.session.execute(delete(ReminderRule))  # the defaults a new patient gets
        rows, slots = [], cycle(range(INSTANTS))
        for patient in patients:
            for n in range(RULES_PER_PATIENT):
                due = START + timedelta(minutes=next(slots))
                rows.append(rule_row(patient, due, KINDS[n % 3], CHANNELS[n % 2]))
        db.session.execute(insert(ReminderRule), rows)
        db.session.commit()
        dues = {(row["id"], row["next_due_at"]) for row in rows}
        db.session.remove()
        db.engine.dispose()  # no connection of the test's is open while the processes race
    return dues


def start_racer(name, barrier, config):
    env = {
        **os.environ,
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": config["INSTANCE_PATH"],
        "SECRET_KEY": config["SECRET_KEY"],
        "LOG_LEVEL": "WARNING",
    }
    instants = [(START + timedelta(minutes=n)).isoformat() for n in range(INSTANTS)]
    return subprocess.Popen(
        [sys.executable, "-c", RACER, str(barrier), name, *instants],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_two_scheduler_processes_racing_over_500_due_reminders_send_each_exactly_once(
    app, db, base_config, tmp_path
):
    dues = due_rules(app, db)
    assert len(dues) == PATIENTS * RULES_PER_PATIENT == 500

    racers = [start_racer(name, tmp_path, base_config) for name in ("a", "b")]
    try:
        outputs = [racer.communicate(timeout=300) for racer in racers]
    finally:
        for racer in racers:  # leave no scheduler behind
            if racer.poll() is None:
                racer.kill()
                racer.wait()

    # "database is locked", a deadlock or a foreign-key error ends a racer with a traceback.
    errors = "\n".join(stderr[-3000:] for _, stderr in outputs)
    assert [racer.returncode for racer in racers] == [0, 0], errors
    claimed = []
    for stdout, _ in outputs:
        ticks = CLAIMED.findall(stdout)
        assert len(ticks) == INSTANTS, stdout
        assert all(claims == sent for claims, sent in ticks), stdout  # in-app never fails
        claimed.append(sum(int(claims) for claims, _ in ticks))
    print("claimed by each process:", claimed)
    assert sum(claimed) == 500, claimed

    with app.app_context():
        deliveries = db.session.execute(
            select(Delivery.id, Delivery.rule_id, Delivery.due_at, Delivery.status)
        ).all()
        assert {(d.rule_id, d.due_at) for d in deliveries} == dues
        assert len(deliveries) == 500  # so no (rule, due instant) twice
        assert {d.status for d in deliveries} == {"done"}
        per_delivery = db.session.execute(
            select(Notification.delivery_id, func.count()).group_by(Notification.delivery_id)
        ).all()
        assert sorted(count for _, count in per_delivery) == [1] * 500
        assert {delivery_id for delivery_id, _ in per_delivery} == {d.id for d in deliveries}
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 500
        moved = db.session.scalars(select(ReminderRule.next_due_at)).all()
        assert min(moved) > START + timedelta(minutes=INSTANTS)  # each rule's next day


# A scheduler killed mid-tick

CRASH_PATIENTS = 100
CRASH_RULES_PER_PATIENT = 4  # 400 reminders due at once, in-app and push
service = push_service.service  # the fixture: a local push service for each test


def due_at_once(app, db, service, keys):
    """400 rules due at START, each patient with one browser subscribed to ``service``."""
    with app.app_context():
        patients = [
            UserFactory(timezone=zone) for _, zone in zip(range(CRASH_PATIENTS), cycle(ZONES))
        ]
        db.session.execute(delete(ReminderRule))
        rules = []
        for patient in patients:
            browser = service.subscribe(keys)
            db.session.add(
                PushSubscription(
                    patient_id=patient.id, endpoint=browser["endpoint"], **browser["keys"]
                )
            )
            for n in range(CRASH_RULES_PER_PATIENT):
                rules.append(rule_row(patient, START, KINDS[n % 3], ["in_app", "push"]))
        db.session.execute(insert(ReminderRule), rules)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return len(rules)


def count(app, db, *where, model=Notification):
    with app.app_context():
        statement = select(func.count()).select_from(model).where(*where)
        value = db.session.scalar(statement)
        db.session.remove()
        return value


def test_a_scheduler_killed_mid_tick_loses_no_reminder_and_the_next_tick_finishes_each_once(
    app, db, base_config, service, tmp_path
):
    pem = push_service.vapid_private_pem()
    app.config.update(VAPID_PRIVATE_KEY=pem, PUSH_ALLOW_HTTP=True)
    with app.app_context():
        keys = vapid_keys(app.config, app.instance_path)
    due = due_at_once(app, db, service, keys)
    service.delay = 0.4  # 400 pushes over 16 senders: some 10 s, the kill comes well before

    env = {
        **os.environ,
        "DATABASE_URL": base_config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": base_config["SECRET_KEY"],
        "VAPID_PRIVATE_KEY": pem,
        "PUSH_ALLOW_HTTP": "1",
        "LOG_LEVEL": "WARNING",
    }
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "pain_diary", "scheduler", "tick",
         "--at", START.isoformat()],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while len(service.received) < 40:  # well into the sends
            assert scheduler.poll() is None, scheduler.communicate()
            assert time.monotonic() < deadline, "the scheduler sent nothing in 2 minutes"
            time.sleep(0.05)
    finally:
        scheduler.kill()  # SIGKILL: no handler, no rollback, no goodbye
        scheduler.communicate()
    sent_before = len(service.received)
    assert sent_before < due, "the tick finished before it was killed: nothing was tested"

    # What the dead process left: every inbox entry, written with its claim.
    assert count(app, db) == due
    left_sending = count(app, db, Delivery.status == "sending", model=Delivery)
    assert left_sending > 0

    service.delay = 0
    with app.app_context():
        tick(START + timedelta(minutes=1))  # within the lease (retries of failed sends may go)
    assert count(app, db, Delivery.status == "sending", model=Delivery) == left_sending
    with app.app_context():
        report = tick(START + timedelta(minutes=3))  # the lease ran out
        deliveries = db.session.execute(
            select(Delivery.id, Delivery.status, Delivery.outcomes)
        ).all()
        per_delivery = db.session.execute(select(Notification.delivery_id, Notification.id)).all()
    assert left_sending <= report.claimed < due
    assert len(deliveries) == due
    assert {d.status for d in deliveries} == {"done"}
    assert {d.outcomes["in_app"]["status"] for d in deliveries} == {"sent"}
    assert {d.outcomes["push"]["status"] for d in deliveries} == {"sent"}
    inbox = dict(per_delivery)
    assert len(per_delivery) == due and set(inbox) == {d.id for d in deliveries}  # once each

    # Every reminder reached the phone; one sent twice (in flight at the kill) has the same tag,
    # so it replaces the first on the phone, and every push names an inbox entry that exists.
    messages = [request.message for request in service.received if request.message]
    assert {message["tag"] for message in messages} == {str(d.id) for d in deliveries}
    assert all(message["notification_id"] == str(inbox[uuid.UUID(message["tag"])])
               for message in messages)  # fmt: skip
    repeated = len(messages) - due
    assert 0 <= repeated <= sent_before, repeated
    print(f"killed after {sent_before} pushes; {report.claimed} taken over; {repeated} repeated")
