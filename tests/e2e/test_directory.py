"""Journeys through the strengths-and-skills directory in a real browser.

Every directory page and state a journey reaches is checked with axe-core (WCAG 2.2 AA);
screenshots for the docs go through ``screenshot`` (written only with EIP_SCREENSHOTS=1).

The demo data is shared by every browser test in the session, so a journey that changes it
either puts back what it changed (the profile journeys) or only adds rows that no other
test reads (its own imported staff, its own request for help).
"""

from __future__ import annotations

import csv
import re
import uuid
from types import SimpleNamespace
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from eip_site.directory import queries
from eip_site.directory import strengths as strengths_map
from eip_site.directory.models import Skill, UserSkill
from eip_site.extensions import db
from eip_site.people.models import School, User

from .conftest import axe_check, screenshot, second_step_request
from .test_journey import no_horizontal_overflow, sign_in, small_context

SEARCH_LABEL = "Search by skill, name or job title"


# --- Helpers ------------------------------------------------------------------------------

def signed_in(page: Page, login, password: str, path: str) -> None:
    """Sign in through the login form and land on ``path``."""
    page.goto(f"/login?next={path}")
    sign_in(page, login.email, password)
    expect(page).to_have_url(re.compile(re.escape(path.split("?")[0]) + r"(\?|#|$)"))


def quick_sign_in(context, login, password: str) -> None:
    """Sign the browser context in with one form post (the login page itself is tested in
    test_journey): the session cookie lands in the context's cookie jar."""
    html = context.request.get("/login").text()
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    response = context.request.post("/login", form={
        "csrf_token": token, "email": login.email, "password": password},
        max_redirects=0)
    assert response.status == 303, f"sign-in as {login.email} failed ({response.status})"
    second_step_request(context, response, login.email)


def count_text(total: int) -> str:
    return f"{total} {'person' if total == 1 else 'people'} found"


def expected_search(app, **filters) -> tuple[int, list[str]]:
    """(total, names on the first page) the directory should show, from the query layer."""
    with app.app_context():
        result = queries.search(queries.Filters(**filters))
        return result.page.total, [r.user.name for r in result.results]


def school_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(School.id).where(School.name == name))


def htmx_response(page: Page, path: str, method: str = "GET", **args):
    """Wait for the htmx request to ``path`` (with these query arguments, for a GET)."""

    def matches(response) -> bool:
        request = response.request
        if request.method != method or request.headers.get("hx-request") != "true":
            return False
        url = urlsplit(response.url)
        if not re.fullmatch(path, url.path):
            return False
        found = parse_qs(url.query)
        return all(found.get(k) == [str(v)] for k, v in args.items())

    return page.expect_response(matches)


def htmx_search(page: Page, **args):
    return htmx_response(page, "/directory/", **args)


def mark_same_document(page: Page) -> None:
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded instead of a swap"


def focused(page: Page) -> str:
    """The focused element, described for assertion messages."""
    return page.evaluate(
        "() => { const e = document.activeElement; if (!e || e === document.body)"
        " return 'nothing (body)'; return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
        " + ' ' + (e.innerText || e.value || '').trim().slice(0, 40); }")


def results_status(page: Page):
    return page.locator("#results p.results-count")


# --- 1. "Done when": a teacher finds phonics help from a typo and asks for it -------------

def test_teacher_finds_phonics_help_from_a_typo_and_asks_for_it(
        app, browser, live_server, page: Page, demo_logins, demo_password, mailbox):
    staff = demo_logins["staff"]
    signed_in(page, staff, demo_password, "/directory/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a colleague")
    expect(page).to_have_title(re.compile(r"^Directory – "))
    axe_check(page)

    # A misspelling, typed: htmx swaps the results in place and pushes the URL.
    total, names = expected_search(app, q="phonix")
    assert total >= 5, "the demo has several people who know phonics"
    mark_same_document(page)
    search = page.get_by_label(SEARCH_LABEL)
    with htmx_search(page, q="phonix"):
        search.press_sequentially("phonix")
    status = results_status(page)
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text(f"{count_text(total)} for “phonix”")
    expect(status).to_contain_text("matching Phonics")
    expect(page).to_have_url(re.compile(r"/directory/\?(.*&)?q=phonix(&|$)"))
    expect(page).to_have_title(re.compile(r"^phonix – Directory – "))  # the tab follows
    assert_same_document(page)
    expect(search).to_be_focused()  # the swap replaced the results, not the search box

    results = page.locator("#results ol.results > li")
    expect(results).to_have_count(min(total, queries.PER_PAGE))
    expect(results.get_by_role("heading", level=2)).to_have_text(names[:queries.PER_PAGE])
    # Each result says why it matched, the skill highlighted.
    for i in range(results.count()):
        expect(results.nth(i).locator("ul.why mark").first).to_have_text(
            re.compile(r"^Phonics( screening check)?$"))
    expect(page.locator("#results mark", has_text=re.compile(r"^Phonics$")).first).to_be_visible()
    axe_check(page)
    screenshot(page, "directory-search.png")

    # Narrow to one school with the filters, folded away until asked for.
    school = "Brookside Infant School"
    sid = school_id(app, school)
    narrowed, narrowed_names = expected_search(app, q="phonix", school=sid)
    assert 0 < narrowed < total
    filters = page.locator("details.more-filters")
    school_select = page.get_by_label("School", exact=True)
    expect(school_select).to_be_hidden()
    filters.get_by_text("Filters", exact=True).click()
    expect(filters).to_have_attribute("open", "")
    with htmx_search(page, q="phonix", school=sid):
        school_select.select_option(label=school)
    expect(status).to_contain_text(f"{count_text(narrowed)} for “phonix”")
    expect(results).to_have_count(narrowed)
    for i in range(narrowed):
        expect(results.nth(i).locator(".result-meta")).to_contain_text(school)
    expect(page).to_have_url(re.compile(rf"[?&]school={sid}(&|$)"))
    assert_same_document(page)
    axe_check(page)

    # Open the best match's profile.
    name = narrowed_names[0]
    results.first.get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(re.compile(r"/people/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("p.lead")).to_contain_text(school)
    strengths = page.get_by_role("table", name=f"{name}'s strengths")
    expect(strengths.get_by_role("link", name=re.compile(r"^Phonics"))).not_to_have_count(0)
    axe_check(page)
    screenshot(page, "profile.png")

    # Ask for help: the form, then the email to the colleague.
    with app.app_context():
        recipient_id, recipient_email = db.session.execute(select(User.id, User.email).where(
            User.name == name, User.school_id == sid)).one()
    first = name.split()[0]
    page.get_by_role("link", name=f"Ask {first} for help").click()
    expect(page).to_have_url(re.compile(rf"/people/{recipient_id}/help$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ask {name} for help")
    axe_check(page)

    # Nothing typed: the error summary takes focus.
    page.get_by_role("button", name="Send request").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter what you need help with.")).to_have_attribute(
        "href", "#message")
    expect(page).to_have_title(re.compile(r"^Error: Ask "))
    axe_check(page)
    assert mailbox.to(recipient_email) == []

    note = f"Could you show me how you run phonics catch-up groups? (ref {uuid.uuid4().hex[:8]})"
    page.get_by_label("What do you need?").fill(note)
    about = page.get_by_label("Which of their skills is it about? (optional)")
    phonics = about.locator("option", has_text=re.compile(r"^Phonics \("))
    about.select_option(phonics.first.get_attribute("value"))
    page.get_by_role("button", name="Send request").click()

    expect(page).to_have_url(re.compile(r"/help/\?box=sent$"))
    expect(page.locator("#flash")).to_contain_text(
        f"Your request has been sent. We have emailed {name}.")
    sent = page.get_by_role("table", name=re.compile("^Requests for help you have sent"))
    row = sent.locator("tbody tr", has_text=note)
    expect(row).to_contain_text(name)
    expect(row).to_contain_text("About: Phonics")
    expect(row.locator(".tag")).to_have_text("Waiting for an answer")
    axe_check(page)

    emails = mailbox.to(recipient_email)
    assert len(emails) == 1, f"expected one email to {recipient_email}, got {len(emails)}"
    assert emails[0]["Subject"] == f"{staff.name} has asked you for help with Phonics"
    assert note in emails[0].get_content()

    # The colleague accepts it from their own list, in place; the teacher hears by email.
    other = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800},
                                locale="en-GB")
    try:
        other.set_default_timeout(10_000)
        quick_sign_in(other, SimpleNamespace(email=recipient_email), demo_password)
        theirs = other.new_page()
        theirs.goto("/help/")
        expect(theirs.get_by_role("heading", level=1)).to_have_text("Requests for help")
        received = theirs.get_by_role("table",
                                      name=re.compile("^Requests for help you have been asked"))
        row = received.locator("tbody tr", has_text=note)
        expect(row).to_contain_text(staff.name)
        axe_check(theirs)
        with htmx_response(theirs, r"/help/\d+/status", method="POST"):
            row.get_by_role("button", name=re.compile(rf"^Accept – request from {staff.name}")
                            ).click()
        expect(row.locator(".tag")).to_have_text("Accepted")
        expect(row.locator(".tag")).to_be_focused()
        expect(theirs.locator("#flash")).to_contain_text("Request accepted.")
        axe_check(theirs)
    finally:
        other.close()
    answers = mailbox.to(staff.email)
    assert [m["Subject"] for m in answers] == [f"{name} has accepted your request for help"]


# --- 2. A head imports a spreadsheet with two bad rows -------------------------------------

IMPORT_SURNAME = "Pendleford"  # no demo person has it: the search below finds only imports
IMPORT_FIRST = ["Abigail", "Bilal", "Carys", "Dominic", "Esme", "Femi", "Gareth", "Hollie",
                "Idris", "Jade", "Kasia", "Luca", "Maryam", "Nathan", "Orla", "Piotr",
                "Ruth", "Samir", "Tegan", "Umar", "Verity", "Will", "Xander", "Yara", "Zack",
                "Alys", "Bryn", "Cerys", "Dev", "Elin", "Faisal", "Gwen", "Harriet", "Ioan",
                "Jamal", "Keira", "Leon", "Mali"]
BAD_EMAIL_ROW, BAD_URN_ROW = 13, 28  # row numbers as a spreadsheet shows them (1 = headings)


def write_import_file(path, urn: str, tag: str, surname: str = IMPORT_SURNAME):
    """38 good rows for the head's school and two bad ones, at BAD_EMAIL_ROW and BAD_URN_ROW."""
    good = iter(IMPORT_FIRST)
    rows = []
    for number in range(2, 42):
        if number == BAD_EMAIL_ROW:
            rows.append([f"broken.{tag}.oakfield.example", f"Broken Email {surname}",
                         "Year 2 teacher", urn, "Phonics: train"])
        elif number == BAD_URN_ROW:
            rows.append([f"wrong.school.{tag}@oakfield.example", f"Wrong School {surname}",
                         "Teaching assistant", "999999", "Reading"])
        else:
            first = next(good)
            rows.append([f"{first.lower()}.{surname.lower()}.{tag}@oakfield.example",
                         f"{first} {surname}", "Class teacher",
                         urn if number % 2 else "",  # blank: the head's own school
                         "Outdoor learning: mentor; Reading"])
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["email", "name", "job_title", "school_urn", "skills"])
        writer.writerows(rows)
    return path


def test_head_imports_40_staff_and_sees_exactly_the_two_bad_rows_refused(
        app, page: Page, demo_logins, demo_password, tmp_path):
    head = demo_logins["head"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == head.email))
        school_name, urn = user.school.name, user.school.urn
    tag = uuid.uuid4().hex[:6]
    upload = write_import_file(tmp_path / "oakfield-staff.csv", urn, tag)

    quick_sign_in(page.context, head, demo_password)
    page.goto("/directory/import")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import staff and skills")
    expect(page.get_by_text(f"Staff will be imported for {school_name}")).to_be_visible()
    axe_check(page)

    # No file: the error is beside the field.
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#file-error")).to_contain_text("Choose a CSV or Excel file.")
    axe_check(page)

    page.get_by_label("Spreadsheet file").set_input_files(upload)
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(page.get_by_text("Nothing has been saved yet.")).to_be_visible()
    summary = page.get_by_role("list", name="Summary of oakfield-staff.csv")
    expect(summary.get_by_role("listitem")).to_have_text(
        ["New 38 rows", "Updated 0 rows", "Unchanged 0 rows", "Error 2 rows"])
    expect(page.get_by_text("2 rows have errors and will not be imported.")).to_be_visible()
    table = page.get_by_role("table", name="Rows in oakfield-staff.csv, errors first")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(40)
    errors = rows.filter(has=page.locator(".tag", has_text=re.compile("^Error$")))
    expect(errors).to_have_count(2)
    # Errors first, each with its row number and what is wrong.
    expect(errors.nth(0).locator("td").nth(0)).to_have_text(str(BAD_EMAIL_ROW))
    expect(errors.nth(0)).to_contain_text("Enter the email address in the correct format")
    expect(errors.nth(1).locator("td").nth(0)).to_have_text(str(BAD_URN_ROW))
    expect(errors.nth(1)).to_contain_text("No school in the partnership has the URN 999999.")
    expect(rows.nth(0)).to_contain_text(f"Broken Email {IMPORT_SURNAME}")
    expect(rows.nth(1)).to_contain_text(f"Wrong School {IMPORT_SURNAME}")
    new = rows.filter(has=page.locator(".tag", has_text=re.compile("^New$")))
    expect(new).to_have_count(38)
    expect(new.first).to_contain_text(f"Create an account at {school_name}")
    axe_check(page)
    screenshot(page, "import-preview.png")

    # Confirm, without invitations: only the 38 good rows are saved.
    page.get_by_role("button", name="Import 38 rows").click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.locator("#flash")).to_contain_text("Import saved: 38 new people and 0 updated.")
    with app.app_context():
        imported = db.session.scalars(select(User).where(
            User.email.like(f"%.{tag}@oakfield.example"))).all()
        assert len(imported) == 38
        assert {u.school.name for u in imported} == {school_name}
        assert not db.session.scalar(select(User.id).where(User.email.in_(
            [f"broken.{tag}.oakfield.example", f"wrong.school.{tag}@oakfield.example"])))
    page.goto(f"/admin/users?q={IMPORT_SURNAME}")
    expect(page.locator(".results-count")).to_have_text(re.compile(r"^38 people found"))
    axe_check(page)


# --- 3. A lead opens the strengths map and spots the gaps ---------------------------------

def test_lead_opens_the_strengths_map_and_spots_the_gaps(app, page: Page, demo_logins,
                                                         demo_password):
    lead = demo_logins["lead"]
    with app.app_context():
        expected = strengths_map.strengths_map("skills")
        gaps = [row.name for row in expected.gaps]
        phonics = next(row for row in expected.rows if row.name == "Phonics")
        oakfield = next(s for s in expected.schools if s.name == "Oakfield Primary School")
        cell = phonics.cell(oakfield.id)
    assert gaps and cell.people, "the demo has gaps, and phonics people at Oakfield"

    quick_sign_in(page.context, lead, demo_password)
    page.goto("/directory/")
    page.get_by_role("link", name="Strengths map").click()
    expect(page).to_have_url(re.compile(r"/directory/strengths$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Strengths map")
    table = page.get_by_role("table", name=re.compile(
        r"^People who can lead training, mentor or have experience, by skill and school"))
    expect(table.locator("caption")).to_be_visible()

    # The gaps: counted and named above the table, and each gap row says "Gap" in words.
    expect(page.get_by_role("heading", name=f"{len(gaps)} gaps")).to_be_visible()
    named = page.get_by_role("list", name=f"{len(gaps)} gaps").get_by_role("link")
    expect(named).to_have_text(gaps)
    named.first.click()
    expect(page).to_have_url(re.compile(r"/directory/strengths#row-\d+$"))
    expect(table.get_by_role("row", name=re.compile(f"^{re.escape(gaps[0])} Gap"))).to_be_in_viewport()
    # Scrolled down the map, the school headings are still in view.
    expect(table.get_by_role("columnheader", name="Oakfield Primary School")).to_be_in_viewport()
    gap_rows = table.locator("tbody tr.strength-gap")
    expect(gap_rows).to_have_count(len(gaps))
    expect(gap_rows.locator("th")).to_have_text([f"{name} Gap" for name in gaps])
    expect(table.get_by_role("row", name=re.compile(r"^Drama Gap"))).to_have_count(1)
    expect(gap_rows.get_by_role("link")).to_have_count(0)
    # Leads also see the searches that found nobody.
    expect(page.get_by_role("heading", name="Searches that found nobody")).to_be_visible()
    misses = page.get_by_role("table", name=re.compile("^Searches that found nobody"))
    expect(misses.get_by_role("rowheader", name="hearing impairment")).to_be_visible()
    expect(misses.get_by_role("link", name="hearing impairment")).to_have_attribute(
        "href", "/directory/?q=hearing+impairment")
    axe_check(page)
    screenshot(page, "strengths-map.png")

    # The skill-area view.
    page.get_by_role("navigation", name="Show the map").get_by_role(
        "link", name="By skill area").click()
    expect(page).to_have_url(re.compile(r"\?view=categories$"))
    expect(page.get_by_role("table", name=re.compile(r"by skill area and school"))).to_be_visible()
    axe_check(page)
    page.go_back()

    # A cell leads to the directory search for those very people.
    link = table.get_by_role("link", name=re.compile(r"^Phonics, Oakfield Primary School: "))
    link.click()
    expect(page).to_have_url(re.compile(rf"/directory/\?(?=.*school={oakfield.id}(&|$))"
                                        rf"(?=.*skill={phonics.id}(&|$))"))
    expect(page.get_by_text("Only people with the skill Phonics.")).to_be_visible()
    expect(page.get_by_label("School", exact=True)).to_have_value(str(oakfield.id))
    expect(results_status(page)).to_contain_text(f"{count_text(cell.people)} with Phonics")
    expect(page.locator("#results ol.results > li")).to_have_count(cell.people)
    axe_check(page)

    # From a gap to the vocabulary: a lead can open the skill to rename, approve or merge it.
    with app.app_context():
        drama = db.session.scalar(select(Skill.id).where(Skill.name == "Drama"))
    page.goto(f"/skills/{drama}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Drama")
    expect(page.get_by_text("0 people have this skill on their profile.")).to_be_visible()
    expect(page.get_by_label("Skill name")).to_have_value("Drama")
    axe_check(page)


def import_by_post(context, path) -> None:
    """Upload and confirm an import file with two form posts (the pages are tested above)."""
    html = context.request.get("/directory/import").text()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    preview = context.request.post("/directory/import", multipart={
        "csrf_token": csrf,
        "file": {"name": path.name, "mimeType": "text/csv", "buffer": path.read_bytes()}})
    assert preview.ok, f"upload failed: {preview.status}"
    token = re.search(r'name="token" value="([^"]+)"', preview.text()).group(1)
    done = context.request.post("/directory/import", form={"csrf_token": csrf, "token": token},
                                max_redirects=0)
    assert done.status == 303, f"confirm failed: {done.status}"


# After the strengths map: a search that finds nobody is listed there as unmet demand.
def test_imported_staff_are_found_in_the_directory(app, page: Page, context, demo_logins,
                                                   demo_password, tmp_path):
    head = demo_logins["head"]
    with app.app_context():
        urn = db.session.scalar(select(School.urn).join(User, User.school_id == School.id)
                                .where(User.email == head.email))
    tag = uuid.uuid4().hex[:6]
    quick_sign_in(context, head, demo_password)
    import_by_post(context, write_import_file(tmp_path / "staff.csv", urn, tag,
                                              surname="Ashcombe"))
    page.goto("/directory/?q=Ashcombe")
    expect(results_status(page)).to_contain_text(
        f"{count_text(38)} for “Ashcombe”", timeout=500)


# --- 4. Editing one's own skills, with and without JavaScript -----------------------------

@pytest.fixture
def staff_skills(app, demo_logins):
    """The staff login's skills without Oracy for the test, put back as they were after."""
    email = demo_logins["staff"].email
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == email))
        oracy = db.session.scalar(select(Skill.id).where(Skill.name == "Oracy"))
        before = [(link.skill_id, link.relation) for link in db.session.scalars(
            select(UserSkill).where(UserSkill.user_id == uid))]
        db.session.execute(delete(UserSkill).where(UserSkill.user_id == uid,
                                                   UserSkill.skill_id == oracy))
        db.session.commit()
    yield uid, oracy
    with app.app_context():
        db.session.execute(delete(UserSkill).where(UserSkill.user_id == uid))
        db.session.add_all(UserSkill(user_id=uid, skill_id=s, relation=r) for s, r in before)
        db.session.commit()


def relation_in_db(app, uid: int, skill_id: int) -> str | None:
    with app.app_context():
        return db.session.scalar(select(UserSkill.relation).where(
            UserSkill.user_id == uid, UserSkill.skill_id == skill_id))


def skill_row(page: Page, name: str):
    return page.locator("#skills .skill-list > li").filter(
        has=page.locator(".skill-name", has_text=re.compile(rf"^{re.escape(name)}$")))


def test_staff_adds_changes_removes_and_undoes_a_skill(app, page: Page, demo_logins,
                                                       demo_password, staff_skills):
    uid, oracy = staff_skills
    quick_sign_in(page.context, demo_logins["staff"], demo_password)
    page.goto("/profile/edit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your profile")
    meter = page.locator("meter#completeness-meter")
    expect(page.get_by_label(re.compile(r"^Profile \d+% complete$"))).to_have_count(1)
    expect(meter).to_have_attribute("max", "100")
    expect(skill_row(page, "Oracy")).to_have_count(0)
    axe_check(page)
    mark_same_document(page)

    # Add with the type-ahead: the field offers the vocabulary through a <datalist>.
    field = page.get_by_label("Add a skill")
    expect(field).to_have_attribute("list", "vocabulary")
    expect(page.locator("datalist#vocabulary option[value='Oracy']")).to_have_count(1)
    field.press_sequentially("Oracy")
    page.get_by_label("How you relate to it").select_option(label="Can mentor or coach")
    with htmx_response(page, rf"/people/{uid}/skills", method="POST"):
        page.get_by_role("button", name="Add skill").click()
    row = skill_row(page, "Oracy")
    expect(row).to_have_count(1)
    select_ = page.get_by_label("How you relate to Oracy")
    expect(select_).to_have_value("mentor")
    assert relation_in_db(app, uid, oracy) == "mentor"
    expect(page.get_by_label("Add a skill")).to_have_value("")
    assert_same_document(page)
    axe_check(page)
    screenshot(page, "profile-edit.png")

    # Change how: the select posts itself on change.
    select_.focus()
    with htmx_response(page, rf"/people/{uid}/skills/{oracy}", method="POST"):
        select_.select_option(label="Can lead training")
    expect(page.get_by_label("How you relate to Oracy")).to_have_value("train")
    expect(page.get_by_label("How you relate to Oracy")).to_be_focused()
    assert relation_in_db(app, uid, oracy) == "train"
    expect(row.get_by_role("button", name="Change Oracy")).to_be_hidden()  # no-JS only

    # Remove, then Undo: focus goes to Undo, and Undo puts the skill back as it was.
    with htmx_response(page, rf"/people/{uid}/skills/{oracy}/remove", method="POST"):
        row.get_by_role("button", name="Remove Oracy").click()
    expect(skill_row(page, "Oracy")).to_have_count(0)
    notice = page.locator("#skills").get_by_role("status")
    expect(notice).to_contain_text("Oracy removed.")
    undo = notice.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    assert relation_in_db(app, uid, oracy) is None
    axe_check(page)
    with htmx_response(page, rf"/people/{uid}/skills", method="POST"):
        page.keyboard.press("Enter")
    expect(skill_row(page, "Oracy")).to_have_count(1)
    expect(page.get_by_label("How you relate to Oracy")).to_have_value("train")
    expect(page.locator("#skills").get_by_role("status")).to_have_text("Oracy added.")
    assert relation_in_db(app, uid, oracy) == "train"
    assert_same_document(page)
    axe_check(page)


def test_focus_stays_in_the_skills_editor_after_add_and_undo(app, page: Page, demo_logins,
                                                             demo_password, staff_skills):
    uid, oracy = staff_skills
    quick_sign_in(page.context, demo_logins["staff"], demo_password)
    page.goto("/profile/edit")
    page.get_by_label("Add a skill").fill("Oracy")
    page.get_by_label("How you relate to it").select_option(label="Has experience")
    page.get_by_role("button", name="Add skill").focus()
    with htmx_response(page, rf"/people/{uid}/skills", method="POST"):
        page.keyboard.press("Enter")
    expect(skill_row(page, "Oracy")).to_have_count(1)
    expect(page.locator("#skills").get_by_role("status")).to_have_text("Oracy added.")
    expect(page.get_by_label("Add a skill")).to_be_focused()  # ready for the next one
    with htmx_response(page, rf"/people/{uid}/skills/{oracy}/remove", method="POST"):
        skill_row(page, "Oracy").get_by_role("button", name="Remove Oracy").click()
    expect(page.get_by_role("button", name="Undo")).to_be_focused()
    with htmx_response(page, rf"/people/{uid}/skills", method="POST"):
        page.keyboard.press("Enter")  # on Undo
    expect(skill_row(page, "Oracy")).to_have_count(1)
    expect(page.get_by_label("Add a skill")).to_be_focused()


def scriptless_auditor(browser, live_server, context) -> Page:
    """A page signed in like ``context`` whose site scripts never load, for axe: a context
    with JavaScript disabled cannot run axe, and without its two scripts the site behaves
    exactly as without JavaScript (no htmx, no "js" class, the no-JS buttons shown)."""
    auditor = browser.new_context(base_url=live_server, storage_state=context.storage_state(),
                                  viewport={"width": 1280, "height": 800}, locale="en-GB")
    auditor.set_default_timeout(10_000)
    auditor.route(re.compile(r"/static/(js|vendor)/.*\.js(\?|$)"), lambda route: route.abort())
    return auditor.new_page()


def test_staff_edits_skills_without_javascript(app, browser, live_server, demo_logins,
                                               demo_password, staff_skills):
    uid, oracy = staff_skills
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800},
                                  locale="en-GB", java_script_enabled=False)
    audit = None
    try:
        context.set_default_timeout(10_000)
        page = context.new_page()
        signed_in(page, demo_logins["staff"], demo_password, "/profile/edit")
        expect(page.get_by_role("heading", level=1)).to_have_text("Edit your profile")
        audit = scriptless_auditor(browser, live_server, context)

        page.get_by_label("Add a skill").fill("oracy")  # any capitals
        page.get_by_label("How you relate to it").select_option(label="Has experience")
        page.get_by_role("button", name="Add skill").click()
        expect(page).to_have_url(re.compile(r"/edit#skills$"))
        expect(page.get_by_label("How you relate to Oracy")).to_have_value("experience")
        assert relation_in_db(app, uid, oracy) == "experience"
        audit.goto("/profile/edit")
        expect(audit.get_by_role("button", name="Change Oracy")).to_be_visible()
        axe_check(audit)

        # Without JavaScript the select needs its own button.
        page.get_by_label("How you relate to Oracy").select_option(label="Can mentor or coach")
        skill_row(page, "Oracy").get_by_role("button", name="Change Oracy").click()
        expect(page.get_by_label("How you relate to Oracy")).to_have_value("mentor")
        assert relation_in_db(app, uid, oracy) == "mentor"

        skill_row(page, "Oracy").get_by_role("button", name="Remove Oracy").click()
        expect(page).to_have_url(re.compile(r"/edit\?removed=\d+&relation=mentor#skills$"))
        expect(page.locator("#skills [role=status]")).to_contain_text("Oracy removed.")
        expect(skill_row(page, "Oracy")).to_have_count(0)
        assert relation_in_db(app, uid, oracy) is None

        # A skill that is not in the list: the error is beside the field.
        for each in (page, audit):
            each.get_by_label("Add a skill").fill("Underwater basket weaving")
            each.get_by_role("button", name="Add skill").click()
            expect(each).to_have_title(re.compile(r"^Error: Edit your profile"))
            expect(each.locator("#skill-error")).to_contain_text("is not in the skills list")
            expect(each.get_by_label("Add a skill")).to_have_attribute("aria-invalid", "true")
        axe_check(audit)
    finally:
        if audit is not None:
            audit.context.close()
        context.close()


def test_undo_after_remove_without_javascript(app, browser, live_server, demo_logins,
                                              demo_password, staff_skills):
    uid, oracy = staff_skills
    context = browser.new_context(base_url=live_server, locale="en-GB",
                                  java_script_enabled=False)
    try:
        context.set_default_timeout(5_000)
        quick_sign_in(context, demo_logins["staff"], demo_password)
        page = context.new_page()
        page.goto("/profile/edit")
        page.get_by_label("Add a skill").fill("Oracy")
        page.get_by_role("button", name="Add skill").click()
        skill_row(page, "Oracy").get_by_role("button", name="Remove Oracy").click()
        expect(page.locator("#skills [role=status]")).to_contain_text("Oracy removed.")
        undo = page.get_by_role("button", name="Undo")
        expect(undo).to_be_visible(timeout=500)
        undo.click()
        expect(skill_row(page, "Oracy")).to_have_count(1)
    finally:
        context.close()


# --- 5. A search that finds nobody ---------------------------------------------------------

def test_a_search_that_finds_nobody_offers_a_way_on(page: Page, context, demo_logins,
                                                    demo_password):
    quick_sign_in(context, demo_logins["staff"], demo_password)
    page.goto("/directory/")
    with htmx_search(page, q="quantum origami"):
        page.get_by_label(SEARCH_LABEL).fill("quantum origami")
    expect(results_status(page)).to_contain_text("No one found for “quantum origami”")
    expect(page.locator("#results ol.results")).to_have_count(0)
    empty = page.locator("#results .empty")
    browse = empty.get_by_role("link", name="browse the skills list")
    expect(browse).to_be_visible()
    suggestions = empty.locator("ul.inline-list a")
    if suggestions.count():  # the nearest skills, when any look alike
        expect(empty.get_by_text("Did you mean:")).to_be_visible()
        for i in range(suggestions.count()):
            name = suggestions.nth(i).inner_text()
            expect(suggestions.nth(i)).to_have_attribute(
                "href", re.compile(r"^/directory/\?(.*&)?q=" + re.escape(quote_plus(name))))
    axe_check(page)

    browse.click()
    expect(page).to_have_url(re.compile(r"/skills/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Skills list")
    axe_check(page)


def test_typing_counts_only_the_search_the_results_stayed_on(page: Page, context, app,
                                                            demo_logins, demo_password):
    """Each keystroke's fragment that found nobody asks, after a pause, to be counted; the
    next keystroke's fragment replaces it first, so only the last words are counted."""
    from eip_site.directory.models import SearchMiss

    def counted() -> dict[str, int]:
        with app.app_context():
            return {m.term: m.count for m in db.session.scalars(
                select(SearchMiss).where(SearchMiss.term.like("quokka%")))}

    quick_sign_in(context, demo_logins["staff"], demo_password)
    page.goto("/directory/")
    search = page.get_by_label(SEARCH_LABEL)
    search.fill("quokk")
    for letters in ("quokka", "quokka c", "quokka ca", "quokka car"):
        with htmx_search(page, q=letters):
            search.fill(letters)
        expect(results_status(page)).to_contain_text(f"No one found for “{letters}”")
    with page.expect_response(lambda r: r.url.endswith("/directory/searched")) as settled:
        pass  # the last fragment's pause (four seconds) runs out
    assert settled.value.status == 204
    assert counted() == {"quokka car": 1}
    with app.app_context():
        db.session.execute(delete(SearchMiss).where(SearchMiss.term.like("quokka%")))
        db.session.commit()


# --- 6. Keyboard only ------------------------------------------------------------------------

def tab_until(page: Page, target, limit: int) -> int:
    """Press Tab until ``target`` has focus; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"{limit} presses of Tab never reached it; focus is on {focused(page)}")


def test_directory_search_works_with_the_keyboard_alone(page: Page, context, demo_logins,
                                                        demo_password, app):
    quick_sign_in(context, demo_logins["staff"], demo_password)
    page.goto("/directory/")
    search = page.get_by_label(SEARCH_LABEL)

    # Skip link, then from the top of the main content to the search box.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    tab_until(page, search, limit=5)  # past the three links above the form

    total, names = expected_search(app, q="phonics")
    with htmx_search(page, q="phonics"):
        page.keyboard.type("phonics")
    expect(results_status(page)).to_contain_text(f"{count_text(total)} for “phonics”")
    expect(search).to_be_focused()

    # The Search button and the Filters summary, then the first result.
    first = page.locator("#results ol.results > li").first.get_by_role("link", name=names[0])
    presses = tab_until(page, first, limit=3)
    assert presses == 3, f"took {presses} presses of Tab to reach the first result"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(names[0])


# --- 7. Narrow screens -----------------------------------------------------------------------

def test_no_sideways_scrolling_in_the_directory_at_320px(browser, live_server, demo_logins,
                                                         demo_password):
    context = small_context(browser, live_server)
    try:
        quick_sign_in(context, demo_logins["staff"], demo_password)
        page = context.new_page()
        page.goto("/directory/?q=phonics")
        expect(results_status(page)).to_contain_text("for “phonics”")
        no_horizontal_overflow(page, 320)
        page.locator("details.more-filters > summary").click()
        no_horizontal_overflow(page, 320)

        page.locator("#results ol.results > li").first.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/people/\d+$"))
        no_horizontal_overflow(page, 320)

        page.goto("/profile/edit")
        expect(page.get_by_role("heading", level=1)).to_have_text("Edit your profile")
        no_horizontal_overflow(page, 320)
    finally:
        context.close()


# --- The directory's other pages can be found ------------------------------------------------

def test_a_head_finds_requests_import_and_export_from_the_directory(page: Page, context,
                                                                    demo_logins, demo_password):
    quick_sign_in(context, demo_logins["head"], demo_password)
    links = set()
    for path in ("/", "/directory/"):
        page.goto(path)
        links |= set(page.eval_on_selector_all("a[href]", "els => els.map(a => a.pathname)"))
    missing = [what for what, wanted in [
        ("requests for help (/help/)", {"/help/"}),
        ("import (/directory/import)", {"/directory/import"}),
        ("export (/directory/export.csv or .xlsx)",
         {"/directory/export.csv", "/directory/export.xlsx"})] if not links & wanted]
    assert not missing, "no link to " + "; ".join(missing)
