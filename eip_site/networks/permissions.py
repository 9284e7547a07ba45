"""Who may do what with a network, its meetings, agenda, minutes, actions and action plan: the
rules (services check them on writes and raise Forbidden), and the loaders views call to get
the row they may use, or the 404 or 403 page. Each refusal's sentence is written once here."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import Forbidden
from ..extensions import db
from ..people.models import User
from ..security import ADMIN, LEAD, allow, found
from . import queries
from .models import Action, AgendaItem, Meeting, Network, NetworkMember

MEMBERS_ONLY = ("This network's meetings are for its members. Ask the network leader to "
                "join.")
EDITORS_ONLY = ("Only the network leader, the critical friend or a cluster lead can change "
                "this network's meetings and action plan.")
PROPOSERS_ONLY = "Only members of the network can propose agenda items."
ITEM_CHANGERS_ONLY = "Only the network leader can change or remove this item."
MINUTES_NOT_YET = ("These minutes are not available to you yet: members read them once the "
                   "meeting is held, others once they are approved.")
ACTION_CHANGERS_ONLY = "Only the action's owner or the network leader can change it."
MANAGERS_ONLY = "Only the network leader or a cluster lead can change the network itself."


# --- Rules -------------------------------------------------------------------------------

def is_lead(actor: User) -> bool:
    return actor.has_role(LEAD, ADMIN)


def can_edit(actor: User, network: Network) -> bool:
    """The leader, the critical friend and the partnership's leads run a network's meetings."""
    return is_lead(actor) or actor.id in (network.leader_id, network.critical_friend_id)


def can_manage(actor: User, network: Network) -> bool:
    """The leader and the leads change the network itself: its name, purpose, leader and
    critical friend."""
    return is_lead(actor) or actor.id == network.leader_id


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


def is_insider(actor: User, network: Network, members=None) -> bool:
    """Those who see every meeting, drafts too, and may propose items: the network's
    editors and members."""
    return can_edit(actor, network) or is_member(actor, network, members)


def can_view_meeting(actor: User, meeting: Meeting, *, member: bool | None = None) -> bool:
    network = meeting.network
    if can_edit(actor, network):
        return True
    if member if member is not None else is_member(actor, network):
        return True
    return network.is_open and meeting.reached("published")


def can_view_minutes(actor: User, meeting: Meeting, *, member: bool | None = None,
                     network: Network | None = None) -> bool:
    """``meeting`` may be a list's row of it (pages.MeetingRow), with its ``network``."""
    network = network or meeting.network
    if can_edit(actor, network):
        return True
    if member if member is not None else is_member(actor, network):
        return meeting.reached("held")
    return network.is_open and meeting.reached("minutes_approved")


def can_change_item(actor: User, item: AgendaItem) -> bool:
    """An editor, or whoever proposed the item while it waits to be accepted."""
    return can_edit(actor, item.meeting.network) or (
        item.status == "proposed" and item.proposed_by_id == actor.id)


def can_complete(actor: User, action: Action) -> bool:
    return actor.id == action.owner_id or can_edit(actor, action.network)


def require(allowed: bool, message: str) -> None:
    """A write's rule check (the loaders' ``security.allow`` for services): go on, or
    Forbidden with the rule in the user's words."""
    if not allowed:
        raise Forbidden(message)


def check_editor(actor: User, network: Network) -> None:
    """The rule most writes share: only the network's editors."""
    require(can_edit(actor, network), EDITORS_ONLY)


# --- Loaders: the row a view may use, or the 404 or 403 page -----------------------------

def network_for(user: User, network_id: int, *, edit: bool = False,
                manage: bool = False) -> Network:
    """``edit``: one whose meetings the user runs; ``manage``: one the user may change."""
    network = found(queries.network(network_id))
    if edit:
        allow(can_edit(user, network), EDITORS_ONLY)
    if manage:
        allow(can_manage(user, network), MANAGERS_ONLY)
    return network


def meetings_of(user: User, network_id: int) -> tuple[Network, bool]:
    """A network whose meetings the user may list, and whether they are an insider (who sees
    drafts too). A members-only network's list is not found by anyone else."""
    network = found(queries.network(network_id))
    insider = is_insider(user, network)
    found(network if insider or network.is_open else None)
    return network, insider


def meeting_for(user: User, meeting_id: int, *, edit: bool = False,
                propose: bool = False) -> Meeting:
    """A meeting the user may see; ``edit``: one they may change; ``propose``: one whose
    agenda they may propose items for."""
    meeting = found(queries.meeting(meeting_id))
    allow(can_view_meeting(user, meeting), MEMBERS_ONLY)
    if edit:
        allow(can_edit(user, meeting.network), EDITORS_ONLY)
    if propose:
        allow(is_insider(user, meeting.network), PROPOSERS_ONLY)
    return meeting


def minutes_for(user: User, meeting_id: int) -> Meeting:
    """A meeting whose minutes the user may read."""
    meeting = meeting_for(user, meeting_id)
    allow(can_view_minutes(user, meeting), MINUTES_NOT_YET)
    return meeting


def item_for(user: User, meeting_id: int, item_id: int, *, edit: bool = False,
             minutes: bool = False) -> AgendaItem:
    """An item of a meeting the user may see; ``edit``: one they may change; ``minutes``: an
    item on the agenda whose minutes they may write."""
    meeting = meeting_for(user, meeting_id, edit=minutes)
    item = found(queries.item(meeting.id, item_id))
    if minutes:
        found(item if item.status == "accepted" else None)
    if edit:
        allow(can_change_item(user, item), ITEM_CHANGERS_ONLY)
    return item


def action_for(user: User, action_id: int) -> Action:
    """An action the user may mark done or open again."""
    action = found(queries.action(action_id))
    allow(can_complete(user, action), ACTION_CHANGERS_ONLY)
    return action
