"""An email address is accepted only if a reminder can be sent to it (DESIGN §6).

The reminders build their message with the email package (EmailMessage, default policy) and
hand it to smtplib; an address either refuses (the scheduler crashed on CR and LF hidden in a
quoted local part or an encoded word) or comes back as another address is refused at the door:
at registration, by PATCH /me and by `flask users create`.
"""

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from pain_diary.accounts.models import User
from pain_diary.reminders.channels.email import build_message, send_email

from .helpers import assert_invalid
from .server import free_port

NEW_PATIENT = {
    "password": "a sturdy passphrase",
    "display_name": "Ann",
    "timezone": "Europe/Berlin",
}

UNSENDABLE = [
    # What the review found: CR LF in an encoded word, a vertical tab in a quoted local part.
    pytest.param('"=?utf-8?q?=0D=0ABcc:_x?="@example.org', id="encoded-crlf-quoted"),
    pytest.param('"x\u000bx"@example.org', id="vertical-tab"),
    pytest.param('"x\rx"@example.org', id="carriage-return"),
    pytest.param('"x\nx"@example.org', id="line-feed"),
    pytest.param('"x\\\nx"@example.org', id="escaped-line-feed"),
    pytest.param('"x\\\tx"@example.org', id="escaped-tab"),
    pytest.param('"x\x01x"@example.org', id="start-of-heading"),
    pytest.param('"x\x1bx"@example.org', id="escape"),
    pytest.param('"x\x7fx"@example.org', id="delete"),
    pytest.param("=?utf-8?q?ann?=@example.org", id="encoded-word"),
    pytest.param("=?utf-8?b?YW5uQGV4YW1wbGUub3Jn?=@example.org", id="encoded-word-base64"),
    # The email package unquotes these: the message would go to ann@ and a..b@.
    pytest.param('"ann"@example.org', id="quoted-plain"),
    pytest.param('"a..b"@example.org', id="quoted-double-dot"),
    # Beyond ASCII, smtplib sends only to a server offering SMTPUTF8.
    pytest.param("ann@bücher.de", id="non-ascii-domain"),
    pytest.param("änn@example.org", id="non-ascii-local-part"),
    # Not one address.
    pytest.param("a@b@c", id="two-at-signs"),
    pytest.param("Ann <ann@example.org>", id="display-name"),
    pytest.param("ann@example.org, bob@example.org", id="comma-list"),
    pytest.param("ann(note)@example.org", id="comment"),
]

SENDABLE = [
    pytest.param("ann+diary@example.org", "ann+diary@example.org", id="plus-addressing"),
    pytest.param("ann@mail.clinic.example.co.uk", "ann@mail.clinic.example.co.uk", id="subdomains"),
    pytest.param("o'neil@example.org", "o'neil@example.org", id="apostrophe"),
    pytest.param("Ann.Smith@Example.ORG", "ann.smith@example.org", id="upper-case"),
    pytest.param("a_b-c@example-mail.org", "a_b-c@example-mail.org", id="underscore-hyphen"),
    pytest.param("ann@xn--bcher-kva.de", "ann@xn--bcher-kva.de", id="idn-domain-in-ascii"),
    pytest.param(" ann@example.org\n", "ann@example.org", id="surrounding-whitespace"),
    pytest.param('"ann@home"@example.org', '"ann@home"@example.org', id="quoted-at"),
]


def register(client, address):
    return client.post("/api/v1/auth/register", json={**NEW_PATIENT, "email": address})


def stored_emails(app, db):
    with app.app_context():
        return db.session.scalars(select(User.email)).all()


@pytest.mark.parametrize("address", UNSENDABLE)
def test_registration_refuses_an_address_no_reminder_could_reach(client, app, db, address):
    assert_invalid(register(client, address), "email")
    assert stored_emails(app, db) == []


@pytest.mark.parametrize("address", UNSENDABLE)
def test_patch_me_refuses_an_address_no_reminder_could_reach(patient, address):
    assert_invalid(patient.patch("/api/v1/me", json={"email": address}), "email")
    assert patient.get("/api/v1/me").json["email"] == patient.user.email


@pytest.mark.parametrize("address", UNSENDABLE)
def test_users_create_refuses_an_address_no_reminder_could_reach(runner, app, db, address):
    arguments = ["users", "create", "--email", address, "--password", "a sturdy passphrase"]
    result = runner.invoke(args=arguments)
    assert result.exit_code != 0
    assert "--email" in result.output
    assert stored_emails(app, db) == []


class Inbox:
    """An SMTP server's handler without SMTPUTF8 (aiosmtpd's default) that keeps each envelope."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture(scope="module")
def inbox():
    handler = Inbox()
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), server_hostname="localhost"
    )
    controller.start()
    yield SimpleMail(handler, controller.port)
    controller.stop()


class SimpleMail:
    def __init__(self, handler, port):
        self.handler = handler
        self.config = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_DEFAULT_SENDER": "Pain Diary <reminders@localhost>",
            "MAIL_TIMEOUT": 5.0,
        }


@pytest.mark.parametrize(("address", "stored"), SENDABLE)
def test_an_accepted_address_gets_its_reminder_as_itself(client, inbox, address, stored):
    response = register(client, address)
    assert response.status_code == 201, response.json
    assert response.json["email"] == stored
    message = build_message(inbox.config, stored, "Reminder", "text", "<p>html</p>")
    reparsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert [to.addr_spec for to in reparsed["To"].addresses] == [stored]
    send_email(inbox.config, stored, "Reminder", "text", "<p>html</p>")
    assert inbox.handler.envelopes[-1].rcpt_tos == [stored]


@pytest.mark.parametrize(("address", "stored"), SENDABLE)
def test_patch_me_accepts_an_address_a_reminder_reaches(patient, address, stored):
    response = patient.patch("/api/v1/me", json={"email": address})
    assert response.status_code == 200, response.json
    assert response.json["email"] == stored
