"""Erasing a person: their name and email replaced by "Former member (School)", what is
only theirs deleted, what others rely on kept (pointing at the renamed row), as
``registry.PERSON_TABLES`` says table by table. Refused while they are booked on a review
or workshop to come, or lead a network: those are reassigned first."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update

from .. import audit
from ..clock import today, utcnow
from ..directory.models import HelpRequest
from ..errors import DomainError
from ..extensions import db
from ..networks.models import Network
from ..people.models import User, new_session_token
from ..people.services import can_manage
from ..reviews.models import OPEN_STATES, Review, ReviewMember
from ..security import ADMIN, LEAD
from .registry import PERSON_TABLES

PLACEHOLDER_DOMAIN = "erased.invalid"  # RFC 2606: never delivered
REMOVED = "(Removed: the sender's data was erased.)"


@dataclass
class Blocker:
    what: str
    endpoint: str  # where to reassign it (a link: url_for(endpoint, **args))
    args: dict


def may_erase(actor: User | None, person: User) -> bool:
    """Leads and admins (``None``: the retention rule) erase anyone they manage, but
    not themselves."""
    if actor is None:
        return True
    return actor.has_role(LEAD, ADMIN) and can_manage(actor, person) and actor.id != person.id


def blockers(person: User) -> list[Blocker]:
    """What must be reassigned before ``person`` can be erased, with where to do it."""
    now = today()
    out: list[Blocker] = []
    reviews = db.session.scalars(select(Review).where(
        Review.state.in_(OPEN_STATES), or_(
            Review.id.in_(select(ReviewMember.review_id).where(
                ReviewMember.user_id == person.id)),
            Review.facilitator_id == person.id)).order_by(Review.start_date)).all()
    for review in reviews:
        link = "reviews.detail", {"review_id": review.id}
        if any(m.user_id == person.id for m in review.members) and review.end_date >= now:
            out.append(Blocker(f"On the team of the peer review of {review.host_school.name} "
                               f"({review.start_date:%-d %B %Y})", *link))
        if review.facilitator_id == person.id and review.workshop_date \
                and review.workshop_date >= now:
            out.append(Blocker(f"Facilitating the improvement workshop of the peer review of "
                               f"{review.host_school.name}", *link))
    for network in db.session.scalars(select(Network).where(
            Network.leader_id == person.id,
            Network.status.in_(("proposed", "sponsored"))).order_by(Network.name)):
        out.append(Blocker(f"Leading the network {network.name}",
                           "networks.network", {"network_id": network.id}))
    return out


def former_name(person: User) -> str:
    return f"Former member ({person.school.name})" if person.school else "Former member"


def erase(*, actor: User | None, person: User) -> dict[str, int]:
    """Erase ``person`` (flush, no commit); returns the rows deleted by table. Irreversible."""
    if not may_erase(actor, person):
        raise DomainError("Only a cluster lead or an administrator can erase this person.")
    if person.erased_at is not None:
        raise DomainError("This person's data has already been erased.")
    if person.has_role(ADMIN) and actor is not None:
        raise DomainError("Take away the administrator role before erasing this person.")
    if found := blockers(person):
        raise DomainError("Reassign these first: " + "; ".join(b.what for b in found) + ".")
    tables = {t.name: t for t in db.metadata.sorted_tables}
    deleted: dict[str, int] = {}
    for name, held in PERSON_TABLES.items():
        if held.erase != "delete":
            continue
        table = tables[name]
        columns = [table.c[c] for c in held.delete_by] if held.delete_by else \
            [fk.parent for fk in table.foreign_keys if fk.column.table.name == "user"]
        count = db.session.execute(delete(table).where(
            or_(*[c == person.id for c in columns]))).rowcount
        if count:
            deleted[name] = count
    db.session.execute(update(HelpRequest).where(HelpRequest.from_user_id == person.id)
                       .values(message=REMOVED))
    person.name = former_name(person)
    person.email = f"erased-{person.id}-{secrets.token_hex(4)}@{PLACEHOLDER_DOMAIN}"
    person.job_title = ""
    person.password_hash = None
    person.active = False
    person.session_token = new_session_token()
    person.erased_at = utcnow()
    person.deactivated_at = person.deactivated_at or person.erased_at
    db.session.expire(person, ["role_rows"])
    audit.record("account.erased", actor=actor or audit.SYSTEM, obj=person, summary=(
        "Erased by the retention rule" if actor is None else "Erased by a lead or administrator")
        + (": " + ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in deleted.items())
           if deleted else ""))
    db.session.flush()
    return deleted
