"""A reminder from the scheduler to the phone's notification, and the notification's actions.

The scheduler sends the push to the local push service (tests/push_service.py), which checks its
VAPID signature and decrypts it as a browser would. Headless Chromium cannot subscribe to a real
push service (it has none), so the decrypted message is handed to the service worker's own push
handler over CDP (ServiceWorker.deliverPushMessage, a trusted push event). Headless Chromium has
no notification tray to click either: the test calls the worker's click handler,
``answerReminder(notification, action)``, with the notification the worker really showed.

Signing out is tested with a subscription of Chromium's own: in a profile on disk, Chromium
registers it with a local stand-in for its registration server (tests/push_registrar.py), from
the Reminders page's "Turn on notifications"; nothing is pushed through it.
"""

import json
import time
from datetime import datetime
from html import escape
from types import SimpleNamespace

import pytest

from pain_diary import create_app
from pain_diary.reminders.dispatch import tick

from . import push_registrar, push_service
from .browser import CHROMIUM_ARGS, require_chromium
from .factories import MedicationBody
from .server import Server
from .test_web_offline import eventually, installed
from .webapp import ARTIFACTS, PHONE, Account, Phone, sign_in

pytestmark = pytest.mark.slow
service = push_service.service  # the fixture: a local push service for the test
registrar = push_registrar.registrar  # the fixture: where Chromium registers subscriptions
SUBJECT = "mailto:reminders@pain-diary.example"


@pytest.fixture
def vapid_pem():
    return push_service.vapid_private_pem()


@pytest.fixture
def push_server(migrated, base_config, vapid_pem):
    server = Server(
        base_config, workers=1, threads=4,
        env={
            "VAPID_PRIVATE_KEY": vapid_pem, "VAPID_SUBJECT": SUBJECT, "PUSH_ALLOW_HTTP": "1",
        },
    ).start()  # fmt: skip
    yield server
    server.stop()


def scheduler_tick(base_config, vapid_pem, at):
    """One tick of the scheduler, as ``flask scheduler tick --at`` runs it."""
    app = create_app(
        {
            **base_config,
            "VAPID_PRIVATE_KEY": vapid_pem,
            "VAPID_SUBJECT": SUBJECT,
            "PUSH_ALLOW_HTTP": True,
        }
    )
    with app.app_context():
        return tick(at)


def worker(context):
    (sw,) = context.service_workers
    return sw


def deliver(page, message):
    """Hand ``message`` to the service worker as a push event from the push service."""
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 5
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    (registration,) = [r for r in registrations if not r["isDeleted"]]
    origin = page.evaluate("() => location.origin")
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": origin, "registrationId": registration["registrationId"],
        "data": json.dumps(message),
    })  # fmt: skip
    cdp.detach()


#: The notifications the worker shows under a tag, as the page's registration lists them.
SHOWN = """async (tag) => (await (await navigator.serviceWorker.ready).getNotifications({ tag }))
  .map((n) => ({
    title: n.title, body: n.body, tag: n.tag, icon: n.icon, data: n.data,
    actions: n.actions.map((a) => ({ action: a.action, title: a.title })),
  }))"""


def answer(context, tag, action):
    """Run the worker's notificationclick handler for the notification under ``tag``."""
    return worker(context).evaluate(
        """async ([tag, action]) => {
             const [notification] = await self.registration.getNotifications({ tag });
             await answerReminder(notification, action);
             return true;
           }""",
        [tag, action],
    )


#: A notification as a phone's tray shows one, for the screenshot.
TRAY = """<body style="margin:0;padding:16px;background:#3a3f47;font-family:system-ui">
<div style="background:#fff;border-radius:16px;padding:14px;color:#1d2330">
  <div style="display:flex;gap:12px;align-items:center">
    <img src="{icon}" width="40" height="40" style="border-radius:8px">
    <div><strong>{title}</strong><div>{body}</div></div>
  </div>
  <div style="display:flex;gap:24px;margin-top:12px;color:#2f6f8f;font-weight:600">{actions}</div>
</div></body>"""


def draw(phone, notification):
    """The notification's content drawn in a page: headless Chromium has no tray to photograph."""
    actions = "".join(f"<span>{escape(a['title'])}</span>" for a in notification["actions"])
    page = phone.context.new_page()
    page.set_content(TRAY.format(
        icon=escape(notification["icon"]), title=escape(notification["title"]),
        body=escape(notification["body"]), actions=actions,
    ))  # fmt: skip
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    clip = {"x": 0, "y": 0, "width": 360, "height": 140}
    page.screenshot(path=ARTIFACTS / "push-notification.png", clip=clip)
    page.close()


def test_a_pushed_medication_reminder_is_taken_or_snoozed_from_its_notification(
    chromium, push_server, service, base_config, vapid_pem
):
    account = Account.register(push_server.url)
    for default in account.call("GET", "/reminders"):  # the evening check-in is due at 20:00 too
        account.call("PATCH", f"/reminders/{default['id']}", json={"enabled": False})
    medication = account.call(
        "POST",
        "/medications",
        json=MedicationBody(name="Oxycodone 5", ingredient="oxycodone", dose_amount=5),
    )
    rule = account.call("POST", "/reminders", json={
        "kind": "medication", "medication_id": medication["id"], "channels": ["in_app", "push"],
    })  # fmt: skip
    public_key = account.call("GET", "/push/public-key")["public_key"]
    account.call(
        "POST",
        "/push-subscriptions",
        json=service.subscribe(SimpleNamespace(public_key=public_key)),
    )

    phone = Phone(chromium, push_server.url)
    try:
        phone.context.grant_permissions(["notifications"])
        page = phone.sign_in(account)
        installed(page)

        due = datetime.fromisoformat(rule["next_due_at"])
        # The database is the run's: other tests' patients may have reminders due then too.
        assert scheduler_tick(base_config, vapid_pem, due).sent >= 1
        (sent,) = service.received  # only this patient's browser subscribed to this service
        message = sent.message  # what the push service decrypted
        assert "Oxycodone" not in json.dumps(message) and "5 mg" not in json.dumps(message)
        assert message["kind"] == "medication"

        deliver(page, message)
        (notification,) = eventually(page, SHOWN, message["tag"])
        assert notification["title"] == message["title"] and notification["body"] == message["body"]
        assert [a["title"] for a in notification["actions"]] == ["Taken", "Snooze"]
        # The same delivery again (a retry of the push) replaces the notification: no stack.
        deliver(page, {**message, "body": "Sent again"})
        resent = f"async (tag) => {{ const n = await ({SHOWN})(tag);"
        resent += " return n.some((one) => one.body === 'Sent again') && n; }"
        (replaced,) = eventually(page, resent, message["tag"])  # one, not two
        assert replaced["actions"] == notification["actions"]
        draw(phone, notification)

        # "Taken" logs the dose the reminder was for, through the API, once.
        assert answer(phone.context, message["tag"], "taken")
        (dose,) = account.call("GET", "/medication-doses")["items"]
        assert dose["status"] == "taken" and dose["medication_id"] == medication["id"]
        assert datetime.fromisoformat(dose["scheduled_for"]) == due
        inbox = account.call("GET", f"/notifications/{message['notification_id']}")
        assert inbox["read_at"] is not None

        # "Snooze" asks for the reminder again in 15 minutes.
        assert answer(phone.context, message["tag"], "snooze")
        snoozed = account.call("GET", f"/notifications/{message['notification_id']}")
        assert snoozed["snoozed_until"] is not None
        left = datetime.fromisoformat(snoozed["snoozed_until"]) - datetime.now(tz=due.tzinfo)
        assert 14 * 60 < left.total_seconds() <= 15 * 60

        # A tap on the notification itself opens the page it is about.
        assert answer(phone.context, message["tag"], "")
        page.wait_for_url("**/today#medications")
        assert len(account.call("GET", "/medication-doses")["items"]) == 1
    finally:
        phone.close()


def test_the_reminders_page_asks_for_permission_from_a_tap_and_says_what_happened(
    phone, new_patient
):
    account = new_patient()
    page = phone.sign_in(account)
    phone.open("/reminders")
    state = page.locator("#push-state")
    state.filter(has_text="off for this phone").wait_for()
    turn_on = page.get_by_role("button", name="Turn on notifications")

    # Permission refused: nothing is subscribed, and the page says how to allow it.
    turn_on.tap()
    state.filter(has_text="blocked").wait_for()
    assert account.call("GET", "/push-subscriptions") == []

    # Permission given: headless Chromium has no push service to subscribe with, so the browser
    # refuses the subscription; the page says so in words, and the server holds none.
    phone.context.grant_permissions(["notifications"])
    page.reload()
    page.wait_for_load_state("networkidle")
    turn_on.tap()
    state.filter(has_text="could not be turned on").wait_for()
    assert turn_on.is_enabled()
    assert account.call("GET", "/push-subscriptions") == []


#: This browser's push subscription: its endpoint, or null.
SUBSCRIBED = """async () => {
  const subscription = await (await navigator.serviceWorker.ready).pushManager.getSubscription();
  return subscription && subscription.endpoint;
}"""


def test_signing_out_deletes_this_browsers_subscription_and_no_other(
    chromium, push_server, service, registrar, tmp_path
):
    account, neighbour = Account.register(push_server.url), Account.register(push_server.url)
    public_key = SimpleNamespace(public_key=account.call("GET", "/push/public-key")["public_key"])
    laptop = service.subscribe(public_key)  # the patient's other browser
    account.call("POST", "/push-subscriptions", json=laptop)
    theirs = service.subscribe(public_key)
    neighbour.call("POST", "/push-subscriptions", json=theirs)

    # A profile on disk: Chromium subscribes to push nowhere in an incognito context.
    context = chromium.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=require_chromium(),
        args=CHROMIUM_ARGS + registrar.chromium_args, viewport=PHONE, base_url=push_server.url,
        has_touch=True,
    )  # fmt: skip
    try:
        context.grant_permissions(["notifications"])
        page = context.pages[0]
        page.goto("/login")
        sign_in(page, account)
        installed(page)
        page.goto("/reminders")
        page.get_by_role("button", name="Turn on notifications").tap()
        page.locator("#push-state").filter(has_text="on for this phone").wait_for()
        endpoint = page.evaluate(SUBSCRIBED)
        assert endpoint and registrar.registered  # Chromium's own subscription
        endpoints = {s["endpoint"] for s in account.call("GET", "/push-subscriptions")}
        assert endpoints == {laptop["endpoint"], endpoint}

        page.get_by_role("button", name="Sign out").tap()
        page.wait_for_url("**/login")
        # The patient's API session (another browser) still reads their subscriptions.
        assert [s["endpoint"] for s in account.call("GET", "/push-subscriptions")] == [
            laptop["endpoint"]
        ]
        assert [s["endpoint"] for s in neighbour.call("GET", "/push-subscriptions")] == [
            theirs["endpoint"]
        ]
        assert page.evaluate(SUBSCRIBED) is None  # and none is left in the browser
        assert len(registrar.unregistered) == 1  # Chromium told its push service so
    finally:
        context.close()
