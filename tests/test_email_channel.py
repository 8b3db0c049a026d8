"""Send reminder email through a real SMTP server (aiosmtpd) listening on 127.0.0.1."""

import email
import email.policy
import ipaddress
import socket
import ssl
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pain_diary.reminders.channels.email import (
    EmailFailed,
    email_configured,
    reminder_email,
    send_email,
)

from .server import free_port

TO = "sam@example.org"
HEADLINE = "Time for your evening check-in"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts, with the login that sent it."""

    def __init__(self):
        self.envelopes = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.logins.append(session.login_data)
        return "250 OK"


class RefusingInbox(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 <sam@example.org>: no such user"


class GrumpyQuitInbox(Inbox):
    async def handle_QUIT(self, server, session, envelope):
        return "554 Not now"


def authenticator(server, session, envelope, mechanism, auth_data):
    accepted = isinstance(auth_data, LoginPassword) and auth_data == (b"reminders", b"s3cret")
    return AuthResult(success=accepted, handled=False, auth_data=auth_data)


@pytest.fixture
def smtp_server():
    """Start aiosmtpd servers for one test and stop every one of them afterwards."""
    controllers = []

    def start(handler, **options):
        # Controller 1.4.6 checks its port by connecting to it, so port 0 cannot be used.
        controller = Controller(
            handler, hostname="127.0.0.1", port=free_port(), server_hostname="localhost", **options
        )
        controller.start()
        controllers.append(controller)
        return controller.port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1, as (certificate path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_tls_context(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def mail_config(port, **overrides):
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "Pain Diary <reminders@diary.example>",
        "MAIL_TIMEOUT": 5.0,
        "PUBLIC_URL": "https://diary.example",
        **overrides,
    }


def send_reminder(config, name="Sam"):
    send_email(config, TO, *reminder_email(config, name, HEADLINE))


def received(inbox):
    [envelope] = inbox.envelopes
    return envelope, email.message_from_bytes(envelope.content, policy=email.policy.default)


def test_reminder_arrives_as_text_and_html_with_the_settings_link(smtp_server):
    inbox = Inbox()
    send_reminder(mail_config(smtp_server(inbox)), name="<b>Sam</b>")

    envelope, message = received(inbox)
    assert envelope.mail_from == "reminders@diary.example"
    assert envelope.rcpt_tos == [TO]
    assert message["To"] == TO
    assert message["Subject"] == HEADLINE
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@diary.example>")
    assert message["Date"].datetime.tzinfo is not None
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "https://diary.example/reminders" in body
        assert "turn email reminders off" in body
    assert "Hello <b>Sam</b>," in text
    assert "&lt;b&gt;Sam&lt;/b&gt;" in html
    assert "<b>Sam" not in html
    assert '<a href="https://diary.example/reminders">' in html


def test_login_with_the_configured_credentials(smtp_server):
    inbox = Inbox()
    port = smtp_server(inbox, authenticator=authenticator, auth_require_tls=False)
    send_reminder(mail_config(port, MAIL_USERNAME="reminders", MAIL_PASSWORD="s3cret"))

    assert inbox.logins == [b"reminders"]


def test_wrong_credentials_fail_as_auth_error(smtp_server):
    inbox = Inbox()
    port = smtp_server(inbox, authenticator=authenticator, auth_require_tls=False)
    with pytest.raises(EmailFailed) as failed:
        send_reminder(mail_config(port, MAIL_USERNAME="reminders", MAIL_PASSWORD="wrong"))

    assert failed.value.reason == "auth_error"
    assert inbox.envelopes == []


def test_starttls_then_login(smtp_server, certificate, monkeypatch):
    inbox = Inbox()
    # The server only offers AUTH once the session is encrypted (auth_require_tls defaults on).
    port = smtp_server(
        inbox,
        tls_context=server_tls_context(certificate),
        require_starttls=True,
        authenticator=authenticator,
    )
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    monkeypatch.setattr(ssl, "create_default_context", lambda *args, **kwargs: trusting)
    config = mail_config(port, MAIL_USE_TLS=True, MAIL_USERNAME="reminders", MAIL_PASSWORD="s3cret")
    send_reminder(config)

    assert inbox.logins == [b"reminders"]


def test_an_untrusted_certificate_fails_as_tls_error(smtp_server, certificate):
    port = smtp_server(Inbox(), ssl_context=server_tls_context(certificate))
    with pytest.raises(EmailFailed) as failed:
        send_reminder(mail_config(port, MAIL_USE_SSL=True))

    assert failed.value.reason == "tls_error"


def test_a_server_without_starttls_fails_as_tls_error(smtp_server):
    inbox = Inbox()
    with pytest.raises(EmailFailed) as failed:
        send_reminder(mail_config(smtp_server(inbox), MAIL_USE_TLS=True))

    assert failed.value.reason == "tls_error"
    assert inbox.envelopes == []


def test_a_refused_recipient_fails_with_the_code_and_without_the_address(smtp_server):
    with pytest.raises(EmailFailed) as failed:
        send_reminder(mail_config(smtp_server(RefusingInbox())))

    assert failed.value.reason == "smtp_550"
    assert str(failed.value) == "smtp_550"
    # The server's reply quotes the address; it must not travel in a chained traceback.
    assert failed.value.__suppress_context__


def test_a_failing_quit_after_acceptance_is_still_sent(smtp_server):
    inbox = GrumpyQuitInbox()
    send_reminder(mail_config(smtp_server(inbox)))

    assert len(inbox.envelopes) == 1


def test_a_closed_port_fails_as_connection_error():
    with pytest.raises(EmailFailed) as failed:
        send_reminder(mail_config(free_port()))

    assert failed.value.reason == "connection_error"


def test_a_silent_server_fails_as_timeout():
    # The kernel accepts the connection into the backlog, but nobody ever sends a greeting.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        with pytest.raises(EmailFailed) as failed:
            send_reminder(mail_config(port, MAIL_TIMEOUT=0.2))

    assert failed.value.reason == "timeout"


@pytest.mark.parametrize("server", [None, ""])
def test_email_is_off_without_mail_server(server):
    config = mail_config(25, MAIL_SERVER=server)

    assert not email_configured(config)
    with pytest.raises(RuntimeError):
        send_reminder(config)


def test_email_is_on_with_mail_server():
    assert email_configured(mail_config(25))


def test_reminder_is_built_from_the_headline_and_name_alone():
    config = mail_config(25)
    medication = reminder_email(config, "Sam", "Time for your 20:00 medication")
    check_in = reminder_email(config, "Alex", "Time for your evening check-in")

    def template(parts, name, headline):
        return [part.replace(headline, "HEADLINE").replace(name, "NAME") for part in parts]

    # Whatever differs between two reminders comes from the two things the caller passed.
    assert template(medication, "Sam", "Time for your 20:00 medication") == template(
        check_in, "Alex", "Time for your evening check-in"
    )
    assert "20:00" not in "".join(check_in)


def test_reminder_without_a_name_still_greets():
    subject, text, html = reminder_email(mail_config(25), "  ", HEADLINE)

    assert subject == HEADLINE
    assert text.startswith("Hello,\n")
    assert "<p>Hello,</p>" in html
