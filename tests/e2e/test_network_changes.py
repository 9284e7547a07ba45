"""Changing a network and declining a request to join, in a real browser with axe: the demo's
leader of Transitions opens "Change the network", sees a mistake beside its field, saves a
new purpose; then turns down a colleague's request to join with a reason."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from eip_site.extensions import db
from eip_site.networks import lifecycle, permissions
from eip_site.networks.models import Network, NetworkMember
from eip_site.people.models import User

from .conftest import axe_check
from .test_directory import quick_sign_in


def test_the_leader_changes_the_network_and_declines_a_request(page: Page, context, app,
                                                              demo_logins, demo_password):
    with app.app_context():  # someone outside Transitions asks to join
        network = db.session.scalar(select(Network).where(Network.name == "Transitions"))
        asker = next(u for u in db.session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.id))
            if permissions.membership(u, network) is None)
        lifecycle.ask_to_join(actor=asker, network=network)
        db.session.commit()
        asker_name, key = asker.name, (network.id, asker.id)
    quick_sign_in(context, demo_logins["staff"], demo_password)  # the leader of Transitions
    page.goto("/networks/")
    page.get_by_role("link", name="Transitions").click()
    page.get_by_role("link", name="Change the network").click()
    expect(page.get_by_role("heading", level=1, name="Change Transitions")).to_be_visible()
    axe_check(page)

    page.get_by_label("Purpose").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter the network's purpose")
    expect(page.get_by_label("Purpose")).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    page.get_by_label("Purpose").fill("Year 6 to Year 7: shared projects and visits.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Transitions saved.")).to_be_visible()
    expect(page.locator(".lead")).to_have_text("Year 6 to Year 7: shared projects and visits.")

    page.get_by_role("link", name=f"Decline {asker_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Decline {asker_name}")
    axe_check(page)
    page.get_by_label("Reason (optional)").fill("This year the network is for Year 6 staff.")
    page.get_by_role("button", name="Decline the request").click()
    expect(page.get_by_text(f"You have declined {asker_name}'s request to join.")) \
        .to_be_visible()
    axe_check(page)
    with app.app_context():
        assert db.session.get(NetworkMember, key) is None
