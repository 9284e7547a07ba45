"""Members' answers before a meeting: "I'll be there" or apologies with an optional note,
changed as often as they like until the meeting starts. Keyword-only, the acting user passed
in, DomainError on a broken rule, flush not commit."""

from __future__ import annotations

from ..clock import utcnow
from ..errors import DomainError, clean_text
from ..extensions import db
from ..mail import absolute_url
from ..people.models import User
from .models import ANSWERS, Meeting, MeetingAnswer
from .queries import members_of, people_of

ANSWER_LINK = "meeting-answer"
# The answer a link carries, as a number (links sign lists of ints).
CODES = {1: "coming", 2: "apologies"}


def closed_reason(meeting: Meeting) -> str | None:
    """Why answers can no longer be given, or None."""
    if meeting.cancelled_at is not None:
        return "This meeting has been cancelled."
    if meeting.reached("held") or meeting.starts_at <= utcnow():
        return "The meeting has started, so answers can no longer change."
    return None


def can_answer(person: User, meeting: Meeting, members=None) -> bool:
    """The network's people (leader, critical friend, members) answer."""
    people = people_of(meeting.network, members if members is not None
                       else members_of(meeting.network))
    return any(p.id == person.id for p in people)


def answer(*, actor: User, meeting: Meeting, answer: str, note: str = "") -> MeetingAnswer:
    if not can_answer(actor, meeting):
        raise DomainError("Only the network's members can answer for its meetings.")
    reason = closed_reason(meeting)
    if reason:
        raise DomainError(reason)
    if answer not in ANSWERS:
        raise DomainError("Choose whether you will be there or send apologies.", field="answer")
    note = clean_text(note, field="note", label="the note", limit=300)
    row = db.session.get(MeetingAnswer, (meeting.id, actor.id))
    if row is None:
        row = MeetingAnswer(meeting_id=meeting.id, user_id=actor.id)
        db.session.add(row)
    row.answer, row.note, row.answered_at = answer, note, utcnow()
    db.session.flush()
    return row


def saved_message(row: MeetingAnswer) -> str:
    return ("Thank you: the leader knows you will be there." if row.answer == "coming"
            else "Your apologies are sent to the leader.")


def answer_links(meeting: Meeting, person: User) -> dict[str, str]:
    """The agenda email's one-step links for ``person``: coming, apologies."""
    from .. import links

    return {CODES[code]: absolute_url("networks.answer_link", token=links.make(
        ANSWER_LINK, meeting.id, person.id, code)) for code in CODES}

