"""Who hears about a review and what they are told: changes (with the calendar event),
a safeguarding concern, and the week-ahead reminder. Notifications sends what it is given
and knows nothing of reviews."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import render_template
from sqlalchemy import select

from ...extensions import db
from ...mail import absolute_url
from ...notifications.notices import leads, tell
from ...notifications.reminders import Reminder
from ...people.models import Partnership, User, UserRole
from ...security import HEAD
from .. import ics
from ..models import Review
from ..scheduling import span_text


def host_heads(review: Review) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(UserRole.user_id).where(UserRole.role == HEAD)),
                           User.school_id == review.host_school_id, User.active.is_(True))
        .order_by(User.id)))


def _team_and_heads(review: Review) -> list[User]:
    people = {m.user.id: m.user for m in review.members}
    for head in host_heads(review):
        people[head.id] = head
    return list(people.values())


def _link(review: Review) -> str:
    return absolute_url("reviews.detail", review_id=review.id)


# What the review's emails begin with, by event (tell_team_and_host's ``what``).
OPENINGS = {"Team proposed for": "review.team_proposed", "Confirmed:": "review.confirmed",
            "Declined by the host:": "review.declined", "Rescheduled:": "review.rescheduled",
            "Cancelled:": "review.cancelled"}


ANSWER = "review-answer"


def answer_link(review: Review, head: User) -> str:
    """The host head's link to confirm or decline without signing in, spent when the
    review's version moves on."""
    from ... import links

    return absolute_url("reviews.answer", token=links.make(ANSWER, review.id, head.id,
                                                           review.version))


def answer_problem(review: Review | None, head: User | None, version: int) -> str | None:
    """Why a head's link no longer works, or None."""
    if review is None or head is None or not head.active:
        return "bad"
    if review.version != version or review.state != "proposed" \
            or head.school_id != review.host_school_id or not head.has_role(HEAD):
        return "used"
    return None


def _booker(review: Review) -> User | None:
    return db.session.get(User, review.created_by_id) if review.created_by_id else None


def told_of(event: str, review: Review, team: list[User]) -> list[User]:
    """Who hears of ``event`` (notifications.notices.NOTICES says it in words)."""
    heads = host_heads(review)
    if event in ("review.booked", "review.findings", "review.safeguarding"):
        return heads
    if event == "review.team_proposed":
        return [*team, *heads]
    if event in ("review.confirmed", "review.declined"):
        return [_booker(review), *team, *leads()]
    if event == "review.workshop_booked":
        return [review.facilitator, *heads]
    return [_booker(review), *team, *heads]  # rescheduled, cancelled


def tell_team_and_host(review: Review, what: str, *, team: list[User] | None = None,
                       actor: User | None = None, note: str = "") -> dict[int, str]:
    """Email those a change to the review concerns (by ``what`` it is: OPENINGS), each with
    the review's .ics attached. ``team``: the team before the change, when it released
    them (a decline)."""
    db.session.flush()
    event = OPENINGS.get(what, "review.team_proposed")
    team = [m.user for m in review.members] if team is None else team
    body_ics = ics.review_calendar(review).to_ical()
    # Those the change released (a decline) are sent the review days cancelled.
    released = {p.id for p in team} - {m.user_id for m in review.members}
    cancel_ics = ics.review_calendar(review, cancel=True).to_ical() if released else body_ics
    heads = {h.id for h in host_heads(review)} if review.state == "proposed" else set()
    return tell(event, told_of(event, review, team), skip=[actor],
                subject=f"{what} peer review of {review.host_school.name}",
                body=lambda person: render_template(
                    "reviews/email_review.txt", review=review, what=what, person=person,
                    partnership=Partnership.current(), link=_link(review), note=note,
                    answer=answer_link(review, person) if person.id in heads else ""),
                attachments=lambda person: [("review.ics", "text/calendar", cancel_ics
                                             if person.id in released else body_ics)])


def tell_host(event: str, review: Review, subject: str, text: str,
              actor: User | None = None) -> dict[int, str]:
    """A short notice of the review (booked, findings, workshop) to those ``event`` tells."""
    return tell(event, told_of(event, review, []), skip=[actor], subject=subject,
                body=lambda person: f"Hello {person.first_name},\n\n{text}\n\n{_link(review)}\n")


def safeguarding_alert(review: Review, actor: User) -> None:
    """A safeguarding concern goes to the host heads at once, whatever they chose."""
    tell("review.safeguarding", host_heads(review),
         subject=f"Safeguarding concern from the peer review of {review.host_school.name}",
         body=lambda head: render_template("reviews/email_safeguarding.txt", review=review,
                                           head=head, actor=actor, link=_link(review)))


def reminders(today: date, _now: datetime) -> list[Reminder]:
    """A week ahead, the team and the host head(s) are reminded of the review days."""
    out = []
    for review in db.session.scalars(select(Review).where(
            Review.state.in_(("proposed", "confirmed", "data_shared")),
            Review.start_date > today, Review.start_date <= today + timedelta(days=7))):
        days = span_text(review.start_date, review.end_date)
        for person in _team_and_heads(review):
            out.append(Reminder(person, f"review-7d:{review.id}",
                                f"Reminder: peer review of {review.host_school.name} {days}",
                                f"The peer review of {review.host_school.name} starts on "
                                f"{days}.\n\nEnquiry focus: {review.focus}\n\n"
                                + _link(review), event="review.reminder"))
    return out
