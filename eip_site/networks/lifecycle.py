"""A network's life: proposed by a member of staff, sponsored or declined by a cluster lead,
joined by its members, closed. Keyword-only, the acting user passed in, DomainError on a
broken rule, flush not commit."""

from __future__ import annotations

from sqlalchemy import func, select

from ..errors import DomainError, check_version, clean_text, unique_key
from ..extensions import db
from ..people.models import User
from . import notices
from .models import PROPOSAL_FIELDS, Action, Network, NetworkMember
from .permissions import MANAGERS_ONLY, can_manage, check_editor, is_lead, membership, require


def propose_network(*, actor: User, name: str, purpose: str, priority: str = "",
                    is_open: bool = False, **proposal: str) -> Network:
    """A member of staff proposes a network; they lead it once a lead sponsors it."""
    name = clean_text(name, field="name", label="the network's name", limit=120, required=True)
    check_name = _name_check(name)
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
    notices.proposed(actor, network)
    return network


def _name_check(name: str, network_id: int | None = None):
    """The check that no other network has ``name`` (any case), for ``unique_key``."""
    def check_name():
        if db.session.scalar(select(Network.id).where(func.lower(Network.name) == name.lower(),
                                                      Network.id != (network_id or 0))):
            raise DomainError("There is already a network with that name.", field="name")
    return check_name


def _friend(network: Network, critical_friend_id: int) -> User:
    friend = db.session.get(User, critical_friend_id)
    if friend is None or not friend.active:
        raise DomainError("Choose a critical friend from the list.", field="critical_friend")
    if friend.id == network.leader_id:
        raise DomainError("The critical friend cannot be the network's own leader.",
                          field="critical_friend")
    return friend


def decide_proposal(*, actor: User, network: Network, sponsor: bool, comment: str,
                    critical_friend_id: int | None = None) -> Network:
    """A cluster lead sponsors (naming a critical friend) or declines a proposed network."""
    require(is_lead(actor), "Only a cluster lead can sponsor or decline a network.")
    if network.status != "proposed":
        raise DomainError("This network has already been decided.")
    network.lead_comment = clean_text(comment, field="comment", label="your comment")
    if sponsor:
        if critical_friend_id is not None:
            network.critical_friend_id = _friend(network, critical_friend_id).id
        network.status = "sponsored"
    else:
        network.status = "declined"
    db.session.flush()
    notices.decided(actor, network)
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
    notices.join_requested(actor, network)
    return row


def accept_member(*, actor: User, network: Network, user_id: int) -> NetworkMember:
    check_editor(actor, network)
    row = db.session.get(NetworkMember, (network.id, user_id))
    if row is None:
        raise DomainError("That person has not asked to join.")
    row.status = "member"
    db.session.flush()
    notices.join_accepted(actor, network, db.session.get(User, user_id))
    return row


# --- After it starts: changed, requests declined, members removed or leaving ---------------

def update_network(*, actor: User, network: Network, name: str, purpose: str, priority: str,
                   is_open: bool, leader_id: int, critical_friend_id: int | None,
                   version: int | None = None) -> Network:
    """The leader or a lead changes the network: its words, whether it is open, its critical
    friend (named later, or another) and its leader (handed to a member, who was one; the
    old leader stays a member)."""
    require(can_manage(actor, network), MANAGERS_ONLY)
    check_version(network, version)
    if network.status in ("declined", "closed"):
        raise DomainError(f"This network is {network.status_label.lower()}: it can no "
                          "longer change.")
    name = clean_text(name, field="name", label="the network's name", limit=120, required=True)
    check_name = _name_check(name, network.id)
    check_name()
    old_leader, old_friend = network.leader_id, network.critical_friend_id
    if leader_id != old_leader:
        row = db.session.get(NetworkMember, (network.id, leader_id))
        if row is None or row.status != "member":
            raise DomainError("Choose the new leader from the network's members.",
                              field="leader")
        if db.session.get(NetworkMember, (network.id, old_leader)) is None:
            db.session.add(NetworkMember(network_id=network.id, user_id=old_leader))
        network.leader_id = leader_id
    if critical_friend_id is not None and critical_friend_id != old_friend:
        network.critical_friend_id = _friend(network, critical_friend_id).id
    elif critical_friend_id is None:
        network.critical_friend_id = None
    if network.critical_friend_id is not None and network.critical_friend_id == leader_id:
        raise DomainError("The critical friend cannot be the network's own leader.",
                          field="critical_friend")
    network.name, network.is_open = name, bool(is_open)
    network.purpose = clean_text(purpose, field="purpose", label="the network's purpose",
                                 required=True)
    network.priority = clean_text(priority, field="priority", label="the partnership priority",
                                  limit=200)
    with unique_key(check_name):
        db.session.flush()
    db.session.expire(network, ["leader", "critical_friend"])
    if network.leader_id != old_leader:
        notices.handed_over(actor, network)
    if network.critical_friend_id not in (None, old_friend):
        notices.friend_named(actor, network)
    return network


def _request(network: Network, user_id: int) -> NetworkMember:
    row = db.session.get(NetworkMember, (network.id, user_id))
    if row is None or row.status != "requested":
        raise DomainError("That request has already been answered or withdrawn.")
    return row


def decline_member(*, actor: User, network: Network, user_id: int,
                   reason: str = "") -> User:
    """The request is turned down (and gone: they may ask again later); they are told why."""
    check_editor(actor, network)
    row = _request(network, user_id)
    reason = _reason(reason)
    person = _drop(row)
    notices.join_declined(actor, network, person, reason)
    return person


def _reason(reason: str) -> str:
    return clean_text(reason, field="reason", label="the reason", limit=1000)


def _drop(row: NetworkMember) -> User:
    """The membership or request ends; returns whose it was."""
    person = row.user
    db.session.delete(row)
    db.session.flush()
    return person


def open_actions_of(network: Network, user_id: int) -> list[Action]:
    return list(db.session.scalars(select(Action).where(
        Action.network_id == network.id, Action.owner_id == user_id, Action.status == "open")
        .order_by(Action.due_on, Action.id)))


def _member_row(network: Network, user_id: int) -> NetworkMember:
    if user_id == network.leader_id:
        raise DomainError("The network leader cannot be removed or leave: hand the network "
                          "over to another member first, on the page that changes it.")
    if user_id == network.critical_friend_id:
        raise DomainError("The critical friend is named on the page that changes the network: "
                          "name another there first.")
    row = db.session.get(NetworkMember, (network.id, user_id))
    if row is None:
        raise DomainError("That person is not a member of the network.")
    return row


def remove_member(*, actor: User, network: Network, user_id: int,
                  reason: str = "") -> list[Action]:
    """An editor removes a member, who is told. Their open actions stay, theirs until the
    leader gives them to someone else (the network's page marks them); returns them."""
    check_editor(actor, network)
    row = _member_row(network, user_id)
    reason = _reason(reason)
    person = _drop(row)
    if row.status == "member":
        notices.member_removed(actor, network, person, reason)
    return open_actions_of(network, user_id)


def leave_network(*, actor: User, network: Network) -> list[Action]:
    """A member leaves (or withdraws a request to join); the leader is told. The leader
    hands the network over first. Returns their open actions, which stay for the leader to
    reassign."""
    row = _member_row(network, actor.id)
    _drop(row)
    if row.status == "member":
        notices.member_left(actor, network)
    return open_actions_of(network, actor.id)
