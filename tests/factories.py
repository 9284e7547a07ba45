"""One factory for each kind of row the tests make: a plain function with sensible defaults
that adds the row, flushes (so it has its id) and returns it. Call them in an app context.

Nothing is committed here. A service test (the ``ctx`` fixture) sees the rows at once; a view
test commits (``db.session.commit()``) before its requests, which read in their own sessions.
Where a row refers to another (a user, a school, a skill), pass the row or its id. Dates
default to days counted from ``clock.today()``, so the suite runs on any day.
"""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from eip_site import clock
from eip_site.directory.models import (
    HelpRequest,
    Offer,
    Profile,
    Qualification,
    SearchMiss,
    Skill,
    SkillCategory,
    UserSkill,
)
from eip_site.extensions import db
from eip_site.networks import lifecycle, meetings
from eip_site.networks.models import Meeting, Network, NetworkMember
from eip_site.people.models import Partnership, School, User
from eip_site.reviews.models import Booking, Closure, HostDay, Review, ReviewMember, Term
from eip_site.seeds.vocabulary import install_default_vocabulary

PASSWORD = "correct horse battery"
# A cheap hash keeps the suite fast; check_password_hash reads the method from the hash.
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_seq = itertools.count(1)
NEW = object()  # user(school=NEW): a school of their own; school=None: partnership staff


def _id(row_or_id) -> int | None:
    return getattr(row_or_id, "id", row_or_id)


def _add(row):
    db.session.add(row)
    db.session.flush()
    return row


# --- People -------------------------------------------------------------------------------

def school(**kwargs) -> School:
    n = next(_seq)
    return _add(School(**{"name": f"School {n}", "urn": f"{100000 + n:06d}", "phase": "primary",
                          **kwargs}))


_school = school  # user() takes a ``school`` argument


def user(*, roles=(), school=NEW, password: str | None = PASSWORD, **kwargs) -> User:
    """A member of staff who has signed up (``password=None``: invited, not yet set up)."""
    n = next(_seq)
    row = User(**{"name": f"Person {n}", "email": f"person{n}@school.example",
                  "school": _school() if school is NEW else
                  db.session.get(School, _id(school)) if school is not None else None,
                  "password_hash": (FAST_HASH if password == PASSWORD else
                                    generate_password_hash(password) if password else None),
                  **kwargs})
    row.set_roles(set(roles))
    return _add(row)


def reviewer(**kwargs) -> User:
    """A trained peer reviewer (the qualification the review team needs)."""
    person = user(**kwargs)
    qualification(person)
    return person


def partnership(**kwargs) -> Partnership:
    return _add(Partnership(**{"id": 1, "name": "Kingsmere Partnership", **kwargs}))


# --- The directory ------------------------------------------------------------------------

def vocabulary() -> dict[str, int]:
    """The default skills (what a new site ships with), installed once: {name: id}."""
    install_default_vocabulary(db.session.connection())
    return dict(db.session.execute(select(Skill.name, Skill.id)).all())


def skill(name: str | None = None, *, category=None, **kwargs) -> Skill:
    """An approved skill, in the first category unless told (one is made if there is none)."""
    if category is None:
        category = db.session.scalar(select(SkillCategory.id).order_by(
            SkillCategory.position, SkillCategory.id))
    if category is None:
        n = next(_seq)
        category = _add(SkillCategory(slug=f"category-{n}", name=f"Category {n}"))
    return _add(Skill(**{"name": name or f"Skill {next(_seq)}", "category_id": _id(category),
                         **kwargs}))


def user_skill(person, skill, relation: str = "train") -> UserSkill:
    """``person`` can lead training in ``skill`` (or mentor, has experience, wants to develop)."""
    return _add(UserSkill(user_id=_id(person), skill_id=_id(skill), relation=relation))


def offer(person, kind: str = "coaching") -> Offer:
    return _add(Offer(user_id=_id(person), kind=kind))


def qualification(person, kind: str = "peer_reviewer", *, confirmed: bool = True
                  ) -> Qualification:
    """Confirmed by a head or lead unless ``confirmed=False`` (a self-tick waiting)."""
    return _add(Qualification(user_id=_id(person), kind=kind,
                              confirmed_at=clock.utcnow() if confirmed else None))


def profile(person, **kwargs) -> Profile:
    return _add(Profile(user_id=_id(person), **kwargs))


def help_request(sender, recipient, **kwargs) -> HelpRequest:
    """An open request for help, written straight to the table (no email)."""
    return _add(HelpRequest(**{"from_user_id": _id(sender), "to_user_id": _id(recipient),
                               "message": "Please help with phonics", **kwargs}))


def search_miss(term: str = "latin", **kwargs) -> SearchMiss:
    """A directory search that found nobody, counted this month unless told."""
    return _add(SearchMiss(**{"term": term, "month": clock.today().strftime("%Y-%m"),
                              **kwargs}))


# --- Reviews ------------------------------------------------------------------------------

def term(*, start: date | None = None, end: date | None = None, **kwargs) -> Term:
    """A term of twelve weeks from a week today, unless told."""
    start = start or clock.today() + timedelta(days=7)
    return _add(Term(**{"name": "Spring", "start_date": start,
                        "end_date": end or start + timedelta(weeks=12), **kwargs}))


def closure(school=None, *, start: date | None = None, end: date | None = None,
            **kwargs) -> Closure:
    """A day a school (without one, every school) is closed: an INSET day a week ahead."""
    start = start or clock.today() + timedelta(days=7)
    return _add(Closure(**{"school_id": _id(school), "name": "INSET day", "kind": "inset",
                           "start_date": start, "end_date": end or start, **kwargs}))


def booking(person, day: date, review) -> Booking:
    return _add(Booking(user_id=_id(person), day=day, review_id=_id(review)))


def review(*, host=None, start: date | None = None, days: int = 2,
           state: str = "planned", team: tuple[User, ...] = (), focus_area: str = "pedagogy",
           **kwargs) -> Review:
    """A review written straight to the tables (no rules, no email): bookings and host days
    as the services would make them, so clash checks see it. Starts 30 days from today, on
    ``days`` calendar days unless ``dates`` names them."""
    host = school() if host is None else db.session.get(School, _id(host))
    start = start or clock.today() + timedelta(days=30)
    dates = kwargs.pop("dates", None) or [start + timedelta(days=i) for i in range(days)]
    row = _add(Review(host_school=host, focus="To what extent does feedback move learning on?",
                      focus_area=focus_area, dates=dates, state=state, **kwargs))
    row.members = [ReviewMember(user_id=u.id, user=u, role="lead" if i == 0 else "reviewer",
                                position=i) for i, u in enumerate(team)]
    if state != "cancelled":
        db.session.add_all(HostDay(school_id=host.id, day=d, review_id=row.id) for d in row.dates)
        db.session.add_all(Booking(user_id=u.id, day=d, review_id=row.id)
                           for u in team for d in row.dates)
    db.session.flush()
    return row


# --- Networks: through the services, so agendas and memberships are as the site makes them -

def network(*, leader: User | None = None, lead: User | None = None,
            critical_friend: User | None = None, members=(), name: str | None = None,
            purpose: str = "Moves.", **kwargs) -> Network:
    """A sponsored network: proposed by ``leader``, sponsored by ``lead`` with
    ``critical_friend`` (the lead, unless told), and joined by ``members``."""
    leader = leader or user()
    lead = lead or user(roles={"lead"})
    row = lifecycle.propose_network(actor=leader, name=name or f"Network {next(_seq)}",
                                   purpose=purpose, **kwargs)
    lifecycle.decide_proposal(actor=lead, network=row, sponsor=True, comment="",
                             critical_friend_id=(critical_friend or lead).id)
    for person in members:
        lifecycle.ask_to_join(actor=person, network=row)
        lifecycle.accept_member(actor=leader, network=row, user_id=person.id)
    return row


def meeting(network: Network, *, day: date | None = None, start: time = time(16),
            end: time = time(17), state: str = "draft", **where) -> Meeting:
    """A meeting on the standard agenda, arranged by the leader at their school four weeks
    from today unless told; ``state`` "published" or "held" takes it that far."""
    leader = network.leader
    row = meetings.create_meeting(actor=leader, network=network,
                                  day=day or clock.today() + timedelta(weeks=4), start=start,
                                  end=end, **(where or {"school_id": leader.school_id}))
    if state in ("published", "held"):
        meetings.publish_agenda(actor=leader, meeting=row)
    if state == "held":
        meetings.mark_held(actor=leader, meeting=row)
    return row


def network_member(network, person, status: str = "member") -> NetworkMember:
    """A membership written straight to the table (no request, no acceptance)."""
    return _add(NetworkMember(network_id=_id(network), user_id=_id(person), status=status))
