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
from .lifecycle import check_focus_area, create_review

ROTA_FOCUS = "To what extent … (the enquiry focus is agreed with the host school)"


def accept_rota(*, actor: User, visits: list[RotaVisit], starts: dict[int, date | None],
                days: int, focus_area: str, avoid_reciprocal: bool) -> list[Review]:
    """Create a planned review for each host; reviewers come from the schools the rota names
    (the team itself is proposed later, with the picker)."""
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
    return reviews
