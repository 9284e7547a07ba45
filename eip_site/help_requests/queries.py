"""What a person sees of their requests for help, and the termly numbers for leads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, case, extract, func, or_, select

from ..clock import today
from ..directory.models import RELATIONS, STRENGTHS, HelpRequest, Skill, UserSkill
from ..extensions import db
from ..people.models import Partnership, User
from ..people.queries import Page, paginate

PER_PAGE = 20


def skill_choices(recipient: User) -> list[tuple[int, str]]:
    """The skills the recipient lists on their profile, strongest first (one query)."""
    order = list(RELATIONS)
    links = db.session.scalars(select(UserSkill).join(UserSkill.skill).where(
        UserSkill.user_id == recipient.id, UserSkill.relation.in_(STRENGTHS),
        Skill.status == "approved"))
    ranked = sorted(links, key=lambda link: (order.index(link.relation), link.skill.name.lower()))
    return [(link.skill_id, f"{link.skill.name} ({RELATIONS[link.relation].lower()})")
            for link in ranked]


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
