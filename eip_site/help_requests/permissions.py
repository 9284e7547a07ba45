"""Who may see what of a request for help: its sender and its recipient, nobody else."""

from __future__ import annotations

from ..extensions import db
from ..people.models import User
from ..security import found
from . import queries, services


def recipient_for(user, user_id: int) -> User:
    """The colleague ``user`` may ask for help; a rule that stops it (themselves, an account
    not set up) is a page of its own, before any form."""
    recipient = found(db.session.get(User, user_id))
    services.check_can_ask(actor=user, recipient=recipient)
    return recipient


def request_for(user, request_id: int):
    """A request ``user`` sent or received; anyone else's is not found, not forbidden, so
    that its existence says nothing."""
    return found(queries.request_for(actor=user, request_id=request_id))
