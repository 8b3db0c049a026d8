"""What a reminder says: without health data where it leaves the server, in full in the inbox.

DESIGN §5: push and email carry no drug names and no figures ("Time for your 20:00
medication"); the in-app inbox is behind sign-in and may name the medication.
"""

from datetime import time

TITLE = "Pain Diary"


def part_of_day(clock: time) -> str:
    if clock.hour < 12:
        return "morning"
    return "afternoon" if clock.hour < 17 else "evening"


def headline(kind: str, clock: time) -> str:
    """The words that may leave the server: push bodies and email subjects."""
    hhmm = clock.strftime("%H:%M")
    if kind == "pain_log":
        return f"Time for your {part_of_day(clock)} check-in"
    if kind == "sleep_log":
        return "Time to fill in your sleep diary for last night"
    if kind == "medication":
        return f"Time for your {hhmm} medication"
    return f"Time for your {hhmm} session"


def inbox_entry(reminder, clock: time, medication: str | None = None) -> tuple[str, str]:
    """The title and body of the in-app notification of ``reminder`` (its record type's
    declaration, sync.registry.Reminder); ``medication`` names the dose."""
    if reminder.kind == "medication" and medication:
        return "Medication", f"Time for your {clock.strftime('%H:%M')} dose: {medication}."
    return reminder.inbox_title, headline(reminder.kind, clock) + "."


def push_payload(kind: str, clock: time, url: str, delivery_id, notification_id) -> dict:
    """DESIGN §5: ``{title, body, url, tag, notification_id, kind}``; the tag is the delivery id.

    ``kind`` (the rule's) tells the service worker which actions to offer: Taken and Snooze on
    a medication reminder. It names no drug: the body says "medication" already.
    """
    return {
        "kind": kind,
        "title": TITLE,
        "body": headline(kind, clock),
        "url": url,
        "tag": str(delivery_id),
        "notification_id": str(notification_id) if notification_id else None,
    }
