"""Reads for the review pages; each runs a fixed number of queries whatever the data size."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import String, bindparam, case, cast, func, literal, null, or_, select, union, \
    union_all
from sqlalchemy.orm import aliased, joinedload, lazyload, load_only, selectinload

from ..data_version import Remembered, stamps
from ..directory.models import Qualification, Skill, SkillCategory, UserSkill
from ..extensions import db
from ..people.models import Partnership, School, User, UserRole
from ..people.queries import PAGE_SIZE, Page
from ..security import CHAMPION
from .models import (
    REVIEWER_QUALIFICATIONS,
    Booking,
    Closure,
    Review,
    ReviewDay,
    ReviewEvent,
    ReviewMember,
    Term,
    Unavailable,
)
from .scheduling import term_gaps


_CATEGORIES = select(SkillCategory.slug, SkillCategory.name).order_by(SkillCategory.position)


def categories() -> dict[str, str]:
    return dict(db.session.execute(_CATEGORIES).all())


_TERMS = select(Term).order_by(Term.start_date)


def terms() -> list[Term]:
    return list(db.session.scalars(_TERMS))


@dataclass
class Filters:
    term: int | None = None
    school: int | None = None
    state: str = ""
    mine: bool = False
    page: int = 1


# Reviews a person is on, runs, facilitates or hosts ("mine"), with the person as parameters
# (``me``, ``my_school``: their id and their school's, or 0).
MINE = or_(
    Review.id.in_(select(ReviewMember.review_id).where(ReviewMember.user_id == bindparam("me"))),
    Review.facilitator_id == bindparam("me"), Review.champion_id == bindparam("me"),
    Review.host_school_id == bindparam("my_school"))


@dataclass
class Listed:
    """A row of the review list: the columns it shows, not whole reviews and schools."""
    id: int
    start_date: date
    end_date: date
    focus: str
    state: str
    host_name: str
    lead_name: str | None


# Built once: an alias copies every column of its table, ~0.4 ms a request if made per call.
_LEAD = aliased(ReviewMember)
_LEAD_USER = aliased(User)


def list_reviews(filters: Filters, user: User) -> Page:
    """A page of reviews with each one's lead reviewer's name: two queries."""
    params = {"school": filters.school, "state": filters.state, "me": user.id,
              "my_school": user.school_id or 0}
    term = db.session.get(Term, filters.term) if filters.term else None
    if term is not None:
        params |= {"term_start": term.start_date, "term_end": term.end_date}
    count, rows = _listing(term is not None, bool(filters.school), bool(filters.state),
                           filters.mine)
    total = db.session.scalar(count, params)
    pages = max(1, -(-total // PAGE_SIZE))
    page = max(1, min(filters.page, pages))
    rows = db.session.execute(rows, params | {"offset": (page - 1) * PAGE_SIZE})
    return Page([Listed(*row) for row in rows], total, page, PAGE_SIZE)


@cache
def _listing(term: bool, school: bool, state: bool, mine: bool):
    """The list's count and page statements for one combination of filters, built once."""
    where = []
    if term:
        where.append(Review.start_date.between(bindparam("term_start"), bindparam("term_end")))
    if school:
        where.append(Review.host_school_id == bindparam("school"))
    if state:
        where.append(Review.state == bindparam("state"))
    if mine:
        where.append(MINE)
    # Counted from the review table alone: the lead's name is only needed for the page.
    count = select(func.count()).select_from(Review).where(*where)
    lead, lead_user = _LEAD, _LEAD_USER
    rows = select(Review.id, Review.start_date, Review.end_date, Review.focus, Review.state,
                  School.name, lead_user.name).where(*where) \
        .join(School, School.id == Review.host_school_id) \
        .outerjoin(lead, (lead.review_id == Review.id) & (lead.role == "lead")) \
        .outerjoin(lead_user, lead_user.id == lead.user_id) \
        .order_by(Review.start_date.desc(), Review.id.desc()) \
        .limit(PAGE_SIZE).offset(bindparam("offset"))
    return count, rows


def _month_span(year: int, month_no: int) -> tuple[date, date]:
    first = date(year, month_no, 1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def month(year: int, month_no: int, user: User | None = None) -> dict[date, list[Review]]:
    """Reviews (not cancelled) on each of their days in a month, for the month grid."""
    first, last = _month_span(year, month_no)
    params = {"first": first, "last": last}
    if user is not None:
        params |= {"me": user.id, "my_school": user.school_id or 0}
    by_day: dict[date, list[Review]] = defaultdict(list)
    for day, review in db.session.execute(_MONTH[user is not None], params):
        by_day[day].append(review)
    return by_day


_MONTH = {mine: select(ReviewDay.day, Review).join(Review, Review.id == ReviewDay.review_id)
          .where(Review.state != "cancelled", ReviewDay.day.between(bindparam("first"),
                                                                   bindparam("last")),
                 *([MINE] if mine else []))
          .order_by(ReviewDay.day, Review.start_date, Review.id) for mine in (False, True)}

# The month's closures (with the school's name, none for every school) and the terms around
# it (the holidays between them), in one statement.
_MONTH_CLOSED = union_all(
    select(Closure.name, Closure.kind, Closure.start_date, Closure.end_date,
           School.name.label("school")).outerjoin(School, School.id == Closure.school_id)
    .where(Closure.start_date <= bindparam("last"), Closure.end_date >= bindparam("first")),
    select(Term.name, literal("term"), Term.start_date, Term.end_date, cast(null(), String))
    .where(Term.start_date <= bindparam("terms_to"), Term.end_date >= bindparam("terms_from")))


def month_closed(year: int, month_no: int) -> dict[date, list[str]]:
    """What closes schools on each weekday of a month: holidays, INSET days and closures
    ("INSET day (Oak Primary)": a school's own), and the holidays between terms."""
    first, last = _month_span(year, month_no)
    rows = db.session.execute(_MONTH_CLOSED, {
        "first": first, "last": last, "terms_from": first - timedelta(days=366),
        "terms_to": last + timedelta(days=366)}).all()
    closures = [(r.name + (f" ({r.school})" if r.school else ""), r.start_date, r.end_date)
                for r in rows if r.kind != "term"]
    holidays = [(gap.name, gap.start, gap.end) for gap in term_gaps(
        [(r.name, r.start_date, r.end_date) for r in rows if r.kind == "term"])]
    by_day: dict[date, list[str]] = defaultdict(list)
    day = first
    while day <= last:
        if day.weekday() < 5:
            by_day[day] = [label for label, start, end in closures if start <= day <= end] \
                or [label for label, start, end in holidays if start <= day <= end]
        day += timedelta(days=1)
    return {d: labels for d, labels in by_day.items() if labels}


# The people a review names are shown by name, the team with their schools: their roles (a
# query of their own), unused schools and login columns are read only if something asks.
_NAME = (load_only(User.name), lazyload(User.role_rows), lazyload(User.school))
_PERSON = (load_only(User.name, User.school_id), lazyload(User.role_rows),
           joinedload(User.school).load_only(School.name))
# One statement built once: its cache key is then computed once, where a "selectin" load of
# the team builds and keys a second statement on every call (~2 ms); the team is a few rows.
_REVIEW = select(Review).where(Review.id == bindparam("id")).options(
    joinedload(Review.host_school).load_only(School.name),
    joinedload(Review.members).joinedload(ReviewMember.user).options(*_PERSON),
    joinedload(Review.day_rows),
    joinedload(Review.champion).options(*_NAME), joinedload(Review.facilitator).options(*_NAME))


def review(review_id: int) -> Review | None:
    return db.session.execute(_REVIEW, {"id": review_id}).unique().scalar_one_or_none()


@dataclass
class Event:
    """A line of a review's history: the columns it shows, with the actor's name."""
    at: datetime
    from_state: str
    to_state: str
    note: str
    actor: str | None


_HISTORY = (select(ReviewEvent.at, ReviewEvent.from_state, ReviewEvent.to_state, ReviewEvent.note,
                   User.name)
            .outerjoin(User, User.id == ReviewEvent.actor_id)
            .where(ReviewEvent.review_id == bindparam("review"))
            .order_by(ReviewEvent.at, ReviewEvent.id))
_HISTORY_PUBLIC = _HISTORY.where(ReviewEvent.findings.is_(False))


def history(review_id: int, *, findings: bool) -> list[Event]:
    """The review's history; the lines about its findings only for ``findings`` (those who
    may see the findings: that a school has a safeguarding concern is itself confidential)."""
    statement = _HISTORY if findings else _HISTORY_PUBLIC
    return [Event(*row) for row in db.session.execute(statement, {"review": review_id})]


@dataclass
class Candidate:
    id: int
    name: str
    school: str
    status: str = "free"          # free / booked / unavailable
    clash: str = ""
    strengths: list[tuple[str, str]] = field(default_factory=list)  # (skill, relation)
    score: int = 0
    reviews: int = 0              # other reviews they are on in the review's academic year
    capped: bool = False          # at the partnership's limit of reviews a year
    school_id: int | None = None


class Shown(list):
    """The candidates shown, and their rows as the page renders them (``rows``, by the boxes
    ticked): kept with the list, so forgotten with it when its data changes."""

    def __init__(self, candidates):
        super().__init__(candidates)
        self.rows: dict = {}


STATUS_ORDER = {"free": 0, "unavailable": 1, "booked": 2}
RELATION_SCORE = {"train": 3, "mentor": 2, "experience": 1}

# The picker's statements, built once with bound parameters (host, review, first, last,
# focus): building the selects on every request cost more than running them.
# Trained or champions as one list (a union): SQLite read "in one or in the other" as two
# passes over the people, ~0.3 ms more each time.
_ELIGIBLE = (User.active.is_(True),
             or_(User.school_id.is_(None), User.school_id != bindparam("host")),
             User.id.in_(union(
                 select(Qualification.user_id).where(
                     Qualification.kind.in_(REVIEWER_QUALIFICATIONS),
                     Qualification.confirmed_at.is_not(None)),
                 select(UserRole.user_id).where(UserRole.role == CHAMPION))))
# The review's own days: a weekend or holiday between two of them (Thu, Fri, Mon) is not one.
_DAYS = select(ReviewDay.day).where(ReviewDay.review_id == bindparam("review"))
# Each candidate's first day off among the review days, looked up by key per candidate.
_DAY_OFF = (select(func.min(Unavailable.day))
            .where(Unavailable.user_id == User.id, Unavailable.day.in_(_DAYS))
            .scalar_subquery())
_PEOPLE = (select(User.id, User.name, School.name, _DAY_OFF, User.school_id)
           .outerjoin(School, School.id == User.school_id).where(*_ELIGIBLE))
# Bookings are read for everyone on the review days (a few rows, by the day's index) rather
# than for a list of a few hundred candidates' ids, which cost ~1 ms to bind; the last day
# booked is named.
_BOOKED = (select(Booking.user_id, Booking.day, School.name)
           .join(Review, Review.id == Booking.review_id)
           .join(School, School.id == Review.host_school_id)
           .where(Booking.day.in_(_DAYS), Booking.review_id != bindparam("review"))
           .order_by(Booking.day))
# "+ 0": without it SQLite probes the (skill, relation, user) index once per candidate for
# every skill of the area (~7,000 probes, ~5 ms); scanning the area's links is cheaper.
_STRENGTHS = (select(UserSkill.user_id, Skill.name, UserSkill.relation)
              .join(Skill, Skill.id == UserSkill.skill_id)
              .join(SkillCategory, SkillCategory.id == Skill.category_id)
              .where(SkillCategory.slug == bindparam("focus"),
                     UserSkill.relation.in_(RELATION_SCORE),
                     (UserSkill.user_id + 0).in_(select(User.id).where(*_ELIGIBLE)))
              .order_by(case(RELATION_SCORE, value=UserSkill.relation, else_=0).desc(),
                        Skill.name))


# How many reviews (not cancelled) each person is on in an academic year, other than this one:
# one grouped statement, whatever the number of people or reviews.
_YEAR_REVIEWS = (select(ReviewMember.user_id, func.count())
                 .join(Review, Review.id == ReviewMember.review_id)
                 .where(Review.start_date >= bindparam("year_start"),
                        Review.start_date < bindparam("year_end"),
                        Review.state != "cancelled", Review.id != bindparam("review"))
                 .group_by(ReviewMember.user_id))
_YEAR_REVIEWS_OF = _YEAR_REVIEWS.where(ReviewMember.user_id.in_(bindparam("people",
                                                                           expanding=True)))


def _year(review: Review) -> dict:
    start, end = Partnership.current().year_of(review.start_date)
    return {"year_start": start, "year_end": end, "review": review.id or 0}


def reviews_this_year(review: Review, people: list[int]) -> dict[int, int]:
    """How many other reviews each of ``people`` is on in ``review``'s academic year."""
    return dict(db.session.execute(_YEAR_REVIEWS_OF, _year(review) | {"people": people}).all())


_PICKED = Remembered()  # candidates, under the reviewers stamp (see data_version)


def candidates(review: Review, limit: int = 40) -> tuple[list[Candidate], int]:
    """Trained reviewers and champions from other schools, with their availability on the
    review days and their strengths in the focus area: free and strongest first. The best
    ``limit`` are returned (and the current team, wherever it ranks), with the total.
    Remembered until anything they are read from changes: reading and ranking some 400
    people was a third of the review page."""
    team = frozenset(m.user_id for m in review.members)
    partnership = Partnership.current()
    cap, year = partnership.max_reviews_per_year, partnership.year_of(review.start_date)
    key = (review.id, review.host_school_id, review.focus_area, review.start_date,
           review.end_date, team, limit, cap, year)
    stamp, = stamps("reviewers")
    return _PICKED.get(stamp, key, lambda: _candidates(review, team, limit, cap))


def _candidates(review: Review, team: frozenset, limit: int, cap: int | None
                ) -> tuple[list[Candidate], int]:
    params = {"host": review.host_school_id, "review": review.id, "focus": review.focus_area,
              "first": review.start_date, "last": review.end_date} | _year(review)
    # Plain rows from the connection: the session would wrap each of some 400 rows as an
    # ORM result (~0.7 ms), and these statements read columns, never objects.
    run = db.session.connection().execute
    people = run(_PEOPLE, params).all()
    status = {user_id: ("unavailable", f"on {day:%a} {day.day} {day:%b}")
              for user_id, _name, _school, day, _school_id in people if day}
    for user_id, day, school in run(_BOOKED, params):  # a booking outranks a day off
        status[user_id] = ("booked", f"on {day:%a} {day.day} {day:%b} at {school}")
    strengths: dict[int, list[tuple[str, str]]] = defaultdict(list)
    score: Counter = Counter()
    for user_id, name, relation in run(_STRENGTHS, params):
        strengths[user_id].append((name, relation))
        score[user_id] += RELATION_SCORE[relation]
    reviews = dict(run(_YEAR_REVIEWS, params).all())
    capped = {i for i, n in reviews.items() if cap is not None and n >= cap and i not in team}
    free = ("free", "")
    # Those the limit stops after the rest; then those with fewer reviews this year first.
    ranked = sorted(people, key=lambda p: (p[0] in capped,
                                           STATUS_ORDER[status.get(p[0], free)[0]],
                                           -score[p[0]], reviews.get(p[0], 0), p[1]))
    # Objects only for the rows shown.
    shown = Shown(Candidate(id_, name, school or "Partnership", *status.get(id_, free),
                            strengths[id_], score[id_], reviews.get(id_, 0), id_ in capped,
                            school_id)
                  for i, (id_, name, school, _day, school_id) in enumerate(ranked)
                  if i < limit or id_ in team)
    return shown, len(ranked)


def helpers_for(review: Review, per_area: int = 3) -> list[tuple[str, list[tuple[User, str]]]]:
    """For each area for development, people from other schools who can lead training in the
    skills it names (matched against the directory's vocabulary, typos and synonyms too);
    where an area names no skill, trainers in the review's focus area."""
    from ..directory.matching import match_skills
    from ..directory.queries import vocabulary

    vocab = vocabulary()
    wanted = {area: [m.skill_id for m in match_skills(area, vocab.terms, limit=3)]
              for area in review.areas[:6]}
    in_focus = [s.id for s in vocab.skills.values()
                if s.category.slug == review.focus_area]
    ids = {i for ids in wanted.values() for i in ids} | set(in_focus)
    by_skill: dict[int, list[User]] = defaultdict(list)
    for user, skill_id in db.session.execute(
            select(User, UserSkill.skill_id)
            .join(UserSkill, UserSkill.user_id == User.id)
            .where(UserSkill.skill_id.in_(ids), UserSkill.relation == "train",
                   User.active.is_(True), User.school_id != review.host_school_id)
            .order_by(User.name)):
        by_skill[skill_id].append(user)
    out = []
    for area, skill_ids in wanted.items():
        seen: dict[int, tuple[User, str]] = {}
        for skill_id in skill_ids or in_focus:
            for user in by_skill.get(skill_id, []):
                seen.setdefault(user.id, (user, vocab.skills[skill_id].name))
        out.append((area, list(seen.values())[:per_area]))
    return out


def champions() -> list[User]:
    # Driven from the (small) role table: a join lets SQLite walk every user by name.
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(UserRole.user_id).where(UserRole.role == CHAMPION)),
                           User.active.is_(True)).order_by(User.name)))


_THEMES_COUNTED = (Review.start_date >= bindparam("since"), Review.state.in_((
    "feedback", "workshop_booked", "workshop_done", "impact", "closed")))
_THEMES = Remembered(size=1)  # the list pages all ask the same question


@dataclass
class Themes:
    areas: list[tuple[str, int, list[str]]]  # (area, reviews, most common lines)
    held_back: int  # areas with reviews of too few schools to show without naming one


def themes(since: date, stamp: str | None, min_schools: int = 3, per_area: int = 8) -> Themes:
    """Anonymised themes for the cluster: per focus area, how many reviews since ``since``
    gave feedback, and their most common areas for development, without schools or names;
    an area only when reviews of ``min_schools`` different schools contribute (one review,
    or one school's, would name the school in effect). Remembered under the themes
    ``stamp`` (see data_version): reading and splitting a year of findings on every list
    page cost ~6 ms on the bench data."""
    return _THEMES.get(stamp, (since, min_schools, per_area),
                       lambda: _themes(since, min_schools, per_area))


def _themes(since: date, min_schools: int, per_area: int) -> Themes:
    names = categories()
    lines: dict[str, Counter] = defaultdict(Counter)
    counts: Counter = Counter()
    schools: dict[str, set[int]] = defaultdict(set)
    for area, school_id, to_develop in db.session.execute(
            select(Review.focus_area, Review.host_school_id, Review.to_develop)
            .where(*_THEMES_COUNTED), {"since": since}):
        counts[area] += 1
        schools[area].add(school_id)
        lines[area].update(line.strip(" -•\t") for line in to_develop.splitlines()
                           if line.strip(" -•\t"))
    shown = [area for area in counts if len(schools[area]) >= min_schools]
    return Themes([(names.get(area, area), counts[area],
                    [line for line, _n in lines[area].most_common(per_area)])
                   for area in sorted(shown, key=lambda a: names.get(a, a))],
                  len(counts) - len(shown))


def my_unavailable(user: User, from_day: date) -> list[date]:
    return list(db.session.scalars(select(Unavailable.day).where(
        Unavailable.user_id == user.id, Unavailable.day >= from_day).order_by(Unavailable.day)))


def feed_reviews(user_id: int) -> list[Review]:
    return list(db.session.scalars(
        select(Review).where(Review.state != "cancelled", or_(
            Review.id.in_(select(ReviewMember.review_id).where(ReviewMember.user_id == user_id)),
            Review.facilitator_id == user_id))
        .options(selectinload(Review.members), selectinload(Review.day_rows))
        .order_by(Review.start_date)))


def closures() -> list[Closure]:
    return list(db.session.scalars(select(Closure).order_by(Closure.start_date, Closure.id)))
