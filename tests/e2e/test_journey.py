"""Journeys through sign-in, home, sign-out and administration in a real browser.

Each page a journey reaches is checked with axe-core (WCAG 2.2 AA tags); screenshots for
the docs are written to docs/screenshots/.
"""

from __future__ import annotations

import re
from urllib.parse import quote_plus

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, or_, select

from eip_site.extensions import db
from eip_site.people.models import User

from .conftest import axe_check, demo_code, screenshot, second_step

ROLES = ["staff", "champion", "head", "lead", "admin"]
SEES_ADMIN = {"head", "lead", "admin"}


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill the login form by its labels and press the button (the page is /login)."""
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    second_step(page, email)


def go_and_sign_in(page: Page, login, password: str, path: str = "/") -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login\b"))
    sign_in(page, login.email, password)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {first_name(login)}")


def first_name(login) -> str:
    return login.name.split()[0]


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def no_horizontal_overflow(page: Page, width: int) -> None:
    page.wait_for_load_state("load")  # measure the styled page, not one still loading CSS
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width + 1, (
        f"{page.url} scrolls sideways at {width}px: the page is {scroll_width}px wide"
    )


# --- Sign in, home, sign out for every role ---------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_sees_home_and_signs_out(page: Page, demo_logins, demo_password,
                                                     role):
    login = demo_logins[role]

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)$"))
    expect(page).to_have_title(re.compile(r"^Sign in"))
    axe_check(page)
    if role == "staff":
        screenshot(page, "login.png")

    sign_in(page, login.email, demo_password)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page).to_have_title(re.compile(r"^Home"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {first_name(login)}")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    axe_check(page)
    if role == "lead":
        screenshot(page, "home-lead.png")

    nav = main_nav(page)
    expect(nav.get_by_role("link", name="Home", exact=True)).to_have_attribute(
        "aria-current", "page")
    admin_link = nav.get_by_role("link", name="Admin", exact=True)
    expect(admin_link).to_have_count(1 if role in SEES_ADMIN else 0)

    menu = page.locator("details.account-menu")
    summary = menu.locator("summary")
    expect(summary).to_contain_text(login.name)
    sign_out = menu.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_hidden()
    summary.click()
    expect(menu).to_have_attribute("open", "")
    sign_out.click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#flash")).to_contain_text("You have signed out.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator("details.account-menu")).to_have_count(0)
    # Signed out for real: the home page sends us back to sign in.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_sign_in_returns_to_the_page_asked_for(page: Page, demo_logins, demo_password):
    page.goto("/admin/schools")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)admin(/|%2F)schools$"))
    expect(page.locator("#flash")).to_contain_text("Sign in to see that page.")
    sign_in(page, demo_logins["lead"].email, demo_password)
    expect(page).to_have_url(re.compile(r"/admin/schools$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools")


# --- Keyboard and errors -----------------------------------------------------------------

def test_login_works_with_the_keyboard_alone(page: Page, demo_logins, demo_password):
    login = demo_logins["staff"]
    page.goto("/login")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "skip link is off-screen"

    page.keyboard.press("Enter")  # skip the header: focus moves to <main>
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address", exact=True)).to_be_focused()
    page.keyboard.type(login.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(demo_password)
    page.keyboard.press("Enter")
    if login.totp_secret:  # then the code, from the field the page focuses
        code = page.get_by_label("Code", exact=True)
        expect(code).to_be_visible()
        if not code.evaluate("el => el === document.activeElement"):
            page.keyboard.press("Tab")  # the skip link's #main came along: <main> has focus
        expect(code).to_be_focused()
        page.keyboard.type(demo_code(login.email))
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {first_name(login)}")


def test_wrong_password_shows_the_error_beside_the_field(page: Page, demo_logins):
    page.goto("/login")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        sign_in(page, demo_logins["staff"].email, "not-the-password")
    assert posted.value.status == 422

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_be_focused()  # screen readers hear the problem first
    message = "Enter a correct email address and password."
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", "#email")
    expect(page.locator("#email-error")).to_contain_text(message)
    email = page.get_by_label("Email address", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", re.compile(r"\bemail-error\b"))
    expect(email).to_have_value(demo_logins["staff"].email)  # kept, so only the password is retyped
    axe_check(page)

    summary.get_by_role("link", name=message).click()
    expect(email).to_be_focused()


# --- Administration as the cluster lead --------------------------------------------------

def people_matching(app, text: str) -> int:
    """How many accounts the people search should find for ``text`` (name, email, job)."""
    pattern = f"%{text.lower()}%"
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User).where(or_(
            func.lower(User.name).like(pattern), func.lower(User.email).like(pattern),
            func.lower(User.job_title).like(pattern))))


def test_lead_searches_people_and_checks_admin_forms(app, page: Page, demo_logins,
                                                     demo_password):
    lead, head = demo_logins["lead"], demo_logins["head"]
    go_and_sign_in(page, lead, demo_password)

    main_nav(page).get_by_role("link", name="Admin", exact=True).click()
    admin_tabs = page.get_by_role("navigation", name="Administration")
    admin_tabs.get_by_role("link", name="People", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(admin_tabs.get_by_role("link", name="People", exact=True)).to_have_attribute(
        "aria-current", "page")
    count = page.locator(".results-count")
    expect(count).to_have_text(re.compile(r"^\d+ people found$"))
    total = int(count.inner_text().split()[0])
    assert total > 50, "the demo partnership has ~80 people"
    axe_check(page)
    screenshot(page, "admin-people.png")

    # Live search: htmx swaps the results in place (no page load) and pushes the URL.
    page.evaluate("window.__sameDocument = true")
    search = page.get_by_label("Search by name, email or job title")
    surname = head.name.split()[-1]
    matches = people_matching(app, surname)
    assert 1 <= matches < 25, "the demo search should fit on one page"
    found = f"{matches} {'person' if matches == 1 else 'people'} found"
    with page.expect_response(
        lambda r: "/admin/users?" in r.url and f"q={quote_plus(surname)}" in r.url
        and r.request.headers.get("hx-request") == "true"
    ):
        search.press_sequentially(surname)
    expect(count).to_have_text(found)
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(quote_plus(surname))}(&|$)"))
    assert page.evaluate("window.__sameDocument === true"), "search reloaded the whole page"
    results = page.locator("#users-results")
    rows = results.locator("tbody tr")
    expect(rows).to_have_count(matches)
    for i in range(matches):
        assert surname.lower() in rows.nth(i).inner_text().lower()
    expect(count).to_have_attribute("aria-live", "polite")
    expect(search).to_be_focused()  # the swap replaced the results, not the search box

    # Back and forward restore each state of the list as a whole page.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(count).to_have_text(f"{total} people found")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    page.go_forward()
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(quote_plus(surname))}(&|$)"))
    expect(count).to_have_text(found)
    expect(search).to_have_value(surname)

    # Open the person: their edit form.
    results.get_by_role("link", name=head.name, exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/users/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(head.name)
    expect(page.get_by_label("Full name")).to_have_value(head.name)
    expect(page.get_by_label("Email address")).to_have_value(head.email)
    axe_check(page)

    # Schools list, then an empty "Add a school" form: errors beside every required field.
    page.get_by_role("link", name="Back to people").click()
    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Schools", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/schools$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools")
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(6)
    axe_check(page)

    page.get_by_role("link", name="Add a school").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a school")
    page.get_by_role("button", name="Save school").click()

    expect(page).to_have_title(re.compile(r"^Error: Add a school"))
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    for field_id, message in [("name", "Enter the school's name."),
                              ("urn", "Enter the school's URN."),
                              ("phase", "Choose the school's phase.")]:
        expect(summary.get_by_role("link", name=message)).to_have_attribute(
            "href", f"#{field_id}")
        expect(page.locator(f"#{field_id}-error")).to_contain_text(message)
        expect(page.locator(f"#{field_id}")).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    screenshot(page, "school-form-errors.png")

    # Nothing was written: still six schools.
    page.get_by_role("link", name="Back to schools").click()
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(6)


# --- Small screens -----------------------------------------------------------------------

def small_context(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 320, "height": 640},
                                  locale="en-GB")
    context.set_default_timeout(10_000)
    return context


@pytest.mark.parametrize("role", [
    "staff",
    "lead",
    "head",  # the longest demo email: it must wrap inside its card
])
def test_no_sideways_scrolling_at_320px(browser, live_server, demo_logins, demo_password, role):
    context = small_context(browser, live_server)
    try:
        page = context.new_page()
        page.goto("/login")
        no_horizontal_overflow(page, 320)
        go_and_sign_in(page, demo_logins[role], demo_password)
        home_url = page.url
        if role in SEES_ADMIN:
            page.goto("/admin/users")
            expect(page.locator(".results-count")).to_be_visible()
            no_horizontal_overflow(page, 320)
            # The wide table scrolls inside its own focusable region instead of the page.
            wrap = page.locator(".table-wrap")
            expect(wrap).to_have_attribute("tabindex", "0")
            assert wrap.evaluate("el => getComputedStyle(el).overflowX") in ("auto", "scroll")
            page.goto(home_url)
        if role == "lead":
            screenshot(page, "home-320.png")
        no_horizontal_overflow(page, 320)
    finally:
        context.close()


def test_account_menu_stays_on_screen_at_320px(browser, live_server, demo_logins,
                                                demo_password):
    context = small_context(browser, live_server)
    try:
        page = context.new_page()
        go_and_sign_in(page, demo_logins["staff"], demo_password)
        page.locator("details.account-menu summary").click()
        for name, role in [("Change password", "link"), ("Sign out", "button")]:
            control = page.locator("details.account-menu").get_by_role(role, name=name)
            expect(control).to_be_visible()
            box = control.bounding_box()
            assert box is not None
            assert box["x"] >= 0 and box["x"] + box["width"] <= 320, (
                f"{name!r} is cut off at 320px: it spans x={box['x']:.0f}.."
                f"{box['x'] + box['width']:.0f}"
            )
    finally:
        context.close()
