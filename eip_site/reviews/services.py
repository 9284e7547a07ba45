"""Every rule and write for peer reviews. Keyword-only, actor passed in, flush not commit.

Double booking is prevented by the database: one ``booking`` row per person per day and
one ``host_day`` row per school per day, each under a unique key. The checks here only
make the message friendly; a race that slips past them still meets the unique key."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from flask import render_template
from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from ..auth.services import absolute_url
from ..clock import today
from ..directory.models import Qualification
from ..errors import DomainError, check_version, clean_text
from ..extensions import db
from ..mail import send_mail
from ..notifications.services import notify
from ..people.models import Partnership, School, User, UserRole
from ..security import ADMIN, CHAMPION, HEAD, LEAD
from . import ics
from .models import (
    BOOKED_STATES,
    CLOSURE_KINDS,
    OPEN_STATES,
    Booking,
    CalendarFeed,
    Closure,
    HostDay,
    Review,
    ReviewEvent,
    ReviewMember,
    Term,
    Unavailable,
)
from .rules import ClosedSpan, RotaVisit, closed_days, fmt_day, rota_problems, span_text

MIN_REVIEWERS, MAX_REVIEWERS = 2, 4
MAX_FOCUS = 300
MAX_AHEAD = timedelta(days=2 * 366)
REVIEWER_QUALIFICATIONS = ("peer_reviewer", "champion")


# --- Who may do what ----------------------------------------------------------------------

def is_organiser(user: User) -> bool:
    """Champions and leads create and staff reviews."""
    return user.has_role(CHAMPION, LEAD, ADMIN)


def is_host_head(user: User, review: Review) -> bool:
    return user.has_role(HEAD) and user.school_id == review.host_school_id


def on_team(user: User, review: Review) -> bool:
    return any(m.user_id == user.id for m in review.members)


def is_lead_reviewer(user: User, review: Review) -> bool:
    return any(m.user_id == user.id and m.role == "lead" for m in review.members)


def can_see_findings(user: User, review: Review) -> bool:
    """Findings are confidential to the host school's head, the review team and leads."""
    return user.has_role(LEAD, ADMIN) or is_host_head(user, review) or on_team(user, review)


# Each step of the lifecycle: (from, to) -> who may take it, and the button's words.
STEPS = {
    ("proposed", "confirmed"): ("host", "Confirm this review"),
    ("proposed", "planned"): ("host", "Decline the team and dates"),
    ("confirmed", "data_shared"): ("host_or_organiser", "Mark data as shared"),
    ("data_shared", "reviewed"): ("lead_reviewer", "Mark the review days as held"),
    ("reviewed", "feedback"): ("lead_reviewer", "Mark feedback as given"),
    ("workshop_booked", "workshop_done"): ("organiser", "Mark the workshop as held"),
    ("workshop_done", "impact"): ("host_or_organiser", "Mark the impact review as held"),
    ("impact", "closed"): ("organiser", "Close the review"),
}
NEEDS_REASON = {("proposed", "planned")}


def _may(who: str, user: User, review: Review) -> bool:
    organiser = is_organiser(user)
    return {
        "host": is_host_head(user, review) or user.has_role(LEAD, ADMIN),
        "host_or_organiser": is_host_head(user, review) or organiser,
        "lead_reviewer": is_lead_reviewer(user, review) or user.has_role(LEAD, ADMIN),
        "organiser": organiser,
    }[who]


def next_steps(user: User, review: Review) -> list[tuple[str, str, bool]]:
    """The transitions this user may take now: (to state, button text, needs a reason)."""
    return [(to, label, (review.state, to) in NEEDS_REASON)
            for (frm, to), (who, label) in STEPS.items()
            if frm == review.state and _may(who, user, review)]


def can_cancel(user: User, review: Review) -> bool:
    return review.state in OPEN_STATES and (is_organiser(user) or is_host_head(user, review))


def can_edit(user: User, review: Review) -> bool:
    return review.state in OPEN_STATES and is_organiser(user)


def can_record_findings(user: User, review: Review) -> bool:
    return review.state in ("data_shared", "reviewed", "feedback") and (
        is_lead_reviewer(user, review) or user.has_role(LEAD, ADMIN))


def can_book_workshop(user: User, review: Review) -> bool:
    return review.state in ("feedback", "workshop_booked") and is_organiser(user)


# --- Validation helpers -------------------------------------------------------------------





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


def _check_dates(*, school_id: int, start: date | None, days: int, closed_reason: str,
                 is_new: bool) -> str:
    if start is None:
        raise DomainError("Enter the first review day.", field="start_date")
    if not 1 <= days <= 3:
        raise DomainError("A review lasts 1, 2 or 3 days.", field="days")
    if is_new and start < today():
        raise DomainError("The first review day must be today or later.", field="start_date")
    if start > today() + MAX_AHEAD:
        raise DomainError("Choose a date within the next two years.", field="start_date")
    warning = closed_warning(school_id, start, days)
    closed_reason = clean_text(closed_reason, field="closed_reason", label="the reason", limit=300)
    if warning and not closed_reason:
        raise DomainError(warning + " Choose other dates, or give a reason to book anyway.",
                          field="closed_reason")
    return closed_reason if warning else ""


def _log(review: Review, actor: User, frm: str, to: str, note: str = "") -> None:
    db.session.add(ReviewEvent(review_id=review.id, actor_id=actor.id, from_state=frm,
                               to_state=to, note=note))


# --- Host days and bookings: the unique keys --------------------------------------------

def _clash_for_host(school_id: int, days: list[date], review_id: int | None) -> str | None:
    row = db.session.execute(
        select(HostDay.day, Review.focus).join(Review, Review.id == HostDay.review_id)
        .where(HostDay.school_id == school_id, HostDay.day.in_(days),
               HostDay.review_id != (review_id or 0)).order_by(HostDay.day).limit(1)).first()
    if row is None:
        return None
    return f"The school already hosts a review on {fmt_day(row.day)}."


def _hold_host_days(review: Review) -> None:
    db.session.execute(delete(HostDay).where(HostDay.review_id == review.id))
    clash = _clash_for_host(review.host_school_id, review.dates, review.id)
    if clash:
        raise DomainError(clash, field="start_date")
    db.session.add_all(HostDay(school_id=review.host_school_id, day=d, review_id=review.id)
                       for d in review.dates)
    _flush_or_explain(lambda: _clash_for_host(review.host_school_id, review.dates, review.id)
                      or "The school already hosts a review on one of those days.",
                      field="start_date")


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


def _flush_or_explain(explain, *, field: str | None = None) -> None:
    """Flush; if a unique key refused it (someone booked the same moment), say who clashed."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(explain() or "Someone else booked this at the same moment. "
                          "Reload the page and try again.", field=field) from None


def _book(review: Review, people: list[User], days: list[date], kind: str, field: str) -> None:
    for person in people:
        clash = booking_clash(person, days, review.id)
        if clash:
            raise DomainError(clash, field=field)
    db.session.add_all(Booking(user_id=p.id, day=d, review_id=review.id, kind=kind)
                       for p in people for d in days)
    _flush_or_explain(lambda: next(filter(None, (booking_clash(p, days, review.id)
                                                 for p in people)), None), field=field)


def _release(review: Review, kind: str | None = None) -> None:
    stmt = delete(Booking).where(Booking.review_id == review.id)
    if kind:
        stmt = stmt.where(Booking.kind == kind)
    db.session.execute(stmt)


# --- Creating and changing a review ---------------------------------------------------------

def create_review(*, actor: User, host_school: School | None, focus: str, focus_area: str,
                  start_date: date | None, days: int, champion: User | None = None,
                  notes: str = "", closed_reason: str = "") -> Review:
    if not is_organiser(actor):
        raise DomainError("Only improvement champions and cluster leads book reviews.")
    if host_school is None or not host_school.active:
        raise DomainError("Choose the school to be reviewed.", field="host_school")
    focus = clean_text(focus, field="focus", label="the enquiry focus", limit=MAX_FOCUS,
                  required=True)
    if not focus_area:
        raise DomainError("Choose the focus area.", field="focus_area")
    if champion is not None and (champion.school_id != host_school.id
                                 or not champion.has_role(CHAMPION)):
        raise DomainError("The host's improvement champion must be a champion at that school.",
                          field="champion")
    reason = _check_dates(school_id=host_school.id, start=start_date, days=days,
                          closed_reason=closed_reason, is_new=True)
    review = Review(host_school=host_school, focus=focus, focus_area=focus_area,
                    start_date=start_date, days=days, champion=champion,
                    notes=clean_text(notes, field="notes", label="the notes"),
                    closed_day_reason=reason, created_by_id=actor.id, state="planned")
    db.session.add(review)
    db.session.flush()
    _hold_host_days(review)
    _log(review, actor, "planned", "planned", "Booked" + (f". Closed day: {reason}" if reason else ""))
    return review


def set_team(*, actor: User, review: Review, lead: User | None, reviewers: list[User],
             version: int | None = None) -> Review:
    """Propose (or change) the team: books each member on every review day."""
    if not can_edit(actor, review) or review.state not in ("planned", *BOOKED_STATES):
        raise DomainError("The team can only be changed before the review days.")
    check_version(review, version)
    if lead is None:
        raise DomainError("Choose the lead reviewer.", field="lead")
    reviewers = [r for r in dict.fromkeys(reviewers) if r.id != lead.id]
    if not MIN_REVIEWERS <= len(reviewers) <= MAX_REVIEWERS:
        raise DomainError(f"Choose {MIN_REVIEWERS} to {MAX_REVIEWERS} reviewers besides the "
                          "lead reviewer.", field="reviewers")
    team = [lead, *reviewers]
    qualified = set(db.session.scalars(select(Qualification.user_id).where(
        Qualification.user_id.in_([p.id for p in team]),
        Qualification.kind.in_(REVIEWER_QUALIFICATIONS))))
    for person in team:
        field = "lead" if person is lead else "reviewers"
        if person.school_id == review.host_school_id:
            raise DomainError(f"{person.name} works at {review.host_school.name}: nobody "
                              "reviews their own school.", field=field)
        if not person.active:
            raise DomainError(f"{person.name}'s account is deactivated.", field=field)
        if person.id not in qualified and not person.has_role(CHAMPION):
            raise DomainError(f"{person.name} is not a trained peer reviewer or improvement "
                              "champion.", field=field)
        if review.facilitator_id == person.id:
            raise DomainError(f"{person.name} facilitates the workshop, so cannot be on the "
                              "review team.", field=field)
    _release(review, "review")
    review.members.clear()
    db.session.flush()
    review.members.extend(ReviewMember(user_id=p.id, user=p, role="lead" if i == 0 else "reviewer",
                                       position=i) for i, p in enumerate(team))
    _book(review, team, review.dates, "review", "reviewers")
    before = review.state
    review.state = "proposed"  # a changed team goes back to the host to confirm
    review.sequence += 1
    _log(review, actor, before, "proposed", "Team: " + ", ".join(p.name for p in team))
    _notify(review, "Team proposed for")
    return review


def transition(*, actor: User, review: Review, to: str, note: str = "",
               version: int | None = None) -> Review:
    check_version(review, version)
    step = STEPS.get((review.state, to))
    if step is None or not _may(step[0], actor, review):
        raise DomainError(f"This review is {review.state_label.lower()}: that step is not "
                          "open to you now.")
    note = clean_text(note, field="note", label="the reason", limit=1000,
                 required=(review.state, to) in NEEDS_REASON)
    if to == "feedback" and not review.summary:
        raise DomainError("Record the findings before marking feedback as given.")
    before = review.state
    review.state = to
    if to == "planned":  # declined: the team and their days are released
        _release(review, "review")
        review.members.clear()
    review.sequence += 1
    _log(review, actor, before, to, note)
    if to in ("confirmed", "planned"):
        _notify(review, "Confirmed:" if to == "confirmed" else "Declined by the host:")
    return review


def reschedule(*, actor: User, review: Review, start_date: date | None, days: int, reason: str,
               closed_reason: str = "", version: int | None = None) -> Review:
    if not can_edit(actor, review) or review.state not in ("planned", *BOOKED_STATES):
        raise DomainError("Only a review that has not started can be rescheduled.")
    check_version(review, version)
    reason = clean_text(reason, field="reason", label="why the review is moving", limit=1000,
                   required=True)
    closed = _check_dates(school_id=review.host_school_id, start=start_date, days=days,
                          closed_reason=closed_reason, is_new=True)
    old = (review.start_date, review.days)
    review.start_date, review.days, review.closed_day_reason = start_date, days, closed
    _hold_host_days(review)
    team = [m.user for m in review.members]
    _release(review, "review")
    db.session.flush()
    if team:
        _book(review, team, review.dates, "review", "start_date")
    before = review.state
    review.state = "proposed" if team else "planned"  # the host confirms the new dates
    review.sequence += 1
    _log(review, actor, before, review.state,
         f"Rescheduled from {span_text(*old)}: {reason}")
    _notify(review, "Rescheduled:")
    return review


def cancel(*, actor: User, review: Review, reason: str, version: int | None = None) -> Review:
    if not can_cancel(actor, review):
        raise DomainError("You cannot cancel this review.")
    check_version(review, version)
    reason = clean_text(reason, field="reason", label="why the review is cancelled", limit=1000,
                   required=True)
    before = review.state
    db.session.execute(delete(HostDay).where(HostDay.review_id == review.id))
    _release(review)
    review.state = "cancelled"
    review.sequence += 1
    _log(review, actor, before, "cancelled", reason)
    _notify(review, "Cancelled:")
    return review


def record_findings(*, actor: User, review: Review, went_well: str, to_develop: str,
                    summary: str, safeguarding: bool, version: int | None = None) -> Review:
    if not can_record_findings(actor, review):
        raise DomainError("Only the lead reviewer or a cluster lead records the findings, "
                          "once the data has been shared.")
    check_version(review, version)
    review.went_well = clean_text(went_well, field="went_well", label="what went well")
    review.to_develop = clean_text(to_develop, field="to_develop", label="the areas for development")
    review.summary = clean_text(summary, field="summary", label="a summary", required=True)
    raised = safeguarding and not review.safeguarding
    review.safeguarding = safeguarding
    _log(review, actor, review.state, review.state, "Findings recorded"
         + (" with a safeguarding concern" if safeguarding else ""))
    db.session.flush()
    if raised:
        for head in host_heads(review):
            send_mail(to=head.email,
                      subject=f"Safeguarding concern from the peer review of "
                              f"{review.host_school.name}",
                      body=render_template("reviews/email_safeguarding.txt", review=review,
                                           head=head, actor=actor,
                                           link=absolute_url("reviews.detail",
                                                             review_id=review.id)))
    return review


def book_workshop(*, actor: User, review: Review, workshop_date: date | None,
                  facilitator: User | None, impact_date: date | None,
                  version: int | None = None) -> Review:
    if not can_book_workshop(actor, review):
        raise DomainError("The improvement workshop is booked after feedback has been given.")
    check_version(review, version)
    if workshop_date is None:
        raise DomainError("Enter the workshop date.", field="workshop_date")
    if workshop_date <= review.end_date:
        raise DomainError("The workshop comes after the review days.", field="workshop_date")
    if facilitator is None or not facilitator.has_role(CHAMPION):
        raise DomainError("Choose an improvement champion to facilitate.", field="facilitator")
    if on_team(facilitator, review):
        raise DomainError(f"{facilitator.name} was on the review team: the workshop is "
                          "facilitated by a champion who was not.", field="facilitator")
    if impact_date is not None and impact_date <= workshop_date:
        raise DomainError("The impact review comes after the workshop.", field="impact_date")
    warning = closed_warning(review.host_school_id, workshop_date, 1)
    if warning:
        raise DomainError(warning, field="workshop_date")
    _release(review, "workshop")
    db.session.flush()
    _book(review, [facilitator], [workshop_date], "workshop", "facilitator")
    review.workshop_date, review.facilitator, review.impact_date = \
        workshop_date, facilitator, impact_date
    before = review.state
    review.state = "workshop_booked"
    review.sequence += 1
    _log(review, actor, before, "workshop_booked",
         f"Workshop on {fmt_day(workshop_date)} with {facilitator.name}")
    return review


def set_unavailable(*, actor: User, day: date | None, available: bool) -> None:
    if day is None:
        raise DomainError("Enter a date.", field="day")
    if day < today():
        raise DomainError("Choose today or a later date.", field="day")
    exists = db.session.get(Unavailable, (actor.id, day))
    if available and exists:
        db.session.delete(exists)
    elif not available and not exists:
        db.session.add(Unavailable(user_id=actor.id, day=day))
    db.session.flush()


# --- Email, with the calendar event attached -------------------------------------------------

def host_heads(review: Review) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(UserRole.user_id).where(UserRole.role == HEAD)),
                           User.school_id == review.host_school_id, User.active.is_(True))
        .order_by(User.id)))


def _notify(review: Review, what: str) -> None:
    """Email the team and the host head(s), each with the review's .ics attached."""
    db.session.flush()
    people = {m.user.id: m.user for m in review.members}
    for head in host_heads(review):
        people[head.id] = head
    body_ics = ics.review_calendar(review).to_ical()
    for person in people.values():
        notify(user=person, kind="review",
               subject=f"{what} peer review of {review.host_school.name}",
               body=render_template("reviews/email_review.txt", review=review, what=what,
                                    person=person, partnership=Partnership.current(),
                                    link=absolute_url("reviews.detail", review_id=review.id)),
               attachments=[("review.ics", "text/calendar", body_ics)])


# --- Personal calendar feed -----------------------------------------------------------------

def feed_token(*, user: User, reset: bool = False) -> str:
    row = db.session.get(CalendarFeed, user.id)
    if row is None:
        row = CalendarFeed(user_id=user.id, token=secrets.token_urlsafe(24))
        db.session.add(row)
    elif reset:
        row.token = secrets.token_urlsafe(24)
    db.session.flush()
    return row.token



# --- The rota ------------------------------------------------------------------------------

ROTA_FOCUS = "To what extent … (the enquiry focus is agreed with the host school)"


def accept_rota(*, actor: User, visits: list[RotaVisit], starts: dict[int, date | None],
                days: int, focus_area: str, avoid_reciprocal: bool) -> list[Review]:
    """Create a planned review for each host; reviewers come from the schools the rota names
    (the team itself is proposed later, with the picker)."""
    if not actor.has_role(LEAD, ADMIN):
        raise DomainError("Only cluster leads accept a rota.")
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


# --- The school calendar ---------------------------------------------------------------------

def _span(name: str, start: date | None, end: date | None, *, label: str) -> str:
    name = clean_text(name, field="name", label=f"the {label}'s name", limit=60, required=True)
    if start is None:
        raise DomainError("Enter the first day.", field="start_date")
    if end is None:
        raise DomainError("Enter the last day.", field="end_date")
    if end < start:
        raise DomainError("The last day must be the same as or after the first day.",
                          field="end_date")
    if (end - start).days > 200:
        raise DomainError(f"A {label} lasts at most 200 days.", field="end_date")
    return name


def add_term(*, actor: User, name: str, start: date | None, end: date | None) -> Term:
    if not actor.has_role(LEAD, ADMIN):
        raise DomainError("Only cluster leads set the term dates.")
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
    if not actor.has_role(LEAD, ADMIN):
        if not actor.has_role(HEAD) or school_id != actor.school_id or school_id is None:
            raise DomainError("Headteachers add closure days for their own school only.",
                              field="school")
    if kind not in CLOSURE_KINDS:
        raise DomainError("Choose what kind of day it is.", field="kind")
    name = _span(name, start, end, label="closure")
    closure = Closure(school_id=school_id, name=name, kind=kind, start_date=start, end_date=end)
    db.session.add(closure)
    db.session.flush()
    return closure


def can_remove_closure(actor: User, closure: Closure) -> bool:
    return actor.has_role(LEAD, ADMIN) or (
        actor.has_role(HEAD) and closure.school_id is not None
        and closure.school_id == actor.school_id)


def remove_calendar_row(*, actor: User, row: Term | Closure) -> None:
    allowed = can_remove_closure(actor, row) if isinstance(row, Closure) \
        else actor.has_role(LEAD, ADMIN)
    if not allowed:
        raise DomainError("You cannot remove that.")
    db.session.delete(row)
    db.session.flush()
