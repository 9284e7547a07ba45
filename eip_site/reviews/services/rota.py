"""Accepting a rota: a planned review for each host school, in one go or not at all."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ...errors import DomainError, Forbidden
from ...extensions import db
from ...people.models import School, User
from .. import permissions
from ..models import Review
from ..scheduling import RotaVisit, rota_problems
from .lifecycle import check_focus_area, create_review, set_team

ROTA_FOCUS = "To what extent … (the enquiry focus is agreed with the host school)"


def accept_rota(*, actor: User, visits: list[RotaVisit], starts: dict[int, date | None],
                days: int, focus_area: str, avoid_reciprocal: bool,
                propose_teams: bool = False) -> list[Review]:
    """Create a planned review for each host; reviewers come from the schools the rota names.
    With ``propose_teams`` each review's team is proposed too (``propose_team``); otherwise,
    or where a school has nobody free, it is chosen later with the picker."""
    if not permissions.is_lead(actor):
        raise Forbidden("Only cluster leads accept a rota.")
    check_focus_area(focus_area)
    problems = rota_problems(visits, avoid_reciprocal=avoid_reciprocal)
    if problems:
        raise DomainError(" ".join(problems))
    schools = {s.id: s for s in db.session.scalars(select(School).where(
        School.id.in_({v.host for v in visits} | {s for v in visits for s in v.reviewers})))}
    reviews = []
    for visit in visits:
        host = schools.get(visit.host)
        if host is None:
            raise DomainError("A school in the rota no longer exists. Propose the rota again.")
        try:
            review = create_review(
                actor=actor, host_school=host, focus=ROTA_FOCUS, focus_area=focus_area,
                start_date=starts.get(visit.host), days=days,
                notes="Reviewers from: " + ", ".join(schools[s].name for s in visit.reviewers
                                                     if s in schools))
        except DomainError as error:
            raise DomainError(f"{host.name}: {error.message}",
                              field=f"start-{visit.host}") from None
        reviews.append(review)
    if propose_teams:  # the earliest first, each seeing the people the ones before booked
        for review, visit in sorted(zip(reviews, visits), key=lambda rv: rv[0].start_date):
            propose_team(actor=actor, review=review, schools=visit.reviewers)
    return reviews


def propose_team(*, actor: User, review: Review, schools: tuple[int, ...]) -> list[User]:
    """One person from each of ``schools`` (the first leads): trained and confirmed, free on
    the review days, under the partnership's yearly limit, the one with the fewest reviews
    this academic year (then by name). Where a school has nobody, the review keeps no team
    and its notes say which school; the team is then chosen with the picker."""
    from ..queries import candidates

    pool, _total = candidates(review, limit=10**6)
    chosen, missing = [], []
    for school in schools:
        free = [c for c in pool if c.school_id == school and c.status == "free" and not c.capped]
        if free:
            chosen.append(min(free, key=lambda c: (c.reviews, c.name, c.id)).id)
        else:
            missing.append(school)
    if missing:
        names = db.session.scalars(select(School.name).where(School.id.in_(missing))
                                   .order_by(School.name))
        review.notes += ("\nNo trained reviewer is free on these days at: " + ", ".join(names)
                         + ". Choose the team with the picker.")
        return []
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(chosen)))}
    team = [people[i] for i in chosen]
    set_team(actor=actor, review=review, lead=team[0], reviewers=team[1:])
    return team
