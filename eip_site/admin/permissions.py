"""Who may manage which account: the loader the account pages share."""

from __future__ import annotations

from ..extensions import db
from ..people.models import User
from ..people.services import can_manage
from ..security import allow, found


def account_for(actor: User, user_id: int) -> User:
    """The account ``actor`` may manage, or the 404/403 page."""
    user = found(db.session.get(User, user_id))
    allow(can_manage(actor, user), "You can only manage accounts at your own school.")
    return user
