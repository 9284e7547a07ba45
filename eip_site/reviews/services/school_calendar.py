"""The partnership's calendar: term dates (leads) and the days schools are closed (leads for
every school or any one, heads for their own)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ...clock import today
from ...errors import DomainError, Forbidden, clean_text
from ...extensions import db
from ...people.models import User
from ...security import HEAD
from .. import permissions
from ..models import CLOSURE_KINDS, Closure, Term
from .booking import MAX_AHEAD


def _span(name: str, start: date | None, end: date | None, *, label: str) -> str:
    name = clean_text(name, field="name", label=f"the {label}'s name", limit=60, required=True)
    if start is None:
        raise DomainError("Enter the first day.", field="start_date")
    if end is None:
        raise DomainError("Enter the last day.", field="end_date")
    for day, field in ((start, "start_date"), (end, "end_date")):
        if abs(day - today()) > MAX_AHEAD:
            raise DomainError("Choose a date within two years of today.", field=field)
    if end < start:
        raise DomainError("The last day must be the same as or after the first day.",
                          field="end_date")
    if (end - start).days > 200:
        raise DomainError(f"A {label} lasts at most 200 days.", field="end_date")
    return name


def add_term(*, actor: User, name: str, start: date | None, end: date | None) -> Term:
    if not permissions.is_lead(actor):
        raise Forbidden("Only cluster leads set the term dates.")
    name = _span(name, start, end, label="term")
    overlap = db.session.scalar(select(Term.name).where(Term.start_date <= end,
                                                        Term.end_date >= start).limit(1))
    if overlap:
        raise DomainError(f"Those dates overlap {overlap}.", field="start_date")
    term = Term(name=name, start_date=start, end_date=end)
    db.session.add(term)
    db.session.flush()
    return term


def add_closure(*, actor: User, school_id: int | None, name: str, kind: str,
                start: date | None, end: date | None) -> Closure:
    """Leads add partnership-wide holidays or any school's days; heads their own school's."""
    if not permissions.is_lead(actor) and (
            not actor.has_role(HEAD) or school_id is None or school_id != actor.school_id):
        raise DomainError("Headteachers add closure days for their own school only.",
                          field="school")
    if kind not in CLOSURE_KINDS:
        raise DomainError("Choose what kind of day it is.", field="kind")
    name = _span(name, start, end, label="closure")
    closure = Closure(school_id=school_id, name=name, kind=kind, start_date=start, end_date=end)
    db.session.add(closure)
    db.session.flush()
    return closure


def remove_calendar_row(*, actor: User, row: Term | Closure) -> None:
    if not permissions.can_remove(actor, row):
        raise DomainError("You cannot remove that.")
    db.session.delete(row)
    db.session.flush()
