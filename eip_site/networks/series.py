"""Meeting series: once each half term (the Nth week's weekday, weeks counted from the
half term's first week) or every N weeks, on school days only. The dates come from
``dateutil.rrule`` over the partnership's school calendar (terms, and the holidays the lead
entered: reviews' term dates); INSET days are warned of, not skipped. Each meeting is then
an ordinary meeting, moved or cancelled on its own; the rest of a series can be changed from
one of its meetings on. Keyword-only, the acting user passed in, DomainError on a broken
rule, flush not commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import WEEKLY, rrule
from sqlalchemy import bindparam, select

from ..clock import to_london
from ..errors import DomainError
from ..extensions import db
from ..people.models import User
from ..reviews.queries import closures, terms
from ..reviews.scheduling import term_gaps
from .meetings import cancel_meeting, create_meeting, update_meeting
from .models import SERIES_PATTERNS, Meeting, MeetingSeries, Network, SeriesMeeting
from .permissions import check_editor

MAX_MEETINGS = 40
MAX_DAYS = 2 * 366

Span = tuple[date, date]


@dataclass(frozen=True)
class Calendar:
    """The school calendar as a series sees it."""
    terms: list[Span]
    holidays: list[Span]                 # partnership-wide: holidays and the gaps between terms
    inset: list[tuple[date, date, str]]  # (first, last, "INSET day at Oakfield Primary School")

    def closed(self, day: date) -> bool:
        if any(s <= day <= e for s, e in self.holidays):
            return True
        return bool(self.terms) and not any(s <= day <= e for s, e in self.terms)

    def half_terms(self) -> list[Span]:
        """Each term cut by the holidays inside it: autumn 1 and 2, spring 1 and 2…"""
        out = []
        for start, end in self.terms:
            for h_start, h_end in sorted(self.holidays):
                if start < h_start and h_end < end:
                    out.append((start, h_start - timedelta(days=1)))
                    start = h_end + timedelta(days=1)
            out.append((start, end))
        return out


def school_calendar() -> Calendar:
    rows = closures()
    term_rows = terms()
    gaps = term_gaps([(t.name, t.start_date, t.end_date) for t in term_rows])
    return Calendar(
        [(t.start_date, t.end_date) for t in term_rows],
        [(c.start_date, c.end_date) for c in rows if c.kind == "holiday" and c.school_id is None]
        + [(g.start, g.end) for g in gaps],
        [(c.start_date, c.end_date, f"{c.name or 'INSET day'} at "
          + (c.school.name if c.school else "every school"))
         for c in rows if c.kind == "inset"])


def _at(day: date) -> datetime:
    return datetime.combine(day, time())


def series_days(calendar: Calendar, *, pattern: str, weekday: int, week: int, every: int,
                first: date, last: date) -> list[date]:
    """The days a series' meetings fall on, holidays skipped."""
    if pattern == "weeks":
        days = [d.date() for d in rrule(WEEKLY, interval=every, byweekday=weekday,
                                        dtstart=_at(first), until=_at(last))]
    else:
        days = []
        for start, end in calendar.half_terms():
            week_one = start - timedelta(days=start.weekday())  # the Monday of its first week
            (day,) = rrule(WEEKLY, byweekday=weekday, count=1,
                           dtstart=_at(week_one + timedelta(weeks=week - 1)))
            if start <= day.date() <= end and first <= day.date() <= last:
                days.append(day.date())
    return [d for d in days if not calendar.closed(d)]


def inset_warnings(calendar: Calendar, days: list[date]) -> list[str]:
    return [f"{day:%A %-d %B %Y} is an {why}: the meeting is arranged; move it if need be."
            for day in days for s, e, why in calendar.inset if s <= day <= e]


@dataclass
class Pattern:
    pattern: str
    weekday: int | None
    week: int | None
    every: int | None
    first_day: date | None
    last_day: date | None
    starts: time | None
    ends: time | None
    school_id: int | None
    place: str
    online_link: str


def _check(p: Pattern, calendar: Calendar) -> list[date]:
    if p.pattern not in SERIES_PATTERNS:
        raise DomainError("Choose how often the meetings come.", field="pattern")
    if p.weekday is None or not 0 <= p.weekday <= 4:
        raise DomainError("Choose a school day of the week.", field="weekday")
    if p.pattern == "half_term":
        if not calendar.terms:
            raise DomainError("The partnership's term dates are not entered yet: a cluster "
                              "lead enters them under Term dates. Meanwhile choose every few "
                              "weeks.", field="pattern")
        if p.week is None or not 1 <= p.week <= 7:
            raise DomainError("Enter the week of the half term, from 1 to 7.", field="week")
    elif p.every is None or not 1 <= p.every <= 12:
        raise DomainError("Enter how many weeks apart, from 1 to 12.", field="every")
    if p.first_day is None:
        raise DomainError("Enter the date the series starts from.", field="first_day")
    if p.last_day is None:
        raise DomainError("Enter the date the series runs until.", field="last_day")
    if not 2000 <= p.first_day.year <= 2100 or p.last_day < p.first_day:
        raise DomainError("The series must run until a date after it starts.",
                          field="last_day")
    if (p.last_day - p.first_day).days > MAX_DAYS:
        raise DomainError("A series can run for at most two years.", field="last_day")
    if p.starts is None:
        raise DomainError("Enter the time the meetings start.", field="start")
    if p.ends is None:
        raise DomainError("Enter the time the meetings end.", field="end")
    days = series_days(calendar, pattern=p.pattern, weekday=p.weekday, week=p.week or 3,
                       every=p.every or 2, first=p.first_day, last=p.last_day)
    if not days:
        raise DomainError("No school day between those dates fits the pattern.",
                          field="first_day")
    if len(days) > MAX_MEETINGS:
        raise DomainError(f"That makes {len(days)} meetings: a series holds at most "
                          f"{MAX_MEETINGS}. Choose an earlier end date.", field="last_day")
    return days


def _where(p: Pattern) -> dict:
    return {"start": p.starts, "end": p.ends, "school_id": p.school_id, "place": p.place,
            "online_link": p.online_link}


def _save(network: Network, p: Pattern) -> MeetingSeries:
    series = MeetingSeries(network_id=network.id, pattern=p.pattern, weekday=p.weekday,
                           week=p.week or 3, every=p.every or 2, first_day=p.first_day,
                           last_day=p.last_day, starts=p.starts, ends=p.ends,
                           school_id=p.school_id, place=p.place, online_link=p.online_link)
    db.session.add(series)
    db.session.flush()
    return series


def _arrange(actor: User, network: Network, series: MeetingSeries, day: date,
             p: Pattern) -> Meeting:
    meeting = create_meeting(actor=actor, network=network, day=day, **_where(p))
    db.session.add(SeriesMeeting(meeting_id=meeting.id, series_id=series.id))
    return meeting


def create_series(*, actor: User, network: Network, pattern: Pattern
                  ) -> tuple[MeetingSeries, list[Meeting], list[str]]:
    """The series, its meetings (each on the standard agenda) and warnings of INSET days."""
    check_editor(actor, network)
    calendar = school_calendar()
    days = _check(pattern, calendar)
    series = _save(network, pattern)
    made = [_arrange(actor, network, series, day, pattern) for day in days]
    db.session.flush()
    return series, made, inset_warnings(calendar, days)


# Built once: the meeting page asks on every view, and building a select costs more than
# running this one.
_SERIES_OF = select(MeetingSeries).join(
    SeriesMeeting, SeriesMeeting.series_id == MeetingSeries.id).where(
    SeriesMeeting.meeting_id == bindparam("meeting_id"))


def series_of(meeting: Meeting) -> MeetingSeries | None:
    return db.session.scalar(_SERIES_OF, {"meeting_id": meeting.id})


def _rest(series: MeetingSeries, meeting: Meeting) -> list[Meeting]:
    """The series' meetings from ``meeting`` on, still to be held and not cancelled."""
    return list(db.session.scalars(select(Meeting).join(
        SeriesMeeting, SeriesMeeting.meeting_id == Meeting.id).where(
        SeriesMeeting.series_id == series.id, Meeting.starts_at >= meeting.starts_at,
        Meeting.cancelled_at.is_(None), Meeting.state.in_(("draft", "published")))
        .order_by(Meeting.starts_at)))


def previous_in_series(series: MeetingSeries, meeting: Meeting) -> Meeting | None:
    """The series' meeting just before ``meeting``, if any."""
    return db.session.scalars(select(Meeting).join(
        SeriesMeeting, SeriesMeeting.meeting_id == Meeting.id).where(
        SeriesMeeting.series_id == series.id, Meeting.starts_at < meeting.starts_at)
        .order_by(Meeting.starts_at.desc()).limit(1)).first()


def change_from(*, actor: User, meeting: Meeting, pattern: Pattern
                ) -> tuple[MeetingSeries, list[Meeting], list[str]]:
    """The rest of the series, from ``meeting`` on, changed: the old series ends before it,
    a new one starts on the new pattern. The meetings still to come are moved in order onto
    the new dates (keeping their agendas; members hear of a published one moving), extra
    ones are cancelled and missing ones arranged."""
    check_editor(actor, meeting.network)
    series = series_of(meeting)
    if series is None:
        raise DomainError("This meeting is not part of a series.")
    earlier = previous_in_series(series, meeting)
    if earlier is not None and pattern.first_day is not None \
            and pattern.first_day <= to_london(earlier.starts_at).date():
        raise DomainError(f"Start after {to_london(earlier.starts_at):%-d %B %Y}, the series' "
                          "meeting before this one.", field="first_day")
    calendar = school_calendar()
    days = _check(pattern, calendar)
    rest = _rest(series, meeting)
    if meeting not in rest:
        raise DomainError("This meeting has been held or cancelled: change the series from "
                          "a meeting still to come.")
    network = meeting.network
    before = meeting.starts_at.date() - timedelta(days=1)
    series.last_day = max(series.first_day, before)
    new = _save(network, pattern)
    kept = []
    for old, day in zip(rest, days):
        update_meeting(actor=actor, meeting=old, day=day, **_where(pattern))
        link = db.session.get(SeriesMeeting, old.id)
        link.series_id = new.id
        kept.append(old)
    for old in rest[len(days):]:
        cancel_meeting(actor=actor, meeting=old)
    made = [_arrange(actor, network, new, day, pattern) for day in days[len(rest):]]
    db.session.flush()
    return new, kept + made, inset_warnings(calendar, days)
