"""Signing out deletes that browser's push subscription (DESIGN.md §5), and no other.

The browser names its subscription by its endpoint, sent with the sign-out: the page's form
field ``push_endpoint``, or the API's ``{"push_endpoint": ...}``.
"""

import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from pain_diary.reminders.models import PushSubscription

from .push_service import b64url, point

SUBSCRIPTIONS = "/api/v1/push-subscriptions"
#: A public address in digits: checking it needs no DNS, and nothing is sent to it here.
PUSH_SERVICE = "https://1.2.3.4"
THIS_BROWSER = f"{PUSH_SERVICE}/wpush/v2/this-phone"
OTHER_BROWSER = f"{PUSH_SERVICE}/wpush/v2/laptop"
NEIGHBOURS_BROWSER = f"{PUSH_SERVICE}/wpush/v2/neighbours-phone"


def subscribe(client, endpoint):
    keys = {"p256dh": b64url(point(ec.generate_private_key(ec.SECP256R1()))),
            "auth": b64url(os.urandom(16))}  # fmt: skip
    response = client.post(SUBSCRIPTIONS, json={"endpoint": endpoint, "keys": keys})
    assert response.status_code == 201, response.json


def stored(app, world):
    """``{(patient id, endpoint)}`` of the world's patients' subscriptions, in the database."""
    patients = {client.user.id for client in world}
    with app.app_context():
        rows = PushSubscription.query.all()
        return {(str(s.patient_id), s.endpoint) for s in rows if str(s.patient_id) in patients}


@pytest.fixture
def world(app, accounts):
    """A patient subscribed on this phone and on a laptop, and a neighbour on their own phone."""
    patient = accounts.signed_in()
    laptop = accounts.login(app.test_client(), patient.user)
    neighbour = accounts.signed_in()
    subscribe(patient, THIS_BROWSER)
    subscribe(laptop, OTHER_BROWSER)
    subscribe(neighbour, NEIGHBOURS_BROWSER)
    return patient, laptop, neighbour


def test_signing_out_through_the_api_deletes_the_named_browsers_subscription(app, world):
    patient, laptop, neighbour = world
    response = patient.post("/api/v1/auth/logout", json={"push_endpoint": THIS_BROWSER})
    assert response.status_code == 204
    assert stored(app, world) == {
        (patient.user.id, OTHER_BROWSER), (neighbour.user.id, NEIGHBOURS_BROWSER),
    }  # fmt: skip
    assert patient.get("/api/v1/me").status_code == 401
    assert [s["endpoint"] for s in laptop.get(SUBSCRIPTIONS).json] == [OTHER_BROWSER]


def test_the_sign_out_form_deletes_the_subscription_of_its_browser(app, world):
    patient, _, neighbour = world
    token = patient.get("/api/v1/me").json["csrf_token"]
    response = patient.post("/logout", data={"csrf_token": token, "push_endpoint": THIS_BROWSER})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert stored(app, world) == {
        (patient.user.id, OTHER_BROWSER), (neighbour.user.id, NEIGHBOURS_BROWSER),
    }  # fmt: skip


def test_signing_out_never_deletes_another_patients_subscription(app, world):
    patient, _, neighbour = world
    before = stored(app, world)
    assert patient.post(
        "/api/v1/auth/logout", json={"push_endpoint": NEIGHBOURS_BROWSER}
    ).status_code == 204  # fmt: skip
    assert stored(app, world) == before
    assert [s["endpoint"] for s in neighbour.get(SUBSCRIPTIONS).json] == [NEIGHBOURS_BROWSER]


@pytest.mark.parametrize("body", [None, {}, {"push_endpoint": ""}, {"push_endpoint": None}])
def test_signing_out_from_a_browser_without_a_subscription_deletes_none(app, world, body):
    patient, *_ = world
    before = stored(app, world)
    kwargs = {} if body is None else {"json": body}
    assert patient.post("/api/v1/auth/logout", **kwargs).status_code == 204
    assert patient.get("/api/v1/me").status_code == 401
    assert stored(app, world) == before


def test_an_endpoint_that_is_not_text_is_refused(patient):
    response = patient.post("/api/v1/auth/logout", json={"push_endpoint": 5})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"push_endpoint": ["Not a valid string."]}
