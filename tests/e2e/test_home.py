"""Home and header search in a real browser, with axe: what waits on each role, and a live
search from the header that works with the keyboard and at 320px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import axe_check, screenshot
from .test_directory import quick_sign_in
from .test_journey import no_horizontal_overflow, small_context


@pytest.mark.parametrize("role, waiting", [
    ("head", "Confirm or decline the review of your school"),
    ("staff", "past their due date"),  # the demo staff login leads Transitions
])
def test_home_shows_what_waits(page: Page, context, demo_logins, demo_password, role, waiting):
    quick_sign_in(context, demo_logins[role], demo_password)
    page.goto("/")
    todo = page.locator("section", has=page.get_by_role("heading", name="Waiting for you"))
    expect(todo).to_contain_text(waiting)
    axe_check(page)
    if role == "head":
        screenshot(page, "home-head.png")


def test_lead_sees_the_partnership_at_a_glance(page: Page, context, demo_logins, demo_password):
    quick_sign_in(context, demo_logins["lead"], demo_password)
    page.goto("/")
    expect(page.get_by_role("heading", name="The partnership at a glance")).to_be_visible()
    expect(page.get_by_role("heading", name="Overdue actions by network")).to_be_visible()
    axe_check(page)


def test_header_search_live_and_by_keyboard(page: Page, context, demo_logins, demo_password):
    quick_sign_in(context, demo_logins["staff"], demo_password)
    page.goto("/")
    box = page.get_by_label("Search the partnership")
    box.focus()
    page.keyboard.type("transition")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=transition$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search the partnership")
    for kind in ("People", "Networks", "Meetings", "Reviews"):
        expect(page.get_by_role("heading", level=2, name=kind)).to_be_visible()
    axe_check(page)
    # Live: typing in the page's box updates the results and the address without a reload.
    page.evaluate("window.__same = true")
    field = page.get_by_label("People, skills, networks, meetings and reviews")
    with page.expect_response(re.compile(r"/search\?q=phonix")):
        field.fill("phonix")
    expect(page.locator("#search-results .results-count")).to_contain_text("for “phonix”")
    expect(page).to_have_url(re.compile(r"/search\?q=phonix$"))
    assert page.evaluate("window.__same") is True
    axe_check(page)


def test_home_and_search_reflow_at_320px(browser, live_server, demo_logins, demo_password):
    context = small_context(browser, live_server)
    try:
        quick_sign_in(context, demo_logins["lead"], demo_password)
        page = context.new_page()
        for path in ("/", "/search?q=transition"):
            page.goto(path)
            no_horizontal_overflow(page, 320)
    finally:
        context.close()


def test_email_choices_from_the_account_menu(page: Page, context, demo_logins, demo_password):
    quick_sign_in(context, demo_logins["champion"], demo_password)
    page.goto("/")
    page.locator("details.account-menu > summary").click()
    page.get_by_role("link", name="Email notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email notifications")
    axe_check(page)
    group = page.get_by_role("group", name="Network agendas published")
    group.get_by_label("Do not email me").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator("#flash")).to_contain_text("Your email choices are saved")
    expect(page.get_by_role("group", name="Network agendas published")
           .get_by_label("Do not email me")).to_be_checked()
