"""Who may do what with a review, and the loaders that give a view the review it may use
(404 when there is none to see, 403 with the rule in words). Services check the same rules
again before they write."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from ..clock import today
from ..extensions import db
from ..people.models import User
from ..security import ADMIN, CHAMPION, HEAD, LEAD, allow, found
from . import queries
from .models import OPEN_STATES, CalendarFeed, Closure, Review, ReviewMember, Term


def is_organiser(user: User) -> bool:
    """Champions and leads create and staff reviews."""
    return user.has_role(CHAMPION, LEAD, ADMIN)


def is_lead(user: User) -> bool:
    """Cluster leads (and administrators) run the partnership's calendar and rota."""
    return user.has_role(LEAD, ADMIN)


def is_host_head(user: User, review: Review) -> bool:
    return user.has_role(HEAD) and user.school_id == review.host_school_id


def on_team(user: User, review: Review) -> bool:
    return any(m.user_id == user.id for m in review.members)


def is_lead_reviewer(user: User, review: Review) -> bool:
    return any(m.user_id == user.id and m.role == "lead" for m in review.members)


def can_see_findings(user: User, review: Review) -> bool:
    """Findings are confidential to the host school's head, the review team and leads."""
    return is_lead(user) or is_host_head(user, review) or on_team(user, review)


def may_see_some_findings(user: User) -> bool:
    """Whether ``user`` may see, or come to see, some review's findings: the roles of
    ``can_see_findings`` (a head hosts, leads see all) or a place on a review not yet closed.
    Such people sign in with a second factor (auth.totp.required)."""
    return user.has_role(HEAD, LEAD, ADMIN) or db.session.scalar(
        select(ReviewMember.review_id).join(Review, Review.id == ReviewMember.review_id)
        .where(ReviewMember.user_id == user.id, Review.state.in_(OPEN_STATES)).limit(1)
    ) is not None


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


def step_opens(review: Review, to: str) -> date | None:
    """The day from which a step can be taken: the review days are held on the last of them,
    the workshop on its day, the impact review on its day (without one, after the workshop)."""
    if to == "reviewed":
        return review.end_date
    if to == "workshop_done":
        return review.workshop_date
    if to == "impact" and review.workshop_date:
        return review.impact_date or review.workshop_date + timedelta(days=1)
    return None


def not_yet(review: Review, to: str) -> date | None:
    """The day a step opens, while it is still to come."""
    opens = step_opens(review, to)
    return opens if opens is not None and today() < opens else None


def may_step(user: User, review: Review, to: str) -> bool:
    """Whether ``user`` may move ``review`` from its state to ``to`` now."""
    return step_is_theirs(user, review, to) and not_yet(review, to) is None


def step_is_theirs(user: User, review: Review, to: str) -> bool:
    """Whether the step from the review's state to ``to`` is ``user``'s, whatever the day."""
    step = STEPS.get((review.state, to))
    if step is None:
        return False
    who = step[0]
    if who == "host":
        return is_host_head(user, review) or is_lead(user)
    if who == "host_or_organiser":
        return is_host_head(user, review) or is_organiser(user)
    if who == "lead_reviewer":
        return is_lead_reviewer(user, review) or is_lead(user)
    return is_organiser(user)


def next_steps(user: User, review: Review) -> list[tuple[str, str, bool]]:
    """The transitions this user may take now: (to state, button text, needs a reason)."""
    return [(to, label, (frm, to) in NEEDS_REASON)
            for (frm, to), (_who, label) in STEPS.items()
            if frm == review.state and may_step(user, review, to)]


def waiting_steps(user: User, review: Review) -> list[tuple[str, date]]:
    """The user's steps whose day is still to come: (button text, the day it opens)."""
    return [(label, not_yet(review, to)) for (frm, to), (_who, label) in STEPS.items()
            if frm == review.state and step_is_theirs(user, review, to) and not_yet(review, to)]


def can_cancel(user: User, review: Review) -> bool:
    return review.state in OPEN_STATES and (is_organiser(user) or is_host_head(user, review))


def can_edit(user: User, review: Review) -> bool:
    return review.state in OPEN_STATES and is_organiser(user)


def can_edit_focus(user: User, review: Review) -> bool:
    """The host head, whoever booked the review and leads agree the enquiry focus, until the
    host confirms the team."""
    return review.state in ("planned", "proposed") and (
        is_host_head(user, review) or is_lead(user)
        or (review.created_by_id is not None and review.created_by_id == user.id))


def can_record_findings(user: User, review: Review) -> bool:
    return review.state in ("data_shared", "reviewed", "feedback") and (
        is_lead_reviewer(user, review) or is_lead(user))


def can_book_workshop(user: User, review: Review) -> bool:
    return review.state in ("feedback", "workshop_booked") and is_organiser(user)


def can_remove(user: User, row: Term | Closure) -> bool:
    """Leads remove terms and any closure; heads their own school's closures."""
    if is_lead(user):
        return True
    return isinstance(row, Closure) and user.has_role(HEAD) and row.school_id is not None \
        and row.school_id == user.school_id


def review_for(user: User, review_id: int, *, edit: bool = False,
               findings: bool = False) -> Review:
    """The review, for a page or an action on it. ``findings``: someone who may not see the
    findings is told there are none (404), not that they exist. ``edit``: rescheduling."""
    review = found(queries.review(review_id))
    if findings:
        found(review if can_see_findings(user, review) else None)
    if edit:
        allow(can_edit(user, review), "Only improvement champions and cluster leads "
                                      "reschedule a review that has not started.")
    return review


def feed_owner(token: str) -> User:
    """Whose calendar feed the secret in the link opens: an active person, or 404."""
    user_id = db.session.scalar(select(CalendarFeed.user_id).where(
        CalendarFeed.token == token[:64]))
    user = db.session.get(User, user_id) if user_id is not None else None
    return found(user if user is not None and user.active else None)
