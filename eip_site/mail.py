"""The one way the site sends email: SMTP when configured, the log otherwise."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

from .errors import DomainError

log = logging.getLogger(__name__)


class MailNotSent(DomainError):
    """The mail server could not be reached: the request is rolled back and the user told."""

    status = 503

    def __init__(self):
        super().__init__("The email could not be sent just now, so nothing was saved. "
                         "Please try again in a few minutes.")


def absolute_url(endpoint: str, **values) -> str:
    """A link for an email or a calendar; works in a request and from the command line."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def header_text(value: str) -> str:
    """A header value from text people typed: line breaks and other control characters
    become spaces, so no one's name or title can start a header line of its own."""
    return " ".join("".join(" " if ord(c) < 32 or c == "\x7f" else c for c in value).split())


def send_mail(*, to: str, subject: str, body: str,
              attachments: list[tuple[str, str, bytes]] | None = None) -> EmailMessage:
    """Send a plain-text message. ``attachments`` are (filename, mime type, bytes)."""
    cfg = current_app.config
    # Headers are not folded at 78 characters: Python folds a subject of 70-77 characters
    # whole onto a continuation line, and readers then show it with a leading space.
    msg = EmailMessage(policy=policy.default.clone(max_line_length=998))
    msg["From"] = cfg["MAIL_FROM"]
    msg["To"] = header_text(to)
    msg["Subject"] = header_text(subject)
    msg["Message-ID"] = make_msgid(domain="eip.local")
    msg.set_content(body)
    for filename, mimetype, data in attachments or []:
        maintype, subtype = mimetype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype,
                           filename=header_text(filename))

    host = cfg["SMTP_HOST"]
    if not host:
        log.info("Mail (no SMTP_HOST set, not sent)\nTo: %s\nSubject: %s\n\n%s", to, subject, body)
        return msg
    port, mode, timeout = int(cfg["SMTP_PORT"]), cfg["SMTP_TLS"], int(cfg["SMTP_TIMEOUT"])
    try:
        if mode == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if mode == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if cfg["SMTP_USERNAME"]:
                smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"])
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("Mail to %s not sent: %s", to, exc)
        raise MailNotSent() from exc
    return msg
