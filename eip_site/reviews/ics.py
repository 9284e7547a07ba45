"""Reviews as iCalendar: all-day DATE events with a UID that never changes for a review and a
SEQUENCE that rises with each change, so Outlook and Google update the event in place.
Findings are never put in a calendar."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from ..calendars import new_calendar, uid
from ..clock import utcnow
from ..mail import absolute_url
from .models import Review
from .scheduling import runs


def _events(review: Review, kinds=("review", "workshop"), cancel: bool = False) -> list[Event]:
    """The review days, an event for each run of consecutive days (Thu–Fri, then Mon: the
    first run keeps the review's first UID), and the improvement workshop once booked;
    ``cancel``: as cancelled (for those the review no longer has)."""

    cancelled = cancel or review.state == "cancelled"
    link = absolute_url("reviews.detail", review_id=review.id)
    events = []
    wanted = [("review", f"review-{review.id}-review" + (f"-{i + 1}" if i else ""), first, last,
               f"Peer review: {review.host_school.name}")
              for i, (first, last) in enumerate(runs(review.dates))]
    if review.workshop_date:
        wanted.append(("workshop", f"review-{review.id}-workshop", review.workshop_date,
                       review.workshop_date, f"Improvement workshop: {review.host_school.name}"))
    for kind, name, start, last, summary in wanted:
        if kind not in kinds:
            continue
        event = Event()
        event.add("uid", uid(name))
        event.add("sequence", review.sequence)
        event.add("dtstamp", utcnow().replace(tzinfo=None))
        event.add("dtstart", start)
        event.add("dtend", last + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", f"{review.focus}\n\n{link}")
        event.add("location", review.host_school.name)
        event.add("url", link)
        event.add("transp", "OPAQUE")
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED"
                  if review.state not in ("planned", "proposed") else "TENTATIVE")
        events.append(event)
    return events


def review_calendar(review: Review, *, cancel: bool = False) -> Calendar:
    """One review's .ics; a cancelled review is a METHOD:CANCEL with STATUS:CANCELLED, and so
    is the .ics of those it released (``cancel``: a declined review's team)."""
    cancelled = cancel or review.state == "cancelled"
    cal = new_calendar(method="CANCEL" if cancelled else "PUBLISH")
    for event in _events(review, cancel=cancelled):
        cal.add_component(event)
    return cal


def feed(name: str, reviews: list[Review], user_id: int, meetings=()) -> Calendar:
    """A person's subscription: the reviews they are on, the workshops they facilitate and
    the meetings of their networks."""
    from ..networks.ics import meeting_event

    cal = new_calendar(name=name)
    for review in reviews:
        kinds = [kind for kind, mine in (
            ("review", any(m.user_id == user_id for m in review.members)),
            ("workshop", review.facilitator_id == user_id)) if mine]
        for event in _events(review, kinds):
            cal.add_component(event)
    for meeting in meetings:
        cal.add_component(meeting_event(meeting))
    return cal
