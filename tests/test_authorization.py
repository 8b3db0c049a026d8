"""Who gets what, on every route of the app, for six kinds of caller.

ACCESS names the rule of each endpoint. A route added without a rule fails
``test_every_route_has_an_access_rule``; each rule is then walked by
``test_route_answers_each_caller_as_its_rule_says``.
"""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from pain_diary.reminders.dispatch import tick

from .push_service import vapid_private_pem

PUBLIC, SIGNED_IN, OWN, CLINICIAN, CLINICIAN_READ = (
    "public", "signed in", "own diary", "clinician", "clinician reads a patient",
)  # fmt: skip
# The web app's pages: whoever may not see one is sent to sign in, or to their own home.
PATIENT_PAGE, CLINICIAN_PAGE, CLINICIAN_READ_PAGE = (
    "a patient's page", "a clinician's page", "a clinician's page of a patient",
)  # fmt: skip

ACCESS = {
    "static": PUBLIC,
    "web.index": PUBLIC,
    "web.signup": PUBLIC,
    "web.login": PUBLIC,
    "web.logout": PUBLIC,
    "web.today": PATIENT_PAGE,
    "web.history": PATIENT_PAGE,
    "web.edit": PATIENT_PAGE,
    "web.trends": PATIENT_PAGE,
    "web.medications": PATIENT_PAGE,
    "web.reminders": PATIENT_PAGE,
    "web.procedures": PATIENT_PAGE,
    "web.activity": PATIENT_PAGE,
    "web.care_team": PATIENT_PAGE,
    "web.export": PATIENT_PAGE,
    "web.settings": PATIENT_PAGE,
    "web.notifications": PATIENT_PAGE,
    "web.clinic": CLINICIAN_PAGE,
    "web.clinic_patient": CLINICIAN_READ_PAGE,
    "web.api_docs": PUBLIC,
    "pwa.manifest": PUBLIC,
    "pwa.service_worker": PUBLIC,
    "web.healthz": PUBLIC,
    "web.readyz": PUBLIC,
    "api-docs.openapi_json": PUBLIC,
    "accounts.Register": PUBLIC,
    "accounts.Login": PUBLIC,
    "accounts.Logout": PUBLIC,
    "accounts.Me": SIGNED_IN,
    "accounts.Password": SIGNED_IN,
    "accounts.Tokens": SIGNED_IN,
    "accounts.TokenItem": SIGNED_IN,
    "care.CareTeam": SIGNED_IN,
    "care.CareTeamLink": SIGNED_IN,
    "care.AuditEvents": SIGNED_IN,
    "care.Invitations": OWN,
    "records.PainEntriesItems": OWN,
    "records.PainEntriesItem": OWN,
    "records.SleepEntriesItems": OWN,
    "records.SleepEntriesItem": OWN,
    "records.TherapySessionsItems": OWN,
    "records.TherapySessionsItem": OWN,
    "procedures.ProceduresItems": OWN,
    "procedures.ProceduresItem": OWN,
    "activity.ActivityDaysItems": OWN,
    "activity.ActivityDaysItem": OWN,
    "activity.ActivityImports": OWN,
    "activity.ActivityImportItem": OWN,
    "records.Sync": OWN,
    "medications.MedicationsItems": OWN,
    "medications.MedicationsItem": OWN,
    "medications.MedicationDosesItems": OWN,
    "medications.MedicationDosesItem": OWN,
    "medications.today": OWN,
    "insights.own_summary": OWN,
    "insights.own_summary_html": OWN,
    "insights.own_summary_pdf": OWN,
    "insights.own_chart": OWN,
    "insights.own_export": OWN,
    "reminders.Rules": OWN,
    "reminders.Rule": OWN,
    "reminders.Inbox": OWN,
    "reminders.InboxItem": OWN,
    "reminders.Read": OWN,
    "reminders.Snooze": OWN,
    "reminders.Taken": OWN,
    "reminders.PublicKey": OWN,
    "reminders.Subscriptions": OWN,
    "reminders.Subscription": OWN,
    "care.Links": CLINICIAN,
    "insights.Patients": CLINICIAN,
    "records.PainEntriesPatientItems": CLINICIAN_READ,
    "records.SleepEntriesPatientItems": CLINICIAN_READ,
    "records.TherapySessionsPatientItems": CLINICIAN_READ,
    "procedures.ProceduresPatientItems": CLINICIAN_READ,
    "activity.ActivityDaysPatientItems": CLINICIAN_READ,
    "medications.MedicationsPatientItems": CLINICIAN_READ,
    "medications.MedicationDosesPatientItems": CLINICIAN_READ,
    "insights.patient_summary": CLINICIAN_READ,
    "insights.patient_summary_html": CLINICIAN_READ,
    "insights.patient_summary_pdf": CLINICIAN_READ,
    "insights.patient_chart": CLINICIAN_READ,
    "insights.patient_fhir": CLINICIAN_READ,
}

METHOD_ORDER = ["GET", "POST", "PUT", "PATCH", "DELETE"]  # reads before the owner deletes
CALLERS = ("anonymous", "other_patient", "linked", "unlinked", "revoked", "owner")
CLINICIANS = ("linked", "unlinked", "revoked")
ENDPOINT_COLLECTION = {
    "PainEntries": "pain-entries", "SleepEntries": "sleep-entries",
    "TherapySessions": "therapy-sessions", "Medications": "medications",
    "MedicationDoses": "medication-doses", "Procedures": "procedures",
    "ActivityDays": "activity-days",
}  # fmt: skip


#: The owner's ids a route may name besides ``record_id``: another patient's answer 404 too.
OWNED_IDS = ("record_id", "rule_id", "notification_id", "subscription_id", "import_id")
REMINDER = {"kind": "therapy", "times": ["12:00"], "channels": ["in_app", "push"]}
SUBSCRIPTION_KEYS = {
    # A browser's: an uncompressed P-256 point and a 16-byte secret, base64url.
    "p256dh": "BOuXlzDE3MlGheQwocjEPwBR9L7_GSnigwSGci1Panid27fBS4GCyukrb7p5Ow5sO_KIQTvK-"
    "mRnQxMKE5HOsDM",
    "auth": "gMVhySid2s3NgTwPjz7xSA",
}
BODIES = {
    "reminders.Rules": REMINDER,
    "reminders.Rule": REMINDER,
    "reminders.Snooze": {"minutes": 10},
    "reminders.Subscriptions": {  # a public address in digits: accepted without DNS
        "endpoint": "https://1.2.3.4/send/another-browser", "keys": SUBSCRIPTION_KEYS,
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def config():
    """VAPID keys, so that the public key route answers what it answers when push is set up."""
    return {"VAPID_PRIVATE_KEY": vapid_private_pem()}


def test_every_route_has_an_access_rule(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(ACCESS)


@pytest.fixture
def world(app, accounts):
    """An owner with one record of each kind, and a clinician linked, unlinked and revoked."""
    callers = {"anonymous": app.test_client()}
    for name, role in [("owner", "patient"), ("other_patient", "patient"), ("linked", "clinician"),
                       ("unlinked", "clinician"), ("revoked", "clinician")]:  # fmt: skip
        callers[name] = accounts.signed_in(role=role)
    owner = callers["owner"]
    links = {}
    for name in ("linked", "revoked"):
        code = owner.post("/api/v1/care-team/invitations").json["code"]
        links[name] = callers[name].post("/api/v1/care-team/links", json={"code": code}).json["id"]
    assert owner.delete(f"/api/v1/care-team/{links['revoked']}").status_code == 204
    records, bodies = _records(owner)
    token_id = owner.post("/api/v1/auth/tokens", json={"name": "t"}).json["id"]
    records |= _reminders(app, owner)
    records["import_id"] = _activity_import(owner)
    return {"callers": callers, "records": records, "bodies": bodies, "link_id": links["linked"],
            "token_id": token_id, "owner_id": owner.user.id}  # fmt: skip


def _reminders(app, owner):
    """The owner's reminder rule, a notification it sent and a push subscription."""
    rule = owner.post("/api/v1/reminders", json=REMINDER).json
    with app.app_context():
        report = tick(datetime.fromisoformat(rule["next_due_at"]))
    assert report.sent >= 1
    (notification,) = owner.get("/api/v1/notifications").json["items"]
    body = {"endpoint": "https://1.2.3.4/send/owner", "keys": SUBSCRIPTION_KEYS}
    subscription = owner.post("/api/v1/push-subscriptions", json=body).json
    return {"rule_id": rule["id"], "notification_id": notification["id"],
            "subscription_id": subscription["id"]}  # fmt: skip


def _activity_import(owner):
    """The owner's upload of an activity export (queued: no worker runs here)."""
    file = (io.BytesIO(b"date,steps,active_minutes\n2026-01-05,7000,40\n"), "steps.csv")
    response = owner.post(
        "/api/v1/activity-imports", data={"file": file}, content_type="multipart/form-data"
    )
    assert response.status_code == 202, response.json
    return response.json["id"]


def _records(owner):
    now = datetime.now(UTC)
    an_hour_ago = (now - timedelta(hours=1)).isoformat()
    medication = owner.post("/api/v1/medications", json={
        "name": "Ibuprofen", "dose_amount": 400, "dose_unit": "mg", "as_needed": True,
        "start_date": "2026-01-01",
    }).json  # fmt: skip
    bodies = {
        "pain-entries": {"recorded_at": an_hour_ago, "intensity": 5},
        "sleep-entries": {
            "night_of": (now - timedelta(days=2)).date().isoformat(),
            "in_bed_at": (now - timedelta(hours=40)).isoformat(),
            "tried_to_sleep_at": (now - timedelta(hours=40)).isoformat(),
            "final_awakening_at": (now - timedelta(hours=33)).isoformat(),
            "out_of_bed_at": (now - timedelta(hours=33)).isoformat(),
            "sleep_latency_minutes": 10,
            "wake_after_sleep_onset_minutes": 20,
        },
        "therapy-sessions": {"modality": "vr", "started_at": an_hour_ago, "duration_minutes": 20},
        "procedures": {"kind": "nerve_block", "performed_at": an_hour_ago},
        "activity-days": {"date": (now - timedelta(days=3)).date().isoformat(), "steps": 3000},
        "medication-doses": {
            "medication_id": medication["id"],
            "status": "taken",
            "taken_at": an_hour_ago,
        },
    }
    records = {"medications": medication["id"]}
    bodies["medications"] = medication
    for collection, body in bodies.items():
        if collection != "medications":
            response = owner.post(f"/api/v1/{collection}", json=body)
            assert response.status_code == 201, response.json
            records[collection] = response.json["id"]
    return records, bodies


def _url(rule, endpoint, world):
    values = {
        "patient_id": world["owner_id"], "token_id": world["token_id"],
        "link_id": world["link_id"], "name": "pain", "filename": "css/app.css",
        "collection": "pain-entries", "record_id": world["records"]["pain-entries"],
    }  # fmt: skip
    for prefix, collection in ENDPOINT_COLLECTION.items():
        if endpoint.rpartition(".")[2].startswith(prefix + "Item"):
            values["record_id"] = world["records"][collection]
    values |= {name: world["records"][name] for name in OWNED_IDS[1:]}
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


# What a caller the rule lets in gets, for the body the test sends (a record's own body on the
# collection routes, else none): by method, then the routes that answer otherwise.
ALLOWED = {"GET": 200, "POST": 201, "PUT": 200, "PATCH": 200, "DELETE": 204}  # PUT: replaced
ANSWERS = {
    # Signed in, the landing, sign-up and sign-in pages lead on to the caller's home page.
    ("web.index", "GET"): {"anonymous": 200, "others": 302},
    ("web.signup", "GET"): {"anonymous": 200, "others": 302},
    ("web.login", "GET"): {"anonymous": 200, "others": 302},
    # Signing out needs the CSRF token (these callers send it as a header; the page's form sends
    # it as a field): a form on another site cannot sign anyone out.
    ("web.logout", "POST"): {"anonymous": 403, "others": 302},
    ("accounts.Login", "POST"): 422,  # an empty body
    ("accounts.Register", "POST"): 422,
    ("accounts.Password", "POST"): 422,
    ("accounts.Tokens", "POST"): 422,
    ("care.Links", "POST"): 422,
    ("records.Sync", "POST"): 422,
    ("accounts.Logout", "POST"): 204,
    ("accounts.TokenItem", "DELETE"): {"owner": 204, "others": 404},  # the owner's token
    # Either side of the link revokes it (the linked clinician first); a revoked link stays so.
    ("care.CareTeamLink", "DELETE"): {"owner": 204, "linked": 204, "others": 404},
    ("records.SleepEntriesItems", "POST"): {"owner": 409, "others": 201},  # one per night
    ("activity.ActivityDaysItems", "POST"): {"owner": 409, "others": 201},  # one per day
    ("activity.ActivityImports", "POST"): 415,  # a JSON body: the file comes as multipart
    # The body is the owner's medication with its id: replayed by the owner, not taken over.
    ("medications.MedicationsItems", "POST"): {"owner": 200, "others": 404},
    ("medications.MedicationDosesItems", "POST"): {"owner": 201, "others": 422},  # whose drug
    ("reminders.Read", "POST"): 200,
    ("reminders.Snooze", "POST"): 200,
    ("reminders.Taken", "POST"): 409,  # the owner's notification is a therapy reminder
    # Every patient subscribes the same browser: the first new, then each one takes it over.
    ("reminders.Subscriptions", "POST"): {"owner": 200, "others": 201},
}  # fmt: skip


PAGE_ANSWERS = {
    PATIENT_PAGE: {"owner": 200, "other_patient": 200, "others": 302},
    CLINICIAN_PAGE: {"linked": 200, "unlinked": 200, "revoked": 200, "others": 302},
    CLINICIAN_READ_PAGE: {"linked": 200, "unlinked": 404, "revoked": 404, "others": 302},
}


def expected(endpoint, method, caller, has_record_id):
    """The one status a caller gets: a refusal as the rule says, else what the route answers."""
    rule_kind = ACCESS[endpoint]
    if rule_kind in PAGE_ANSWERS:
        answer = PAGE_ANSWERS[rule_kind]
        return answer.get(caller, answer["others"])
    if caller == "anonymous" and rule_kind != PUBLIC:
        return 401
    if rule_kind == OWN and caller in CLINICIANS:
        return 403
    if rule_kind == OWN and caller == "other_patient" and has_record_id:
        return 404  # another patient's record answers like a missing one
    if rule_kind in (CLINICIAN, CLINICIAN_READ) and caller not in CLINICIANS:
        return 403
    if rule_kind == CLINICIAN_READ and caller != "linked":
        return 404  # only an active link opens the diary; the rest looks like a missing patient
    answer = ANSWERS.get((endpoint, method), ALLOWED[method])
    return answer.get(caller, answer["others"]) if isinstance(answer, dict) else answer


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_route_answers_each_caller_as_its_rule_says(app, world, endpoint):
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    url = _url(rule, endpoint, world)
    collection = next((c for p, c in ENDPOINT_COLLECTION.items() if f".{p}Item" in endpoint), None)
    # A valid body, so that a refusal is about who asks, not about what they sent.
    body = world["bodies"][collection] if collection else BODIES.get(endpoint, {})
    owner_record_ids = set(world["records"].values())
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}, key=METHOD_ORDER.index):
        for caller in CALLERS:  # the owner last: its DELETE really deletes
            client = world["callers"][caller]
            response = client.open(url, method=method, json=body if method != "GET" else None)
            owned = any(f":{name}>" in rule.rule for name in OWNED_IDS)
            status = expected(endpoint, method, caller, owned)
            response.close()
            assert response.status_code == status, f"{method} {url} as {caller}"
            if caller == "other_patient" and response.status_code == 200 and response.is_json:
                leaked = owner_record_ids & set(re.findall(r"[0-9a-f-]{36}", response.text))
                assert not leaked, f"{method} {url} showed the owner's records to another patient"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/summary", "/api/v1/summary.html", "/api/v1/charts/pain.svg", "/api/v1/export"],
)
def test_who_is_asking_is_settled_before_what_they_asked(client, clinician, path):
    # A date that is not one would be a 422 for the patient; the caller who may
    # not ask at all hears that first, and learns nothing of the route's rules.
    bad = {"from": "the first of May", "format": "nope"}
    assert client.get(path, query_string=bad).status_code == 401
    assert clinician.get(path, query_string=bad).status_code == 403
