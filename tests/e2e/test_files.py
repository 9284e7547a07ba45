"""Papers in a real browser, with axe-core on every new page: the leader of Transitions adds
a paper to an agenda item, the upload's progress bar showing while it goes, finds it on the
agenda, opens its page of versions, replaces it, deletes it and undoes that; the network's
resource library takes a booklet."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from .conftest import axe_check
from .test_directory import quick_sign_in

PDF = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)  # big enough for the browser to report progress


def _slow_uploads(page: Page) -> None:
    """Hold each upload a moment at the server's door, so its progress bar can be seen."""
    def hold(route):
        if route.request.method == "POST":
            time.sleep(1.0)
        route.continue_()
    page.route("**/files/**", hold)


def test_a_leader_adds_a_paper_with_a_progress_bar_and_manages_it(context, demo_logins,
                                                                  demo_password):
    quick_sign_in(context, demo_logins["staff"], demo_password)  # Transitions' leader
    page = context.new_page()
    page.goto("/networks/")
    page.get_by_role("link", name="Transitions").click()
    expect(page.locator("#resources")).to_be_visible()
    axe_check(page)
    page.locator("section[aria-labelledby=meetings-heading] a[href^='/meetings/']").first.click()
    expect(page.locator("#agenda")).to_be_visible()
    link = page.locator("#agenda a.file-add").first
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add a file to the item")
    axe_check(page)

    _slow_uploads(page)
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "Project brief.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_label("Title").fill("Project brief")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("progress[data-upload-progress]")).to_be_visible()
    expect(page.get_by_text("Uploaded Project brief.pdf.")).to_be_visible()
    expect(page.locator("#agenda")).to_contain_text("Project brief")
    axe_check(page)

    page.locator("#agenda a.file-more", has_text="Versions").first.click()
    expect(page.get_by_role("heading", level=1, name="Project brief")).to_be_visible()
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Project brief.pdf").click()
    assert download.value.suggested_filename == "Project brief.pdf"

    page.get_by_label("File", exact=True).set_input_files(
        {"name": "Project brief v2.pdf", "mimeType": "application/pdf", "buffer": PDF + b"2"})
    page.get_by_role("button", name="Upload new version").click()
    expect(page.get_by_text("Uploaded version 2 of Project brief.")).to_be_visible()
    expect(page.locator("table")).to_contain_text("2 (current)")

    # A wrong kind of file is refused beside the field, in place.
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "photo.pdf", "mimeType": "application/pdf", "buffer": b"\x89PNG\r\n\x1a\n0000"})
    page.get_by_role("button", name="Upload new version").click()
    expect(page.locator("#file-error")).to_contain_text("not that kind of file")
    axe_check(page)

    page.get_by_role("link", name="Delete this file").click()
    expect(page.get_by_role("heading", level=1, name="Delete Project brief?")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Delete the file").click()
    expect(page.get_by_text("Deleted Project brief.")).to_be_visible()
    page.get_by_role("button", name="Undo deleting Project brief").click()
    expect(page.get_by_text("Restored Project brief.")).to_be_visible()
    expect(page.locator("#agenda")).to_contain_text("Project brief")


def test_the_resource_library_takes_a_booklet_without_javascript(browser, live_server,
                                                                 demo_logins, demo_password):
    """The plain form (axe, which needs JavaScript, checked the pages in the test above)."""
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        quick_sign_in(context, demo_logins["staff"], demo_password)
        page = context.new_page()
        page.goto("/networks/")
        page.get_by_role("link", name="Transitions").click()
        page.get_by_role("link", name="Add a resource").click()
        page.get_by_label("File", exact=True).set_input_files(
            {"name": "Booklet.txt", "mimeType": "text/plain", "buffer": b"Moving up: a guide.\n"})
        page.get_by_label("Title").fill("Moving-up booklet")
        page.get_by_label("Short description (optional)").fill("For Year 6 families.")
        page.get_by_role("button", name="Upload").click()
        expect(page.locator("#resources")).to_contain_text("Moving-up booklet")
        expect(page.locator("#resources")).to_contain_text("For Year 6 families.")
    finally:
        context.close()
