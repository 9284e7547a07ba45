"""Reviews as iCalendar: all-day DATE events with a UID that never changes for a review and a
SEQUENCE that rises with each change, so Outlook and Google update the event in place.
Findings are never put in a calendar."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event

from ..clock import utcnow
from ..people.models import Partnership
from .models import Review


def _domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "eip.invalid"


def _calendar(method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//{Partnership.current().name}//EIP site//EN")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    return cal


def _events(review: Review, kinds=("review", "workshop")) -> list[Event]:
    """The review days, and the improvement workshop once booked."""
    from ..auth.services import absolute_url  # needs the app's URL map

    cancelled = review.state == "cancelled"
    link = absolute_url("reviews.detail", review_id=review.id)
    events = []
    wanted = [("review", review.start_date, review.days, f"Peer review: {review.host_school.name}")]
    if review.workshop_date:
        wanted.append(("workshop", review.workshop_date, 1,
                       f"Improvement workshop: {review.host_school.name}"))
    for kind, start, days, summary in wanted:
        if kind not in kinds:
            continue
        event = Event()
        event.add("uid", f"review-{review.id}-{kind}@{_domain()}")
        event.add("sequence", review.sequence)
        event.add("dtstamp", utcnow().replace(tzinfo=None))
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(days=days))
        event.add("summary", summary)
        event.add("description", f"{review.focus}\n\n{link}")
        event.add("location", review.host_school.name)
        event.add("url", link)
        event.add("transp", "OPAQUE")
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED"
                  if review.state not in ("planned", "proposed") else "TENTATIVE")
        events.append(event)
    return events


def review_calendar(review: Review) -> bytes:
    """One review's .ics; a cancelled review is a METHOD:CANCEL with STATUS:CANCELLED."""
    cal = _calendar("CANCEL" if review.state == "cancelled" else "PUBLISH")
    for event in _events(review):
        cal.add_component(event)
    return cal.to_ical()


def feed(name: str, reviews: list[Review], user_id: int) -> bytes:
    """A person's subscription: the reviews they are on and the workshops they facilitate."""
    cal = _calendar()
    cal.add("x-wr-calname", name)
    for review in reviews:
        kinds = [kind for kind, mine in (
            ("review", any(m.user_id == user_id for m in review.members)),
            ("workshop", review.facilitator_id == user_id)) if mine]
        for event in _events(review, kinds):
            cal.add_component(event)
    return cal.to_ical()
