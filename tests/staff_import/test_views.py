"""Export, template and import pages: status, permission, preview → confirm, bad files."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import openpyxl
import pytest
from sqlalchemy import func, select

from eip_site.directory.models import Skill, UserSkill
from eip_site.extensions import db
from eip_site.people.models import User

from .. import factories
from ..helpers import sign_in

HEADER = "email,name,job_title,school_urn,skills,wants_to_develop,offers,hours_per_term\n"


@pytest.fixture
def head(app, client, vocab):
    with app.app_context():
        school = factories.school(name="Hill Primary")
        school_id, urn = school.id, school.urn
        db.session.commit()
    return sign_in(client, roles={"head"}, school=school_id), school_id, urn


def users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def upload(client, data: bytes, filename="staff.csv", **form):
    return client.post("/directory/import", data={"file": (io.BytesIO(data), filename), **form},
                       content_type="multipart/form-data")


def token_of(response) -> str:
    return unescape(re.search(r'name="token" value="([^"]+)"', response.get_data(as_text=True))
                    .group(1))


def staff_csv(n: int, bad: dict[int, str] | None = None) -> bytes:
    lines = [HEADER]
    for i in range(1, n + 1):
        lines.append((bad or {}).get(i) or
                     f"t{i}@hill.example,Teacher {i},Teacher,,Phonics: train,Oracy,Coaching,6\n")
    return "".join(lines).encode()


@pytest.mark.parametrize("role, status", [("staff", 403), ("champion", 403), ("head", 200),
                                          ("lead", 200), ("admin", 200)])
def test_import_page_is_for_heads_leads_and_admins(client, role, status):
    sign_in(client, roles={role})
    response = client.get("/directory/import")
    assert response.status_code == status
    assert client.get("/directory/import/template.csv").status_code == status
    if status == 200:
        body = response.get_data(as_text=True)
        assert body.count("<h1") == 1 and "<title>Import staff and skills" in body
        assert 'enctype="multipart/form-data"' in body and 'class="back-link"' in body
        assert ('name="school"' in body) == (role != "head")


def test_anyone_signed_in_may_export_and_other_formats_are_404(client, app):
    assert client.get("/directory/export.csv").status_code == 303  # sign in first
    sign_in(client)
    csv_response = client.get("/directory/export.csv")
    assert csv_response.status_code == 200
    assert csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    assert csv_response.headers["Cache-Control"] == "no-store"
    xlsx = client.get("/directory/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    openpyxl.load_workbook(io.BytesIO(xlsx.data))
    for fmt in ("pdf", "CSV", "xlsx.exe", ""):
        assert client.get(f"/directory/export.{fmt}").status_code == 404
    assert client.get("/directory/import/template.pdf").status_code == 404


def test_templates_download(client, vocab):
    sign_in(client, roles={"lead"})
    text = client.get("/directory/import/template.csv").data.decode("utf-8-sig")
    assert text.startswith("email,name,job_title,school_urn,phases,subjects,skills")
    book = client.get("/directory/import/template.xlsx")
    assert "staff-import-template.xlsx" in book.headers["Content-Disposition"]
    assert "Skills" in openpyxl.load_workbook(io.BytesIO(book.data)).sheetnames


def test_head_imports_40_staff_and_sees_exactly_the_two_bad_rows_refused(app, client, head,
                                                                          mailbox):
    _, school_id, urn = head
    with app.app_context():
        other_urn = factories.school(name="Other").urn
        db.session.commit()
    data = staff_csv(40, bad={
        7: "not-an-email,Seven,Teacher,,,,,\n",
        23: f"t23@hill.example,Twenty-three,Teacher,{other_urn},,,,\n"})
    preview = upload(client, data)
    assert preview.status_code == 200
    body = preview.get_data(as_text=True)
    assert "<caption>Rows in staff.csv" in body and "Nothing has been saved yet" in body
    assert body.count(">Error</span>") == 2 + 1  # two rows and the summary
    assert body.count(">New</span>") == 38 + 1
    refused = re.findall(r'<td class="numeric">(\d+)</td>\s*<td>[^<]*<br><span class="hint">'
                         r'[^<]*</span></td>\s*<td><span class="tag tag-yellow">Error', body)
    assert refused == ["8", "24"]
    assert "Enter the email address in the correct format" in body
    assert "You can only import staff for your own school, Hill Primary (URN " + urn in body
    assert users(app) == 1  # nothing saved by the preview

    done = client.post("/directory/import", data={"token": token_of(preview), "invite": "y"})
    assert done.status_code == 303
    with app.app_context():
        staff = db.session.scalars(select(User).where(User.email.like("t%@hill.example"))).all()
        assert len(staff) == 38 and {u.school_id for u in staff} == {school_id}
        assert db.session.scalar(select(func.count()).select_from(UserSkill)) == 38 * 2
    assert len(mailbox.messages) == 38
    assert "38 new people" in client.get(done.headers["Location"]).get_data(as_text=True)

    again = upload(client, data)
    assert again.get_data(as_text=True).count(">Unchanged</span>") == 38 + 1
    assert "Nothing to import" in again.get_data(as_text=True)


def test_confirm_without_invitations_sends_nothing(app, client, head, mailbox):
    preview = upload(client, staff_csv(2), filename="staff.CSV")
    assert client.post("/directory/import", data={"token": token_of(preview)}).status_code == 303
    assert users(app) == 3 and mailbox.messages == []


def test_xlsx_upload_with_unknown_skill_says_it_will_be_a_suggestion(app, client, head):
    book = openpyxl.Workbook()
    book.active.append(["email", "name", "skills"])
    book.active.append(["ann@hill.example", "Ann Ødegård 🌈", "Forest bathing: train"])
    out = io.BytesIO()
    book.save(out)
    preview = upload(client, out.getvalue(), filename="staff.xlsx")
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "New skill suggestions" in body
    assert "Ann Ødegård 🌈" in body and "not approved skills" in body
    client.post("/directory/import", data={"token": token_of(preview)})
    with app.app_context():
        skill = db.session.scalar(select(Skill).where(Skill.name == "Forest bathing"))
        assert skill.status == "suggested"


@pytest.mark.parametrize("filename, data, message", [
    ("staff.txt", b"email,name\n", "must be a CSV file or an Excel workbook"),
    ("staff.csv", bytes(range(256)) * 20, "not a CSV text file"),
    ("staff.csv", b"name\nAnn\n", "no \u201cemail\u201d column"),
    ("staff.xlsx", b"PK\x03\x04junk", "not an Excel workbook"),
    ("staff.csv", b"", "The file is empty"),
    ("staff.csv", b"email,name\na@b.example,\"" + b"x" * 200_000 + b"\"\n", "is longer than"),
])
def test_bad_files_are_refused_beside_the_field_with_422(app, client, head, filename, data,
                                                         message):
    response = upload(client, data, filename=filename)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in unescape(body) and "There is a problem" in body
    assert 'id="file-error"' in body and "<title>Error: Import staff and skills" in body
    assert users(app) == 1


def test_no_file_or_a_huge_request_is_refused(client, head):
    assert client.post("/directory/import", data={}).status_code == 422
    big = upload(client, b"email,name\n" + b"x" * (7 * 1024 * 1024))
    assert big.status_code == 413


def test_a_tampered_or_foreign_token_is_refused_and_saves_nothing(app, client, head):
    preview = upload(client, staff_csv(3))
    token = token_of(preview)
    bad = client.post("/directory/import", data={"token": token[:-4] + "AAAA"})
    assert bad.status_code == 400 and "could not be read" in bad.get_data(as_text=True)
    sign_in(client, roles={"head"})
    assert client.post("/directory/import", data={"token": token}).status_code == 400
    assert users(app) == 2


def test_a_change_since_the_preview_shows_the_new_preview_with_409(app, client, head):
    preview = upload(client, staff_csv(2))
    with app.app_context():
        school = db.session.get(User, head[0]).school
        factories.user(email="t2@hill.example", school=school)
        db.session.commit()
    changed = client.post("/directory/import", data={"token": token_of(preview)})
    assert changed.status_code == 409
    body = changed.get_data(as_text=True)
    assert "has changed since you checked" in body and ">Updated</span>" in body
    assert client.post("/directory/import",
                       data={"token": token_of(changed)}).status_code == 303


def test_lead_chooses_a_school_or_all_schools(app, client, vocab):
    with app.app_context():
        a, b = factories.school(name="Alpha"), factories.school(name="Beta")
        a_id, b_urn = a.id, b.urn
        db.session.commit()
    sign_in(client, roles={"lead"})
    data = (HEADER + f"x@a.example,X,,,,,,\ny@b.example,Y,,{b_urn},,,,\n").encode()
    everywhere = upload(client, data).get_data(as_text=True)
    assert "Enter the URN of the person" in everywhere and "Create an account at Beta" in everywhere
    one = upload(client, data, school=str(a_id)).get_data(as_text=True)
    assert "Create an account at Alpha" in one and "but you are importing for Alpha" in one


def test_export_hides_emails_people_keep_private(app, client):
    with app.app_context():
        private = factories.user(name="Private Person", email="private@x.example")
        factories.profile(private, show_email=False)
        factories.user(name="Open Person", email="open@x.example")
        db.session.commit()
    sign_in(client)
    text = client.get("/directory/export.csv").data.decode("utf-8-sig")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["Private Person"]["email"] == "" and "private@x.example" not in text
    assert rows["Open Person"]["email"] == "open@x.example"


def test_a_misspelt_skill_asks_did_you_mean_and_the_choice_is_kept(app, client, head):
    """"phonix: train" is read as Phonics (the preview asks, with a way to choose); choosing
    "suggest a new skill" instead, then confirming, adds the suggestion and no Phonics."""
    data = (HEADER.strip() + "\nann@hill.example,Ann,Teacher,,phonix: train,,,\n"
            "bob@hill.example,Bob,Teacher,,Phonix,,,\n").encode()
    preview = upload(client, data)
    body = unescape(preview.get_data(as_text=True))
    assert preview.status_code == 200 and "did you mean Phonics?" in body
    assert "“phonix” is read as Phonics." in body and "Add Phonics: can lead training" in body
    assert "New skill suggestions" not in body and body.count("did you mean Phonics?") == 1
    with app.app_context():
        phonics = db.session.scalar(select(Skill.id).where(Skill.name == "Phonics"))
    field = re.search(rf'name="(mean:[^"]+)" value="{phonics}" checked', body).group(1)
    again = client.post("/directory/import", data={"token": token_of(preview), "recheck": "1",
                                                   field: "0"})
    shown = unescape(again.get_data(as_text=True))
    assert again.status_code == 200 and "New skill suggestions" in shown
    assert re.search(r'name="mean:[^"]+" value="0" checked', shown)
    done = client.post("/directory/import", data={"token": token_of(again)})
    assert done.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Skill.status).where(Skill.name == "phonix")) \
            == "suggested"
        assert not db.session.scalar(select(func.count()).select_from(UserSkill).where(
            UserSkill.skill_id == phonics))


def test_confirming_without_choosing_reads_the_typo_as_the_skill(app, client, head):
    data = (HEADER.strip() + "\nann@hill.example,Ann,Teacher,,phonix: train,,,\n").encode()
    preview = upload(client, data)
    assert client.post("/directory/import", data={"token": token_of(preview)}).status_code \
        == 303
    with app.app_context():
        assert db.session.scalar(select(Skill.name).join(UserSkill).join(
            User, User.id == UserSkill.user_id).where(User.email == "ann@hill.example")) \
            == "Phonics"
        assert not db.session.scalar(select(func.count()).select_from(Skill).where(
            Skill.status == "suggested"))
