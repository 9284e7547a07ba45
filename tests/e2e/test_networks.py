"""The network meetings journey in a real browser, with axe-core on every networks page:
a network leader arranges a meeting from the standard agenda, adds and reorders items with
the keyboard alone, publishes it, records attendance, minutes, a decision and two actions;
the next meeting's agenda carries those actions under matters arising; the action owner
marks one done from My actions; a cluster lead reads the roll-up."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from eip_site import clock

from .conftest import axe_check, screenshot
from .test_directory import quick_sign_in
from .test_journey import no_horizontal_overflow, small_context


def _arrange(page: Page, day: str, start_from: str = "Start from the standard agenda") -> None:
    page.get_by_role("link", name="Arrange a meeting").click()
    axe_check(page)
    page.get_by_label("Date").fill(day)
    page.get_by_label("Starts at").fill("16:00")
    page.get_by_label("Ends at").fill("17:15")
    page.get_by_label("School").select_option(label="Oakfield Primary School")
    page.get_by_label("Room or place").fill("Library")
    page.get_by_label(start_from).check()
    page.get_by_role("button", name="Arrange meeting").click()
    expect(page.get_by_text("Meeting arranged.")).to_be_visible()


def _agenda_titles(page: Page) -> list[str]:
    return [re.sub(r"^\d+\.\s*", "", t.split("\n")[0]).strip()
            for t in page.locator("#agenda .agenda-table tbody th[scope=row]").all_inner_texts()]


def test_leader_runs_a_meeting_from_agenda_to_actions(context, browser, live_server,
                                                      demo_logins, demo_password):
    leader = demo_logins["staff"]  # the demo's member of staff leads Transitions
    quick_sign_in(context, leader, demo_password)
    page = context.new_page()
    page.goto("/networks/")
    expect(page.get_by_role("heading", level=1, name="Networks")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Transitions").click()
    expect(page.get_by_role("heading", level=1, name="Transitions")).to_be_visible()
    axe_check(page)

    today = clock.today()
    first_day, next_day = today + timedelta(days=60), today + timedelta(days=74)
    # The action plan: the leader adds a row.
    page.get_by_role("link", name="Add to the action plan").click()
    axe_check(page)
    page.get_by_label("Action", exact=True).fill("Book swap across the network")
    page.get_by_label("Timescale").fill("Summer term")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#plan")).to_contain_text("Book swap across the network")

    _arrange(page, first_day.isoformat())
    expect(page.locator("#agenda")).to_contain_text("Welcome and apologies")
    axe_check(page)

    # A mistake first: the error summary inside the swapped agenda takes focus.
    page.get_by_label("Minutes allowed").fill("1000")
    page.get_by_role("button", name="Add item").click()
    summary = page.locator("#agenda .error-summary")
    expect(summary).to_contain_text("Enter a title for the item")
    expect(summary).to_contain_text("from 0 to 240")
    expect(summary).to_be_focused()
    axe_check(page)

    # Add two items with htmx; the agenda swaps in place.
    for title, minutes in (("Reading for pleasure", "40"), ("Moderation dates", "10")):
        page.get_by_label("Title").fill(title)
        page.get_by_label("Kind of item").select_option(label="Decision")
        page.get_by_label("Minutes allowed").fill(minutes)
        page.get_by_role("button", name="Add item").click()
        expect(page.locator("#agenda")).to_contain_text(title)
    assert _agenda_titles(page)[3:5] == ["Reading for pleasure", "Moderation dates"]

    # Reorder with the keyboard alone: focus stays on the moved item's button after each swap.
    page.get_by_role("button", name="Move up Moderation dates").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#agenda tbody tr").nth(3)).to_contain_text("Moderation dates")
    expect(page.get_by_role("button", name="Move up Moderation dates")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#agenda tbody tr").nth(2)).to_contain_text("Moderation dates")
    expect(page.get_by_role("button", name="Move up Moderation dates")).to_be_focused()
    page.keyboard.press("Tab")  # on to "Move down" of the same item
    expect(page.get_by_role("button", name="Move down Moderation dates")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#agenda tbody tr").nth(3)).to_contain_text("Moderation dates")
    assert _agenda_titles(page)[2:5] == ["Matters arising", "Moderation dates",
                                         "Reading for pleasure"]
    expect(page.locator("#agenda")).to_contain_text("The agenda overruns by 5 minutes")
    axe_check(page)
    screenshot(page, "networks-agenda.png")

    # The item and meeting forms (no changes made here).
    page.get_by_role("link", name="Edit Moderation dates").click()
    expect(page.get_by_role("heading", level=1, name="Edit agenda item")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Moderation dates")
    axe_check(page)
    page.go_back()
    page.get_by_role("link", name="Change date or place").click()
    expect(page.get_by_label("Starts at")).to_have_value("16:00")
    axe_check(page)
    page.go_back()

    page.get_by_role("button", name="Publish the agenda").click()
    expect(page.get_by_text("Agenda published.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Add to calendar"))).to_be_visible()
    axe_check(page)
    meeting_url = page.url.split("#")[0]

    # After the meeting: attendance, minutes, a decision and two actions.
    page.get_by_role("button", name="Record the meeting as held").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Minutes")
    axe_check(page)
    rows = page.locator(".attendance-table tbody tr")
    for i in range(rows.count()):
        rows.nth(i).get_by_label(re.compile("Present$")).check()
    rows.nth(1).get_by_label(re.compile("Apologies$")).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved.")).to_be_visible()

    minutes = page.get_by_label("Minutes for “Reading for pleasure”")
    minutes.fill("Agreed a **book swap** across the schools.\n\n* Year 6\n* Year 7")
    page.get_by_role("button", name="Save minutes for Reading for pleasure").click()
    expect(page.get_by_text("Minutes saved for “Reading for pleasure”.")).to_be_visible()

    page.get_by_label("Decision", exact=True).fill("Run a book swap in the summer term.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("#decisions")).to_contain_text("Run a book swap")
    for description in ("Order books for the swap", "Write to parents about the swap"):
        page.get_by_label("Action", exact=True).fill(description)
        page.get_by_label("Owner").select_option(label=leader.name)
        page.get_by_label("Due by").fill((first_day + timedelta(days=7)).isoformat())
        page.get_by_role("button", name="Record action").click()
        expect(page.locator("#actions")).to_contain_text(description)
    expect(page.get_by_role("heading", level=3, name=re.compile("Reading for pleasure"))).to_be_visible()
    expect(page.locator(".item-minutes strong", has_text="book swap")).to_be_visible()
    axe_check(page)
    screenshot(page, "networks-minutes.png")

    # The next meeting's agenda lists those actions under matters arising.
    page.goto(meeting_url)
    page.get_by_role("link", name=re.compile("Back to Transitions")).click()
    _arrange(page, next_day.isoformat(), "Copy the items of the previous meeting's agenda")
    matters = page.locator("#agenda tbody tr", has_text="Matters arising")
    expect(matters).to_contain_text("Order books for the swap")
    expect(matters).to_contain_text("Write to parents about the swap")
    assert "Reading for pleasure" in _agenda_titles(page)
    axe_check(page)

    # The owner marks one done from My actions, in one click.
    page.goto("/actions/")
    expect(page.get_by_role("heading", level=1, name="My actions")).to_be_visible()
    axe_check(page)
    row = page.locator("tr", has_text="Order books for the swap")
    row.get_by_role("button", name=re.compile("^Mark done")).click()
    expect(row.get_by_role("button", name=re.compile("^Reopen"))).to_be_visible()
    expect(page.locator("#flash")).to_contain_text("is done")
    axe_check(page)
    page.goto(page.url)
    matters_next = page.locator("tr", has_text="Write to parents about the swap")
    expect(matters_next).to_be_visible()
    expect(page.locator("tr", has_text="Order books for the swap")).to_have_count(0)


def test_lead_reads_the_roll_up_and_a_member_proposes(browser, live_server, demo_logins,
                                                      demo_password):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800},
                                  locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        quick_sign_in(context, demo_logins["lead"], demo_password)
        page = context.new_page()
        page.goto("/networks/")
        page.get_by_role("link", name="Roll-up for leads").click()
        expect(page.get_by_role("heading", level=1, name="Networks roll-up")).to_be_visible()
        expect(page.get_by_role("table", name=re.compile("attendance by school"))).to_be_visible()
        expect(page.get_by_role("table", name=re.compile("overdue action"))).to_be_visible()
        axe_check(page)
        page.goto("/networks/")
        page.get_by_role("link", name="Early reading").click()
        expect(page.get_by_role("heading", level=2, name="Sponsor or decline")).to_be_visible()
        axe_check(page)
        page.goto("/networks/new")
        axe_check(page)
        page.get_by_role("button", name="Send proposal").click()
        expect(page.get_by_role("alert")).to_contain_text("Enter the network's name")
        axe_check(page)
    finally:
        context.close()


def test_networks_pages_reflow_at_320px(browser, live_server, demo_logins, demo_password):
    context = small_context(browser, live_server)
    try:
        quick_sign_in(context, demo_logins["staff"], demo_password)
        page = context.new_page()
        page.goto("/networks/")
        no_horizontal_overflow(page, 320)
        page.get_by_role("link", name="Transitions").click()
        expect(page.get_by_role("heading", level=1, name="Transitions")).to_be_visible()
        page.wait_for_load_state("load")  # measure once the stylesheet applies
        no_horizontal_overflow(page, 320)
        axe_check(page)
        page.locator("tr", has_text="Agenda published").first.get_by_role("link").click()
        expect(page.locator("#agenda")).to_be_visible()
        page.wait_for_load_state("load")
        no_horizontal_overflow(page, 320)
        axe_check(page)
        page.go_back()
        expect(page.get_by_role("heading", level=1, name="Transitions")).to_be_visible()
        network_url = page.url
        page.goto(network_url + "/meetings")  # every meeting, a page at a time
        expect(page.get_by_role("heading", level=1, name="Meetings of Transitions")).to_be_visible()
        expect(page.get_by_role("table", name=re.compile("Meetings of Transitions"))).to_be_visible()
        page.wait_for_load_state("load")
        no_horizontal_overflow(page, 320)
        axe_check(page)
        page.get_by_role("link", name="Back to Transitions").click()
        page.locator("tr", has_text="Minutes approved").first.get_by_role("link").click()
        expect(page.locator("#agenda")).to_be_visible()
        page.get_by_role("link", name="Minutes", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Minutes")
        page.wait_for_load_state("load")
        no_horizontal_overflow(page, 320)
        axe_check(page)
        page.goto("/actions/")
        expect(page.get_by_role("heading", level=1, name="My actions")).to_be_visible()
        no_horizontal_overflow(page, 320)
        axe_check(page)
    finally:
        context.close()
