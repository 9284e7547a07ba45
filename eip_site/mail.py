"""The one way the site sends email: a row in the outbox (``outbox.py``), which the worker sends
by SMTP when configured, or writes to the log otherwise."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

from flask import current_app

from . import outbox

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def absolute_url(endpoint: str, **values) -> str:
    """A link for an email or a calendar; works in a request and from the command line."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def header_text(value: str) -> str:
    """A header value from anyone's text on one line: a CR, LF or other control character
    in a name or a title can never start a header of its own."""
    return " ".join(_CONTROL.sub(" ", str(value)).split())


def send_mail(*, to: str, subject: str, body: str,
              attachments: list[tuple[str, str, bytes]] | None = None,
              kind: str | None = None, headers: dict[str, str] | None = None) -> EmailMessage:
    """Queue a plain-text message in the outbox, in the current transaction: it is sent by
    the worker once the change that caused it commits, and never if it rolls back.
    ``attachments`` are (filename, mime type, bytes); ``kind`` is the notification kind
    (shown on the admin mail page); ``headers`` are extra headers (List-Unsubscribe)."""
    cfg = current_app.config
    # Headers are not folded at 78 characters: Python folds a subject of 70-77 characters
    # whole onto a continuation line, and readers then show it with a leading space.
    msg = EmailMessage(policy=policy.default.clone(max_line_length=998))
    msg["From"] = cfg["MAIL_FROM"]
    msg["To"] = header_text(to)
    msg["Subject"] = header_text(subject)
    msg["Message-ID"] = make_msgid(domain=parseaddr(cfg["MAIL_FROM"])[1].rpartition("@")[2] or "eip.local")
    for name, value in (headers or {}).items():
        msg[name] = header_text(value)
    msg.set_content(body)
    for filename, mimetype, data in attachments or []:
        maintype, subtype = mimetype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    outbox.queue(msg, kind=kind)
    return msg
