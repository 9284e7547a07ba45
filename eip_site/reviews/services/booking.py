"""The days a review holds: the host school's days and each person's, under unique keys.

Double booking is prevented by the database: one ``booking`` row per person per day and
one ``host_day`` row per school per day, each under a unique key. The checks here only
make the message friendly; a race that slips past them still meets the unique key."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from ...clock import today
from ...errors import DomainError, clean_text
from ...extensions import db
from ...people.models import School, User
from ..models import Booking, Closure, HostDay, Review, Unavailable
from ..scheduling import ClosedSpan, closed_days, fmt_day

MAX_AHEAD = timedelta(days=2 * 366)

# Built once (every review page asks): building the select cost as much as running it.
_CLOSURES = select(Closure.name, Closure.start_date, Closure.end_date, Closure.school_id).where(
    Closure.start_date <= bindparam("end"), Closure.end_date >= bindparam("start"),
    Closure.school_id.is_(None) | (Closure.school_id == bindparam("school")))


def closures_for(school_id: int, start: date, end: date) -> list[ClosedSpan]:
    rows = db.session.execute(_CLOSURES, {"school": school_id, "start": start, "end": end})
    return [ClosedSpan(*row) for row in rows]


def closed_warning(school_id: int, start: date, days: int) -> str:
    dates = [start + timedelta(days=i) for i in range(days)]
    closed = closed_days(dates, closures_for(school_id, dates[0], dates[-1]), school_id)
    if not closed:
        return ""
    return "The school is closed on " + "; ".join(
        f"{fmt_day(d)} ({why})" for d, why in closed) + "."


def check_dates(*, school_id: int, start: date | None, days: int, closed_reason: str) -> str:
    """New review days: 1 to 3 from today to two years ahead. A day the school is closed
    needs a reason to book anyway; returns that reason ("" when none is needed)."""
    if start is None:
        raise DomainError("Enter the first review day.", field="start_date")
    if not 1 <= days <= 3:
        raise DomainError("A review lasts 1, 2 or 3 days.", field="days")
    if start < today():
        raise DomainError("The first review day must be today or later.", field="start_date")
    if start > today() + MAX_AHEAD:
        raise DomainError("Choose a date within the next two years.", field="start_date")
    warning = closed_warning(school_id, start, days)
    closed_reason = clean_text(closed_reason, field="closed_reason", label="the reason", limit=300)
    if warning and not closed_reason:
        raise DomainError(warning + " Choose other dates, or give a reason to book anyway.",
                          field="closed_reason")
    return closed_reason if warning else ""


def _insert(rows: list, explain, *, field: str) -> None:
    """Add rows held by a unique key. One added by someone else the same moment still
    refuses them: only these rows are undone (a savepoint), so ``explain()`` can read who
    holds the day and the message names them; the request's answer rolls back the rest."""
    db.session.flush()  # what came before is not part of the savepoint
    try:
        with db.session.begin_nested():
            db.session.add_all(rows)
    except IntegrityError:
        raise DomainError(explain() or "Someone else booked this at the same moment. "
                          "Reload the page and try again.", field=field) from None


def _clash_for_host(school_id: int, days: list[date], review_id: int | None) -> str | None:
    row = db.session.execute(
        select(HostDay.day).where(HostDay.school_id == school_id, HostDay.day.in_(days),
                                  HostDay.review_id != (review_id or 0))
        .order_by(HostDay.day).limit(1)).first()
    if row is None:
        return None
    return f"The school already hosts a review on {fmt_day(row.day)}."


def release_host_days(review: Review) -> None:
    db.session.execute(delete(HostDay).where(HostDay.review_id == review.id))


def hold_host_days(review: Review) -> None:
    """The host school's days for the review's dates (in place of those it held)."""
    release_host_days(review)
    clash = _clash_for_host(review.host_school_id, review.dates, review.id)
    if clash:
        raise DomainError(clash, field="start_date")
    _insert([HostDay(school_id=review.host_school_id, day=d, review_id=review.id)
             for d in review.dates],
            lambda: _clash_for_host(review.host_school_id, review.dates, review.id)
            or "The school already hosts a review on one of those days.", field="start_date")


def booking_clash(user: User, days: list[date], review_id: int | None) -> str | None:
    """Why ``user`` cannot be booked on ``days`` (for another review), or None."""
    row = db.session.execute(
        select(Booking.day, Booking.kind, School.name.label("school"))
        .join(Review, Review.id == Booking.review_id)
        .join(School, School.id == Review.host_school_id)
        .where(Booking.user_id == user.id, Booking.day.in_(days),
               Booking.review_id != (review_id or 0))
        .order_by(Booking.day).limit(1)).first()
    if row is not None:
        what = "the review of" if row.kind == "review" else "the improvement workshop at"
        return f"{user.name} is already booked on {fmt_day(row.day)} for {what} {row.school}."
    off = db.session.scalar(select(Unavailable.day).where(
        Unavailable.user_id == user.id, Unavailable.day.in_(days)).order_by(Unavailable.day)
        .limit(1))
    if off is not None:
        return f"{user.name} has said they are not available on {fmt_day(off)}."
    return None


def book(review: Review, people: list[User], days: list[date], kind: str, field: str) -> None:
    """Book each person on each day for the review (``kind``: the review or its workshop)."""
    for person in people:
        clash = booking_clash(person, days, review.id)
        if clash:
            raise DomainError(clash, field=field)
    _insert([Booking(user_id=p.id, day=d, review_id=review.id, kind=kind)
             for p in people for d in days],
            lambda: next(filter(None, (booking_clash(p, days, review.id) for p in people)),
                         None), field=field)


def release(review: Review, kind: str | None = None) -> None:
    """Free the people booked for the review (only its ``kind`` of day, if given)."""
    stmt = delete(Booking).where(Booking.review_id == review.id)
    if kind:
        stmt = stmt.where(Booking.kind == kind)
    db.session.execute(stmt)
