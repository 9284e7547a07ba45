"""Who hears about a review and what they are told: changes (with the calendar event),
a safeguarding concern, and the week-ahead reminder. Notifications sends what it is given
and knows nothing of reviews."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import render_template
from sqlalchemy import select

from ...mail import absolute_url
from ...extensions import db
from ...mail import send_mail
from ...notifications.services import Reminder, notify
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


def tell_team_and_host(review: Review, what: str) -> None:
    """Email the team and the host head(s), each with the review's .ics attached."""
    db.session.flush()
    body_ics = ics.review_calendar(review).to_ical()
    for person in _team_and_heads(review):
        notify(user=person, kind="review",
               subject=f"{what} peer review of {review.host_school.name}",
               body=render_template("reviews/email_review.txt", review=review, what=what,
                                    person=person, partnership=Partnership.current(),
                                    link=_link(review)),
               attachments=[("review.ics", "text/calendar", body_ics)])


def safeguarding_alert(review: Review, actor: User) -> None:
    """A safeguarding concern goes to the host heads at once, whatever they chose."""
    for head in host_heads(review):
        send_mail(to=head.email,
                  subject=f"Safeguarding concern from the peer review of "
                          f"{review.host_school.name}",
                  body=render_template("reviews/email_safeguarding.txt", review=review,
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
                                + _link(review)))
    return out
