"""``flask scheduler run|tick|status``: the one process that sends reminders.

The web process never sends any. ``run`` wakes once a minute; ``tick`` runs one pass and exits,
for cron or to test at a given instant. The database is the schedule: the process keeps no state,
so a restart loses nothing and two of them by mistake still send each reminder once.
"""

import logging
import signal
import sys
from datetime import UTC, datetime, timedelta

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db
from ..types import utcnow
from .dispatch import tick
from .models import Delivery, ReminderRule
from .retention import sweep

log = logging.getLogger(__name__)

scheduler_cli = AppGroup("scheduler", help="Send reminders: run, tick, status.")

#: A minute's job that starts this late is dropped: the next one starts within the minute and
#: sends whatever is due by then (coalesce=True folds a backlog of runs into that one), so a late
#: start never makes two ticks back to back. Below 60 s, so a dropped run is never the last.
MISFIRE_GRACE_SECONDS = 30


def _instant(context, parameter, value):
    if value is None:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("an ISO 8601 instant with its offset") from None
    if instant.tzinfo is None:
        raise click.BadParameter("give the offset (2026-03-08T07:00:00+00:00 or ...Z)")
    return instant.astimezone(UTC)


def _run_tick(app, now=None):
    with app.app_context():
        try:
            report = tick(now)
            sweep(now or utcnow())
        finally:
            db.session.remove()
    if report.claimed or report.skipped:
        log.info(
            "tick: %d claimed, %d sent, %d failed, skipped %s",
            report.claimed, report.sent, report.failed, report.skipped or "none",
        )  # fmt: skip
    return report


@scheduler_cli.command("tick")
@click.option(
    "--at", metavar="ISO-8601", callback=_instant, help="Run as if the clock read this instant."
)
def tick_command(at):
    """Send what is due now (or at --at), do the other features' queued work, then exit."""
    app = current_app._get_current_object()
    report = _run_tick(app, at)
    for job, _ in app.extensions.get("worker_jobs", ()):  # under cron: imports within the minute
        job(app)
    skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(report.skipped.items()))
    click.echo(
        f"claimed {report.claimed}, sent {report.sent}, failed {report.failed}, "
        f"skipped {skipped or 0}"
    )


class QuietPolls(logging.Filter):
    """Leave out APScheduler's "Running job" and "executed successfully" lines of the polls that
    run every few seconds (43,200 a day each); their warnings and errors stay."""

    def __init__(self, names):
        super().__init__()
        self.quoted = tuple(f'"{name} (' for name in names)

    def filter(self, record):
        if record.levelno >= logging.WARNING:
            return True
        message = record.getMessage()
        return not any(quoted in message for quoted in self.quoted)


@scheduler_cli.command("run")
def run_command():
    """Send reminders every minute until stopped (Ctrl-C)."""
    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone=UTC)  # in memory: no job store, the database decides
    scheduler.add_job(
        _run_tick,
        CronTrigger(second=0, timezone=UTC),
        args=[app],
        id="tick",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        next_run_time=datetime.now(UTC),  # one tick at start: catch up after a restart
    )
    # The other features' work for the one worker process (activity imports), in threads beside
    # the tick: a long import never delays a reminder. A poll that comes while a long import
    # runs looks for other queued work (claims are atomic) rather than being skipped.
    polls = app.extensions.get("worker_jobs", ())
    for job, seconds in polls:
        scheduler.add_job(
            job, IntervalTrigger(seconds=seconds, timezone=UTC), args=[app], id=job.__name__,
            coalesce=True, max_instances=4, next_run_time=datetime.now(UTC),
        )  # fmt: skip
    logging.getLogger("apscheduler.executors.default").addFilter(
        QuietPolls(job.__name__ for job, _ in polls)
    )
    click.echo("scheduler: sending reminders every minute; Ctrl-C stops it")
    # SIGTERM (systemd, `kill`, make run's Ctrl-C) stops it like Ctrl-C: the tick under way
    # finishes its transaction first.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
    click.echo("scheduler: stopped")


@scheduler_cli.command("status")
def status_command():
    """Rules, what falls due in the next hour, what the last 24 hours sent."""
    now = utcnow()
    rules = db.session.execute(
        select(func.count(), func.count(ReminderRule.next_due_at)).select_from(ReminderRule)
    ).one()
    soon = db.session.scalar(
        select(func.count()).where(
            ReminderRule.next_due_at > now, ReminderRule.next_due_at <= now + timedelta(hours=1)
        )
    )
    overdue = db.session.scalar(select(func.count()).where(ReminderRule.next_due_at <= now))
    counts = {}
    recent = select(Delivery.outcomes).where(Delivery.created_at >= now - timedelta(hours=24))
    for outcomes in db.session.scalars(recent):
        for channel, outcome in outcomes.items():
            key = (channel, outcome["status"])
            counts[key] = counts.get(key, 0) + 1
    click.echo(f"rules: {rules[0]} ({rules[1]} scheduled)")
    click.echo(f"due in the next hour: {soon}; due now, not sent yet: {overdue}")
    click.echo("last 24 h:")
    for channel in ("in_app", "push", "email"):
        figures = ", ".join(
            f"{status} {counts.get((channel, status), 0)}"
            for status in ("sent", "skipped", "failed", "sending", "retrying")
        )
        click.echo(f"  {channel}: {figures}")
