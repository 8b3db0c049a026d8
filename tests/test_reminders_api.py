"""The reminders API (DESIGN §5): rules, the inbox, quiet hours, VAPID key and push subscriptions.

Every refusal answers in the one error shape, names the field, and changes nothing stored.
"""

import base64
import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pain_diary.reminders.dispatch import tick
from pain_diary.reminders.models import PushSubscription

from .factories import MedicationBody
from .helpers import assert_invalid
from .push_service import b64url, point

RULES = "/api/v1/reminders"
SUBSCRIPTIONS = "/api/v1/push-subscriptions"
# 15 January 2030 is a Tuesday; Berlin is UTC+1 then.
APPOINTMENT = {
    "kind": "therapy",
    "times": ["08:00"],
    "dates": ["2030-01-15"],
    "channels": ["in_app"],
}
APPOINTMENT_DUE = "2030-01-15T07:00:00+00:00"


@pytest.fixture
def config(tmp_path):
    """No VAPID key anywhere: this test's own instance folder, none in the configuration."""
    return {"INSTANCE_PATH": str(tmp_path / "instance"), "VAPID_PRIVATE_KEY": None}


def add_rule(client, **fields):
    response = client.post(RULES, json={**APPOINTMENT, **fields})
    assert response.status_code == 201, response.json
    return response.json


def add_medication(client, **fields):
    response = client.post("/api/v1/medications", json=MedicationBody(**fields))
    assert response.status_code == 201, response.json
    return response.json["id"]


def assert_not_found(response):
    assert response.status_code == 404, response.json
    assert response.json["error"]["status"] == 404
    assert response.json["error"]["code"] == "not_found"


# Rules: create, read, replace, change, remove


def test_post_answers_201_with_the_first_occurrence_in_utc(patient):
    rule = add_rule(patient)
    assert rule["next_due_at"] == APPOINTMENT_DUE
    assert {k: rule[k] for k in APPOINTMENT} == APPOINTMENT
    assert (rule["enabled"], rule["days_of_week"], rule["follow_up"]) == (True, [], None)
    assert patient.get(f"{RULES}/{rule['id']}").json == rule
    assert [r["id"] for r in patient.get(RULES).json] == [rule["id"]]


def test_the_list_holds_the_patients_own_rules_oldest_first(patient, accounts):
    first = add_rule(patient)
    second = add_rule(patient, kind="pain_log", dates=None, times=["20:00", "09:00"])
    add_rule(accounts.signed_in())
    listed = patient.get(RULES).json
    assert [r["id"] for r in listed] == [first["id"], second["id"]]
    assert listed[1]["times"] == ["09:00", "20:00"]


def test_put_replaces_the_rule_and_resets_what_it_leaves_out(patient):
    rule = add_rule(patient, kind="pain_log", dates=None, days_of_week=[1, 3], enabled=False)
    body = {"kind": "pain_log", "times": ["07:30"], "channels": ["push"]}
    replaced = patient.put(f"{RULES}/{rule['id']}", json=body)
    assert replaced.status_code == 200, replaced.json
    stored = patient.get(f"{RULES}/{rule['id']}").json
    assert stored == replaced.json
    assert (stored["times"], stored["channels"]) == (["07:30"], ["push"])
    assert (stored["days_of_week"], stored["dates"], stored["enabled"]) == ([], None, True)
    assert stored["next_due_at"] is not None
    assert stored["version"] == rule["version"] + 1


def test_patch_disabling_clears_next_due_at_and_enabling_computes_it_again(patient):
    rule = add_rule(patient)
    url = f"{RULES}/{rule['id']}"
    disabled = patient.patch(url, json={"enabled": False})
    assert disabled.status_code == 200, disabled.json
    assert (disabled.json["enabled"], disabled.json["next_due_at"]) == (False, None)
    assert disabled.json["times"] == ["08:00"]
    enabled = patient.patch(url, json={"enabled": True})
    assert (enabled.json["enabled"], enabled.json["next_due_at"]) == (True, APPOINTMENT_DUE)
    moved = patient.patch(url, json={"times": ["18:30"]})
    assert moved.json["next_due_at"] == "2030-01-15T17:30:00+00:00"
    assert moved.json["dates"] == ["2030-01-15"]


def test_delete_answers_204_then_404(patient):
    url = f"{RULES}/{add_rule(patient)['id']}"
    assert patient.delete(url).status_code == 204
    assert_not_found(patient.get(url))
    assert_not_found(patient.delete(url))
    assert patient.get(RULES).json == []


def test_a_medication_rule_takes_the_medications_schedule(patient):
    medication_id = add_medication(patient, start_date="2030-03-01")
    body = {"kind": "medication", "medication_id": medication_id, "channels": ["in_app"]}
    rule = patient.post(RULES, json=body)
    assert rule.status_code == 201, rule.json
    assert rule.json["times"] == ["08:00", "20:00"]
    assert rule.json["next_due_at"] == "2030-03-01T07:00:00+00:00"  # 08:00 in Berlin
    with_follow_up = patient.patch(
        f"{RULES}/{rule.json['id']}", json={"follow_up": {"every_minutes": 15, "max": 2}}
    )
    assert with_follow_up.json["follow_up"] == {"every_minutes": 15, "max": 2}


def test_a_medication_rule_can_be_put_back_as_it_was_read_or_without_its_schedule(patient):
    medication_id = add_medication(patient, start_date="2030-03-01")
    body = {"kind": "medication", "medication_id": medication_id, "channels": ["in_app"]}
    rule = patient.post(RULES, json=body).json
    read_back = {k: rule[k] for k in ("kind", "medication_id", "times", "days_of_week")}
    again = patient.put(f"{RULES}/{rule['id']}", json={**read_back, "channels": ["push"]})
    assert again.status_code == 200, again.json
    assert again.json["channels"] == ["push"]
    bare = patient.put(f"{RULES}/{rule['id']}", json=body)
    assert bare.status_code == 200, bare.json
    assert bare.json["times"] == ["08:00", "20:00"]
    assert bare.json["next_due_at"] == "2030-03-01T07:00:00+00:00"


def test_the_51st_rule_is_a_conflict(patient):
    for _ in range(50):
        add_rule(patient)
    refused = patient.post(RULES, json=APPOINTMENT)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "conflict"
    assert len(patient.get(RULES).json) == 50


# Rules: refusals

NINE_TIMES = [f"{hour:02d}:00" for hour in range(9)]
DAYS = {"dates": None}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"times": ["25:00"]}, "times.0", id="25:00"),
        pytest.param({"times": ["8:00"]}, "times.0", id="8:00"),
        pytest.param({"times": ["08:00\n"]}, "times.0", id="trailing newline"),
        pytest.param({"times": NINE_TIMES}, "times", id="9 times"),
        pytest.param({"times": {"at": "08:00"}}, "times", id="times an object"),
        pytest.param({"channels": []}, "channels", id="no channel"),
        pytest.param({"channels": ["sms"]}, "channels.0", id="sms"),
        pytest.param({"channels": ["push", "push"]}, "channels", id="repeated channel"),
        pytest.param({"channels": "push"}, "channels", id="channels a string"),
        pytest.param({**DAYS, "days_of_week": [7]}, "days_of_week.0", id="day 7"),
        pytest.param({**DAYS, "days_of_week": [1, 1]}, "days_of_week", id="repeated day"),
        pytest.param({"days_of_week": [1]}, "dates", id="days and dates"),
        pytest.param({"dates": [f"2030-02-{d:02d}" for d in range(1, 29)]
                      + [f"2030-03-{d:02d}" for d in range(1, 24)]}, "dates", id="51 dates"),
        pytest.param({"kind": "pain_log", "follow_up": {"every_minutes": 10, "max": 2}},
                     "follow_up", id="follow-up of a pain log"),
        pytest.param({"kind": "medication", "dates": None}, "medication_id", id="no medication"),
    ],
)  # fmt: skip
def test_a_bad_rule_is_refused_naming_the_field_and_nothing_changes(patient, body, field):
    rule = add_rule(patient)
    before = patient.get(RULES).json
    assert_invalid(patient.post(RULES, json={**APPOINTMENT, **body}), field)
    assert_invalid(patient.put(f"{RULES}/{rule['id']}", json={**APPOINTMENT, **body}), field)
    assert patient.get(RULES).json == before


@pytest.mark.parametrize(
    ("follow_up", "field"),
    [
        ({"every_minutes": 4, "max": 2}, "follow_up.every_minutes"),
        ({"every_minutes": 121, "max": 2}, "follow_up.every_minutes"),
        ({"every_minutes": 10, "max": 0}, "follow_up.max"),
        ({"every_minutes": 10, "max": 7}, "follow_up.max"),
        ({"every_minutes": 10}, "follow_up.max"),
    ],
)
def test_a_follow_up_out_of_bounds_is_refused(patient, follow_up, field):
    medication_id = add_medication(patient)
    body = {"kind": "medication", "medication_id": medication_id, "channels": ["in_app"]}
    rule = patient.post(RULES, json=body).json
    assert_invalid(patient.post(RULES, json={**body, "follow_up": follow_up}), field)
    assert_invalid(patient.patch(f"{RULES}/{rule['id']}", json={"follow_up": follow_up}), field)
    assert patient.get(RULES).json == [rule]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"times": ["25:00"]}, "times.0"),
        ({"channels": []}, "channels"),
        ({"enabled": "yes please"}, "enabled"),
        ({"days_of_week": [1]}, "dates"),  # the stored rule has dates
        ({"follow_up": {"every_minutes": 10, "max": 2}}, "follow_up"),  # not a medication rule
        ({"kind": "medication"}, "medication_id"),  # a medication rule names its medication
    ],
)
def test_a_bad_patch_is_refused_and_the_rule_is_unchanged(patient, body, field):
    rule = add_rule(patient)
    assert_invalid(patient.patch(f"{RULES}/{rule['id']}", json=body), field)
    assert patient.get(f"{RULES}/{rule['id']}").json == rule


def test_a_rule_sent_back_as_it_was_read_is_taken(patient):
    rule = add_rule(patient)
    url = f"{RULES}/{rule['id']}"
    patched = patient.patch(url, json={**rule, "enabled": False})
    assert patched.status_code == 200, patched.json
    assert patched.json["enabled"] is False and patched.json["next_due_at"] is None
    replaced = patient.put(url, json={**patched.json, "enabled": True})
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["next_due_at"] == rule["next_due_at"]
    assert replaced.json["version"] == rule["version"] + 2


def test_patching_dates_onto_a_weekly_rule_is_refused(patient):
    rule = add_rule(patient, dates=None, days_of_week=[1, 3])
    assert_invalid(patient.patch(f"{RULES}/{rule['id']}", json={"dates": ["2030-01-15"]}), "dates")
    assert patient.get(f"{RULES}/{rule['id']}").json == rule


def test_another_patients_medication_is_refused_like_one_that_does_not_exist(patient, accounts):
    theirs = add_medication(accounts.signed_in())
    body = {"kind": "medication", "channels": ["in_app"]}
    refused = patient.post(RULES, json={**body, "medication_id": theirs})
    unknown = patient.post(RULES, json={**body, "medication_id": str(uuid.uuid4())})
    assert_invalid(refused, "medication_id")
    assert refused.json == unknown.json
    assert patient.get(RULES).json == []


def test_an_as_needed_medication_has_nothing_to_remind_of(patient):
    medication_id = add_medication(patient, schedule=None, as_needed=True)
    body = {"kind": "medication", "medication_id": medication_id, "channels": ["in_app"]}
    refused = patient.post(RULES, json=body)
    assert_invalid(refused, "medication_id")
    assert "as needed" in refused.json["error"]["fields"]["medication_id"][0]
    assert patient.get(RULES).json == []


@pytest.mark.parametrize(
    ("schedule", "field"),
    [({"times": ["09:00", "20:00"]}, "times"), ({"days_of_week": [0, 1]}, "days_of_week")],
)
def test_a_medication_rule_cannot_differ_from_the_medications_schedule(patient, schedule, field):
    medication_id = add_medication(patient)
    body = {"kind": "medication", "medication_id": medication_id, "channels": ["in_app"]}
    rule = patient.post(RULES, json=body).json
    assert_invalid(patient.post(RULES, json={**body, **schedule}), field)
    assert_invalid(patient.patch(f"{RULES}/{rule['id']}", json=schedule), field)
    assert patient.get(RULES).json == [rule]


def test_another_patients_rule_is_not_found(patient, accounts):
    url = f"{RULES}/{add_rule(accounts.signed_in())['id']}"
    assert_not_found(patient.get(url))
    assert_not_found(patient.put(url, json=APPOINTMENT))
    assert_not_found(patient.patch(url, json={"enabled": False}))
    assert_not_found(patient.delete(url))


ROUTES = [
    ("get", RULES), ("post", RULES), ("get", f"{RULES}/{uuid.uuid4()}"),
    ("put", f"{RULES}/{uuid.uuid4()}"), ("patch", f"{RULES}/{uuid.uuid4()}"),
    ("delete", f"{RULES}/{uuid.uuid4()}"), ("get", "/api/v1/notifications"),
    ("post", f"/api/v1/notifications/{uuid.uuid4()}/read"),
    ("post", f"/api/v1/notifications/{uuid.uuid4()}/snooze"), ("get", "/api/v1/push/public-key"),
    ("get", SUBSCRIPTIONS), ("post", SUBSCRIPTIONS), ("delete", f"{SUBSCRIPTIONS}/{uuid.uuid4()}"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_clinicians_are_forbidden_and_strangers_unauthorized(client, clinician, method, url):
    forbidden = getattr(clinician, method)(url, json={})
    assert forbidden.status_code == 403
    assert forbidden.json["error"]["code"] == "forbidden"
    anonymous = getattr(client, method)(url, json={})
    assert anonymous.status_code == 401
    assert anonymous.json["error"]["code"] == "unauthorized"


# The inbox


def notifications(app, client, times):
    """Let the scheduler send an in-app appointment reminder at each of ``times``."""
    rule = add_rule(client, times=times)
    with app.app_context():
        for hhmm in sorted(times):
            hour, minute = map(int, hhmm.split(":"))
            tick(datetime(2030, 1, 15, hour - 1, minute, tzinfo=UTC))
    return rule


def test_the_inbox_pages_newest_first(app, patient):
    rule = notifications(app, patient, ["08:00", "12:00", "18:00"])
    first = patient.get("/api/v1/notifications?limit=2")
    assert first.status_code == 200, first.json
    assert [n["due_at"] for n in first.json["items"]] == [
        "2030-01-15T17:00:00+00:00", "2030-01-15T11:00:00+00:00"
    ]  # fmt: skip
    item = first.json["items"][0]
    assert (item["rule_id"], item["kind"], item["read_at"]) == (rule["id"], "therapy", None)
    assert (item["title"], item["url"]) == ("Session", "/today#therapy")
    cursor = first.json["next_cursor"]
    rest = patient.get("/api/v1/notifications", query_string={"limit": 2, "cursor": cursor})
    assert [n["due_at"] for n in rest.json["items"]] == ["2030-01-15T07:00:00+00:00"]
    assert rest.json["next_cursor"] is None


def test_reading_is_idempotent_and_unread_lists_the_others(app, patient):
    notifications(app, patient, ["08:00", "12:00"])
    newest, oldest = patient.get("/api/v1/notifications").json["items"]
    read = patient.post(f"/api/v1/notifications/{newest['id']}/read")
    assert read.status_code == 200, read.json
    assert read.json["read_at"] is not None
    again = patient.post(f"/api/v1/notifications/{newest['id']}/read")
    assert again.json["read_at"] == read.json["read_at"]
    unread = patient.get("/api/v1/notifications?unread=true").json["items"]
    assert [n["id"] for n in unread] == [oldest["id"]]
    assert len(patient.get("/api/v1/notifications?unread=false").json["items"]) == 2


@pytest.mark.parametrize("minutes", [4, 241, "10", None])
def test_a_snooze_out_of_bounds_is_refused(app, patient, minutes):
    notifications(app, patient, ["08:00"])
    [item] = patient.get("/api/v1/notifications").json["items"]
    refused = patient.post(f"/api/v1/notifications/{item['id']}/snooze", json={"minutes": minutes})
    assert_invalid(refused, "minutes")
    assert patient.get("/api/v1/notifications").json["items"] == [item]


def test_a_snooze_marks_it_read_until_then(app, patient):
    notifications(app, patient, ["08:00"])
    [item] = patient.get("/api/v1/notifications").json["items"]
    snoozed = patient.post(f"/api/v1/notifications/{item['id']}/snooze", json={"minutes": 240})
    assert snoozed.status_code == 200, snoozed.json
    assert snoozed.json["read_at"] is not None
    assert snoozed.json["snoozed_until"] is not None


def test_a_snoozed_reminder_comes_again_after_the_delay(app, patient):
    notifications(app, patient, ["08:00"])
    [item] = patient.get("/api/v1/notifications").json["items"]
    snoozed = patient.post(f"/api/v1/notifications/{item['id']}/snooze", json={"minutes": 10})
    until = datetime.fromisoformat(snoozed.json["snoozed_until"])
    with app.app_context():
        assert tick(until - timedelta(seconds=1)).claimed == 0
        assert tick(until).sent == 1
    # created_at is the tick's clock, which read 2030 for the first one: find the new one by id.
    listed = patient.get("/api/v1/notifications").json["items"]
    [again] = [n for n in listed if n["id"] != item["id"]]
    assert (again["due_at"], again["title"], again["read_at"]) == (item["due_at"], "Session", None)


def test_a_notification_outlives_its_rule_and_cannot_be_snoozed(app, patient):
    rule = notifications(app, patient, ["08:00"])
    assert patient.delete(f"{RULES}/{rule['id']}").status_code == 204
    [item] = patient.get("/api/v1/notifications").json["items"]
    assert item["rule_id"] is None
    gone = patient.post(f"/api/v1/notifications/{item['id']}/snooze", json={"minutes": 10})
    assert gone.status_code == 410
    assert gone.json["error"]["code"] == "gone"
    assert patient.get("/api/v1/notifications").json["items"] == [item]


def test_another_patients_notification_is_not_found(app, patient, accounts):
    notifications(app, accounts.signed_in(), ["08:00"])
    with app.app_context():
        from pain_diary.reminders.models import Notification

        [theirs] = Notification.query.all()
    url = f"/api/v1/notifications/{theirs.id}"
    assert_not_found(patient.post(f"{url}/read"))
    assert_not_found(patient.post(f"{url}/snooze", json={"minutes": 10}))
    assert patient.get("/api/v1/notifications").json["items"] == []


# Quiet hours


def test_quiet_hours_are_set_and_cleared_on_me(patient):
    quiet = {"start": "22:00", "end": "07:00"}
    set_ = patient.patch("/api/v1/me", json={"quiet_hours": quiet})
    assert set_.status_code == 200, set_.json
    assert patient.get("/api/v1/me").json["quiet_hours"] == quiet
    assert_invalid(patient.patch("/api/v1/me", json={"quiet_hours": {**quiet, "end": "22:00"}}),
                   "quiet_hours.end")  # fmt: skip
    assert_invalid(patient.patch("/api/v1/me", json={"quiet_hours": {**quiet, "start": "24:00"}}),
                   "quiet_hours.start")  # fmt: skip
    assert patient.get("/api/v1/me").json["quiet_hours"] == quiet
    cleared = patient.patch("/api/v1/me", json={"quiet_hours": None})
    assert cleared.json["quiet_hours"] is None
    assert patient.get("/api/v1/me").json["quiet_hours"] is None


# VAPID public key and push subscriptions


def test_without_vapid_keys_the_public_key_is_unavailable(patient):
    response = patient.get("/api/v1/push/public-key")
    assert response.status_code == 503
    error = response.json["error"]
    assert (error["status"], error["code"]) == (503, "push_not_configured")
    assert error["message"]


def test_the_public_key_is_the_uncompressed_point_of_the_configured_key(app, patient):
    private_key = ec.generate_private_key(ec.SECP256R1())
    app.config["VAPID_PRIVATE_KEY"] = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    response = patient.get("/api/v1/push/public-key")
    assert response.status_code == 200, response.json
    public_key = response.json["public_key"]
    assert "=" not in public_key
    raw = base64.urlsafe_b64decode(public_key + "=" * (-len(public_key) % 4))
    assert len(raw) == 65 and raw[0] == 0x04
    assert raw == point(private_key)


def browser_keys():
    return {"p256dh": b64url(point(ec.generate_private_key(ec.SECP256R1()))),
            "auth": b64url(os.urandom(16))}  # fmt: skip


#: A public address in digits: the address check needs no DNS, and nothing is sent to it here.
PUSH_SERVICE = "https://1.2.3.4"
ENDPOINT = f"{PUSH_SERVICE}/wpush/v2/abc123"


def stored_subscriptions(app):
    with app.app_context():
        rows = PushSubscription.query.all()
        return {(str(s.patient_id), s.endpoint, s.p256dh, s.auth) for s in rows}


def test_subscribing_twice_updates_the_keys(app, patient):
    first = patient.post(SUBSCRIPTIONS, json={"endpoint": ENDPOINT, "keys": browser_keys()})
    assert first.status_code == 201, first.json
    assert first.json["endpoint"] == ENDPOINT and "keys" not in first.json
    keys = browser_keys()
    again = patient.post(SUBSCRIPTIONS, json={"endpoint": ENDPOINT, "keys": keys})
    assert again.status_code == 200, again.json
    assert again.json["id"] == first.json["id"]
    user = patient.user.id
    assert stored_subscriptions(app) == {(user, ENDPOINT, keys["p256dh"], keys["auth"])}
    assert [s["id"] for s in patient.get(SUBSCRIPTIONS).json] == [first.json["id"]]


def test_an_http_endpoint_is_refused_unless_allowed(app, patient):
    body = {"endpoint": "http://127.0.0.1:8080/push/abc", "keys": browser_keys()}
    assert_invalid(patient.post(SUBSCRIPTIONS, json=body), "endpoint")
    assert stored_subscriptions(app) == set()
    app.config["PUSH_ALLOW_HTTP"] = True
    assert patient.post(SUBSCRIPTIONS, json=body).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"keys": {**browser_keys(), "auth": b64url(os.urandom(8))}}, "keys"),
        ({"keys": {**browser_keys(), "p256dh": b64url(b"\x04" + bytes(64))}}, "keys"),
        ({"keys": {"auth": b64url(os.urandom(16))}}, "keys.p256dh"),
        ({"keys": None}, "keys"),
        ({"keys": ...}, "keys"),
        ({"endpoint": ENDPOINT + " x"}, "endpoint"),
        ({"endpoint": ENDPOINT + "\n"}, "endpoint"),
        ({"endpoint": ...}, "endpoint"),
    ],
)
def test_a_malformed_subscription_is_refused(app, patient, body, field):
    body = {key: value for key, value in ({"endpoint": ENDPOINT, "keys": browser_keys()}
            | body).items() if value is not ...}  # fmt: skip
    assert_invalid(patient.post(SUBSCRIPTIONS, json=body), field)
    assert stored_subscriptions(app) == set()


def test_a_patient_subscribes_at_most_ten_browsers(app, patient, accounts):
    ids = []
    for browser in range(10):
        body = {"endpoint": f"{PUSH_SERVICE}/wpush/{browser}", "keys": browser_keys()}
        response = patient.post(SUBSCRIPTIONS, json=body)
        assert response.status_code == 201, response.json
        ids.append(response.json["id"])
    eleventh = patient.post(SUBSCRIPTIONS, json={"endpoint": ENDPOINT, "keys": browser_keys()})
    assert eleventh.status_code == 409, eleventh.json
    assert eleventh.json["error"]["status"] == 409 and eleventh.json["error"]["message"]
    again = {"endpoint": f"{PUSH_SERVICE}/wpush/3", "keys": browser_keys()}
    assert patient.post(SUBSCRIPTIONS, json=again).status_code == 200
    # Another patient's browser moving over counts as one more.
    other = accounts.signed_in()
    theirs = other.post(SUBSCRIPTIONS, json={"endpoint": ENDPOINT, "keys": browser_keys()})
    assert theirs.status_code == 201, theirs.json
    moved = patient.post(SUBSCRIPTIONS, json={"endpoint": ENDPOINT, "keys": browser_keys()})
    assert moved.status_code == 409, moved.json
    assert [s["id"] for s in other.get(SUBSCRIPTIONS).json] == [theirs.json["id"]]
    assert [s["id"] for s in patient.get(SUBSCRIPTIONS).json] == ids
    assert patient.delete(f"{SUBSCRIPTIONS}/{ids[0]}").status_code == 204
    room = patient.post(SUBSCRIPTIONS, json={"endpoint": ENDPOINT, "keys": browser_keys()})
    assert room.status_code == 200 and room.json["id"] == theirs.json["id"]


def test_a_browser_subscribed_by_another_patient_moves_to_the_last_one(app, patient, accounts):
    first = patient.post(SUBSCRIPTIONS, json={"endpoint": ENDPOINT, "keys": browser_keys()})
    other = accounts.signed_in()
    taken = other.post(SUBSCRIPTIONS, json={"endpoint": ENDPOINT, "keys": browser_keys()})
    assert taken.status_code == 200, taken.json
    assert [s["id"] for s in other.get(SUBSCRIPTIONS).json] == [first.json["id"]]
    assert patient.get(SUBSCRIPTIONS).json == []
    assert_not_found(patient.delete(f"{SUBSCRIPTIONS}/{first.json['id']}"))
    assert len(stored_subscriptions(app)) == 1
    assert other.delete(f"{SUBSCRIPTIONS}/{first.json['id']}").status_code == 204
    assert stored_subscriptions(app) == set()
