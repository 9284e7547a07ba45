"""Meetings people come prepared to, in a real browser with axe-core on each new page: a
member sends apologies from the agenda email's one-step link without signing in; the leader
sees them on the agenda and by school; the leader sends the draft minutes round; a cluster
lead arranges a half-termly series and changes the rest of it from one meeting on."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from eip_site import clock, links
from eip_site.extensions import db
from eip_site.networks.answers import ANSWER_LINK
from eip_site.networks.models import Meeting, MeetingAnswer, Network
from eip_site.networks.queries import members_of, people_of

from .conftest import axe_check
from .test_directory import quick_sign_in


def _next_meeting(app, network_name: str) -> tuple[int, int, str, str]:
    """The network's published meeting to come, and a member who has not sent apologies."""
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == network_name))
        meeting = db.session.scalar(select(Meeting).where(
            Meeting.network_id == network.id, Meeting.starts_at > clock.utcnow(),
            Meeting.state == "published").order_by(Meeting.starts_at))
        answered = {a.user_id for a in db.session.scalars(select(MeetingAnswer).where(
            MeetingAnswer.meeting_id == meeting.id, MeetingAnswer.answer == "apologies"))}
        person = next(p for p in people_of(network, members_of(network))
                      if p.id not in answered and p.id != network.leader_id)
        return (meeting.id, person.id, person.name,
                links.make(ANSWER_LINK, meeting.id, person.id, 2))


def test_a_member_sends_apologies_from_the_email_link(context, app, live_server, demo_logins,
                                                      demo_password):
    meeting_id, _person_id, name, token = _next_meeting(app, "Transitions")
    page = context.new_page()
    page.goto(f"/meetings/answer/{token}")  # not signed in
    expect(page.get_by_role("heading", level=1)).to_contain_text("Send apologies: Transitions")
    axe_check(page)
    page.get_by_label("A note for the leader (optional)").fill("Parents' evening")
    page.get_by_role("button", name="Send my apologies").click()
    expect(page.get_by_text("Your apologies are sent to the leader.")).to_be_visible()
    expect(page.locator("#current-answer")).to_contain_text("is already Apologies")
    axe_check(page)

    quick_sign_in(context, demo_logins["staff"], demo_password)  # Transitions' leader
    page.goto(f"/meetings/{meeting_id}")
    expect(page.locator("#agenda .agenda-apologies")).to_contain_text(name)
    expect(page.locator("#coming")).to_contain_text(f"{name} (“Parents' evening”)")
    axe_check(page)
    # The leader answers too, on the page.
    page.get_by_label("I'll be there").check()
    page.get_by_role("button", name=re.compile("my answer")).click()
    expect(page.get_by_text("Thank you: the leader knows you will be there.")).to_be_visible()
    axe_check(page)


def test_the_leader_sends_the_draft_minutes(context, app, live_server, demo_logins,
                                            demo_password):
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == "Transitions"))
        meeting_id = db.session.scalar(select(Meeting.id).where(
            Meeting.network_id == network.id, Meeting.state == "minutes_drafted"))
    quick_sign_in(context, demo_logins["staff"], demo_password)
    page = context.new_page()
    page.goto(f"/meetings/{meeting_id}/minutes")
    page.get_by_role("button", name=re.compile("Send the draft to the members")).click()
    expect(page.get_by_text("Draft minutes sent to the members, with a PDF.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Download the minutes"))).to_be_visible()
    axe_check(page)


def test_a_lead_arranges_a_series_and_changes_the_rest(context, app, live_server,
                                                       demo_logins, demo_password):
    quick_sign_in(context, demo_logins["lead"], demo_password)
    page = context.new_page()
    page.goto("/networks/")
    page.get_by_role("link", name="Primary behaviour").click()
    page.get_by_role("link", name="Arrange a series").click()
    expect(page.get_by_role("heading", level=1, name="Arrange a series of meetings")) \
        .to_be_visible()
    axe_check(page)
    today = clock.today()
    page.get_by_label("Every few weeks").check()
    page.get_by_label("Day of the week").select_option(label="Wednesday")
    page.get_by_label("Weeks apart").fill("3")
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_label("Until").fill(today.replace(year=today.year + 3).isoformat())
    page.get_by_label("Starts at").fill("16:00")
    page.get_by_label("Ends at").fill("17:30")
    page.get_by_label("School").select_option(index=1)
    page.get_by_role("button", name="Arrange the series").click()
    # Too long: said beside the field, focus on the summary.
    expect(page.locator(".error-summary")).to_contain_text("at most two years")
    axe_check(page)
    page.get_by_label("Until").fill(today.replace(year=today.year + 1).isoformat())
    page.get_by_role("button", name="Arrange the series").click()
    expect(page.get_by_text(re.compile(r"\d+ meetings in the series"))).to_be_visible()
    axe_check(page)
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == "Primary behaviour"))
        second = db.session.scalars(select(Meeting.id).where(
            Meeting.network_id == network.id, Meeting.state == "draft",
            Meeting.starts_at > clock.utcnow()).order_by(Meeting.starts_at)).all()[1]
    page.goto(f"/meetings/{second}")
    expect(page.locator(".meeting-series")).to_contain_text("Wednesdays every 3 weeks")
    page.get_by_role("link", name="Change the rest of the series from this meeting").click()
    axe_check(page)
    page.get_by_label("Day of the week").select_option(label="Thursday")
    page.get_by_role("button", name="Change the rest of the series").click()
    expect(page.get_by_text(re.compile(r"\d+ meetings? in the series"))).to_be_visible()
    page.goto(f"/meetings/{second}")
    expect(page.locator(".meeting-series")).to_contain_text("Thursdays every 3 weeks")
    expect(page.locator(".meeting-facts")).to_contain_text("Thursday")
