"""Reminders: each feature gives the reminders due on a day; the daily run sends each once,
through the notice table, then the digests."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..people.models import User
from .models import SentReminder
from .notices import tell
from .services import daily, send_digests

log = logging.getLogger(__name__)


@dataclass
class Reminder:
    user: User
    key: str
    subject: str
    body: str
    event: str  # its row in the notice table (notices.NOTICES)


def add_reminders(app, source) -> None:
    """A feature's reminders: ``source(today, now)`` returns those due today. Notifications
    sends each once without knowing the feature (a shared module imports none)."""
    app.extensions.setdefault("eip_reminders", []).append(source)


def due_reminders(today: date, now: datetime) -> list[Reminder]:
    """Every reminder that is due today, before checking which went out already."""
    out = [reminder for source in current_app.extensions.get("eip_reminders", ())
           for reminder in source(today, now)]
    return [r for r in out if r.user is not None and r.user.active]


def send_reminders(today: date, now: datetime) -> dict[str, int]:
    """Send each due reminder once (as the person chose: now, digest or not at all), then the
    digests. Safe to run twice: a reminder is recorded before it is sent, under a unique key,
    in the same transaction as the sending."""
    counts = {"sent": 0, "digest": 0, "off": 0, "already": 0, "digests": 0}
    for reminder in due_reminders(today, now):
        try:
            db.session.add(SentReminder(user_id=reminder.user.id, key=reminder.key))
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            counts["already"] += 1
            continue
        mode = tell(reminder.event, [reminder.user], subject=reminder.subject,
                    body=reminder.body).get(reminder.user.id, "none")
        counts[{"now": "sent", "digest": "digest", "none": "off"}[mode]] += 1
        db.session.commit()
    counts["digests"] = send_digests()
    log.info("Reminders: %s", counts)
    return counts


def scheduled_reminders(hour: int):
    """The worker's daily run of `send-reminders` at ``hour`` (London; -1: never): a function
    to call after each pass, which runs them once a day from that hour on."""
    return daily(hour, send_reminders)
