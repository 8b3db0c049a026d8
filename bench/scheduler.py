"""One scheduler tick over 100,000 reminder rules, 1,000 of them due, against the bare due query.

The database is SQLite, migrated like the app's; rules go in with SQLAlchemy core. 20,000
patients in four timezones have 5 rules each (pain, sleep and therapy reminders; in-app, or
in-app and push with no subscription and no VAPID key, so no channel touches the network).
1,000 rules fell due in the last 10 minutes; the rest fall due within the next day.

The baseline is the SELECT ``claim_due_rules`` runs, executed with sqlite3 and fetched: the
1,000 due rows through ``ix_reminder_rules_next_due_at``. The app runs ``tick(now)``: claim,
record and write the 1,000 inbox entries. Each tick runs on a fresh copy of the database, so
each finds the same 1,000 due; one untimed tick first warms the engine's statement cache, as a
long-running ``flask scheduler run`` has it.
Budget: the median tick takes at most 2 s (aim: 0.5 s).
"""

import cProfile
import os
import pstats
import random
import shutil
import sqlite3
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import sqlite

from pain_diary import create_app
from pain_diary.accounts.models import User
from pain_diary.extensions import db
from pain_diary.reminders.claims import _RULE_COLUMNS
from pain_diary.reminders.dispatch import tick
from pain_diary.reminders.models import Notification, ReminderRule
from pain_diary.reminders.schedule import wall_clock

from .dataset import CHUNK, app_config
from .harness import instance

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PATIENTS = 20_000
RULES_PER_PATIENT = 5
DUE = 1_000
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
KINDS = ("pain_log", "sleep_log", "therapy")
CHANNELS = (["in_app"], ["in_app", "push"])
REPEATS = 5
BUDGET_SECONDS = 2.0
AIM_SECONDS = 0.5
# No mail server and no VAPID key: email and push are skipped without a connection.
CONFIG = {"MAIL_SERVER": None, "VAPID_PRIVATE_KEY": None}


def populate(config: dict, rng: random.Random) -> None:
    """Insert the patients and their 100,000 rules, DUE of them due at NOW."""
    app = create_app(config)
    rules = PATIENTS * RULES_PER_PATIENT
    due = set(rng.sample(range(rules), DUE))
    users, rows = [], []
    for p in range(PATIENTS):
        patient_id, zone = uuid.uuid4(), ZONES[p % len(ZONES)]
        users.append({
            "id": patient_id, "email": f"patient{p:05d}@bench.example.org",
            "password_hash": "not a hash: nobody signs in", "display_name": f"Patient {p:05d}",
            "role": "patient", "timezone": zone, "is_disabled": False,
            "created_at": NOW - timedelta(days=30),
        })  # fmt: skip
        for n in range(RULES_PER_PATIENT):
            minutes = -rng.randrange(10) if len(rows) in due else rng.randrange(1, 24 * 60)
            rows.append(_rule(patient_id, zone, n, NOW + timedelta(minutes=minutes)))
    with app.app_context():
        with db.engine.begin() as connection:
            for table, values in ((User.__table__, users), (ReminderRule.__table__, rows)):
                for start in range(0, len(values), CHUNK):
                    connection.execute(insert(table), values[start : start + CHUNK])
        with db.engine.connect() as connection:  # everything into the one file the ticks copy
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()


def _rule(patient_id, zone, n, due):
    return {
        "id": uuid.uuid4(), "patient_id": patient_id, "kind": KINDS[n % len(KINDS)],
        "medication_id": None, "times": [wall_clock(due, ZoneInfo(zone)).strftime("%H:%M")],
        "days_of_week": [], "dates": None, "first_day": None, "last_day": None,
        "channels": CHANNELS[n % 2], "enabled": True, "follow_up": None, "timezone": zone,
        "next_due_at": due, "last_due_at": None, "version": 1,
        "created_at": NOW - timedelta(days=30), "updated_at": NOW - timedelta(days=30),
    }  # fmt: skip


def due_query() -> tuple[str, list]:
    """The SELECT of ``claim_due_rules`` for all the due rows, as SQL and sqlite3 parameters."""
    statement = (
        select(*_RULE_COLUMNS)
        .where(ReminderRule.next_due_at <= NOW)
        .order_by(ReminderRule.next_due_at)
        .limit(DUE)
    )
    compiled = statement.compile(dialect=sqlite.dialect())
    params = [compiled.params[name] for name in compiled.positiontup]
    # An instant as UTCDateTime binds it on SQLite: naive UTC, in SQLAlchemy's text format.
    return str(compiled), [
        value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, datetime)
        else value
        for value in params
    ]


def bare_seconds(path: str) -> tuple[float, str]:
    """The median time of the due query through sqlite3, and its query plan."""
    sql, params = due_query()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA cache_size=-32768")  # the app's page cache
    plan = " | ".join(row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    rows = connection.execute(sql, params).fetchall()
    if len(rows) != DUE:
        raise RuntimeError(f"the due query found {len(rows)} rows, not {DUE}")
    times = []
    for _ in range(20):
        started = time.perf_counter()
        connection.execute(sql, params).fetchall()
        times.append(time.perf_counter() - started)
    connection.close()
    return statistics.median(times), plan


def tick_seconds(app, pristine: str, live: str, profile: bool = False) -> float:
    """Copy the pristine database over the live one, then time one tick at NOW on it."""
    with app.app_context():
        db.engine.dispose()  # the same engine, so its statement cache stays warm
        for suffix in ("-wal", "-shm"):
            if os.path.exists(live + suffix):
                os.remove(live + suffix)
        shutil.copyfile(pristine, live)
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        report = tick(NOW)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        db.session.remove()
        inbox = db.session.scalar(select(func.count()).select_from(Notification))
        db.session.remove()
    if (report.claimed, report.sent, inbox) != (DUE, DUE, DUE):
        raise RuntimeError(f"tick claimed {report.claimed}, sent {report.sent}, inbox {inbox}")
    if profiler:
        print("  profile of one tick (cumulative):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return seconds


def run() -> dict:
    """Build the database, time the bare query and the ticks; print and return the figures."""
    with instance() as inst:
        pristine = str(inst.path / "bench.sqlite")
        live = str(inst.path / "tick.sqlite")
        started = time.perf_counter()
        config = app_config(inst) | CONFIG
        populate(config, random.Random(2026))
        print(f"  {PATIENTS * RULES_PER_PATIENT:,} rules, {DUE:,} due, inserted in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        bare, plan = bare_seconds(pristine)
        print(f"  EXPLAIN QUERY PLAN (due query): {plan}")
        app = create_app(config | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{live}"})
        tick_seconds(app, pristine, live)  # warm-up, not counted
        ticks = [tick_seconds(app, pristine, live) for _ in range(REPEATS)]
        if os.environ.get("BENCH_PROFILE"):
            tick_seconds(app, pristine, live, profile=True)
    median = statistics.median(ticks)
    ratio = median / bare
    passed = median <= BUDGET_SECONDS
    print(f"  scheduler: tick of {DUE:,} due {median:.3f} s (median of {REPEATS}: "
          f"{', '.join(f'{s:.3f}' for s in ticks)}); bare due query {bare * 1000:.2f} ms; "
          f"tick/bare {ratio:.0f}x")  # fmt: skip
    aim = "within the aim" if median <= AIM_SECONDS else "above the aim"
    print(f"  budget: tick <= {BUDGET_SECONDS:g} s (aim <= {AIM_SECONDS:g} s): "
          f"{'passed' if passed else 'MISSED'}, {aim}")  # fmt: skip
    return {
        "rules": PATIENTS * RULES_PER_PATIENT,
        "due": DUE,
        "tick_seconds": {"median": round(median, 4), "runs": [round(s, 4) for s in ticks]},
        "bare_due_query_seconds": round(bare, 6),
        "query_plan": plan,
        "ratio": round(ratio, 1),
        "budget_seconds": BUDGET_SECONDS,
        "aim_seconds": AIM_SECONDS,
        "passed": passed,
    }
