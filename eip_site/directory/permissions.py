"""Who may see and change a profile in the directory: the rule, and the loader views call.
Services check the same rule again for every write (``errors.Forbidden``)."""

from __future__ import annotations

from ..people.models import User
from ..security import ADMIN, HEAD, LEAD, allow, found
from . import queries

EDIT_PROFILE = "You can only change your own profile."
CONFIRM_QUALIFICATION = ("A head of the person's school or a cluster lead confirms their "
                         "training, and nobody confirms their own.")


def can_edit_profile(actor: User, user: User) -> bool:
    """Your own; a head their own school's staff; a lead or admin anyone."""
    if actor.id == user.id or actor.has_role(LEAD, ADMIN):
        return True
    return actor.has_role(HEAD) and actor.school_id is not None \
        and actor.school_id == user.school_id


def can_confirm_qualifications(actor: User, user: User) -> bool:
    """A head of the person's school, or a lead; never the person themselves."""
    if actor.id == user.id:
        return False
    return actor.has_role(LEAD) or (actor.has_role(HEAD) and actor.school_id is not None
                                    and actor.school_id == user.school_id)


def profile_for(user: User, person_id: int | None, *, edit: bool = False) -> User:
    """The person whose profile ``user`` opens, their own without ``person_id``. A deactivated
    account is not found, except by leads and admins; ``edit``: ``user`` may change it."""
    person = queries.profile(person_id or user.id)
    found(person if person is not None and (person.active or user.has_role(LEAD, ADMIN))
          else None)
    if edit:
        allow(can_edit_profile(user, person), EDIT_PROFILE)
    return person
