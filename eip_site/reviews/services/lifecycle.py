"""A review from booking to close: its team, each step, moving or cancelling it, the
findings and the workshop. Keyword-only, actor passed in, flush not commit; each checks the
rules of ``permissions`` again before it writes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ... import audit
from ...clock import today
from ...directory.models import Qualification
from ...errors import DomainError, Forbidden, check_version, clean_text
from ...extensions import db
from ...people.models import Partnership, School, User
from ...security import CHAMPION
from .. import permissions, queries
from ..models import BOOKED_STATES, REVIEWER_QUALIFICATIONS, Review, ReviewEvent, ReviewMember
from ..queries import reviews_this_year
from ..scheduling import MAX_REVIEWERS, MIN_REVIEWERS, dates_text, fmt_day
from .booking import MAX_AHEAD, book, check_dates, closed_warning, hold_host_days, release, \
    release_host_days
from .notices import safeguarding_alert, tell_host, tell_team_and_host

MAX_FOCUS = 300


def _log(review: Review, actor: User, frm: str, to: str, note: str = "", *,
         findings: bool = False) -> None:
    db.session.add(ReviewEvent(review_id=review.id, actor_id=actor.id, from_state=frm,
                               to_state=to, note=note, findings=findings))


def _move(review: Review, actor: User, to: str, note: str = "") -> None:
    """Into state ``to``: calendars see the change (the .ics SEQUENCE), the history too."""
    before = review.state
    review.state = to
    review.sequence += 1
    _log(review, actor, before, to, note)


def create_review(*, actor: User, host_school: School | None, focus: str, focus_area: str,
                  start_date: date | None, days: int, champion: User | None = None,
                  notes: str = "", closed_reason: str = "") -> Review:
    if not permissions.is_organiser(actor):
        raise Forbidden("Only improvement champions and cluster leads book reviews.")
    if host_school is None or not host_school.active:
        raise DomainError("Choose the school to be reviewed.", field="host_school")
    focus = clean_text(focus, field="focus", label="the enquiry focus", limit=MAX_FOCUS,
                       required=True)
    check_focus_area(focus_area)
    if champion is not None and (champion.school_id != host_school.id
                                 or not champion.has_role(CHAMPION)):
        raise DomainError("The host's improvement champion must be a champion at that school.",
                          field="champion")
    dates, reason = check_dates(school_id=host_school.id, start=start_date, days=days,
                                closed_reason=closed_reason)
    review = Review(host_school=host_school, focus=focus, focus_area=focus_area,
                    dates=dates, champion=champion,
                    notes=clean_text(notes, field="notes", label="the notes"),
                    closed_day_reason=reason, created_by_id=actor.id, state="planned")
    db.session.add(review)
    db.session.flush()
    hold_host_days(review)
    _log(review, actor, "planned", "planned",
         "Booked" + (f". Closed day: {reason}" if reason else ""))
    tell_host("review.booked", review, f"A peer review of {host_school.name} is booked",
              f"{actor.name} has booked a peer review of {host_school.name}, "
              f"{dates_text(review.dates)}. Enquiry focus: {focus}\n\nYou will be asked "
              "to confirm once the team is proposed.", actor)
    return review


def check_focus_area(slug: str) -> str:
    """A focus area is one of the skill areas (a forged one is refused)."""
    if not slug:
        raise DomainError("Choose the focus area.", field="focus_area")
    if slug not in queries.categories():
        raise DomainError("Choose one of the focus areas in the list.", field="focus_area")
    return slug


def set_focus(*, actor: User, review: Review, focus: str, focus_area: str,
              version: int | None = None) -> Review:
    """The enquiry focus, agreed with the host school until the team is confirmed."""
    if not permissions.can_edit_focus(actor, review):
        raise DomainError("The host headteacher and whoever booked the review agree the "
                          "enquiry focus, until the host confirms the team.")
    check_version(review, version)
    focus = clean_text(focus, field="focus", label="the enquiry focus", limit=MAX_FOCUS,
                       required=True)
    review.focus_area = check_focus_area(focus_area)
    if focus != review.focus:
        review.focus = focus
        review.sequence += 1  # the calendar event's description
    _log(review, actor, review.state, review.state, f"Enquiry focus: {focus}")
    return review


def _check_team(review: Review, lead: User, team: list[User]) -> None:
    qualified = set(db.session.scalars(select(Qualification.user_id).where(
        Qualification.user_id.in_([p.id for p in team]),
        Qualification.kind.in_(REVIEWER_QUALIFICATIONS),
        Qualification.confirmed_at.is_not(None))))
    for person in team:
        field = "lead" if person is lead else "reviewers"
        if person.school_id == review.host_school_id:
            raise DomainError(f"{person.name} works at {review.host_school.name}: nobody "
                              "reviews their own school.", field=field)
        if not person.active:
            raise DomainError(f"{person.name}'s account is deactivated.", field=field)
        if person.id not in qualified and not person.has_role(CHAMPION):
            raise DomainError(f"{person.name} is not a trained peer reviewer or improvement "
                              "champion (or their training is not yet confirmed by their "
                              "head or a cluster lead).", field=field)
        if review.facilitator_id == person.id:
            raise DomainError(f"{person.name} facilitates the workshop, so cannot be on the "
                              "review team.", field=field)


def _check_cap(review: Review, lead: User, joining: list[User]) -> None:
    """Nobody joins more reviews in an academic year than the partnership allows."""
    cap = Partnership.current().max_reviews_per_year
    if cap is None or not joining:
        return
    counts = reviews_this_year(review, [p.id for p in joining])
    for person in joining:
        n = counts.get(person.id, 0)
        if n >= cap:
            raise DomainError(f"{person.name} is already on {n} review{'s' if n != 1 else ''} "
                              "this academic year, the partnership's limit.",
                              field="lead" if person is lead else "reviewers")


def _not_started(actor: User, review: Review, message: str) -> None:
    if not permissions.can_edit(actor, review) or review.state not in ("planned", *BOOKED_STATES):
        raise DomainError(message)


def set_team(*, actor: User, review: Review, lead: User | None, reviewers: list[User],
             version: int | None = None) -> Review:
    """Propose (or change) the team: books each member on every review day."""
    _not_started(actor, review, "The team can only be changed before the review days.")
    check_version(review, version)
    if lead is None:
        raise DomainError("Choose the lead reviewer.", field="lead")
    reviewers = [r for r in dict.fromkeys(reviewers) if r.id != lead.id]
    if not MIN_REVIEWERS <= len(reviewers) <= MAX_REVIEWERS:
        raise DomainError(f"Choose {MIN_REVIEWERS} to {MAX_REVIEWERS} reviewers besides the "
                          "lead reviewer.", field="reviewers")
    team = [lead, *reviewers]
    _check_team(review, lead, team)
    _check_cap(review, lead, [p for p in team if p.id not in {m.user_id for m in review.members}])
    release(review, "review")
    review.members.clear()
    db.session.flush()
    review.members.extend(ReviewMember(user_id=p.id, user=p, role="lead" if i == 0 else "reviewer",
                                       position=i) for i, p in enumerate(team))
    book(review, team, review.dates, "review", "reviewers")
    # A changed team goes back to the host to confirm.
    _move(review, actor, "proposed", "Team: " + ", ".join(p.name for p in team))
    tell_team_and_host(review, "Team proposed for")
    return review


def _offered(dates: list[date]) -> list[date]:
    """Other first days a declining host offers: from today to two years ahead."""
    for i, day in enumerate(dates):
        if not today() <= day <= today() + MAX_AHEAD:
            raise DomainError("Offer days from today to two years ahead.",
                              field=f"offer_{i + 1}")
    return sorted(set(dates))


def transition(*, actor: User, review: Review, to: str, note: str = "",
               offered: list[date] = (), version: int | None = None) -> Review:
    check_version(review, version)
    opens = permissions.not_yet(review, to)
    if opens and permissions.step_is_theirs(actor, review, to):
        raise DomainError(f"Not yet: “{permissions.STEPS[review.state, to][1]}” opens on "
                          f"{fmt_day(opens)}.")
    if not permissions.may_step(actor, review, to):
        raise DomainError(f"This review is {review.state_label.lower()}: that step is not "
                          "open to you now.")
    note = clean_text(note, field="note", label="the reason", limit=1000,
                      required=(review.state, to) in permissions.NEEDS_REASON)
    if to == "feedback" and not review.summary:
        raise DomainError("Record the findings before marking feedback as given.")
    team = [m.user for m in review.members]
    offered = _offered(list(offered)) if to == "planned" else []
    if to == "planned":  # declined: the team and their days are released
        release(review, "review")
        review.members.clear()
        review.offered_dates = " ".join(d.isoformat() for d in offered)
        if offered:
            note += f" Other dates the host could offer: {dates_text(offered)}."
    _move(review, actor, to, note)
    if to in ("confirmed", "planned"):
        tell_team_and_host(review, "Confirmed:" if to == "confirmed" else "Declined by the host:",
                           team=team, actor=actor, note=note)
    return review


def reschedule(*, actor: User, review: Review, start_date: date | None, days: int, reason: str,
               closed_reason: str = "", version: int | None = None) -> Review:
    _not_started(actor, review, "Only a review that has not started can be rescheduled.")
    check_version(review, version)
    reason = clean_text(reason, field="reason", label="why the review is moving", limit=1000,
                        required=True)
    dates, closed = check_dates(school_id=review.host_school_id, start=start_date, days=days,
                                closed_reason=closed_reason)
    old = review.dates
    review.dates, review.closed_day_reason, review.offered_dates = dates, closed, ""
    hold_host_days(review)
    team = [m.user for m in review.members]
    release(review, "review")
    db.session.flush()
    if team:
        book(review, team, review.dates, "review", "start_date")
    # The host confirms the new dates.
    _move(review, actor, "proposed" if team else "planned",
          f"Rescheduled. The review days were {dates_text(old)}; now "
          f"{dates_text(review.dates)}. Why: {reason}")
    tell_team_and_host(review, "Rescheduled:", actor=actor, note=reason)
    return review


def cancel(*, actor: User, review: Review, reason: str, version: int | None = None) -> Review:
    if not permissions.can_cancel(actor, review):
        raise DomainError("You cannot cancel this review.")
    check_version(review, version)
    reason = clean_text(reason, field="reason", label="why the review is cancelled", limit=1000,
                        required=True)
    release_host_days(review)
    release(review)
    team = [m.user for m in review.members]
    _move(review, actor, "cancelled", reason)
    tell_team_and_host(review, "Cancelled:", team=team, actor=actor, note=reason)
    return review


def record_findings(*, actor: User, review: Review, went_well: str, to_develop: str,
                    summary: str, safeguarding: bool, version: int | None = None) -> Review:
    if not permissions.can_record_findings(actor, review):
        raise DomainError("Only the lead reviewer or a cluster lead records the findings, "
                          "once the data has been shared.")
    check_version(review, version)
    first = not review.summary
    review.went_well = clean_text(went_well, field="went_well", label="what went well")
    review.to_develop = clean_text(to_develop, field="to_develop",
                                   label="the areas for development")
    review.summary = clean_text(summary, field="summary", label="a summary", required=True)
    raised = safeguarding and not review.safeguarding
    audit.record("review.findings_recorded" if first else "review.findings_changed",
                 actor=actor, obj=review, summary=f"Peer review of {review.host_school.name}")
    if safeguarding != review.safeguarding:
        audit.record("review.safeguarding", actor=actor, obj=review, summary=(
            "Concern flagged" if safeguarding else "Concern flag removed")
            + f": peer review of {review.host_school.name}")
    review.safeguarding = safeguarding
    _log(review, actor, review.state, review.state, "Findings recorded"
         + (" with a safeguarding concern" if safeguarding else ""), findings=True)
    db.session.flush()
    if raised:
        safeguarding_alert(review, actor)
    else:
        tell_host("review.findings", review,
                  f"Findings recorded: peer review of {review.host_school.name}",
                  f"{actor.name} has recorded the findings of the peer review of "
                  f"{review.host_school.name}. Read them on the site:", actor)
    return review


def _check_workshop(review: Review, workshop_date: date | None, facilitator: User | None,
                    impact_date: date | None) -> None:
    if workshop_date is None:
        raise DomainError("Enter the workshop date.", field="workshop_date")
    if workshop_date <= review.end_date:
        raise DomainError("The workshop comes after the review days.", field="workshop_date")
    if workshop_date > review.end_date + MAX_AHEAD:
        raise DomainError("Choose a workshop date within two years of the review days.",
                          field="workshop_date")
    if facilitator is None or not facilitator.has_role(CHAMPION):
        raise DomainError("Choose an improvement champion to facilitate.", field="facilitator")
    if permissions.on_team(facilitator, review):
        raise DomainError(f"{facilitator.name} was on the review team: the workshop is "
                          "facilitated by a champion who was not.", field="facilitator")
    if impact_date is not None and impact_date <= workshop_date:
        raise DomainError("The impact review comes after the workshop.", field="impact_date")
    if impact_date is not None and impact_date > workshop_date + MAX_AHEAD:
        raise DomainError("Choose an impact review date within two years of the workshop.",
                          field="impact_date")
    warning = closed_warning(review.host_school_id, [workshop_date])
    if warning:
        raise DomainError(warning, field="workshop_date")


def book_workshop(*, actor: User, review: Review, workshop_date: date | None,
                  facilitator: User | None, impact_date: date | None,
                  version: int | None = None) -> Review:
    if not permissions.can_book_workshop(actor, review):
        raise DomainError("The improvement workshop is booked after feedback has been given.")
    check_version(review, version)
    _check_workshop(review, workshop_date, facilitator, impact_date)
    release(review, "workshop")
    db.session.flush()
    book(review, [facilitator], [workshop_date], "workshop", "facilitator")
    review.workshop_date, review.facilitator, review.impact_date = \
        workshop_date, facilitator, impact_date
    _move(review, actor, "workshop_booked",
          f"Workshop on {fmt_day(workshop_date)} with {facilitator.name}")
    tell_host("review.workshop_booked", review,
              f"Improvement workshop booked: {review.host_school.name}",
              f"The improvement workshop after the peer review of {review.host_school.name} "
              f"is on {fmt_day(workshop_date)}, facilitated by {facilitator.name}.", actor)
    return review
