"""Single sign-on in a real browser, against the real test OpenID provider
(tests/oidc/provider.mjs): one click on the sign-in page, the provider's own form, home."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ..oidc.server import running
from .conftest import axe_check


@pytest.fixture(scope="session")
def e2e_provider(live_server, demo_logins):
    staff = demo_logins["staff"]
    accounts = {"demo-staff": {"email": staff.email, "email_verified": True, "name": staff.name}}
    with running([f"{live_server}/login/sso/local/callback"], accounts) as provider:
        yield provider


@pytest.fixture
def sso(app, e2e_provider):
    settings = e2e_provider.settings()
    saved = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    yield
    app.config.update(saved)


def test_sign_in_with_the_school_account(page: Page, sso, live_server, demo_logins):
    page.goto("/login")
    expect(page.get_by_role("button", name="Sign in with Test provider")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Sign in with Test provider").click()
    # The provider's own sign-in page: the person chooses who they are there.
    page.get_by_label("Account").select_option("demo-staff")
    page.get_by_role("button", name="Sign in to the test provider").click()
    page.wait_for_url(f"{live_server}/")
    first = demo_logins["staff"].name.split()[0]
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Hello, {first}")


def test_confirm_it_is_you_with_the_school_account(page: Page, sso, live_server, demo_logins):
    """Before a sensitive action, someone who signs in with the school account confirms it is
    them there too (a password is not the only way)."""
    page.goto("/login")
    page.get_by_role("button", name="Sign in with Test provider").click()
    page.get_by_label("Account").select_option("demo-staff")
    page.get_by_role("button", name="Sign in to the test provider").click()
    page.wait_for_url(f"{live_server}/")
    page.goto("/account/confirm?next=/account/sign-in-methods")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    axe_check(page)
    # The provider remembers the browser's sign-in there, so it answers at once.
    page.get_by_role("button", name="Confirm with Test provider").click()
    page.wait_for_url(f"{live_server}/account/sign-in-methods")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in methods")
    axe_check(page)
    # Unlinking it (the demo account has a password too); the next sign-in with it links
    # it again by its verified email.
    page.get_by_role("button", name="Unlink").click()
    expect(page.get_by_text("Your Test provider account is unlinked")).to_be_visible()
    expect(page.get_by_text("No school account is linked yet.")).to_be_visible()
    axe_check(page)
