"""Who may do what with a network and its meetings, and the small checks every rule shares."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import DomainError, Forbidden  # noqa: F401  (Forbidden: re-used by services)
from ..extensions import db
from ..people.models import User
from ..security import ADMIN, LEAD
from .models import Meeting, Network, NetworkMember


# --- Who may do what ---------------------------------------------------------------------

def is_lead(actor: User) -> bool:
    return actor.has_role(LEAD, ADMIN)


def can_edit(actor: User, network: Network) -> bool:
    """The leader, the critical friend and the partnership's leads run a network's meetings."""
    return is_lead(actor) or actor.id in (network.leader_id, network.critical_friend_id)


def membership(actor: User, network: Network, members=None) -> str | None:
    """'member', 'requested' or None (the leader and critical friend count as members).
    ``members``: the network's NetworkMember rows when a page has them already."""
    if actor.id in (network.leader_id, network.critical_friend_id):
        return "member"
    if members is not None:
        return next((m.status for m in members if m.user_id == actor.id), None)
    return db.session.scalar(select(NetworkMember.status).where(
        NetworkMember.network_id == network.id, NetworkMember.user_id == actor.id))


def is_member(actor: User, network: Network, members=None) -> bool:
    return membership(actor, network, members) == "member"


def can_view_meeting(actor: User, meeting: Meeting, *, member: bool | None = None) -> bool:
    network = meeting.network
    if can_edit(actor, network):
        return True
    if member if member is not None else is_member(actor, network):
        return True
    return network.is_open and meeting.reached("published")


def can_view_minutes(actor: User, meeting: Meeting, *, member: bool | None = None) -> bool:
    network = meeting.network
    if can_edit(actor, network):
        return True
    if member if member is not None else is_member(actor, network):
        return meeting.reached("held")
    return network.is_open and meeting.reached("minutes_approved")


def _editor(actor: User, network: Network) -> None:
    if not can_edit(actor, network):
        raise Forbidden("Only the network leader, the critical friend or a cluster lead "
                        "can change this network's meetings.")


