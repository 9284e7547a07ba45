"""iCalendar, one way for the whole site: the calendar wrapper, stable UIDs, the response.
Each pillar builds its own events (reviews: all-day DATE events; meetings: timed, in UTC)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app
from icalendar import Calendar

from .people.models import Partnership


def new_calendar(*, method: str | None = None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//{Partnership.current().name}//EIP site//EN")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def uid(thing: str) -> str:
    """A UID that never changes for ``thing`` (e.g. "review-12-review") on this site."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "eip.invalid"
    return f"{thing}@{host}"


def ics_response(cal: Calendar, filename: str) -> Response:
    response = Response(cal.to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
