"""A network meeting as an iCalendar event: timed, in UTC ("Z"), so every calendar shows it
in its own zone without a VTIMEZONE; a stable UID and a SEQUENCE that rises with changes."""

from __future__ import annotations

from datetime import timezone

from icalendar import Event

from ..calendars import uid
from ..clock import utcnow
from ..mail import absolute_url
from .models import Meeting


def meeting_event(meeting: Meeting) -> Event:
    event = Event()
    event.add("uid", uid(f"network-meeting-{meeting.id}"))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", utcnow().replace(tzinfo=timezone.utc))
    event.add("dtstart", meeting.starts_at.replace(tzinfo=timezone.utc))
    event.add("dtend", meeting.ends_at.replace(tzinfo=timezone.utc))
    event.add("summary", f"{meeting.network.name} network meeting")
    where = ", ".join(p for p in (meeting.place, meeting.school.name if meeting.school else "",
                                  meeting.online_link) if p)
    if where:
        event.add("location", where)
    event.add("url", absolute_url("networks.meeting", meeting_id=meeting.id))
    event.add("status", "CANCELLED" if meeting.cancelled_at else
              "CONFIRMED" if meeting.reached("published") else "TENTATIVE")
    return event
