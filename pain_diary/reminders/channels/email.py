"""Send a reminder by email over SMTP, with no health data in it.

Configuration uses Flask-Mail's names (``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USE_TLS`` for
STARTTLS, ``MAIL_USE_SSL`` for implicit TLS, ``MAIL_USERNAME``, ``MAIL_PASSWORD``,
``MAIL_DEFAULT_SENDER``) plus ``MAIL_TIMEOUT`` in seconds; without ``MAIL_SERVER`` email is off.
The standard library's smtplib is enough for one message per delivery: no extension to initialise.
"""

import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from markupsafe import Markup


class EmailFailed(Exception):
    """The SMTP server did not take the message; ``reason`` is a short code for the delivery row.

    The message is the reason alone: delivery rows and logs must not carry the address, and the
    server's own reply often quotes it ("550 <sam@example.org>: no such user").
    """

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def email_configured(config):
    """Tell whether email reminders can be sent at all."""
    return bool(config.get("MAIL_SERVER"))


def build_message(config, to, subject, text, html):
    """Build a plain-text message with an HTML alternative, marked as sent by a machine."""
    sender = config["MAIL_DEFAULT_SENDER"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=domain)
    # RFC 3834: vacation autoresponders must not answer a reminder.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send_email(config, to, subject, text, html):
    """Hand one message to the configured SMTP server.

    :raise EmailFailed: the server refused it or could not be reached, or the address is one
        the email package cannot write into a message (``invalid_address``).
    :raise RuntimeError: email is not configured; the caller records a skip instead of calling.
    """
    if not email_configured(config):
        raise RuntimeError("send_email called without MAIL_SERVER")
    try:
        message = build_message(config, to, subject, text, html)
    except (ValueError, TypeError, IndexError):  # an address the email package refuses
        raise EmailFailed("invalid_address") from None
    context = ssl.create_default_context()
    timeout = config.get("MAIL_TIMEOUT", 10.0)
    host, port = config["MAIL_SERVER"], config.get("MAIL_PORT", 587)
    try:
        # The constructor connects and reads the greeting; it closes its own socket on failure.
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
    except (smtplib.SMTPException, OSError) as error:
        raise EmailFailed(_reason(error)) from None
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            _starttls(smtp, context)
        if config.get("MAIL_USERNAME"):
            _login(smtp, config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
    except EmailFailed:
        smtp.close()
        raise
    except (smtplib.SMTPException, OSError) as error:
        smtp.close()
        raise EmailFailed(_reason(error)) from None
    # The message is accepted: a failing QUIT must not turn it into a failure that gets retried.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        smtp.close()


def _starttls(smtp, context):
    try:
        smtp.starttls(context=context)
    except smtplib.SMTPNotSupportedError:
        raise EmailFailed("tls_error") from None


def _login(smtp, username, password):
    try:
        smtp.login(username, password)
    except (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError):
        raise EmailFailed("auth_error") from None


def _reason(error):
    """Name an smtplib, ssl or socket error by a short code, never by its text."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # One recipient per message, so its code is the message's.
        codes = [code for code, _reply in error.recipients.values()]
        return f"smtp_{codes[0]}" if codes else "smtp_error"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"smtp_{error.smtp_code}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        # smtplib turns a reply that never comes into a disconnection, keeping the timeout as
        # the context.
        return "timeout" if isinstance(error.__context__, TimeoutError) else "connection_error"
    if isinstance(error, smtplib.SMTPException):
        return "smtp_error"
    # ssl.SSLError and TimeoutError are OSErrors too, so they are told apart first.
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return "tls_error"
    if isinstance(error, TimeoutError):
        return "timeout"
    return "connection_error"


def reminder_email(config, greeting_name, headline):
    """Write a reminder as (subject, text, html) from the headline and the name alone.

    Nothing else goes in: an email can be read over a shoulder or on a lock screen, so the caller
    passes a headline free of health data ("Time for your 20:00 medication"). The signature is
    the sender's display name, so a deployment that wants a discreet one sets it there.
    """
    name = " ".join((greeting_name or "").split())
    signature = parseaddr(config["MAIL_DEFAULT_SENDER"])[0]
    settings_url = f"{config['PUBLIC_URL']}/reminders"
    sentence = headline if headline.endswith((".", "!", "?")) else f"{headline}."
    greeting = f"Hello {name}," if name else "Hello,"
    text = (
        f"{greeting}\n\n"
        f"{sentence}\n"
        "Whenever you are ready, it only takes a moment.\n\n"
        "You can change when and how you are reminded, or turn email reminders off,\n"
        f"in your reminder settings: {settings_url}\n"
    )
    html = Markup(
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>{subject}</title></head>\n<body>\n"
        "<p>{greeting}</p>\n"
        "<p>{sentence}<br>Whenever you are ready, it only takes a moment.</p>\n"
        "<p>You can change when and how you are reminded, or turn email reminders off, in your "
        '<a href="{settings_url}">reminder settings</a>:<br>{settings_url}</p>\n'
    ).format(subject=headline, greeting=greeting, sentence=sentence, settings_url=settings_url)
    if signature:
        text += f"\n{signature}\n"
        html += Markup("<p>{signature}</p>\n").format(signature=signature)
    html += Markup("</body>\n</html>\n")
    return headline, text, str(html)
