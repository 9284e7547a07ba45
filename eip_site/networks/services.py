"""Rules for networks, meetings and action plans; the agenda rules are in ``agenda``, the
minutes rules in ``minutes`` and who-may-do-what in ``rules``, all re-exported here.
Keyword-only, the acting user passed in, DomainError on a broken rule, flush not commit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select

from ..clock import LONDON, utcnow
from ..errors import DomainError, check_version, clean_text
from ..extensions import db
from ..people.models import School, User
from .agenda import (  # noqa: F401  (the agenda and minutes rules, for callers of services)
    accept_item,
    add_item,
    move_item,
    remove_item,
    update_item,
)
from .minutes import (  # noqa: F401
    add_action,
    add_decision,
    can_complete,
    record_attendance,
    save_minutes,
    set_action_status,
)
from .models import PLAN_STATUSES, PROPOSAL_FIELDS, STANDARD_ITEMS, AgendaItem, Meeting, \
    Network, NetworkMember, PlanRow
from .rules import (  # noqa: F401
    Forbidden,
    _editor,
    can_edit,
    can_view_meeting,
    can_view_minutes,
    is_lead,
    is_member,
    membership,
)

# The standard agenda: (standard, kind, minutes). Ordinary items go before "aob".
TEMPLATE = [("welcome", "information", 5), ("minutes", "decision", 5),
            ("matters", "discussion", 10), ("aob", "discussion", 5), ("next", "information", 5)]

# --- Networks ----------------------------------------------------------------------------

def propose_network(*, actor: User, name: str, purpose: str, priority: str = "",
                    is_open: bool = False, **proposal: str) -> Network:
    """A member of staff proposes a network; they lead it once a lead sponsors it."""
    name = clean_text(name, field="name", label="the network's name", limit=120, required=True)
    if db.session.scalar(select(Network.id).where(func.lower(Network.name) == name.lower())):
        raise DomainError("There is already a network with that name.", field="name")
    network = Network(name=name, leader_id=actor.id, proposed_by_id=actor.id, is_open=is_open,
                      purpose=clean_text(purpose, field="purpose", label="the network's purpose",
                                    required=True),
                      priority=clean_text(priority, field="priority",
                                     label="the partnership priority", limit=200))
    for key, label in PROPOSAL_FIELDS.items():
        setattr(network, key, clean_text(proposal.get(key, ""), field=key, label=label.lower()))
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
    online_link = clean_text(online_link, field="online_link", label="the online link", limit=300)
    if online_link and not online_link.startswith("https://"):
        raise DomainError("Enter an online link that starts with https://", field="online_link")
    if school_id is not None and db.session.get(School, school_id) is None:
        raise DomainError("Choose a school from the list.", field="school")
    place = clean_text(place, field="place", label="the room or place", limit=200)
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
    check_version(meeting, version)
    if meeting.reached("held"):
        raise DomainError("The meeting has been held, so its date and place can no longer "
                          "change.")
    _when_and_where(meeting, day=day, start=start, end=end, school_id=school_id, place=place,
                    online_link=online_link)
    meeting.sequence += 1
    db.session.flush()
    return meeting

def publish_agenda(*, actor: User, meeting: Meeting) -> Meeting:
    _editor(actor, meeting.network)
    if meeting.state != "draft":
        raise DomainError("The agenda has already been published.")
    meeting.state, meeting.published_at = "published", utcnow()
    meeting.sequence += 1
    db.session.flush()
    _tell_members(actor, meeting)
    return meeting


def _tell_members(actor: User, meeting: Meeting) -> None:
    """Everyone in the network hears the agenda is out, as they chose (default: digest)."""
    from flask import render_template

    from ..auth.services import absolute_url
    from ..notifications.services import notify
    from .queries import members_of, people_of

    network = meeting.network
    start = meeting.starts_at.replace(tzinfo=timezone.utc).astimezone(LONDON)
    for person in people_of(network, members_of(network)):
        if person.id != actor.id and person.active:
            notify(user=person, kind="agenda",
                   subject=f"Agenda published: {network.name}, {start:%-d %B at %H:%M}",
                   body=render_template("networks/email_agenda.txt", meeting=meeting,
                                        person=person, start=start,
                                        link=absolute_url("networks.meeting",
                                                          meeting_id=meeting.id)))


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
        check_version(row, version)
    if status not in PLAN_STATUSES:
        raise DomainError("Choose the status from the list.", field="plan_status")
    row.action = clean_text(action, field="action", label="the action", limit=300, required=True)
    row.timescale = clean_text(timescale, field="timescale", label="the timescale", limit=120)
    row.resources = clean_text(resources, field="resources", label="the resources", limit=300)
    row.involved = clean_text(involved, field="involved", label="who is involved", limit=300)
    row.success_criteria = clean_text(success_criteria, field="success_criteria",
                                 label="the success criteria")
    row.status = status
    row.progress = clean_text(progress, field="progress", label="the progress notes")
    db.session.flush()
    return row
