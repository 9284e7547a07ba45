"""Peer reviews in a real browser: a champion books a review and picks a team with the
picker; a second champion is refused one of those reviewers on the same day, by name; the
host head confirms; the .ics parses; the lead records findings that a teacher at another
school cannot see; the lead generates a rota for six schools. axe on every reviews page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

from icalendar import Calendar
from playwright.sync_api import Page, expect
from sqlalchemy import select

from eip_site import clock
from eip_site.extensions import db
from eip_site.people.models import School, User, UserRole
from eip_site.reviews import services
from eip_site.reviews.models import HostDay, Review

from .conftest import axe_check, screenshot
from .test_directory import quick_sign_in

HOST = "Oakfield Primary School"


def open_day(app, school_names: list[str], weeks: int) -> date:
    """A Tuesday at least ``weeks`` ahead on which these schools are open and host nothing."""
    with app.app_context():
        ids = [db.session.scalar(select(School.id).where(School.name == n)) for n in school_names]
        day = clock.today() + timedelta(weeks=weeks)
        day += timedelta(days=(1 - day.weekday()) % 7)
        while any(services.closed_warning(i, [day]) or db.session.scalar(
                select(HostDay.id).where(HostDay.school_id == i, HostDay.day == day))
                for i in ids):
            day += timedelta(days=7)
        return day


def login_of(app, *, role: str | None, school: str) -> SimpleNamespace:
    """Someone at ``school`` with ``role`` (None: plain staff), for signing in."""
    with app.app_context():
        stmt = select(User).join(School, School.id == User.school_id).where(
            School.name == school, User.active.is_(True), User.password_hash.is_not(None))
        roles = select(UserRole.user_id)
        stmt = stmt.where(User.id.in_(roles.where(UserRole.role == role))) if role else \
            stmt.where(User.id.not_in(roles))
        user = db.session.scalars(stmt.order_by(User.id)).first()
        return SimpleNamespace(email=user.email, name=user.name)


def free_candidates(page: Page) -> list[str]:
    rows = page.locator("table.picker tbody tr").filter(has=page.locator(".tag", has_text="Free"))
    return [rows.nth(i).locator("label").inner_text() for i in range(min(rows.count(), 6))]


def book(page: Page, host: str, day: date) -> None:
    page.goto("/reviews/")
    axe_check(page)
    page.get_by_role("link", name="Book a review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a peer review")
    axe_check(page)
    page.get_by_label("School to be reviewed").select_option(label=host)
    page.get_by_label("Enquiry focus").fill("To what extent does questioning deepen thinking?")
    page.get_by_label("Focus area").select_option(label="Pedagogy")
    page.get_by_label("First review day").fill(day.isoformat())
    page.get_by_label("Length").select_option(label="1 school day")
    page.get_by_role("button", name="Book the review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review of {host}")
    expect(page.locator("#flash")).to_contain_text("Review booked")


def test_book_staff_confirm_and_keep_findings_confidential(app, browser, live_server, context,
                                                           page: Page, demo_logins,
                                                           demo_password):
    day = open_day(app, [HOST, "Willowbank School"], weeks=12)
    quick_sign_in(context, demo_logins["champion"], demo_password)  # Kingsmere Academy
    book(page, HOST, day)
    axe_check(page)
    free = free_candidates(page)
    assert len(free) >= 3, free
    lead, *others = free[:3]
    page.get_by_label("Lead reviewer").select_option(label=lead)
    for name in others:
        page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Propose the team").click()
    expect(page.locator("#flash")).to_contain_text("Team proposed")
    expect(page.get_by_text("Team proposed", exact=True)).to_be_visible()
    for name in free[:3]:
        expect(page.locator("#team + ul")).to_contain_text(name)
    review_url = page.url.split("#")[0]
    screenshot(page, "review.png")

    # A second champion, booking another school the same day, cannot take the lead reviewer.
    second = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        quick_sign_in(second, login_of(app, role="champion", school="St Aidan's CE Junior School"),
                      demo_password)
        other = second.new_page()
        book(other, "Willowbank School", day)
        row = other.locator("table.picker tbody tr").filter(has_text=lead)
        expect(row.locator(".tag")).to_have_text("Booked")
        expect(row).to_contain_text(f"at {HOST}")
        spare = [n for n in free_candidates(other) if n not in free[:3]][:2]
        other.get_by_label("Lead reviewer").select_option(label=lead)
        for name in spare:
            other.get_by_label(name, exact=True).check()
        other.get_by_role("button", name="Propose the team").click()
        summary = other.locator(".error-summary")
        expect(summary).to_contain_text(f"{lead} is already booked on")
        expect(summary).to_contain_text(f"for the review of {HOST}")
        expect(other).to_have_title(re.compile("^Error: "))
        axe_check(other)
    finally:
        second.close()

    # The host head confirms; the calendar file parses.
    head = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        quick_sign_in(head, demo_logins["head"], demo_password)
        hp = head.new_page()
        hp.goto(review_url)
        axe_check(hp)
        hp.get_by_role("button", name="Confirm this review").click()
        expect(hp.locator("#flash")).to_contain_text("confirmed by host")
        ics = head.request.get(review_url + ".ics")
        assert ics.headers["content-type"].startswith("text/calendar")
        event = Calendar.from_ical(ics.body()).walk("VEVENT")[0]
        assert event.decoded("dtstart") == day
        assert str(event["summary"]) == f"Peer review: {HOST}"
        assert str(event["status"]) == "CONFIRMED"
    finally:
        head.close()

    # The lead moves it on and records findings.
    lead_ctx = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        quick_sign_in(lead_ctx, demo_logins["lead"], demo_password)
        lp = lead_ctx.new_page()
        lp.goto(review_url)
        lp.get_by_role("button", name="Mark data as shared").click()
        expect(lp.locator("#flash")).to_contain_text("data shared")
        lp.get_by_label("What went well").fill("Pupils explain their thinking with confidence.")
        lp.get_by_label("Areas for development").fill("Wait time after questions\nHinge questions")
        lp.get_by_label("Summary").fill("A confidential summary for the host head.")
        lp.get_by_role("button", name="Save findings").click()
        expect(lp.locator("#flash")).to_contain_text("Findings saved")
        expect(lp.get_by_label("Summary")).to_have_value("A confidential summary for the host head.")
        axe_check(lp)
    finally:
        lead_ctx.close()

    # A teacher at another school sees the review but not the findings.
    teacher = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        quick_sign_in(teacher, login_of(app, role=None, school="Willowbank School"), demo_password)
        tp = teacher.new_page()
        tp.goto(review_url)
        expect(tp.get_by_role("heading", level=1)).to_have_text(f"Review of {HOST}")
        expect(tp.get_by_text("A confidential summary")).to_have_count(0)
        expect(tp.get_by_role("heading", name=re.compile("^Findings"))).to_have_count(0)
        axe_check(tp)
    finally:
        teacher.close()


def test_lead_generates_a_rota_for_six_schools(app, page: Page, context, demo_logins,
                                               demo_password):
    quick_sign_in(context, demo_logins["lead"], demo_password)
    page.goto("/reviews/")
    page.get_by_role("link", name="Plan a round with the rota").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review rota")
    axe_check(page)
    boxes = page.get_by_role("group", name="Schools taking part").get_by_role("checkbox")
    expect(boxes).to_have_count(6)
    page.get_by_label("People on each review team").select_option("3")
    page.get_by_label("Focus area for the round").select_option(label="Assessment and data")
    page.get_by_label("Length of each review").select_option(label="1 school day")
    page.get_by_role("button", name="Propose a rota").click()
    expect(page.locator(".error-summary")).to_contain_text("needs 7 schools")
    axe_check(page)
    page.get_by_label("Avoid pairs of schools reviewing each other").uncheck()
    page.get_by_role("button", name="Propose a rota").click()
    rows = page.locator("#proposal ~ .table-wrap tbody tr")
    expect(rows).to_have_count(6)
    axe_check(page)
    screenshot(page, "rota.png")
    with app.app_context():
        names = list(db.session.scalars(select(School.name).order_by(School.name)))
    for i in range(6):
        host = rows.nth(i).locator("th").inner_text()
        day = open_day(app, [host], weeks=30 + i)
        rows.nth(i).get_by_label(f"First review day at {host}").fill(day.isoformat())
    page.get_by_role("button", name="Accept and create the reviews").click()
    expect(page.locator("#flash")).to_contain_text("6 reviews created")
    expect(page.locator("#flash")).to_contain_text("with a team proposed")
    assert len(names) == 6


def test_calendar_and_availability_pages(page: Page, context, demo_logins, demo_password):
    quick_sign_in(context, demo_logins["staff"], demo_password)
    page.goto("/reviews/")
    page.get_by_role("link", name="Month calendar").click()
    expect(page.get_by_role("table")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Next month").click()
    axe_check(page)
    page.goto("/reviews/availability")
    page.get_by_label("Date you are not available").fill(
        (clock.today() + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Mark as not available").click()
    expect(page.locator("#flash")).to_contain_text("availability is saved")
    expect(page.get_by_role("button", name=re.compile("^Make available"))).to_have_count(1)
    axe_check(page)


def test_no_sideways_scrolling_on_review_pages_at_320px(app, browser, live_server, demo_logins,
                                                        demo_password):
    from .test_journey import no_horizontal_overflow, small_context

    with app.app_context():
        review_id = db.session.scalar(select(HostDay.review_id).order_by(HostDay.day.desc()))
    context = small_context(browser, live_server)
    try:
        quick_sign_in(context, demo_logins["lead"], demo_password)
        page = context.new_page()
        for path in ("/reviews/", f"/reviews/{review_id}", "/reviews/calendar", "/reviews/new",
                     "/reviews/rota", "/reviews/availability", "/admin/terms"):
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            no_horizontal_overflow(page, 320)
    finally:
        context.close()


def test_a_head_confirms_with_the_keyboard_alone(app, page: Page, context, demo_logins,
                                                 demo_password):
    """From the review list to the confirm button with Tab and Enter only."""
    with app.app_context():
        head = db.session.scalar(select(User).where(User.email == demo_logins["head"].email))
        review_id = db.session.scalar(select(Review.id).where(
            Review.host_school_id == head.school_id, Review.state == "proposed"))
    assert review_id, "the demo has a review waiting for the head's confirmation"
    quick_sign_in(context, demo_logins["head"], demo_password)
    page.goto(f"/reviews/{review_id}")
    button = page.get_by_role("button", name="Confirm this review")
    for _ in range(25):
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text("confirmed by host")


def test_school_calendar_and_reschedule_pages_pass_axe(app, page: Page, context, demo_logins,
                                                       demo_password):
    with app.app_context():
        review_id = db.session.scalar(select(Review.id).where(Review.state == "planned"))
    quick_sign_in(context, demo_logins["lead"], demo_password)
    page.goto("/admin/terms")
    expect(page.get_by_role("heading", level=1)).to_have_text("Term dates and closures")
    axe_check(page)
    page.get_by_role("button", name="Add the term").click()  # empty: errors beside the fields
    expect(page.locator(".error-summary")).to_contain_text("Enter the term's name")
    axe_check(page)
    page.goto(f"/reviews/{review_id}/edit")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reschedule the review")
    axe_check(page)
    page.get_by_role("button", name="Reschedule").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter why the review is moving")
    axe_check(page)
