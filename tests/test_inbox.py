"""The inbox outside the API's own routes: the unread count in every patient page's bar, and a
medication reminder read once its dose is answered, wherever it was answered."""

import re
import uuid

import pytest

from .test_notification_actions import DOSES, DUE, NOTIFICATIONS, medication_reminder
from .test_reminders_api import notifications

HTML = {"Accept": "text/html"}
PAGES = ("/today", "/history", "/trends", "/medications", "/reminders", "/care-team", "/export",
         "/settings", "/notifications")  # fmt: skip


def inbox_link(html):
    """The bar's Inbox link: its accessible name, the count shown, whether it is this page's."""
    (link,) = re.findall(r'<a class="inbox-link".*?</a>', html, re.S)
    shown = re.search(r'<span class="inbox-count">(\d+)</span>', link)
    current = 'aria-current="page"' in link
    return re.search(r'aria-label="([^"]*)"', link)[1], shown and int(shown[1]), current


def skipped(reminder, record_id=None):
    body = {"medication_id": reminder.medication_id, "status": "skipped", "scheduled_for": DUE}
    return f"{DOSES}/{record_id or uuid.uuid4()}", body


@pytest.mark.parametrize("path", PAGES)
def test_every_patient_page_links_the_inbox_with_the_unread_count(app, patient, path):
    html = patient.get(path, headers=HTML).get_data(as_text=True)
    assert inbox_link(html) == ("Inbox", None, path == "/notifications")
    notifications(app, patient, ["08:00", "12:00"])
    html = patient.get(path, headers=HTML).get_data(as_text=True)
    assert inbox_link(html) == ("Inbox, 2 unread", 2, path == "/notifications")
    newest = patient.get(NOTIFICATIONS).json["items"][0]
    assert patient.post(f"{NOTIFICATIONS}/{newest['id']}/read").status_code == 200
    html = patient.get(path, headers=HTML).get_data(as_text=True)
    assert inbox_link(html)[:2] == ("Inbox, 1 unread", 1)


def test_a_clinician_has_no_inbox_link(clinician):
    html = clinician.get("/clinic", headers=HTML).get_data(as_text=True)
    assert "inbox-link" not in html


def test_the_inbox_page_carries_the_strict_policy_and_no_inline_script(patient):
    response = patient.get("/notifications", headers=HTML)
    assert response.status_code == 200
    script_policy = response.headers["Content-Security-Policy"].split("script-src")[1]
    assert "unsafe-inline" not in script_policy.split(";")[0]
    for tag in re.findall(r"<script\b[^>]*>", response.get_data(as_text=True)):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_answering_a_dose_anywhere_marks_its_reminders_read(app, patient):
    reminder = medication_reminder(app, patient)
    others = notifications(app, patient, ["08:00"])  # an appointment reminder: stays unread
    url, body = skipped(reminder)
    assert patient.put(url, json=body).status_code == 201  # on Today, say
    items = {item["id"]: item for item in patient.get(NOTIFICATIONS).json["items"]}
    assert items[reminder.id]["read_at"] is not None
    assert [item["read_at"] for item in items.values() if item["rule_id"] == others["id"]] == [None]


def test_a_dose_replayed_from_the_outbox_marks_its_reminder_read(app, patient):
    reminder = medication_reminder(app, patient)
    url, body = skipped(reminder)
    operation = {"op": "put", "collection": "medication-doses", "id": url.rsplit("/", 1)[1]}
    answer = patient.post("/api/v1/sync", json={"operations": [{**operation, "body": body}]})
    assert answer.json["results"][0]["status"] == 201, answer.json
    assert patient.get(f"{NOTIFICATIONS}/{reminder.id}").json["read_at"] is not None


def test_another_dose_leaves_the_reminder_unread(app, patient):
    reminder = medication_reminder(app, patient)
    evening = DUE.replace("T07:00", "T19:00")  # the 20:00 dose of the same day
    body = {"medication_id": reminder.medication_id, "status": "skipped", "scheduled_for": evening}
    assert patient.put(f"{DOSES}/{uuid.uuid4()}", json=body).status_code == 201
    assert patient.get(f"{NOTIFICATIONS}/{reminder.id}").json["read_at"] is None
