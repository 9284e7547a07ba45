"""Asking a colleague for help, and answering: the rules and the emails.

Keyword-only, the acting user passed in, ``DomainError`` on a broken rule, flush not commit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..clock import today, utcnow
from ..directory.models import HELP_STATUSES, HelpRequest, Skill
from ..errors import DomainError, StaleEdit
from ..extensions import db
from ..mail import absolute_url
from ..notifications.notices import tell
from ..notifications.reminders import Reminder
from ..people.models import Partnership, User

MAX_MESSAGE = 2000
MAX_AHEAD = timedelta(days=2 * 366)

RECIPIENT, EITHER = "recipient", "either"
# (from, to) -> who may make that change. Declined and done are final.
TRANSITIONS = {
    ("open", "accepted"): RECIPIENT,
    ("open", "declined"): RECIPIENT,
    ("open", "done"): EITHER,          # the sender: "no longer needed"; the recipient: "helped"
    ("accepted", "declined"): RECIPIENT,  # accepted, then could not after all
    ("accepted", "done"): EITHER,
}
VERBS = {"accepted": "accepted", "declined": "declined", "done": "marked as done"}


def _clean_message(message: str) -> str:
    message = (message or "").strip()
    if not message:
        raise DomainError("Enter what you need help with.", field="message")
    if len(message) > MAX_MESSAGE:
        raise DomainError(f"Keep your request to {MAX_MESSAGE:,} characters or fewer.",
                          field="message")
    if any(ord(c) < 32 and c not in "\t\r\n" for c in message):
        raise DomainError("Remove the hidden control characters from this answer.",
                          field="message")
    return message


def check_can_ask(*, actor: User, recipient: User) -> None:
    """Whether ``actor`` may ask ``recipient`` at all (also used before showing the form)."""
    if recipient.id == actor.id:
        raise DomainError("You cannot send a request for help to yourself.")
    if not recipient.active:
        raise DomainError(f"{recipient.name}'s account has been deactivated, "
                          "so they cannot answer requests.")
    if recipient.invited:
        raise DomainError(f"{recipient.name} has not set up their account yet, so they cannot "
                          "answer requests here. Email them instead.")


def find_skill(skill_id: int | None) -> Skill | None:
    """The skill chosen on the form, or None for "not about one skill"."""
    if not skill_id:
        return None
    skill = db.session.get(Skill, skill_id)
    if skill is None or skill.status != "approved":
        raise DomainError("Choose a skill from the list.", field="skill")
    return skill


def send_help_request(*, actor: User, recipient: User, message: str, needed_by: date | None,
                      skill: Skill | None = None) -> HelpRequest:
    """Save a request and email the recipient. A repeat of an open request is not sent twice."""
    check_can_ask(actor=actor, recipient=recipient)
    message = _clean_message(message)
    if needed_by is not None:
        if needed_by < today():
            raise DomainError("The date you need help by must be today or in the future.",
                              field="needed_by")
        if needed_by > today() + MAX_AHEAD:
            raise DomainError("Choose a date within the next two years.", field="needed_by")
    if skill is not None and skill.status != "approved":
        raise DomainError("Choose a skill from the list.", field="skill")

    repeat = db.session.scalar(select(HelpRequest).where(
        HelpRequest.from_user_id == actor.id, HelpRequest.to_user_id == recipient.id,
        HelpRequest.status == "open", HelpRequest.message == message).limit(1))
    if repeat is not None:  # a double click, or the form sent again: one request, one email
        return repeat

    row = HelpRequest(
        from_user=actor, to_user=recipient, skill=skill, message=message, needed_by=needed_by,
        status="open",
        cross_school=(actor.school_id is not None and recipient.school_id is not None
                      and actor.school_id != recipient.school_id))
    db.session.add(row)
    db.session.flush()
    tell(
        "help.requested", [recipient],
        subject=f"{actor.name} has asked you for help"
        + (f" with {skill.name}" if skill else ""),
        body=render_template("help_requests/email_help_new.txt", request=row, sender=actor,
                             recipient=recipient, partnership=Partnership.current(),
                             link=absolute_url("directory.help_list")),
    )
    return row


def respond(*, actor: User, request: HelpRequest, status: str, version: int | None) -> HelpRequest:
    """Accept, decline or mark done. Only the recipient accepts or declines; either party
    marks done. ``version`` is the one the person saw: if it moved on, nothing changes."""
    if actor.id not in (request.from_user_id, request.to_user_id):
        raise DomainError("This request is not yours to answer.")
    if version is not None and version != request.version:
        raise StaleEdit()
    if status not in VERBS:
        raise DomainError("Choose accept, decline or done.")
    who = TRANSITIONS.get((request.status, status))
    if who is None:
        raise DomainError(f"This request is already {HELP_STATUSES[request.status].lower()}, "
                          f"so it cannot be {VERBS[status]}. Reload the page to see it.")
    is_recipient = actor.id == request.to_user_id
    if who == RECIPIENT and not is_recipient:
        raise DomainError(f"Only {request.to_user.name} can accept or decline this request.")
    request.status = status
    if is_recipient and request.answered_at is None:
        request.answered_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:  # someone answered between our read and our write
        raise StaleEdit() from None
    if is_recipient:
        sender = request.from_user
        tell(
            "help.answered", [sender],
            subject=f"{actor.name} has {VERBS[status]} your request for help",
            body=render_template("help_requests/email_help_answer.txt", request=request,
                                 sender=sender, recipient=actor, verb=VERBS[status],
                                 partnership=Partnership.current(),
                                 link=absolute_url("directory.help_list", box="sent")),
        )
    return request


def reminders(_today: date, now: datetime) -> list[Reminder]:
    """Whoever was asked for help three days ago and has not answered yet."""
    return [Reminder(request.to_user, f"help:{request.id}",
                     f"{request.from_user.name} is waiting for your answer",
                     f"{request.from_user.name} asked you for help on "
                     f"{request.created_at:%-d %B} and is waiting for your answer.\n\n"
                     + absolute_url("directory.help_list"), event="help.waiting")
            for request in db.session.scalars(select(HelpRequest).where(
                HelpRequest.status == "open", HelpRequest.created_at <= now - timedelta(days=3)))]
