"""The days a review holds: the host school's days and each person's, under unique keys.

Double booking is prevented by the database: one ``booking`` row per person per day and
one ``host_day`` row per school per day, each under a unique key. The checks here only
make the message friendly; a race that slips past them still meets the unique key."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Integer, bindparam, cast, delete, literal, null, select, union_all
from sqlalchemy.exc import IntegrityError

from ...clock import today
from ...errors import DomainError, clean_text
from ...extensions import db
from ...people.models import School, User
from ..models import Booking, Closure, HostDay, Review, Term, Unavailable
from ..scheduling import SCHOOL_DAYS_WITHIN, ClosedSpan, closed_days, fmt_day, school_days, \
    term_gaps

MAX_AHEAD = timedelta(days=2 * 366)
# The terms read around some days, to find the holidays between them.
TERMS_AROUND = timedelta(days=366)

# Built once (every review page asks): building the select cost as much as running it. The
# school's closures and the terms around the days, in one statement.
_CALENDAR = union_all(
    select(Closure.name, Closure.start_date, Closure.end_date, Closure.school_id,
           literal(False).label("term")).where(
        Closure.start_date <= bindparam("end"), Closure.end_date >= bindparam("start"),
        Closure.school_id.is_(None) | (Closure.school_id == bindparam("school"))),
    select(Term.name, Term.start_date, Term.end_date, cast(null(), Integer), literal(True))
    .where(Term.start_date <= bindparam("terms_to"), Term.end_date >= bindparam("terms_from")))


def closures_for(school_id: int, start: date, end: date) -> list[ClosedSpan]:
    """The days ``school_id`` is closed between ``start`` and ``end``: its closures, the
    partnership's and the holidays between terms."""
    rows = db.session.execute(_CALENDAR, {
        "school": school_id, "start": start, "end": end, "terms_from": start - TERMS_AROUND,
        "terms_to": end + TERMS_AROUND}).all()
    return [ClosedSpan(*row[:4]) for row in rows if not row.term] + term_gaps(
        [(row.name, row.start_date, row.end_date) for row in rows if row.term])


def _closed_text(closed: list[tuple[date, str]]) -> str:
    return "The school is closed on " + "; ".join(
        f"{fmt_day(d)} ({why})" for d, why in closed) + "." if closed else ""


def closed_warning(school_id: int, dates: list[date]) -> str:
    return _closed_text(closed_days(dates, closures_for(school_id, dates[0], dates[-1]),
                                    school_id))


def check_dates(*, school_id: int, start: date | None, days: int,
                closed_reason: str) -> tuple[list[date], str]:
    """New review days: the first day and the host's next school days, 1 to 3 in all, from
    today to two years ahead. A first day the school is closed needs a reason to book
    anyway. Returns the days and that reason ("" when none is needed)."""
    if start is None:
        raise DomainError("Enter the first review day.", field="start_date")
    if not 1 <= days <= 3:
        raise DomainError("A review lasts 1, 2 or 3 days.", field="days")
    if start < today():
        raise DomainError("The first review day must be today or later.", field="start_date")
    if start > today() + MAX_AHEAD:
        raise DomainError("Choose a date within the next two years.", field="start_date")
    spans = closures_for(school_id, start, start + timedelta(days=SCHOOL_DAYS_WITHIN))
    dates = school_days(start, days, spans, school_id)
    if len(dates) < days:
        raise DomainError(
            f"The school is open on only {len(dates)} of the days in the week from "
            f"{fmt_day(start)} (weekends, holidays and closures are skipped): choose another "
            "first day or a shorter review.", field="start_date")
    warning = _closed_text(closed_days(dates, spans, school_id))
    closed_reason = clean_text(closed_reason, field="closed_reason", label="the reason", limit=300)
    if warning and not closed_reason:
        raise DomainError(warning + " Choose other dates, or give a reason to book anyway.",
                          field="closed_reason")
    return dates, closed_reason if warning else ""


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
