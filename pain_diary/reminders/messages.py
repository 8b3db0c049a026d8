"""What a reminder says: without health data where it leaves the server, in full in the inbox.

DESIGN §5: push and email carry no drug names and no figures ("Time for your 20:00
medication"); the in-app inbox is behind sign-in and may name the medication.
"""

from datetime import time

TITLE = "Pain Diary"


def inbox_entry(reminder, clock: time, medication: str | None = None) -> tuple[str, str]:
    """The title and body of the in-app notification of ``reminder`` (its record type's
    declaration, sync.registry.Reminder); ``medication`` names the dose."""
    if medication:
        return reminder.inbox_title, f"Time for your {clock:%H:%M} dose: {medication}."
    return reminder.inbox_title, reminder.headline(clock) + "."


def push_payload(reminder, clock: time, delivery_id, notification_id) -> dict:
    """DESIGN §5: ``{title, body, url, tag, notification_id, kind}``; the tag is the delivery id.

    ``kind`` (the rule's) tells the service worker which actions to offer: Taken and Snooze on
    a medication reminder. It names no drug: the body says "medication" already.
    """
    return {
        "kind": reminder.kind,
        "title": TITLE,
        "body": reminder.headline(clock),
        "url": reminder.url,
        "tag": str(delivery_id),
        "notification_id": str(notification_id) if notification_id else None,
    }
