"""Schemathesis over the whole OpenAPI document, as a patient, a clinician and anonymously.

It fails on any 5xx and on any response (status, content type, headers, body) that the
document does not describe, so every endpoint stays honest as the API grows; and, where the
document can say exactly what the API accepts, on a schema-valid request the API refuses.
Each caller has records of their own (or a linked patient's), and generated ids are now and
then swapped for those, so reads, replacements and deletions reach real rows too.
"""

import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pain_diary.reminders.dispatch import tick

from .push_service import vapid_private_pem

# A browser's subscription key: an uncompressed P-256 point, base64url.
P256DH = "BOuXlzDE3MlGheQwocjEPwBR9L7_GSnigwSGci1Panid27fBS4GCyukrb7p5Ow5sO_KIQTvK-mRnQxMKE5HOsDM"

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# positive_data_acceptance: a schema-valid request must not be refused as invalid (422). Its
# answers about state are fine: 404 for someone else's id (ownership), 409 for a clash, and 410
# for a record deleted before (replaying it does not resurrect it).
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "410", "429", "5xx"]
            }
        }
    }
)
# The operations it skips, each refusing some schema-valid requests for a rule that no JSON
# schema states (the document describes each in words).
COLLECTIONS = (
    "pain-entries",
    "sleep-entries",
    "therapy-sessions",
    "medications",
    "medication-doses",
    "procedures",
    "activity-days",
)
PERIODS = ("summary", "summary.html", "summary.pdf", "charts/{name}.svg")
REFUSES_VALID_INPUT = {
    **{
        f"GET /api/v1{owner}/{collection}": "cursor: only one the server gave; to: not before from"
        for owner in ("", "/patients/{patient_id}")
        for collection in COLLECTIONS
    },
    "GET /api/v1/audit-events": "cursor: only one the server gave",
    "GET /api/v1/notifications": "cursor: only one the server gave",
    **{
        f"GET /api/v1{owner}/{period}": "to: not before from, less than 1830 days after it"
        for owner in ("", "/patients/{patient_id}")
        for period in PERIODS
    },
    "POST /api/v1/auth/register": "password: not one of the 10,000 commonest; email: one "
    "the email package writes and reads back as itself, in ASCII",
    "POST /api/v1/me/password": "current_password: the right one; new_password: not common",
    "PATCH /api/v1/me": "date_of_birth: not in the future; quiet_hours: end differs from start; "
    "email: as at registration",
    **{
        f"{method} /api/v1/reminders{path}": "kind medication: your own scheduled medication_id, "
        "its times; other kinds: times, no medication_id or follow_up; days_of_week or dates"
        for method, path in (("POST", ""), ("PUT", "/{rule_id}"), ("PATCH", "/{rule_id}"))
    },
    "POST /api/v1/push-subscriptions": "endpoint: an https URL whose host resolves to public "
    "addresses only; keys: a P-256 point, 16 bytes; at most 10 per patient",
    "POST /api/v1/notifications/{notification_id}/snooze": "the reminder must still exist",
    **{
        f"{method} /api/v1/{collection}{path}": rule
        for method, path in (("POST", ""), ("PUT", "/{record_id}"))
        for collection, rule in (
            ("pain-entries", "recorded_at: not in the future"),
            ("therapy-sessions", "started_at: not in the future"),
            ("sleep-entries", "the four times in order, night_of the bedtime's date"),
            ("medications", "a schedule or as_needed; end_date after start_date; opioid units"),
            ("medication-doses", "taken_at when taken, scheduled_for when skipped; your own "
             "medication_id"),
            ("procedures", "performed_at: not in the future; trial_ends_at only and always for "
             "scs_trial, after performed_at, within 30 days"),
            ("activity-days", "date: not after today; steps or active_minutes; one per day"),
        )
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def config():
    """Push set up (a VAPID key), so /push/public-key answers its 200 rather than its 503."""
    return {"VAPID_PRIVATE_KEY": vapid_private_pem()}


@pytest.fixture(params=["patient", "clinician", "anonymous"])
def caller(request, app, accounts):
    """Who calls (``headers``) and the ids of what they may reach (``known``)."""
    return CALLERS[request.param](Seeder(app, accounts))


@pytest.fixture
def api_schema(app, caller):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)

    @schema.hook("flatmap_path_parameters")
    def now_and_then_a_known_id(context, path_parameters):
        operation = context.operation
        swaps = {
            name: ids
            for name in path_parameters or {}
            if (ids := caller.known.get(_known_key(operation.method, operation.path, name)))
        }
        if not swaps:
            return st.just(path_parameters)
        known = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in swaps.items()})
        return st.one_of(
            st.just(path_parameters), known.map(lambda ids: {**path_parameters, **ids})
        )

    @schema.hook("flatmap_body")
    def now_and_then_a_known_medication(context, body):
        medications = caller.known.get("medications")
        if not (medications and isinstance(body, dict) and "medication_id" in body):
            return st.just(body)
        return st.one_of(
            st.just(body),
            st.sampled_from(medications).map(lambda id_: {**body, "medication_id": id_}),
        )

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


# Locally every run explores new inputs; in CI (CI=true) the examples are fixed, so a run fails
# for a change in the code, not for the luck of the draw. FUZZ_EXAMPLES widens a local hunt.
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 30)),
    derandomize=bool(os.environ.get("CI")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_conforms_to_the_document(case, caller):
    checks = CHECKS
    if case.operation.label not in REFUSES_VALID_INPUT:
        checks = [*CHECKS, accepts_valid_input]
    case.call_and_validate(headers=caller.headers, checks=checks)


def accepts_valid_input(ctx, response, case):
    """positive_data_acceptance, but for text no database stores, refused in every field.

    NUL and lone surrogates are refused at the edge (pain_diary/hooks.py) whatever the field;
    a pattern on every string of the document would only say that again.
    """
    if _holds_unstorable_text([case.path_parameters, case.query, case.body]):
        return None
    return positive_data_acceptance(ctx, response, case)


def _holds_unstorable_text(value):
    if isinstance(value, str):
        return UNSTORABLE_TEXT.search(value) is not None
    if isinstance(value, dict):
        return _holds_unstorable_text([*value.keys(), *value.values()])
    if isinstance(value, list):
        return any(_holds_unstorable_text(item) for item in value)
    return False


UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def _known_key(method, path, name):
    """Which known ids may stand in for path parameter ``name`` of ``method path``."""
    if name != "record_id":
        return name
    collection = path.split("/")[-2]
    # DELETE gets a record of its own, so the other operations still find theirs.
    return f"{collection} to delete" if method.lower() == "delete" else collection


class Seeder:
    """Make users and their records through the API, as the PWA does."""

    def __init__(self, app, accounts):
        self.accounts = accounts
        self.client = app.test_client()

    def user(self, role):
        user = self.accounts.create(role=role)
        user.headers = {"Authorization": f"Bearer {self.accounts.token(user)}"}
        return user

    def call(self, user, method, url, **kwargs):
        response = self.client.open(f"/api/v1/{url}", method=method, headers=user.headers, **kwargs)
        assert response.status_code in (200, 201), (url, response.json)
        return response.json

    def put(self, user, collection, body):
        return self.call(user, "PUT", f"{collection}/{uuid.uuid4()}", json=body)["id"]

    def reminders(self, patient, medication=None):
        """A reminder rule, a notification it sent and a push subscription of the patient's.

        With a ``medication`` (a body), a reminder of its next dose too, for "Taken" to log.
        Neither that medication nor its rule is known, so no other operation edits them away;
        a PATCH /me that moves the timezone still does (the dose is then not scheduled: 410).
        """
        rule = self.call(patient, "POST", "reminders", json={
            "kind": "therapy", "times": ["12:00"], "channels": ["in_app", "push"],
        })  # fmt: skip
        rules = [rule]
        if medication:
            rules.append(self.call(patient, "POST", "reminders", json={
                "kind": "medication", "medication_id": self.put(patient, "medications", medication),
                "channels": ["in_app"],
            }))  # fmt: skip
        with self.accounts.app.app_context():
            for due in sorted(datetime.fromisoformat(r["next_due_at"]) for r in rules):
                tick(due)
        notifications = self.call(patient, "GET", "notifications")["items"]
        assert len(notifications) == len(rules)
        subscription = self.call(patient, "POST", "push-subscriptions", json={
            "endpoint": f"https://1.2.3.4/send/{uuid.uuid4()}",  # public, in digits: no DNS
            "keys": {"p256dh": P256DH, "auth": "gMVhySid2s3NgTwPjz7xSA"},
        })  # fmt: skip
        return {
            "rule_id": [rule["id"]],
            "notification_id": [notification["id"] for notification in notifications],
            "subscription_id": [subscription["id"]],
        }

    def spare_token(self, user):
        return self.call(user, "POST", "auth/tokens", json={"name": "spare"})["id"]

    def link(self, patient, clinician):
        code = self.call(patient, "POST", "care-team/invitations")["code"]
        return self.call(clinician, "POST", "care-team/links", json={"code": code})["id"]

    def diary(self, patient):
        """Two weeks of pain, a night, a session, a medication and a dose: two of each kind."""
        now = datetime.now(UTC).replace(microsecond=0)
        known = {}
        for kind, bodies in _diary(now).items():
            kept, *deletable = [self.put(patient, kind, body) for body in bodies]
            known[kind] = [kept]
            known[f"{kind} to delete"] = deletable
        dose = {"status": "taken", "medication_id": known["medications"][0]}
        for hours, key in enumerate(("medication-doses", "medication-doses to delete"), 1):
            taken_at = (now - timedelta(hours=hours)).isoformat()
            known[key] = [self.put(patient, "medication-doses", {**dose, "taken_at": taken_at})]
        return known


def _diary(now):
    def ago(**delta):
        return (now - timedelta(**delta)).isoformat()

    def night(days):
        evening = now.replace(hour=22, minute=0, second=0) - timedelta(days=days)
        return {
            "night_of": evening.date().isoformat(),
            "in_bed_at": evening.isoformat(),
            "tried_to_sleep_at": (evening + timedelta(minutes=15)).isoformat(),
            "final_awakening_at": (evening + timedelta(hours=7)).isoformat(),
            "out_of_bed_at": (evening + timedelta(hours=7, minutes=20)).isoformat(),
            "sleep_latency_minutes": 20,
            "wake_after_sleep_onset_minutes": 30,
            "awakenings": 2,
            "quality": 3,
        }

    pain = {
        "intensity": 6,
        "body_sites": [{"site": "lower_back", "intensity": 7, "side": "left"}],
        "qualities": ["aching"],
        "enjoyment_interference": 5,
        "activity_interference": 6,
        "tags": ["gardening"],
    }
    return {
        "pain-entries": [
            {**pain, "recorded_at": ago(days=day), "intensity": day % 11} for day in range(1, 15)
        ],
        "sleep-entries": [night(2), night(3)],
        "procedures": [
            {
                "kind": "medial_branch_block",
                "performed_at": ago(days=4),
                "level": "L4-L5",
                "body_sites": [{"site": "lower_back", "side": "both"}],
                "note": "Easier after",
            },
        ],  # fmt: skip
        "therapy-sessions": [
            {
                "modality": "cbt",
                "started_at": ago(days=2),
                "duration_minutes": 50,
                "pain_before": 7,
                "pain_after": 5,
            },
            {"modality": "vr", "started_at": ago(days=3), "duration_minutes": 20},
        ],  # fmt: skip
        "medications": [
            {
                "name": "Oxycodone 5 mg",
                "ingredient": "oxycodone",
                "dose_amount": 5,
                "dose_unit": "mg",
                "route": "oral",
                "schedule": {"times": ["08:00", "20:00"]},
                "start_date": ago(days=20)[:10],
            },
            {
                "name": "Ibuprofen",
                "dose_amount": 400,
                "dose_unit": "mg",
                "as_needed": True,
                "start_date": ago(days=20)[:10],
            },
        ],  # fmt: skip
    }


def _patient(seeder):
    patient = seeder.user("patient")
    other = seeder.user("patient")
    known = seeder.diary(patient)
    # Someone else's record: every method answers 404 (and PUT does not take it over).
    for kind, ids in seeder.diary(other).items():
        known[kind] = known[kind] + ids[:1]
    scheduled = _diary(datetime.now(UTC))["medications"][0]
    own, theirs = seeder.reminders(patient, scheduled), seeder.reminders(other)
    known |= {name: ids + theirs[name] for name, ids in own.items()}
    known["token_id"] = [seeder.spare_token(patient)]
    known["link_id"] = [seeder.link(patient, seeder.user("clinician"))]
    return SimpleNamespace(headers=patient.headers, known=known)


def _clinician(seeder):
    clinician = seeder.user("clinician")
    patient, leaving, stranger = (seeder.user("patient") for _ in range(3))
    seeder.diary(patient)
    seeder.diary(stranger)
    seeder.link(patient, clinician)
    known = {
        # The unlinked stranger answers 404, exactly like a patient who does not exist.
        "patient_id": [patient.id, stranger.id],
        "token_id": [seeder.spare_token(clinician)],
        # Revoking this link leaves the one to ``patient``, which later operations read through.
        "link_id": [seeder.link(leaving, clinician)],
    }
    return SimpleNamespace(headers=clinician.headers, known=known)


def _anonymous(seeder):
    patient = seeder.user("patient")
    known = seeder.diary(patient)
    known["patient_id"] = [patient.id]
    known["token_id"] = [seeder.spare_token(patient)]
    known["link_id"] = [seeder.link(patient, seeder.user("clinician"))]
    return SimpleNamespace(headers=None, known=known)


CALLERS = {"patient": _patient, "clinician": _clinician, "anonymous": _anonymous}


def test_the_document_describes_every_api_route(app, client):
    documented = {
        (path, method.upper())
        for path, operations in client.get("/api/v1/openapi.json").json["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    routed = {
        (_openapi_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed == documented


def _openapi_path(rule):
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)
