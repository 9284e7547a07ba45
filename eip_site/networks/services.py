"""Rules for networks, meetings, agendas, minutes and actions.
Keyword-only, the acting user passed in, DomainError on a broken rule, flush not commit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select, update

from ..clock import LONDON, utcnow
from ..errors import DomainError, StaleEdit
from ..extensions import db
from ..people.models import School, User
from ..security import ADMIN, LEAD
from .markup import html_tag_in
from .models import (
    ATTENDANCE,
    ITEM_KINDS,
    PLAN_STATUSES,
    PROPOSAL_FIELDS,
    STANDARD_ITEMS,
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MinutesRevision,
    Network,
    NetworkMember,
    PlanRow,
)

MAX_TITLE = 200
MAX_DURATION = 240
MAX_TEXT = 5000
MAX_MINUTES = 20000

# The standard agenda: (standard, kind, minutes). Ordinary items go before "aob".
TEMPLATE = [("welcome", "information", 5), ("minutes", "decision", 5),
            ("matters", "discussion", 10), ("aob", "discussion", 5), ("next", "information", 5)]


class Forbidden(DomainError):
    status = 403


# --- Who may do what ---------------------------------------------------------------------

def is_lead(actor: User) -> bool:
    return actor.has_role(LEAD, ADMIN)


def can_edit(actor: User, network: Network) -> bool:
    """The leader, the critical friend and the partnership's leads run a network's meetings."""
    return is_lead(actor) or actor.id in (network.leader_id, network.critical_friend_id)


def membership(actor: User, network: Network) -> str | None:
    """'member', 'requested' or None (the leader and critical friend count as members)."""
    if actor.id in (network.leader_id, network.critical_friend_id):
        return "member"
    return db.session.scalar(select(NetworkMember.status).where(
        NetworkMember.network_id == network.id, NetworkMember.user_id == actor.id))


def is_member(actor: User, network: Network) -> bool:
    return membership(actor, network) == "member"


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


def _check_version(row, version: int | None) -> None:
    if version is not None and row.version != version:
        raise StaleEdit()


def _text(value: str, *, field: str, label: str, limit: int = MAX_TEXT,
          required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"Enter {label}.", field=field)
    if len(value) > limit:
        raise DomainError(f"{label[0].upper()}{label[1:]} must be {limit:,} characters or fewer.",
                          field=field)
    return value


# --- Networks ----------------------------------------------------------------------------

def propose_network(*, actor: User, name: str, purpose: str, priority: str = "",
                    is_open: bool = False, **proposal: str) -> Network:
    """A member of staff proposes a network; they lead it once a lead sponsors it."""
    name = _text(name, field="name", label="the network's name", limit=120, required=True)
    if db.session.scalar(select(Network.id).where(func.lower(Network.name) == name.lower())):
        raise DomainError("There is already a network with that name.", field="name")
    network = Network(name=name, leader_id=actor.id, proposed_by_id=actor.id, is_open=is_open,
                      purpose=_text(purpose, field="purpose", label="the network's purpose",
                                    required=True),
                      priority=_text(priority, field="priority",
                                     label="the partnership priority", limit=200))
    for key, label in PROPOSAL_FIELDS.items():
        setattr(network, key, _text(proposal.get(key, ""), field=key, label=label.lower()))
    db.session.add(network)
    db.session.flush()
    return network


def decide_proposal(*, actor: User, network: Network, sponsor: bool, comment: str,
                    critical_friend_id: int | None = None) -> Network:
    """A cluster lead sponsors (naming a critical friend) or declines a proposed network."""
    if not is_lead(actor):
        raise Forbidden("Only a cluster lead can sponsor or decline a network.")
    if network.status != "proposed":
        raise DomainError("This network has already been decided.")
    network.lead_comment = _text(comment, field="comment", label="your comment")
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
    if not is_lead(actor):
        raise Forbidden("Only a cluster lead can close a network.")
    if network.status != "sponsored":
        raise DomainError("Only a running network can be closed.")
    network.status = "closed"
    db.session.flush()
    return network


def ask_to_join(*, actor: User, network: Network) -> NetworkMember:
    if network.status != "sponsored":
        raise DomainError("You can only join a network that is running.")
    if membership(actor, network):
        raise DomainError("You are already a member, or have already asked to join.")
    row = NetworkMember(network_id=network.id, user_id=actor.id, status="requested")
    db.session.add(row)
    db.session.flush()
    return row


def accept_member(*, actor: User, network: Network, user_id: int) -> NetworkMember:
    _editor(actor, network)
    row = db.session.get(NetworkMember, (network.id, user_id))
    if row is None:
        raise DomainError("That person has not asked to join.")
    row.status = "member"
    db.session.flush()
    return row


# --- Meetings ----------------------------------------------------------------------------

def london_to_utc(day: date, at: time) -> datetime:
    """A wall-clock time in London to naive UTC, as times are stored."""
    local = datetime.combine(day, at).replace(tzinfo=LONDON)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _when_and_where(meeting: Meeting, *, day: date | None, start: time | None,
                    end: time | None, school_id: int | None, place: str,
                    online_link: str) -> None:
    if day is None:
        raise DomainError("Enter the date of the meeting.", field="day")
    if not 2000 <= day.year <= 2100:
        raise DomainError("Enter a real date for the meeting.", field="day")
    if start is None:
        raise DomainError("Enter the time the meeting starts.", field="start")
    if end is None:
        raise DomainError("Enter the time the meeting ends.", field="end")
    starts, ends = london_to_utc(day, start), london_to_utc(day, end)
    if ends <= starts:
        raise DomainError("The meeting must end after it starts.", field="end")
    if ends - starts > timedelta(hours=8):
        raise DomainError("A meeting can last at most 8 hours.", field="end")
    online_link = _text(online_link, field="online_link", label="the online link", limit=300)
    if online_link and not online_link.startswith("https://"):
        raise DomainError("Enter an online link that starts with https://", field="online_link")
    if school_id is not None and db.session.get(School, school_id) is None:
        raise DomainError("Choose a school from the list.", field="school")
    place = _text(place, field="place", label="the room or place", limit=200)
    if school_id is None and not online_link and not place:
        raise DomainError("Choose the school the meeting is at, or give an online link.",
                          field="school")
    meeting.starts_at, meeting.ends_at = starts, ends
    meeting.school_id, meeting.place, meeting.online_link = school_id, place, online_link


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return db.session.scalars(
        select(Meeting).where(Meeting.network_id == meeting.network_id,
                              Meeting.starts_at < meeting.starts_at,
                              Meeting.id != meeting.id)
        .order_by(Meeting.starts_at.desc()).limit(1)).first()


def create_meeting(*, actor: User, network: Network, day: date | None, start: time | None,
                   end: time | None, school_id: int | None = None, place: str = "",
                   online_link: str = "", copy_previous: bool = False) -> Meeting:
    """A meeting with the standard agenda, or a copy of the last meeting's own items in it."""
    _editor(actor, network)
    if network.status != "sponsored":
        raise DomainError("Meetings can be arranged once the network is sponsored.")
    meeting = Meeting(network_id=network.id, network=network)
    _when_and_where(meeting, day=day, start=start, end=end, school_id=school_id, place=place,
                    online_link=online_link)
    db.session.add(meeting)
    db.session.flush()
    copied = []
    if copy_previous:
        before = previous_meeting(meeting)
        if before is None:
            raise DomainError("There is no earlier meeting to copy the agenda from.",
                              field="start_from")
        copied = [i for i in before.items if i.standard is None and i.status == "accepted"]
    position = 0
    for standard, kind, minutes in TEMPLATE:
        if standard == "aob":
            for old in copied:
                position += 1
                db.session.add(AgendaItem(meeting_id=meeting.id, position=position,
                                          title=old.title, kind=old.kind,
                                          presenter_id=old.presenter_id,
                                          duration=old.duration, notes=old.notes))
        position += 1
        db.session.add(AgendaItem(meeting_id=meeting.id, position=position, standard=standard,
                                  title=STANDARD_ITEMS[standard], kind=kind, duration=minutes))
    db.session.flush()
    db.session.expire(meeting, ["items"])
    return meeting


def update_meeting(*, actor: User, meeting: Meeting, day: date | None, start: time | None,
                   end: time | None, school_id: int | None, place: str, online_link: str,
                   version: int | None = None) -> Meeting:
    _editor(actor, meeting.network)
    _check_version(meeting, version)
    if meeting.reached("held"):
        raise DomainError("The meeting has been held, so its date and place can no longer "
                          "change.")
    _when_and_where(meeting, day=day, start=start, end=end, school_id=school_id, place=place,
                    online_link=online_link)
    meeting.sequence += 1
    db.session.flush()
    return meeting


def _touch(meeting: Meeting) -> None:
    """The agenda changed: calendars should refresh (without clashing with the meeting form)."""
    db.session.execute(update(Meeting).where(Meeting.id == meeting.id)
                       .values(sequence=Meeting.sequence + 1)
                       .execution_options(synchronize_session=False))
    db.session.expire(meeting, ["sequence"])


def publish_agenda(*, actor: User, meeting: Meeting) -> Meeting:
    _editor(actor, meeting.network)
    if meeting.state != "draft":
        raise DomainError("The agenda has already been published.")
    meeting.state, meeting.published_at = "published", utcnow()
    meeting.sequence += 1
    db.session.flush()
    return meeting


def mark_held(*, actor: User, meeting: Meeting) -> Meeting:
    _editor(actor, meeting.network)
    if meeting.state != "published":
        raise DomainError("Publish the agenda before recording the meeting as held.")
    meeting.state = "held"
    db.session.flush()
    return meeting


def approve_minutes(*, actor: User, meeting: Meeting) -> Meeting:
    """Minutes are approved (usually at the next meeting); who approved them is recorded."""
    _editor(actor, meeting.network)
    if meeting.state != "minutes_drafted":
        raise DomainError("Only drafted minutes can be approved.")
    meeting.state = "minutes_approved"
    meeting.minutes_approved_at, meeting.minutes_approved_by_id = utcnow(), actor.id
    db.session.flush()
    return meeting


# --- Agenda items ------------------------------------------------------------------------

def _agenda_open(meeting: Meeting) -> None:
    if meeting.reached("held"):
        raise DomainError("The meeting has been held, so its agenda can no longer change.")


def _item_fields(network: Network, *, title: str, kind: str, presenter_id: int | None,
                 duration: int | None, notes: str) -> dict:
    title = _text(title, field="title", label="a title for the item", limit=MAX_TITLE,
                  required=True)
    if kind not in ITEM_KINDS:
        raise DomainError("Choose whether the item is for information, discussion or decision.",
                          field="kind")
    if duration is None or not 0 <= duration <= MAX_DURATION:
        raise DomainError(f"Enter the minutes allowed, from 0 to {MAX_DURATION}.",
                          field="duration")
    if presenter_id is not None:
        presenter = db.session.get(User, presenter_id)
        if presenter is None or membership(presenter, network) != "member":
            raise DomainError("The presenter must be a member of the network.",
                              field="presenter")
    return {"title": title, "kind": kind, "presenter_id": presenter_id, "duration": duration,
            "notes": _text(notes, field="notes", label="the notes")}


def add_item(*, actor: User, meeting: Meeting, title: str, kind: str = "discussion",
             presenter_id: int | None = None, duration: int | None = 10,
             notes: str = "") -> AgendaItem:
    """The leader's items go on the agenda; a member's are proposed for the leader to accept."""
    network = meeting.network
    editor = can_edit(actor, network)
    if not editor and not is_member(actor, network):
        raise Forbidden("Only members of the network can propose agenda items.")
    _agenda_open(meeting)
    fields = _item_fields(network, title=title, kind=kind, presenter_id=presenter_id,
                          duration=duration, notes=notes)
    item = AgendaItem(meeting_id=meeting.id, proposed_by_id=actor.id,
                      status="accepted" if editor else "proposed", **fields)
    item.position = _slot_before_aob(meeting) if editor else _last_position(meeting) + 1
    db.session.add(item)
    if editor:
        _touch(meeting)
    db.session.flush()
    db.session.expire(meeting, ["items"])
    return item


def _last_position(meeting: Meeting) -> int:
    return db.session.scalar(select(func.coalesce(func.max(AgendaItem.position), 0))
                             .where(AgendaItem.meeting_id == meeting.id))


def _slot_before_aob(meeting: Meeting) -> int:
    """Make room just before "Any other business" (or at the end) and return that position."""
    aob = db.session.scalar(select(AgendaItem.position).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.standard == "aob",
        AgendaItem.status == "accepted"))
    if aob is None:
        return _last_position(meeting) + 1
    db.session.execute(update(AgendaItem).where(AgendaItem.meeting_id == meeting.id,
                                                AgendaItem.position >= aob)
                       .values(position=AgendaItem.position + 1)
                       .execution_options(synchronize_session=False))
    return aob


def update_item(*, actor: User, item: AgendaItem, title: str, kind: str,
                presenter_id: int | None, duration: int | None, notes: str,
                version: int | None = None) -> AgendaItem:
    meeting = item.meeting
    if not (can_edit(actor, meeting.network) or
            (item.status == "proposed" and item.proposed_by_id == actor.id)):
        raise Forbidden("Only the network leader can change this item.")
    _check_version(item, version)
    _agenda_open(meeting)
    for key, value in _item_fields(meeting.network, title=title, kind=kind,
                                   presenter_id=presenter_id, duration=duration,
                                   notes=notes).items():
        setattr(item, key, value)
    if item.status == "accepted":
        _touch(meeting)
    db.session.flush()
    return item


def move_item(*, actor: User, item: AgendaItem, direction: str) -> AgendaItem:
    """Swap an agenda item with its neighbour above or below."""
    meeting = item.meeting
    _editor(actor, meeting.network)
    _agenda_open(meeting)
    if direction not in ("up", "down"):
        raise DomainError("Move an item up or down.")
    agenda = [i for i in meeting.items if i.status == "accepted"]
    index = agenda.index(item) if item in agenda else -1
    other = index + (-1 if direction == "up" else 1)
    if index < 0 or not 0 <= other < len(agenda):
        raise DomainError(f"That item is already at the {'top' if direction == 'up' else 'bottom'}"
                          " of the agenda.")
    a, b = agenda[index], agenda[other]
    # Positions change by plain UPDATEs, so moving does not clash with someone editing text.
    for row, position in ((a, b.position), (b, a.position)):
        db.session.execute(update(AgendaItem).where(AgendaItem.id == row.id)
                           .values(position=position)
                           .execution_options(synchronize_session=False))
    _touch(meeting)
    db.session.flush()
    db.session.expire(meeting, ["items"])
    for row in (a, b):
        db.session.expire(row, ["position"])
    return item


def accept_item(*, actor: User, item: AgendaItem) -> AgendaItem:
    meeting = item.meeting
    _editor(actor, meeting.network)
    _agenda_open(meeting)
    if item.status != "proposed":
        raise DomainError("That item is already on the agenda.")
    item.position = _slot_before_aob(meeting)
    item.status = "accepted"
    _touch(meeting)
    db.session.flush()
    db.session.expire(meeting, ["items"])
    return item


def remove_item(*, actor: User, item: AgendaItem) -> None:
    meeting = item.meeting
    if not (can_edit(actor, meeting.network) or
            (item.status == "proposed" and item.proposed_by_id == actor.id)):
        raise Forbidden("Only the network leader can remove this item.")
    _agenda_open(meeting)
    if item.standard:
        raise DomainError("The standard parts of the agenda stay; set their minutes to 0 "
                          "instead.")
    if item.status == "accepted":
        _touch(meeting)
    db.session.delete(item)
    db.session.flush()
    db.session.expire(meeting, ["items"])


# --- Minutes, attendance, decisions, actions -------------------------------------------

def _minutes_open(actor: User, meeting: Meeting) -> None:
    _editor(actor, meeting.network)
    if not meeting.reached("held"):
        raise DomainError("Record the meeting as held before writing its minutes.")
    if meeting.state == "minutes_approved":
        raise DomainError("These minutes have been approved and can no longer change.")


def save_minutes(*, actor: User, item: AgendaItem, text: str,
                 version: int | None = None) -> AgendaItem:
    """Minutes for one item, in Markdown. The text it replaces is kept as a revision."""
    meeting = item.meeting
    _minutes_open(actor, meeting)
    _check_version(item, version)
    text = (text or "").strip()
    if len(text) > MAX_MINUTES:
        raise DomainError(f"Minutes for one item must be {MAX_MINUTES:,} characters or fewer.",
                          field="minutes")
    tag = html_tag_in(text)
    if tag:
        raise DomainError(f"Write minutes in plain text or Markdown, not HTML: remove “{tag}”.",
                          field="minutes")
    if text == item.minutes:
        return item
    if item.minutes:
        db.session.add(MinutesRevision(item_id=item.id, text=item.minutes, saved_by_id=actor.id))
    item.minutes = text
    if meeting.state == "held":
        meeting.state = "minutes_drafted"
    db.session.flush()
    return item


def record_attendance(*, actor: User, meeting: Meeting, statuses: dict[int, str],
                      members: list[User]) -> None:
    """Present, apologies or absent for each member (``members`` is who may be recorded)."""
    _editor(actor, meeting.network)
    if not meeting.reached("published"):
        raise DomainError("Publish the agenda before recording attendance.")
    if meeting.state == "minutes_approved":
        raise DomainError("These minutes have been approved and can no longer change.")
    by_id = {m.id: m for m in members}
    if set(statuses) - by_id.keys() or set(statuses.values()) - ATTENDANCE.keys():
        raise DomainError("Choose present, apologies or absent for members of the network.")
    existing = {a.user_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id))}
    for user_id, status in statuses.items():
        row = existing.get(user_id)
        if row is None:
            db.session.add(Attendance(meeting_id=meeting.id, user_id=user_id, status=status,
                                      school_id=by_id[user_id].school_id))
        else:
            row.status = status
    db.session.flush()


def _item_of(meeting: Meeting, item_id: int | None) -> int | None:
    if item_id is None:
        return None
    if item_id not in {i.id for i in meeting.items}:
        raise DomainError("Choose an item from this meeting's agenda.", field="item")
    return item_id


def add_decision(*, actor: User, meeting: Meeting, text: str,
                 item_id: int | None = None) -> Decision:
    _minutes_open(actor, meeting)
    row = Decision(meeting_id=meeting.id, item_id=_item_of(meeting, item_id),
                   text=_text(text, field="text", label="the decision", limit=500,
                              required=True))
    db.session.add(row)
    db.session.flush()
    return row


def add_action(*, actor: User, meeting: Meeting, description: str, owner_id: int | None,
               due_on: date | None, item_id: int | None = None) -> Action:
    _minutes_open(actor, meeting)
    description = _text(description, field="description", label="what is to be done",
                        limit=300, required=True)
    owner = db.session.get(User, owner_id) if owner_id else None
    if owner is None or membership(owner, meeting.network) != "member":
        raise DomainError("Choose an owner from the network's members.", field="owner")
    if due_on is None:
        raise DomainError("Enter the date the action is due.", field="due_on")
    if not 2000 <= due_on.year <= 2100:
        raise DomainError("Enter a real due date.", field="due_on")
    row = Action(network_id=meeting.network_id, meeting_id=meeting.id, owner_id=owner.id,
                 item_id=_item_of(meeting, item_id), description=description, due_on=due_on)
    db.session.add(row)
    db.session.flush()
    return row


def can_complete(actor: User, action: Action) -> bool:
    return actor.id == action.owner_id or can_edit(actor, action.network)


def set_action_status(*, actor: User, action: Action, done: bool,
                      version: int | None = None) -> Action:
    if not can_complete(actor, action):
        raise Forbidden("Only the action's owner or the network leader can change it.")
    _check_version(action, version)
    action.status = "done" if done else "open"
    action.done_at = utcnow() if done else None
    db.session.flush()
    return action


# --- Action plan -------------------------------------------------------------------------

def save_plan_row(*, actor: User, network: Network, row: PlanRow | None, action: str,
                  timescale: str, resources: str, involved: str, success_criteria: str,
                  status: str, progress: str, version: int | None = None) -> PlanRow:
    """The leader, critical friend or a lead keeps the network's action plan."""
    _editor(actor, network)
    if row is None:
        row = PlanRow(network_id=network.id, position=db.session.scalar(
            select(func.coalesce(func.max(PlanRow.position), 0))
            .where(PlanRow.network_id == network.id)) + 1)
        db.session.add(row)
    else:
        _check_version(row, version)
    if status not in PLAN_STATUSES:
        raise DomainError("Choose the status from the list.", field="plan_status")
    row.action = _text(action, field="action", label="the action", limit=300, required=True)
    row.timescale = _text(timescale, field="timescale", label="the timescale", limit=120)
    row.resources = _text(resources, field="resources", label="the resources", limit=300)
    row.involved = _text(involved, field="involved", label="who is involved", limit=300)
    row.success_criteria = _text(success_criteria, field="success_criteria",
                                 label="the success criteria")
    row.status = status
    row.progress = _text(progress, field="progress", label="the progress notes")
    db.session.flush()
    return row
