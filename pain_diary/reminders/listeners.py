"""What the reminders do when another feature tells them something (pain_diary.signals)."""

from ..signals import record_saved, signed_out, timezone_changed, user_created
from .rules import add_default_rules, follow_medication_edit, follow_timezone
from .subscriptions import forget_browser


def connect():
    """Connect the reminders' receivers; again (every app the tests build does) changes nothing.

    Signals are the process's, not an app's: blinker keeps one connection per receiver and
    sender, so connecting the same function twice leaves it called once.
    """
    user_created.connect(add_default_rules)
    timezone_changed.connect(follow_timezone)
    record_saved.connect(follow_medication_edit, sender="medications")
    signed_out.connect(forget_browser)
