"""Meetings: arranged on the standard agenda (or the last one's items), changed, published,
held, their minutes approved. Keyword-only, the acting user passed in, DomainError on a
broken rule, flush not commit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from ..clock import LONDON, utcnow
from ..errors import DomainError, check_version, clean_text
from ..extensions import db
from ..mail import absolute_url
from ..people.models import School, User
from .models import STANDARD_ITEMS, AgendaItem, Meeting, Network
from . import notices
from .answers import answer_links
from .permissions import check_editor
from .queries import members_of, people_of

# The standard agenda: (standard, kind, minutes). Ordinary items go before "aob".
TEMPLATE = [("welcome", "information", 5), ("minutes", "decision", 5),
            ("matters", "discussion", 10), ("aob", "discussion", 5), ("next", "information", 5)]


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
    check_editor(actor, network)
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
    check_editor(actor, meeting.network)
    check_version(meeting, version)
    _not_cancelled(meeting)
    if meeting.reached("held"):
        raise DomainError("The meeting has been held, so its date and place can no longer "
                          "change.")
    before = (meeting.starts_at, meeting.ends_at, meeting.school_id, meeting.place,
              meeting.online_link)
    _when_and_where(meeting, day=day, start=start, end=end, school_id=school_id, place=place,
                    online_link=online_link)
    meeting.sequence += 1
    db.session.flush()
    if meeting.state != "draft" and before != (meeting.starts_at, meeting.ends_at,
                                               meeting.school_id, meeting.place,
                                               meeting.online_link):
        db.session.expire(meeting, ["school"])
        notices.moved(actor, meeting)
    return meeting


def _not_cancelled(meeting: Meeting) -> None:
    if meeting.cancelled_at is not None:
        raise DomainError("This meeting is cancelled.")


def _step(actor: User, meeting: Meeting, start: str, end: str, refusal: str,
          **also) -> Meeting:
    """One step of a meeting's life (draft, published, held, minutes drafted, approved),
    taken by the network's editors from ``start`` only; ``also``: what else the step sets."""
    check_editor(actor, meeting.network)
    _not_cancelled(meeting)
    if meeting.state != start:
        raise DomainError(refusal)
    meeting.state = end
    for key, value in also.items():
        setattr(meeting, key, value)
    db.session.flush()
    return meeting


def publish_agenda(*, actor: User, meeting: Meeting) -> Meeting:
    _step(actor, meeting, "draft", "published", "The agenda has already been published.",
          published_at=utcnow(), sequence=meeting.sequence + 1)
    _tell_members(actor, meeting)
    return meeting


def _tell_members(actor: User, meeting: Meeting) -> None:
    """Everyone in the network hears the agenda is out, as they chose (default: digest)."""
    from flask import render_template

    from ..notifications.notices import tell

    network = meeting.network
    start = meeting.starts_at.replace(tzinfo=timezone.utc).astimezone(LONDON)
    tell("agenda.published", people_of(network, members_of(network)), skip=[actor],
         subject=f"Agenda published: {network.name}, {start:%-d %B at %H:%M}",
         body=lambda person: render_template(
             "networks/email_agenda.txt", meeting=meeting, person=person, start=start,
             link=absolute_url("networks.meeting", meeting_id=meeting.id),
             answer=answer_links(meeting, person)))


def mark_held(*, actor: User, meeting: Meeting) -> Meeting:
    return _step(actor, meeting, "published", "held",
                 "Publish the agenda before recording the meeting as held.")


def approve_minutes(*, actor: User, meeting: Meeting) -> Meeting:
    """Minutes are approved (usually at the next meeting); who approved them is recorded."""
    _step(actor, meeting, "minutes_drafted", "minutes_approved",
          "Only drafted minutes can be approved.", minutes_approved_at=utcnow(),
          minutes_approved_by_id=actor.id)
    db.session.expire(meeting, ["minutes_approved_by"])
    notices.minutes_approved(actor, meeting)
    return meeting


def send_draft_minutes(*, actor: User, meeting: Meeting) -> Meeting:
    """The draft minutes to every member (again after corrections, if need be)."""
    check_editor(actor, meeting.network)
    if meeting.state != "minutes_drafted":
        raise DomainError("Only drafted minutes can be sent as a draft; approved minutes "
                          "went to the members when they were approved.")
    meeting.draft_minutes_sent_at = utcnow()
    db.session.flush()
    notices.draft_minutes_sent(actor, meeting)
    return meeting


def cancel_meeting(*, actor: User, meeting: Meeting) -> Meeting:
    """One meeting called off (of a series or not). It stays, marked cancelled, so calendars
    drop it (STATUS:CANCELLED under its UID); members hear if its agenda was out."""
    check_editor(actor, meeting.network)
    if meeting.cancelled_at is not None:
        raise DomainError("This meeting is already cancelled.")
    if meeting.reached("held"):
        raise DomainError("The meeting has been held, so it can no longer be cancelled.")
    meeting.cancelled_at = utcnow()
    meeting.sequence += 1
    db.session.flush()
    if meeting.state != "draft":
        notices.cancelled(actor, meeting)
    return meeting
