"""A network's life: proposed by a member of staff, sponsored or declined by a cluster lead,
joined by its members, closed. Keyword-only, the acting user passed in, DomainError on a
broken rule, flush not commit."""

from __future__ import annotations

from sqlalchemy import func, select

from ..errors import DomainError, clean_text, unique_key
from ..extensions import db
from ..people.models import User
from .models import PROPOSAL_FIELDS, Network, NetworkMember
from .permissions import check_editor, is_lead, membership, require


def propose_network(*, actor: User, name: str, purpose: str, priority: str = "",
                    is_open: bool = False, **proposal: str) -> Network:
    """A member of staff proposes a network; they lead it once a lead sponsors it."""
    name = clean_text(name, field="name", label="the network's name", limit=120, required=True)

    def check_name():
        if db.session.scalar(select(Network.id).where(func.lower(Network.name) == name.lower())):
            raise DomainError("There is already a network with that name.", field="name")

    check_name()
    network = Network(name=name, leader_id=actor.id, proposed_by_id=actor.id, is_open=is_open,
                      purpose=clean_text(purpose, field="purpose", label="the network's purpose",
                                    required=True),
                      priority=clean_text(priority, field="priority",
                                     label="the partnership priority", limit=200))
    for key, label in PROPOSAL_FIELDS.items():
        setattr(network, key, clean_text(proposal.get(key, ""), field=key, label=label.lower()))
    with unique_key(check_name):
        db.session.add(network)
    return network


def decide_proposal(*, actor: User, network: Network, sponsor: bool, comment: str,
                    critical_friend_id: int | None = None) -> Network:
    """A cluster lead sponsors (naming a critical friend) or declines a proposed network."""
    require(is_lead(actor), "Only a cluster lead can sponsor or decline a network.")
    if network.status != "proposed":
        raise DomainError("This network has already been decided.")
    network.lead_comment = clean_text(comment, field="comment", label="your comment")
    if sponsor:
        if critical_friend_id is not None:
            friend = db.session.get(User, critical_friend_id)
            if friend is None or not friend.active:
                raise DomainError("Choose a critical friend from the list.",
                                  field="critical_friend")
            if friend.id == network.leader_id:
                raise DomainError("The critical friend cannot be the network's own leader.",
                                  field="critical_friend")
            network.critical_friend_id = friend.id
        network.status = "sponsored"
    else:
        network.status = "declined"
    db.session.flush()
    return network


def close_network(*, actor: User, network: Network) -> Network:
    require(is_lead(actor), "Only a cluster lead can close a network.")
    if network.status != "sponsored":
        raise DomainError("Only a running network can be closed.")
    network.status = "closed"
    db.session.flush()
    return network


def ask_to_join(*, actor: User, network: Network) -> NetworkMember:
    if network.status != "sponsored":
        raise DomainError("You can only join a network that is running.")

    def check_member():
        if membership(actor, network):
            raise DomainError("You are already a member, or have already asked to join.")

    check_member()
    row = NetworkMember(network_id=network.id, user_id=actor.id, status="requested")
    with unique_key(check_member):
        db.session.add(row)
    return row


def accept_member(*, actor: User, network: Network, user_id: int) -> NetworkMember:
    check_editor(actor, network)
    row = db.session.get(NetworkMember, (network.id, user_id))
    if row is None:
        raise DomainError("That person has not asked to join.")
    row.status = "member"
    db.session.flush()
    return row
