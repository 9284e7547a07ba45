"""Network and meeting rules, without HTTP."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from eip_site import clock
from eip_site.errors import DomainError, Forbidden, StaleEdit
from eip_site.extensions import db
from eip_site.networks import (agenda, lifecycle, meetings, minutes, overview, pages,
                               permissions, plans)
from eip_site.networks.markup import render_markdown
from eip_site.networks.models import MinutesRevision
from eip_site.networks.timetable import timetable

from ..helpers import days, thursday, utc


def test_timetable_runs_items_back_to_back_and_flags_an_overrun():
    start, end = (datetime.combine(clock.today(), at) for at in (time(16, 0), time(17, 0)))
    fits = timetable(start, end, [5, 10, 45])
    assert [s.starts.strftime("%H:%M") for s in fits.slots] == ["16:00", "16:05", "16:15"]
    assert fits.ends == end and not fits.overruns
    over = timetable(start, end, [30, 25, 20])
    assert over.overrun_minutes == 15
    assert [s.overruns for s in over.slots] == [False, False, True]
    assert timetable(start, end, []).ends == start


def test_proposal_is_sponsored_with_a_critical_friend_and_members_join(ctx, world):
    net = world.get("network")
    assert net.status == "sponsored" and net.critical_friend_id == world["friend"]
    assert permissions.is_member(world.get("member"), net)
    assert not permissions.is_member(world.get("outsider"), net)
    with pytest.raises(DomainError):
        lifecycle.decide_proposal(actor=world.get("lead"), network=net, sponsor=False,
                                  comment="")


def test_only_a_lead_sponsors_and_names_must_be_unique(ctx, world):
    proposal = lifecycle.propose_network(actor=world.get("member"), name="Behaviour",
                                        purpose="Consistent routines.")
    with pytest.raises(Forbidden):
        lifecycle.decide_proposal(actor=world.get("leader"), network=proposal, sponsor=True,
                                 comment="")
    with pytest.raises(DomainError) as error:
        lifecycle.propose_network(actor=world.get("member"), name="transitions", purpose="x")
    assert error.value.field == "name"


def test_meeting_starts_from_the_standard_agenda_in_london_time(ctx, world):
    meeting = world.get("meeting")
    assert [i.standard for i in meeting.items] == ["welcome", "minutes", "matters", "aob",
                                                   "next"]
    assert meeting.starts_at == utc(thursday(4), time(16, 0)).replace(tzinfo=None)
    # 3 December is GMT; a June meeting at 16:00 London is 15:00 UTC.
    year = clock.today().year
    assert meetings.london_to_utc(date(year, 12, 3), time(16, 0)) == datetime(year, 12, 3, 16, 0)
    assert meetings.london_to_utc(date(year, 6, 4), time(16, 0)) == datetime(year, 6, 4, 15, 0)


@pytest.mark.parametrize("start,end,field", [
    (time(17, 0), time(16, 0), "end"), (time(16, 0), time(16, 0), "end")])
def test_a_meeting_must_end_after_it_starts(ctx, world, start, end, field):
    with pytest.raises(DomainError) as error:
        meetings.create_meeting(actor=world.get("leader"), network=world.get("network"),
                                day=thursday(10), start=start, end=end,
                                school_id=world["school"])
    assert error.value.field == field


def test_items_go_before_any_other_business_and_move(ctx, world):
    leader, meeting = world.get("leader"), world.get("meeting")
    item = agenda.add_item(actor=leader, meeting=meeting, title="Year 6 writing",
                             kind="decision", presenter_id=world["member"], duration=20)
    titles = [i.title for i in meeting.items]
    assert titles.index("Year 6 writing") == titles.index("Any other business") - 1
    agenda.move_item(actor=leader, item=item, direction="up")
    titles = [i.title for i in meeting.items]
    assert titles[2:4] == ["Year 6 writing", "Matters arising"]
    assert meeting.sequence >= 2
    top = meeting.items[0]
    with pytest.raises(DomainError):
        agenda.move_item(actor=leader, item=top, direction="up")


@pytest.mark.parametrize("changes,field", [
    ({"duration": -5}, "duration"), ({"duration": 1000}, "duration"),
    ({"title": "x" * 10_000}, "title"), ({"title": "   "}, "title"),
    ({"kind": "party"}, "kind"), ({"presenter": "outsider"}, "presenter")])
def test_bad_items_are_refused_beside_the_field(ctx, world, changes, field):
    args = {"title": "Item", "kind": "discussion", "duration": 10, "notes": ""}
    presenter = changes.pop("presenter", None)
    args.update(changes)
    with pytest.raises(DomainError) as error:
        agenda.add_item(actor=world.get("leader"), meeting=world.get("meeting"),
                          presenter_id=world[presenter] if presenter else None, **args)
    assert error.value.field == field


def test_emoji_titles_are_fine(ctx, world):
    item = agenda.add_item(actor=world.get("leader"), meeting=world.get("meeting"),
                             title="Reading for pleasure 📚", duration=10)
    db.session.commit()
    assert db.session.get(type(item), item.id).title.endswith("📚")


def test_members_propose_and_the_leader_accepts(ctx, world):
    meeting = world.get("meeting")
    item = agenda.add_item(actor=world.get("member"), meeting=meeting, title="Visits")
    assert item.status == "proposed"
    with pytest.raises(Forbidden):
        agenda.add_item(actor=world.get("outsider"), meeting=meeting, title="Mine")
    with pytest.raises(Forbidden):
        agenda.accept_item(actor=world.get("member"), item=item)
    agenda.accept_item(actor=world.get("leader"), item=item)
    assert item.status == "accepted"


def test_agenda_is_frozen_once_held_and_minutes_open(ctx, world):
    leader, meeting = world.get("leader"), world.get("meeting")
    item = meeting.items[1]
    with pytest.raises(DomainError):
        minutes.save_minutes(actor=leader, item=item, text="Too early")
    meetings.publish_agenda(actor=leader, meeting=meeting)
    meetings.mark_held(actor=leader, meeting=meeting)
    with pytest.raises(DomainError):
        agenda.add_item(actor=leader, meeting=meeting, title="Late")
    with pytest.raises(DomainError):
        agenda.update_item(actor=leader, item=item, title="New", kind="decision",
                           presenter_id=None, duration=5, notes="")
    minutes.save_minutes(actor=leader, item=item, text="Agreed.")
    assert meeting.state == "minutes_drafted"


def test_minutes_keep_earlier_versions_refuse_html_and_stale_saves(ctx, world):
    leader, meeting = world.get("leader"), world.get("meeting")
    meetings.publish_agenda(actor=leader, meeting=meeting)
    meetings.mark_held(actor=leader, meeting=meeting)
    item = meeting.items[0]
    minutes.save_minutes(actor=leader, item=item, text="First draft")
    db.session.commit()
    version = item.version
    minutes.save_minutes(actor=leader, item=item, text="Second draft", version=version)
    db.session.commit()
    assert [r.text for r in db.session.query(MinutesRevision)] == ["First draft"]
    with pytest.raises(StaleEdit):
        minutes.save_minutes(actor=world.get("friend"), item=item, text="Mine", version=version)
    with pytest.raises(DomainError) as error:
        minutes.save_minutes(actor=leader, item=item, text='<div hx-get="/x">hi</div>')
    assert error.value.field == "minutes"


def test_markdown_is_rendered_without_scripts_or_htmx_attributes():
    html = render_markdown('**Agreed** <script>alert(1)</script><a hx-post="/x" '
                           'onclick="y" href="https://e.example">link</a>')
    assert "<strong>Agreed</strong>" in html
    for bad in ("<script", "hx-post", "onclick"):
        assert bad not in html


def _held(world):
    leader, meeting = world.get("leader"), world.get("meeting")
    meetings.publish_agenda(actor=leader, meeting=meeting)
    meetings.mark_held(actor=leader, meeting=meeting)
    return leader, meeting


def test_open_actions_carry_forward_into_matters_arising_until_done(ctx, world):
    leader, meeting = _held(world)
    action = minutes.add_action(actor=leader, meeting=meeting, description="Share the plan",
                                 owner_id=world["member"], due_on=thursday(5))
    minutes.add_decision(actor=leader, meeting=meeting, text="Adopt the shared project.")
    minutes.save_minutes(actor=leader, item=meeting.items[0], text="Welcome.")
    # Still to come whenever the suite runs: a past meeting's matters arising would (rightly)
    # keep showing what was open at the time.
    nxt = meetings.create_meeting(actor=leader, network=meeting.network,
                                  day=days(60),
                                  start=time(16, 0), end=time(17, 0),
                                  online_link="https://meet.example/abc")
    assert [a.id for a in pages.matters_arising(nxt)] == [action.id]
    with pytest.raises(Forbidden):
        minutes.set_action_status(actor=world.get("outsider"), action=action, done=True)
    minutes.set_action_status(actor=world.get("member"), action=action, done=True)
    assert pages.matters_arising(nxt) == []
    # The meeting it was raised at still shows nothing carried into itself.
    assert pages.matters_arising(meeting) == []
    meetings.approve_minutes(actor=world.get("friend"), meeting=meeting)
    assert meeting.minutes_approved_by_id == world["friend"]


def test_action_owner_must_be_a_member(ctx, world):
    leader, meeting = _held(world)
    with pytest.raises(DomainError) as error:
        minutes.add_action(actor=leader, meeting=meeting, description="X",
                            owner_id=world["outsider"], due_on=days(30))
    assert error.value.field == "owner"


def test_copying_the_previous_agenda(ctx, world):
    leader, meeting = world.get("leader"), world.get("meeting")
    agenda.add_item(actor=leader, meeting=meeting, title="Shared project", duration=25)
    nxt = meetings.create_meeting(actor=leader, network=meeting.network, day=thursday(11),
                                  start=time(16, 0), end=time(17, 0),
                                  school_id=world["school"], copy_previous=True)
    assert [i.title for i in nxt.items][3] == "Shared project"


def test_who_sees_what(ctx, world):
    meeting, outsider = world.get("meeting"), world.get("outsider")
    assert permissions.can_view_meeting(world.get("member"), meeting)
    assert not permissions.can_view_meeting(outsider, meeting)
    meeting.network.is_open = True
    assert not permissions.can_view_meeting(outsider, meeting)  # still a draft
    meetings.publish_agenda(actor=world.get("leader"), meeting=meeting)
    assert permissions.can_view_meeting(outsider, meeting)
    assert not permissions.can_view_minutes(outsider, meeting)


def test_attendance_and_the_overview(ctx, world):
    leader, meeting = _held(world)
    minutes.record_attendance(actor=leader, meeting=meeting, members=[
        world.get("leader"), world.get("friend"), world.get("member")], statuses={
        world["leader"]: "present", world["friend"]: "present",
        world["member"]: "apologies"})
    with pytest.raises(DomainError):
        minutes.record_attendance(actor=leader, meeting=meeting, members=[],
                                   statuses={world["outsider"]: "present"})
    day = thursday(4)  # the meeting's
    minutes.add_action(actor=leader, meeting=meeting, description="Late one",
                        owner_id=world["member"], due_on=day - timedelta(days=1))
    db.session.commit()
    view = overview.overview(day)
    _start, next_term, term = overview.term_bounds(day)
    assert view.term == term
    assert [a.description for a in view.overdue] == ["Late one"]
    assert view.no_critical_friend == []
    assert ("Kingsmere Academy", 1, 1, 0) in view.attendance
    assert overview.overview(next_term).no_critical_friend[0].name == "Transitions"


def test_terms_are_counted_as_the_partnership_does():
    year = clock.today().year
    assert overview.term_bounds(date(year, 12, 20)) == (
        date(year, 9, 1), date(year + 1, 1, 1), f"autumn term {year}")
    assert overview.term_bounds(date(year, 1, 10))[2] == f"spring term {year}"
    assert overview.term_bounds(date(year, 8, 31))[2] == f"summer term {year}"


def test_plan_rows_are_kept_by_leader_and_friend_only(ctx, world):
    row = plans.save_plan_row(actor=world.get("friend"), network=world.get("network"),
                                 row=None, action="Joint Year 6 project", timescale="Spring",
                                 resources="Supply cover", involved="Year 6 teachers",
                                 success_criteria="All pupils visit", status="in_progress",
                                 progress="")
    assert row.position == 1
    with pytest.raises(Forbidden):
        plans.save_plan_row(actor=world.get("member"), network=world.get("network"),
                            row=row, action="x", timescale="", resources="", involved="",
                            success_criteria="", status="done", progress="")


@pytest.mark.parametrize("text,refused", [
    ("<script>alert(1)</script>", True), ('<div hx-get="/x">hi</div>', True), ("<br/>", True),
    ("</p>", True), ("Score a < b and c > d", False), ("See <https://example.org/plan>", False),
    ("Email <head@school.example>", False), ("Under 5 < 10 pupils", False)])
def test_html_is_told_apart_from_text_and_autolinks(text, refused):
    from eip_site.networks.markup import html_tag_in

    assert bool(html_tag_in(text)) is refused


def test_a_markdown_image_becomes_a_visible_note_not_nothing():
    html = str(render_markdown("See ![the reading chart](https://x.example/c.png) and "
                               "![](https://x.example/d.png)."))
    assert "<img" not in html
    assert "[image not shown: the reading chart]" in html and "[image not shown]" in html
    assert "x.example" not in html
    escaped = str(render_markdown('![a <b> "c"](https://x.example/e.png)'))
    assert "<b>" not in escaped and "[image not shown: a &lt;b&gt;" in escaped


def test_the_minutes_hint_says_images_are_not_shown(app):
    from eip_site.networks.forms import MinutesForm

    with app.test_request_context():
        assert "images are not shown" in MinutesForm(meta={"csrf": False}).minutes.description
