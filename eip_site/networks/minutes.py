"""Minutes per item (earlier texts kept), attendance, decisions and actions. Keyword-only,
the acting user passed in, DomainError on a broken rule, flush not commit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..clock import utcnow
from ..errors import DomainError, check_version, clean_text
from ..extensions import db
from ..mail import absolute_url
from ..notifications.notices import tell
from ..notifications.reminders import Reminder
from ..people.models import User
from .markup import html_tag_in
from .models import ATTENDANCE, Action, AgendaItem, Attendance, Decision, Meeting, MinutesRevision
from .permissions import ACTION_CHANGERS_ONLY, can_complete, check_editor, membership, require

MAX_MINUTES = 20000


# --- Minutes, attendance, decisions, actions -------------------------------------------

def _minutes_open(actor: User, meeting: Meeting) -> None:
    check_editor(actor, meeting.network)
    if not meeting.reached("held"):
        raise DomainError("Record the meeting as held before writing its minutes.")
    if meeting.state == "minutes_approved":
        raise DomainError("These minutes have been approved and can no longer change.")


def save_minutes(*, actor: User, item: AgendaItem, text: str,
                 version: int | None = None) -> AgendaItem:
    """Minutes for one item, in Markdown. The text it replaces is kept as a revision."""
    meeting = item.meeting
    _minutes_open(actor, meeting)
    if item.status != "accepted":
        raise DomainError("That item was only proposed, never on the agenda: it has no minutes.")
    check_version(item, version)
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
    check_editor(actor, meeting.network)
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
                   text=clean_text(text, field="text", label="the decision", limit=500,
                              required=True))
    db.session.add(row)
    db.session.flush()
    return row


def add_action(*, actor: User, meeting: Meeting, description: str, owner_id: int | None,
               due_on: date | None, item_id: int | None = None) -> Action:
    _minutes_open(actor, meeting)
    description, owner = _action_fields(meeting, description, owner_id, due_on)
    row = Action(network_id=meeting.network_id, meeting_id=meeting.id, owner_id=owner.id,
                 item_id=_item_of(meeting, item_id), description=description, due_on=due_on)
    row.meeting = meeting
    db.session.add(row)
    db.session.flush()
    _tell_owner(actor, row)
    return row


def _tell_owner(actor: User, action: Action) -> None:
    network = action.meeting.network
    if action.owner_id != actor.id:
        tell("action.assigned", [db.session.get(User, action.owner_id)],
             subject=f"An action for you from {network.name}",
             body=f"At the {network.name} network meeting, {actor.name} recorded an "
                  f"action for you, due on {action.due_on:%-d %B %Y}:\n\n"
                  f"{action.description}\n\nYour actions: {absolute_url('networks.actions')}")


def _action_fields(meeting: Meeting, description: str, owner_id: int | None,
                   due_on: date | None) -> tuple[str, User]:
    description = clean_text(description, field="description", label="what is to be done",
                             limit=300, required=True)
    owner = db.session.get(User, owner_id) if owner_id else None
    if owner is None or membership(owner, meeting.network) != "member":
        raise DomainError("Choose an owner from the network's members.", field="owner")
    if due_on is None:
        raise DomainError("Enter the date the action is due.", field="due_on")
    if not 2000 <= due_on.year <= 2100:
        raise DomainError("Enter a real due date.", field="due_on")
    return description, owner


def set_action_status(*, actor: User, action: Action, done: bool,
                      version: int | None = None) -> Action:
    require(can_complete(actor, action), ACTION_CHANGERS_ONLY)
    check_version(action, version)
    action.status = "done" if done else "open"
    action.done_at = utcnow() if done else None
    db.session.flush()
    return action


def reminders(today: date, _now: datetime) -> list[Reminder]:
    """Owners of open actions due within three days, or late."""
    out = []
    for action in db.session.scalars(select(Action).where(
            Action.status == "open", Action.due_on.is_not(None),
            Action.due_on <= today + timedelta(days=3))):
        late = action.overdue
        out.append(Reminder(action.owner, f"action:{action.id}:{'late' if late else 'due'}",
                            ("Overdue: " if late else "Due soon: ") + action.description[:200],
                            f"Your action \"{action.description}\" "
                            + (f"was due on {action.due_on:%-d %B}." if late
                               else f"is due on {action.due_on:%-d %B}.")
                            + "\n\nMark it done when it is:\n"
                            + absolute_url("networks.actions"), event="action.due"))
    return out


# --- Corrections: decisions while the minutes are open, open actions any time -------------

def update_decision(*, actor: User, decision: Decision, text: str, item_id: int | None,
                    version: int | None = None) -> Decision:
    meeting = db.session.get(Meeting, decision.meeting_id)
    _minutes_open(actor, meeting)
    check_version(decision, version)
    decision.text = clean_text(text, field="text", label="the decision", limit=500,
                               required=True)
    decision.item_id = _item_of(meeting, item_id)
    db.session.flush()
    return decision


def remove_decision(*, actor: User, decision: Decision, version: int | None = None) -> None:
    """Until the minutes are approved; then the decision is part of the record."""
    _minutes_open(actor, db.session.get(Meeting, decision.meeting_id))
    check_version(decision, version)
    db.session.delete(decision)
    db.session.flush()


def update_action(*, actor: User, action: Action, description: str, owner_id: int | None,
                  due_on: date | None, version: int | None = None) -> Action:
    """An editor changes an open action's words, owner or date, even after the minutes are
    approved: actions carry forward, and one whose owner left needs another. A new owner
    is told."""
    meeting = action.meeting
    check_editor(actor, meeting.network)
    check_version(action, version)
    if action.status != "open":
        raise DomainError("This action is done. Open it again before changing it.")
    owner_before = action.owner_id
    action.description, owner = _action_fields(meeting, description, owner_id, due_on)
    action.owner_id, action.due_on = owner.id, due_on
    db.session.flush()
    db.session.expire(action, ["owner"])
    if owner.id != owner_before:
        _tell_owner(actor, action)
    return action


def remove_action(*, actor: User, action: Action, version: int | None = None) -> None:
    """Until its meeting's minutes are approved; then it is part of the record (mark it
    done, or give it to someone else)."""
    _minutes_open(actor, action.meeting)
    check_version(action, version)
    db.session.delete(action)
    db.session.flush()
