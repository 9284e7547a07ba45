"""Asking a colleague for help: the rules, the emails, the lists and the termly numbers.

Keyword-only, the acting user passed in, ``DomainError`` on a broken rule, flush not commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import render_template
from sqlalchemy import bindparam, case, extract, func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from ..auth.services import absolute_url
from ..clock import today, utcnow
from ..errors import DomainError, StaleEdit
from ..extensions import db
from ..notifications.services import notify
from ..people.models import Partnership, User
from ..people.queries import Page, paginate
from .models import HELP_STATUSES, RELATIONS, STRENGTHS, HelpRequest, Skill, UserSkill

MAX_MESSAGE = 2000
MAX_AHEAD = timedelta(days=2 * 366)
PER_PAGE = 20

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


def skill_choices(recipient: User) -> list[tuple[int, str]]:
    """The skills the recipient lists on their profile, strongest first (one query)."""
    order = list(RELATIONS)
    links = db.session.scalars(select(UserSkill).join(UserSkill.skill).where(
        UserSkill.user_id == recipient.id, UserSkill.relation.in_(STRENGTHS),
        Skill.status == "approved"))
    ranked = sorted(links, key=lambda link: (order.index(link.relation), link.skill.name.lower()))
    return [(link.skill_id, f"{link.skill.name} ({RELATIONS[link.relation].lower()})")
            for link in ranked]


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
    notify(
        user=recipient, kind="help",
        subject=f"{actor.name} has asked you for help"
        + (f" with {skill.name}" if skill else ""),
        body=render_template("directory/email_help_new.txt", request=row, sender=actor,
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
        notify(
            user=sender, kind="help",
            subject=f"{actor.name} has {VERBS[status]} your request for help",
            body=render_template("directory/email_help_answer.txt", request=request,
                                 sender=sender, recipient=actor, verb=VERBS[status],
                                 partnership=Partnership.current(),
                                 link=absolute_url("directory.help_list", box="sent")),
        )
    return request


# --- Reads --------------------------------------------------------------------------------

def request_for(*, actor: User, request_id: int) -> HelpRequest | None:
    """A request the actor sent or received; None for anyone else's (the page says 404)."""
    return db.session.scalar(select(HelpRequest).where(
        HelpRequest.id == request_id,
        or_(HelpRequest.from_user_id == actor.id, HelpRequest.to_user_id == actor.id)))


def my_requests(*, user: User, box: str, page: int = 1) -> Page:
    """Received (``box="received"``) or sent requests: open ones first, then newest."""
    mine = HelpRequest.to_user_id if box == "received" else HelpRequest.from_user_id
    stmt = select(HelpRequest).where(mine == user.id).order_by(
        case((HelpRequest.status == "open", 0), (HelpRequest.status == "accepted", 1), else_=2),
        HelpRequest.created_at.desc(), HelpRequest.id.desc())
    return paginate(stmt, page, PER_PAGE)


def open_counts(user: User) -> dict[str, int]:
    """How many requests wait for an answer, received and sent, in one query."""
    rows = db.session.execute(_OPEN_COUNTS, {"user_id": user.id})
    return {"received": 0, "sent": 0} | {name: n for name, n in rows}


_BOX = case((HelpRequest.to_user_id == bindparam("user_id"), "received"), else_="sent")
_OPEN_COUNTS = select(_BOX, func.count()).where(
    or_(HelpRequest.to_user_id == bindparam("user_id"),
        HelpRequest.from_user_id == bindparam("user_id")),
    HelpRequest.status == "open").group_by(_BOX)


# --- Termly numbers for leads -------------------------------------------------------------

TERM_NAMES = ("Autumn", "Spring", "Summer")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
# Months from the start of the academic year at which each term begins: Sept, Jan, Apr.
TERM_OFFSETS = (0, 4, 7)


def term_of(year: int, month: int, start_month: int) -> tuple[int, int]:
    """(academic year it starts in, term index 0..2) for a calendar month. The summer
    holiday (the twelfth month) counts in the summer term, so no request goes uncounted."""
    offset = (month - start_month) % 12
    academic_year = year if month >= start_month else year - 1
    index = 2 if offset >= TERM_OFFSETS[2] else 1 if offset >= TERM_OFFSETS[1] else 0
    return academic_year, index


@dataclass
class TermStats:
    academic_year: int
    index: int
    start_month: int
    made: int = 0
    answered: int = 0

    @property
    def name(self) -> str:
        first = (self.start_month - 1 + TERM_OFFSETS[self.index]) % 12
        year = self.academic_year + (1 if first + 1 < self.start_month else 0)
        if self.start_month != 9:  # autumn, spring and summer only fit a September start
            return f"Term {self.index + 1}, {MONTH_NAMES[first]} {year}"
        return f"{TERM_NAMES[self.index]} term {year}"

    @property
    def months(self) -> str:
        last_offset = (TERM_OFFSETS[self.index + 1] if self.index < 2 else 11) - 1
        first = MONTH_NAMES[(self.start_month - 1 + TERM_OFFSETS[self.index]) % 12]
        last = MONTH_NAMES[(self.start_month - 1 + last_offset) % 12]
        return f"{first} to {last}"

    @property
    def answered_percent(self) -> int | None:
        return round(100 * self.answered / self.made) if self.made else None


def term_stats(now: date | None = None) -> list[TermStats]:
    """Cross-school requests made and answered (by the person asked) in each term of this
    academic year and the last, newest first. One GROUP BY query, whatever the numbers."""
    now = now or today()
    start_month = Partnership.current().year_start_month
    this_year, this_term = term_of(now.year, now.month, start_month)
    since = datetime(this_year - 1, start_month, 1)
    year_col = extract("year", HelpRequest.created_at).label("y")
    month_col = extract("month", HelpRequest.created_at).label("m")
    rows = db.session.execute(
        select(year_col, month_col, func.count(), func.count(HelpRequest.answered_at))
        .where(HelpRequest.cross_school.is_(True), HelpRequest.created_at >= since)
        .group_by(year_col, month_col))
    terms = {(y, i): TermStats(y, i, start_month)
             for y in (this_year - 1, this_year) for i in range(3)
             if (y, i) <= (this_year, this_term)}
    for year, month, made, answered in rows:
        key = term_of(int(year), int(month), start_month)
        if key in terms:
            terms[key].made += made
            terms[key].answered += answered
    return sorted(terms.values(), key=lambda t: (t.academic_year, t.index), reverse=True)
