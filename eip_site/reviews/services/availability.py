"""A person's own calendar: the days they cannot review, and their subscription link."""

from __future__ import annotations

import secrets
from datetime import date

from ...clock import today
from ...errors import DomainError
from ...extensions import db
from ...people.models import User
from ..models import CalendarFeed, Unavailable
from .booking import MAX_AHEAD


def set_unavailable(*, actor: User, day: date | None, available: bool) -> None:
    if day is None:
        raise DomainError("Enter a date.", field="day")
    if day < today():
        raise DomainError("Choose today or a later date.", field="day")
    if day > today() + MAX_AHEAD:
        raise DomainError("Choose a date within the next two years.", field="day")
    exists = db.session.get(Unavailable, (actor.id, day))
    if available and exists:
        db.session.delete(exists)
    elif not available and not exists:
        db.session.add(Unavailable(user_id=actor.id, day=day))
    db.session.flush()


def feed_token(*, user: User, reset: bool = False) -> str:
    """The secret in the person's calendar link, made on first use; ``reset``: a new one,
    and the old link stops working."""
    row = db.session.get(CalendarFeed, user.id)
    if row is None:
        row = CalendarFeed(user_id=user.id, token=secrets.token_urlsafe(24))
        db.session.add(row)
    elif reset:
        row.token = secrets.token_urlsafe(24)
    db.session.flush()
    return row.token
