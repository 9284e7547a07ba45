"""Data protection in a real browser, with axe: the privacy notice, a teacher downloading
their data, a lead reading findings, the audit trail showing that journey, and erasing the
demo's leaver after the confirmation page."""

from __future__ import annotations

import json
import zipfile

from playwright.sync_api import Page, expect
from sqlalchemy import select

from eip_site.extensions import db
from eip_site.people.models import User
from eip_site.reviews.models import Review

from .conftest import axe_check
from .test_journey import go_and_sign_in


def test_privacy_download_audit_and_erase(page: Page, context, app, demo_logins,
                                          demo_password):
    page.goto("/login")
    page.get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    expect(page.get_by_text("eip_remember")).to_be_visible()
    axe_check(page)

    teacher = demo_logins["staff"]
    go_and_sign_in(page, teacher, demo_password)
    page.locator("summary", has_text=teacher.name).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    archive = zipfile.ZipFile(download.value.path())
    data = json.loads(archive.read("your-data.json"))
    assert data["sections"]["Account"][0]["email"] == teacher.email
    assert data["sections"]["Skills"] and data["sections"]["Network memberships"]
    assert teacher.name in archive.read("your-data.html").decode()
    context.clear_cookies()  # signed out

    with app.app_context():
        review_id = db.session.scalar(select(Review.id).where(Review.summary != "")
                                      .order_by(Review.id))
        leaver = db.session.scalar(select(User).where(User.active.is_(False),
                                                      User.erased_at.is_(None)))
        leaver_id, leaver_name = leaver.id, leaver.name
    lead = demo_logins["lead"]
    go_and_sign_in(page, lead, demo_password)
    page.goto(f"/reviews/{review_id}")
    page.goto("/admin/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    rows = page.locator("#audit-results tbody tr")
    expect(rows.filter(has_text="Review findings opened").first).to_contain_text(lead.name)
    expect(rows.filter(has_text="Subject access export").first).to_contain_text(teacher.name)
    expect(rows.filter(has_text="Signed in").filter(has_text=teacher.name).first).to_be_visible()
    axe_check(page)
    page.get_by_label("What happened").select_option("signin.succeeded")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#audit-results tbody tr").first).to_contain_text("Signed in")
    expect(page.locator("#audit-results")).not_to_contain_text("Subject access export")

    page.goto(f"/admin/users/{leaver_id}")
    page.get_by_role("link", name="Erase this person…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Erase {leaver_name}")
    expect(page.get_by_text("Former member (Kingsmere Academy)").first).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name=f"Erase {leaver_name}").click()
    expect(page.locator(".error-message")).to_contain_text("Tick to confirm")
    axe_check(page)
    page.get_by_label("I understand this cannot be undone").check()
    page.get_by_role("button", name=f"Erase {leaver_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(page.locator("#flash")).to_contain_text("Former member (Kingsmere Academy)")
    page.goto("/admin/users?status=inactive")
    expect(page.locator("#users-results")).not_to_contain_text(leaver_name)
