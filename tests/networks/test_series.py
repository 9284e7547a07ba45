"""Meeting series: each half term (the Nth week's weekday) or every N weeks, holidays of the
school calendar skipped, INSET days warned of; each meeting moved or cancelled on its own,
the rest changed from one meeting on; each meeting its own calendar event."""

from __future__ import annotations

from datetime import date, time, timedelta

from icalendar import Calendar as ICalendar

from eip_site import clock
from eip_site.extensions import db
from eip_site.networks import series
from eip_site.networks.models import Meeting, MeetingSeries, SeriesMeeting
from eip_site.reviews.models import Closure
from eip_site.seeds.reviews import academic_year, seed_calendar

from ..helpers import sign_in


def _half_termly(world, first: date, last: date, **change) -> series.Pattern:
    return series.Pattern(**{"pattern": "half_term", "weekday": 1, "week": 3, "every": None,
                             "first_day": first, "last_day": last, "starts": time(16),
                             "ends": time(17, 30), "school_id": world.get("school").id,
                             "place": "Library", "online_link": "", **change})


def _days(rows) -> list[date]:
    return sorted(clock.to_london(m.starts_at).date() for m in rows)


def test_a_half_termly_series_skips_the_demo_calendars_holidays(ctx, world):
    today = clock.today()
    seed_calendar(today)
    y = academic_year(today)
    _series, made, warnings = series.create_series(
        actor=world.get("leader"), network=world.get("network"),
        pattern=_half_termly(world, date(y, 9, 1), date(y + 1, 8, 31)))
    days = _days(made)
    # Six half terms: autumn 1 and 2, spring 1 and 2, summer 1 and 2; Tuesday of week 3.
    assert len(days) == 6 and all(d.weekday() == 1 for d in days)
    assert days[0] == date(y, 9, 3) - timedelta(days=date(y, 9, 3).weekday()) \
        + timedelta(weeks=2, days=1)
    calendar = series.school_calendar()
    assert not any(calendar.closed(d) for d in days)
    halves = calendar.half_terms()
    assert len(halves) == 6
    for day, (start, end) in zip(days, halves):
        assert start <= day <= end
    assert {clock.to_london(m.starts_at).time() for m in made} == {time(16)}
    assert warnings == []


def test_every_few_weeks_skips_holidays_and_warns_of_inset_days(ctx, world):
    seed_calendar(clock.today())
    y = academic_year(clock.today())
    # The Tuesday in October half term (26–30 October) falls in the pattern, and is skipped.
    first = date(y, 10, 6) - timedelta(days=date(y, 10, 6).weekday() - 1)
    inset = first + timedelta(weeks=2)
    ctx.add(Closure(school_id=world.get("school").id, name="Staff training", kind="inset",
                    start_date=inset, end_date=inset))
    ctx.flush()
    pattern = _half_termly(world, first, first + timedelta(weeks=8), pattern="weeks",
                           week=None, every=1)
    _series, made, warnings = series.create_series(
        actor=world.get("leader"), network=world.get("network"), pattern=pattern)
    days = _days(made)
    assert all(not date(y, 10, 26) <= d <= date(y, 10, 30) for d in days)
    assert len(days) == 8 and inset in days
    assert warnings == [f"{inset:%A %-d %B %Y} is an Staff training at Oakfield Primary "
                        "School: the meeting is arranged; move it if need be."]


def test_one_meeting_cancelled_and_the_rest_changed_from_one_on(app, client, world):
    with app.app_context():
        seed_calendar(clock.today())
        y = academic_year(clock.today())
        _s, made, _w = series.create_series(
            actor=world.get("leader"), network=world.get("network"),
            pattern=_half_termly(world, date(y, 9, 1), date(y + 1, 8, 31)))
        db.session.commit()
        ids = [m.id for m in sorted(made, key=lambda m: m.starts_at)]
    sign_in(client, world["leader"])
    # Cancel the second on its own: the others stay.
    assert client.post(f"/meetings/{ids[1]}/state", data={"step": "cancel"}).status_code == 303
    page = client.get(f"/meetings/{ids[1]}")
    assert "This meeting is cancelled" in page.text
    listing = client.get(f"/networks/{world['network']}/meetings")
    assert listing.text.count('<span class="tag tag-gap">Cancelled</span>') == 1
    assert client.post(f"/meetings/{ids[1]}/state", data={"step": "publish"}).status_code == 422
    # The ics says so under the same UID.
    event = ICalendar.from_ical(client.get(f"/meetings/{ids[1]}.ics").data).walk("VEVENT")[0]
    assert event["STATUS"] == "CANCELLED" and f"network-meeting-{ids[1]}" in event["UID"]
    # From the fourth on: Thursdays of week 2, from the day after the third.
    form = client.get(f"/meetings/{ids[3]}/series")
    assert form.status_code == 200 and "Change the rest of the series" in form.text
    with app.app_context():
        first = clock.to_london(db.session.get(Meeting, ids[2]).starts_at).date() \
            + timedelta(days=1)
    assert f'value="{first.isoformat()}"' in form.text
    too_early = client.post(f"/meetings/{ids[3]}/series", data={
        "pattern": "half_term", "weekday": "3", "week": "2", "first_day": date(y, 9, 1),
        "last_day": date(y + 1, 8, 31).isoformat(), "start": "15:30", "end": "17:00",
        "school": str(world["school"])})
    assert too_early.status_code == 422 and "meeting before this one" in \
        too_early.text
    changed = client.post(f"/meetings/{ids[3]}/series", data={
        "pattern": "half_term", "weekday": "3", "week": "2", "first_day": first.isoformat(),
        "last_day": date(y + 1, 8, 31).isoformat(), "start": "15:30", "end": "17:00",
        "school": str(world["school"]), "place": "Hall"})
    assert changed.status_code == 303
    with app.app_context():
        rows = [db.session.get(Meeting, i) for i in ids]
        assert [clock.to_london(m.starts_at).weekday() for m in rows[3:]] == [3, 3, 3]
        assert [clock.to_london(m.starts_at).weekday() for m in rows[:3]] == [1, 1, 1]
        assert rows[1].cancelled_at is not None and rows[0].cancelled_at is None
        assert rows[4].place == "Hall"
        assert db.session.scalar(db.select(db.func.count()).select_from(MeetingSeries)) == 2
        link = db.session.get(SeriesMeeting, ids[4])
        assert db.session.get(MeetingSeries, link.series_id).weekday == 3


def test_a_series_form_refuses_bad_input_beside_the_field(app, client, world):
    sign_in(client, world["leader"])
    network_id = world["network"]
    page = client.get(f"/networks/{network_id}/series/new")
    assert page.status_code == 200 and "Arrange a series of meetings" in page.text
    bad = client.post(f"/networks/{network_id}/series/new", data={
        "pattern": "half_term", "weekday": "1", "week": "3", "first_day": "2027-01-01",
        "last_day": "2027-07-01", "start": "16:00", "end": "17:00",
        "school": str(world["school"])})
    # No term dates entered: said beside "How often", nothing saved.
    assert bad.status_code == 422 and "term dates are not entered yet" in bad.text
    too_long = client.post(f"/networks/{network_id}/series/new", data={
        "pattern": "weeks", "weekday": "1", "every": "1", "first_day": "2027-01-01",
        "last_day": "2028-07-01", "start": "16:00", "end": "17:00",
        "school": str(world["school"])})
    assert too_long.status_code == 422 and "a series holds at most 40" in too_long.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(MeetingSeries)) == 0


def test_the_feed_carries_each_meeting_as_its_own_event(ctx, world):
    seed_calendar(clock.today())
    y = academic_year(clock.today())
    _s, made, _w = series.create_series(
        actor=world.get("leader"), network=world.get("network"),
        pattern=_half_termly(world, date(y, 9, 1), date(y + 1, 8, 31)))
    from eip_site.networks.ics import meeting_event
    uids = {str(meeting_event(m)["UID"]) for m in made}
    assert len(uids) == 6
    assert {str(meeting_event(m)["UID"]) for m in made} == uids  # stable
