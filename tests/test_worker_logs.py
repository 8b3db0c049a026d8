"""The worker process's log: the polls that run every few seconds do not flood it."""

import logging

from pain_diary.reminders.cli import QuietPolls


def record(level, message):
    return logging.LogRecord("apscheduler.executors.default", level, __file__, 1, message, (), None)


def test_a_polls_routine_lines_are_left_out_and_its_errors_kept():
    quiet = QuietPolls(["run_queued_imports"])
    job = '"run_queued_imports (trigger: interval[0:00:02], next run at: 19:44:45 UTC)"'
    # APScheduler 3's messages (apscheduler.executors.base).
    assert not quiet.filter(record(logging.INFO, f"Running job {job} (scheduled at 19:44:43)"))
    assert not quiet.filter(record(logging.INFO, f"Job {job} executed successfully"))
    assert quiet.filter(record(logging.ERROR, f"Job {job} raised an exception"))
    assert quiet.filter(record(logging.WARNING, f"Run time of job {job} was missed by 0:00:03"))


def test_the_reminder_ticks_lines_stay():
    quiet = QuietPolls(["run_queued_imports"])
    tick = "Job \"_run_tick (trigger: cron[second='0'], next run at: 19:45:00 UTC)\""
    assert quiet.filter(record(logging.INFO, f"{tick} executed successfully"))
