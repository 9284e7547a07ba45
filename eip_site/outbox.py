"""The mail outbox: every email is a row written in the same transaction as the change that
causes it, and a worker (`flask worker`, `flask send-mail --once`) sends the rows.

A row is claimed by moving its ``next_attempt_at`` a lease ahead (PostgreSQL: ``FOR UPDATE
SKIP LOCKED``, so several workers never take the same row); a worker that dies mid-batch
leaves its rows to be taken again when the lease ends. A temporary failure (connection
refused, a 4xx reply, a timeout) is tried again with exponential backoff for
``MAIL_RETRY_HOURS``; a permanent one (a 5xx reply, a refused address) stops at once. Each
message keeps the Message-ID it was given when queued, so a message sent twice after a crash
between "sent" and "marked sent" is recognisable as the same one."""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import CheckConstraint, DateTime, Integer, LargeBinary, String, Text, func, select
from sqlalchemy.orm import Mapped, defer, mapped_column

from .clock import utcnow
from .extensions import db, one_of

log = logging.getLogger(__name__)

STATES = {"waiting": "Waiting", "sent": "Sent", "failed": "Failed"}


class OutboxMessage(db.Model):
    """One email to one address, as it will be sent (headers, body and attachments)."""

    __tablename__ = "outbox_message"
    __table_args__ = (CheckConstraint(one_of("state", STATES), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))
    kind: Mapped[str | None] = mapped_column(String(20))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(10), default="waiting")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    # When the row may next be tried; while a worker holds it, the end of its lease. Indexed
    # with the state: the worker's one question is "which waiting rows are due?".
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


_WIRE = policy.compat32.clone(linesep="\r\n", max_line_length=998)


def queue(message, *, to: str, subject: str, kind: str | None = None) -> OutboxMessage:
    """Add a built message to the session: it is sent only if the transaction commits."""
    now = utcnow()
    row = OutboxMessage(message_id=message["Message-ID"], to=to, subject=subject[:998],
                        kind=kind, content=message.as_bytes(policy=_WIRE), state="waiting",
                        attempts=0, created_at=now, next_attempt_at=now)
    db.session.add(row)
    return row


# --- Claiming ---------------------------------------------------------------------------------

def claim(now: datetime, limit: int) -> list[OutboxMessage]:
    """Take up to ``limit`` due rows for this worker, in one short transaction."""
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    query = (select(OutboxMessage)
             .where(OutboxMessage.state == "waiting", OutboxMessage.next_attempt_at <= now)
             .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(db.session.scalars(query))
    for row in rows:
        row.next_attempt_at = now + lease
        row.attempts += 1
    db.session.commit()
    return rows


# --- Sending ----------------------------------------------------------------------------------

class Temporary(Exception):
    """Worth trying again later."""


class Permanent(Exception):
    """The server refused this message for good."""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                         for code, text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        return f"{exc.smtp_code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def classify(exc: BaseException) -> Exception:
    """A 5xx reply to the message or its address is permanent; anything else (no connection,
    a timeout, a 4xx reply, the server hanging up, a login refused) is temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
    elif isinstance(exc, (smtplib.SMTPDataError, smtplib.SMTPSenderRefused)):
        permanent = exc.smtp_code >= 500
    else:
        permanent = False
    return (Permanent if permanent else Temporary)(_reason(exc)[:1000])


class Connection:
    """One SMTP connection for a batch, opened on the first message."""

    def __init__(self, cfg):
        self.cfg, self.smtp = cfg, None

    def _open(self):
        cfg = self.cfg
        host, port, mode = cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), cfg["SMTP_TLS"]
        timeout = int(cfg["SMTP_TIMEOUT"])
        if mode == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if mode == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if cfg["SMTP_USERNAME"]:
                smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"])
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, row: OutboxMessage) -> None:
        if not self.cfg["SMTP_HOST"]:
            message = message_from_bytes(row.content, policy=policy.default)
            body = message.get_body(("plain",))
            log.info("Mail (no SMTP_HOST set, not sent)\nTo: %s\nSubject: %s\n\n%s", row.to,
                     row.subject, body.get_content() if body is not None else "")
            return
        sender = parseaddr(self.cfg["MAIL_FROM"])[1]
        try:
            if self.smtp is None:
                self.smtp = self._open()
            self.smtp.sendmail(sender, [row.to], row.content)
        except smtplib.SMTPRecipientsRefused as exc:
            raise classify(exc) from exc
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            self.reset()
            raise classify(exc) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise classify(exc) from exc

    def reset(self):
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most an hour apart."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def send_batch(now: datetime | None = None, limit: int = 20) -> dict[str, int]:
    """Claim and send one batch of due messages; each outcome is saved as soon as it is
    known. Returns counts of sent, retry and failed."""
    now = now or utcnow()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    rows = claim(now, limit)
    if not rows:
        return counts
    ids = [row.id for row in rows]
    give_up_after = timedelta(hours=current_app.config["MAIL_RETRY_HOURS"])
    connection = Connection(current_app.config)
    try:
        for n, row_id in enumerate(ids):
            row = db.session.get(OutboxMessage, row_id)
            try:
                connection.send(row)
                row.state, row.sent_at, row.last_error = "sent", utcnow(), None
            except Permanent as exc:
                row.state, row.last_error = "failed", str(exc)
            except Temporary as exc:
                row.last_error = str(exc)
                if now - row.created_at >= give_up_after:
                    row.state = "failed"
                    row.last_error = f"Gave up after {row.attempts} attempts: {exc}"
                else:
                    row.next_attempt_at = now + backoff(row.attempts)
            outcome = {"sent": "sent", "failed": "failed", "waiting": "retry"}[row.state]
            counts[outcome] += 1
            if outcome != "sent":
                (log.error if outcome == "failed" else log.warning)(
                    "Mail %s to %s %s: %s", row.message_id, row.to,
                    "failed" if outcome == "failed" else "will be tried again", row.last_error)
            if outcome == "retry" and connection.smtp is None:
                # No connection: the rest of the batch would fail the same way, so it
                # waits for the same retry rather than for the end of its lease.
                for rest in ids[n + 1:]:
                    db.session.get(OutboxMessage, rest).next_attempt_at = row.next_attempt_at
                counts["retry"] += len(ids) - n - 1
                db.session.commit()
                break
            db.session.commit()
    finally:
        connection.close()
    return counts


def send_due(now: datetime | None = None) -> dict[str, int]:
    """Send everything due now, batch after batch (`flask send-mail --once`)."""
    total = {"sent": 0, "retry": 0, "failed": 0}
    while True:
        counts = send_batch(now)
        for key, value in counts.items():
            total[key] += value
        if not any(counts.values()):
            return total


def retry(row: OutboxMessage) -> None:
    """An admin's "try again": a failed or waiting message is due now, with a new day of
    retries."""
    row.state, row.next_attempt_at, row.created_at = "waiting", utcnow(), utcnow()
    db.session.flush()


def run_worker(poll_seconds: float, stop=lambda: False, tick=lambda: None) -> None:
    """What `flask worker` runs: send what is due, then wait ``poll_seconds``; ``tick`` runs
    after each pass (the scheduled reminders)."""
    while not stop():
        try:
            send_due()
            tick()
        except Exception:  # the database away for a moment: log it and carry on
            db.session.rollback()
            log.exception("The mail worker's pass failed; trying again shortly")
        db.session.remove()
        time.sleep(poll_seconds)


# --- The admin page ---------------------------------------------------------------------------

def counts() -> dict[str, int]:
    """How many messages are in each state: one grouped count."""
    found = dict(db.session.execute(select(OutboxMessage.state, func.count())
                                    .group_by(OutboxMessage.state)).all())
    return {state: found.get(state, 0) for state in STATES}


def listed(state: str, limit: int = 50) -> list[OutboxMessage]:
    """The newest ``limit`` messages in ``state`` (the content is not loaded)."""
    return list(db.session.scalars(
        select(OutboxMessage).options(defer(OutboxMessage.content))
        .where(OutboxMessage.state == state)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)))


def failing() -> int:
    """Messages that failed, or are waiting after a failed attempt: for the admin's home."""
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        (OutboxMessage.state == "failed")
        | ((OutboxMessage.state == "waiting") & OutboxMessage.last_error.is_not(None))))
