"""The one way the site sends email: a row in the outbox (``outbox.py``), which the worker sends
by SMTP when configured, or writes to the log otherwise."""

from __future__ import annotations

from email.charset import QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid, parseaddr

from flask import current_app

from . import outbox


def absolute_url(endpoint: str, **values) -> str:
    """A link for an email or a calendar; works in a request and from the command line."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def header_text(value: str) -> str:
    """A header value from text people typed: line breaks and other control characters
    become spaces, so no one's name or title can start a header line of its own."""
    return " ".join("".join(" " if ord(c) < 32 or c == "\x7f" else c for c in value).split())


# Bodies in quoted-printable: readable as they are for the mostly-ASCII text the site writes.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


def _header(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8", maxlinelen=998).encode()


def send_mail(*, to: str, subject: str, body: str,
              attachments: list[tuple[str, str, bytes]] | None = None,
              kind: str | None = None, headers: dict[str, str] | None = None) -> Message:
    """Queue a plain-text message in the outbox, in the current transaction: it is sent by
    the worker once the change that caused it commits, and never if it rolls back.
    ``attachments`` are (filename, mime type, bytes); ``kind`` is the notification kind
    (shown on the admin mail page); ``headers`` are extra headers (List-Unsubscribe).
    Built with the email package's classic classes: its modern header parsing cost ~3 ms a
    message, most of what queueing one costs a request."""
    cfg = current_app.config
    text = MIMEText(body, "plain", _UTF8)
    if attachments:
        msg = MIMEMultipart("mixed")
        msg.attach(text)
        for filename, mimetype, data in attachments:
            part = MIMEBase(*mimetype.split("/", 1))
            part.set_payload(data)
            encode_base64(part)
            part.add_header("Content-Disposition", "attachment", filename=header_text(filename))
            msg.attach(part)
    else:
        msg = text
    msg["From"] = cfg["MAIL_FROM"]
    msg["To"] = header_text(to)
    # Not folded at 78 characters: readers show a subject folded whole onto a continuation
    # line with a leading space.
    msg["Subject"] = _header(header_text(subject))
    msg["Message-ID"] = make_msgid(domain=parseaddr(cfg["MAIL_FROM"])[1].rpartition("@")[2]
                                   or "eip.local")
    for name, value in (headers or {}).items():
        msg[name] = _header(header_text(value))
    outbox.queue(msg, to=msg["To"], subject=header_text(subject), kind=kind)
    return msg
