"""Two-step sign-in in a real browser: a head whose second factor was reset signs in with
a password, is held to enrolment, adds the key to an "app" (pyotp, reading the key off the
page), lands home, then signs in again with a code, by keyboard. axe on every page."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from eip_site.auth import totp
from eip_site.auth.models import RecoveryCode, UserTotp
from eip_site.extensions import db
from eip_site.people.models import User

from .conftest import axe_check, demo_code, screenshot


@pytest.fixture
def unenrolled_head(app, demo_logins):
    """The demo head with no second factor (as after an admin's reset); enrolled again with
    the demo's fixed key afterwards, for the other journeys."""
    head = demo_logins["head"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == head.email))
        db.session.execute(delete(UserTotp).where(UserTotp.user_id == user.id))
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        db.session.commit()
    yield head
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == head.email))
        totp.enrol_with(user, totp.demo_secret(head.email))
        db.session.commit()


def test_a_head_must_enrol_then_signs_in_with_a_code(page: Page, unenrolled_head,
                                                     demo_password):
    head = unenrolled_head
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(head.email)
    page.get_by_label("Password", exact=True).fill(demo_password)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/account/two-step$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    axe_check(page)
    screenshot(page, "two-step-setup.png")
    page.goto("/directory/")  # nothing else until it is set up
    expect(page).to_have_url(re.compile(r"/account/two-step$"))

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    field = page.get_by_label("Code from your authenticator app")
    field.focus()
    page.keyboard.type("000000" if pyotp.TOTP(secret).now() != "000000" else "999999")
    page.keyboard.press("Enter")
    expect(page.locator("#code-error")).to_contain_text("6-digit code")
    expect(page.locator(".error-summary")).to_be_focused()
    axe_check(page)

    page.keyboard.press("Tab")  # from the summary: its link to the field
    page.keyboard.press("Enter")
    expect(field).to_be_focused()
    field.fill("")
    page.keyboard.type(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    axe_check(page)
    page.get_by_role("link", name="I have kept my codes: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Hello, {head.name.split()[0]}")

    page.locator("details.account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("Email address", exact=True).fill(head.email)
    page.get_by_label("Password", exact=True).fill(demo_password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/login/code$"))
    code = page.get_by_label("Code", exact=True)
    expect(code).to_be_focused()
    axe_check(page)
    screenshot(page, "two-step-code.png")
    page.keyboard.type(demo_code(head.email))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Hello, {head.name.split()[0]}")


def _age_sign_in(app, context, minutes: int = 60) -> None:
    """Make the browser's last password or code ``minutes`` old, as if they had been away
    (the session cookie is the app's own, signed again with its key)."""
    from eip_site.auth.recent import AUTH_AT

    name = app.config["SESSION_COOKIE_NAME"]
    cookie = next(c for c in context.cookies() if c["name"] == name)
    serializer = app.session_interface.get_signing_serializer(app)
    session = serializer.loads(cookie["value"])
    session[AUTH_AT] -= minutes * 60
    context.add_cookies([{**cookie, "value": serializer.dumps(session)}])


@pytest.fixture
def staff_roles_restored(app, demo_logins):
    staff = demo_logins["staff"]
    with app.app_context():
        before = db.session.scalar(select(User).where(User.email == staff.email)).roles
    yield staff
    with app.app_context():
        db.session.scalar(select(User).where(User.email == staff.email)).set_roles(before)
        db.session.commit()


def test_a_change_of_roles_asks_again_and_keeps_what_was_filled_in(page: Page, app, context,
                                                                 demo_logins, demo_password,
                                                                 staff_roles_restored):
    lead, staff = demo_logins["lead"], staff_roles_restored
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(lead.email)
    page.get_by_label("Password", exact=True).fill(demo_password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code", exact=True).fill(demo_code(lead.email))
    page.get_by_role("button", name="Continue").click()
    with app.app_context():
        staff_id = db.session.scalar(select(User.id).where(User.email == staff.email))
    page.goto(f"/admin/users/{staff_id}")
    page.get_by_label("Improvement champion").check()
    _age_sign_in(app, context)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Password, or a code from your authenticator app").fill(demo_password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your changes")
    axe_check(page)
    expect(page.get_by_role("button", name="Save your changes")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"{staff.name}'s account saved.")).to_be_visible()
    with app.app_context():
        assert "champion" in db.session.get(User, staff_id).roles
