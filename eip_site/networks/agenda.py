"""Agenda items: add or propose, change, move, accept, remove. Keyword-only, the acting user
passed in, DomainError on a broken rule, flush not commit."""

from __future__ import annotations

from sqlalchemy import func, select, update

from ..errors import DomainError, check_version, clean_text
from ..extensions import db
from ..people.models import User
from . import notices
from .models import ITEM_KINDS, AgendaItem, Meeting, Network
from .permissions import (ITEM_CHANGERS_ONLY, PROPOSERS_ONLY, can_change_item, can_edit,
                          check_editor, is_member, membership, require)

MAX_TITLE = 200
MAX_DURATION = 240


def _touch(meeting: Meeting) -> None:
    """The agenda changed: calendars should refresh (without clashing with the meeting form)."""
    db.session.execute(update(Meeting).where(Meeting.id == meeting.id)
                       .values(sequence=Meeting.sequence + 1)
                       .execution_options(synchronize_session=False))
    db.session.expire(meeting, ["sequence"])

# --- Agenda items ------------------------------------------------------------------------

def _agenda_open(meeting: Meeting) -> None:
    if meeting.reached("held"):
        raise DomainError("The meeting has been held, so its agenda can no longer change.")


def _item_fields(network: Network, *, title: str, kind: str, presenter_id: int | None,
                 duration: int | None, notes: str) -> dict:
    title = clean_text(title, field="title", label="a title for the item", limit=MAX_TITLE,
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
            "notes": clean_text(notes, field="notes", label="the notes")}


def add_item(*, actor: User, meeting: Meeting, title: str, kind: str = "discussion",
             presenter_id: int | None = None, duration: int | None = 10,
             notes: str = "") -> AgendaItem:
    """The leader's items go on the agenda; a member's are proposed for the leader to accept."""
    network = meeting.network
    editor = can_edit(actor, network)
    require(editor or is_member(actor, network), PROPOSERS_ONLY)
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
    if not editor:
        notices.item_proposed(actor, item)
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
    require(can_change_item(actor, item), ITEM_CHANGERS_ONLY)
    check_version(item, version)
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
    check_editor(actor, meeting.network)
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
    check_editor(actor, meeting.network)
    _agenda_open(meeting)
    if item.status != "proposed":
        raise DomainError("That item is already on the agenda.")
    item.position = _slot_before_aob(meeting)
    item.status = "accepted"
    _touch(meeting)
    db.session.flush()
    db.session.expire(meeting, ["items"])
    notices.item_decided(actor, item, accepted=True)
    return item


def remove_item(*, actor: User, item: AgendaItem) -> None:
    meeting = item.meeting
    require(can_change_item(actor, item), ITEM_CHANGERS_ONLY)
    _agenda_open(meeting)
    if item.standard:
        raise DomainError("The standard parts of the agenda stay; set their minutes to 0 "
                          "instead.")
    if item.status == "accepted":
        _touch(meeting)
    elif item.proposed_by_id != actor.id:  # a member's proposal the leader turns down
        notices.item_decided(actor, item, accepted=False)
    db.session.delete(item)
    db.session.flush()
    db.session.expire(meeting, ["items"])


def decline_item(*, actor: User, item: AgendaItem, reason: str = "") -> None:
    """The leader turns a member's proposed item down; the proposer is told why."""
    meeting = item.meeting
    check_editor(actor, meeting.network)
    _agenda_open(meeting)
    if item.status != "proposed":
        raise DomainError("That item is already on the agenda: remove it from the item's page.")
    reason = clean_text(reason, field="reason", label="the reason", limit=1000)
    notices.item_decided(actor, item, accepted=False, reason=reason)
    db.session.delete(item)
    db.session.flush()
    db.session.expire(meeting, ["items"])
