"""Directory import and export, without HTTP: reading files, checking rows, preview, apply."""

from __future__ import annotations

import csv
import io
import zipfile
from contextlib import contextmanager

import openpyxl
import pytest
from sqlalchemy import event, func, select

from eip_site.directory.models import Offer, Profile, Skill, UserSkill
from eip_site.errors import DomainError
from eip_site.extensions import db
from eip_site.people.models import User
from eip_site.staff_import import export, services, spreadsheets
from eip_site.staff_import.export import export_file, template_file
from eip_site.staff_import.preview import preview_import
from eip_site.staff_import.rows import SkillIndex, check_row

from .. import factories

HEADER = ["email", "name", "job_title", "school_urn", "skills", "wants_to_develop", "offers",
          "hours_per_term", "qualifications"]


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person(n, **cells):
    row = {"email": f"teacher{n}@hill.example", "name": f"Teacher {n}", "job_title": "Teacher",
           "skills": "Phonics: train; Reading: experience", "wants_to_develop": "Oracy",
           "offers": "Drop-in advice", "hours_per_term": "6", "qualifications": ""} | cells
    return [row.get(h, "") for h in HEADER]


def preview(actor, rows, school_id=None, **kw):
    table = spreadsheets.read_table("staff.csv", csv_bytes(rows, **kw))
    return preview_import(actor=actor, table=table, school_id=school_id)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@contextmanager
def counting_queries():
    seen = []

    def before(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


# --- Reading files ------------------------------------------------------------------------

def test_reads_csv_with_any_capitals_in_headings_and_skips_blank_rows():
    data = csv_bytes([["A@B.example", "Ann"], ["", ""], ["c@d.example", "Cy"]],
                     header=["Email address", "Full Name"])
    table = spreadsheets.read_table("people.CSV", data)
    assert table.rows == [(2, {"email": "A@B.example", "name": "Ann"}),
                          (4, {"email": "c@d.example", "name": "Cy"})]


@pytest.mark.parametrize("delimiter, encoding", [
    (";", "utf-8"), ("\t", "utf-8"), (",", "utf-8-sig"), (",", "utf-16"), (",", "cp1252")])
def test_reads_csv_as_excel_writes_it(delimiter, encoding):
    data = csv_bytes([["zoe@x.example", "Zoë Ødegård"]], delimiter=delimiter, encoding=encoding)
    table = spreadsheets.read_table("x.csv", data)
    assert table.rows[0][1]["name"] == "Zoë Ødegård"


def test_reads_xlsx_with_numbers_as_text_and_ignores_unknown_columns():
    data = xlsx_bytes([["a@b.example", "Ann", None, 123456, None, None, None, 6.0, None, "x"]],
                      header=HEADER + ["Shoe size"])
    table = spreadsheets.read_table("x.xlsx", data)
    assert table.rows[0][1] == {"email": "a@b.example", "name": "Ann", "school_urn": "123456",
                                "hours_per_term": "6"}
    assert table.ignored == ["Shoe size"]


def zip_of_something_else() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize("filename, data, message", [
    ("staff.pdf", b"%PDF-1.4", "must be a CSV file or an Excel workbook"),
    ("staff.xls", b"\xd0\xcf\x11\xe0", "Save the .xls file as .xlsx"),
    ("staff", b"email,name", "must be a CSV file"),
    ("staff.csv", b"", "The file is empty"),
    ("staff.csv", b"   \n\n", "The file is empty"),
    ("staff.csv", bytes(range(256)) * 40, "not a CSV text file"),
    ("staff.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(1, 32)) * 100, "not a CSV text file"),
    ("staff.csv", b"name,job_title\nAnn,Teacher\n", "no \u201cemail\u201d column"),
    ("staff.csv", b"email,job_title\na@b.example,Teacher\n", "no \u201cname\u201d column"),
    ("staff.csv", b"email,name,email\n", "appears twice"),
    ("staff.csv", b"email,name\n", "no rows of people"),
    ("staff.csv", b",,\na@b.example,Ann\n", "first row must hold the column names"),
    ("staff.xlsx", zip_of_something_else(), "not an Excel workbook"),
    ("staff.xlsx", b"email,name\na@b.example,Ann\n", "not an Excel workbook"),
    ("staff.xlsx", b"PK\x03\x04" + b"\x00" * 100, "not an Excel workbook"),
    ("staff.csv", b"email,name\n" + b"a@b.example,\"" + b"x" * 200_000 + b"\"\n",
     "Row 2 is longer than 200,000 characters"),
    ("staff.csv", b'email,name\na@b.example,"x\n' + b"x" * 150_000 + b'"\n',
     "could not be read as CSV"),
])
def test_malformed_files_are_refused_with_a_reason(filename, data, message):
    with pytest.raises(DomainError) as refused:
        spreadsheets.read_table(filename, data)
    assert message in refused.value.message
    assert refused.value.field == "file"


def test_a_zip_bomb_named_xlsx_is_refused_before_unpacking(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNPACKED", 1000)
    data = xlsx_bytes([[f"p{i}@x.example", "x" * 50] for i in range(100)])
    with pytest.raises(DomainError, match="too large once unpacked"):
        spreadsheets.read_table("big.xlsx", data)


def test_size_and_row_limits_have_clear_messages():
    with pytest.raises(DomainError, match="5 MB or smaller"):
        spreadsheets.read_table("big.csv", b"email,name\n" + b"a" * spreadsheets.MAX_BYTES)
    rows = [[f"p{i}@x.example", f"P {i}"] for i in range(spreadsheets.MAX_ROWS + 1)]
    with pytest.raises(DomainError, match="more than 5,000 rows"):
        spreadsheets.read_table("many.csv", csv_bytes(rows, header=["email", "name"]))
    assert len(spreadsheets.read_table("ok.csv", csv_bytes(rows[:-1], header=["email", "name"]))
               .rows) == spreadsheets.MAX_ROWS
    with pytest.raises(DomainError, match="more than 5,000 rows"):
        spreadsheets.read_table("many.xlsx", xlsx_bytes(rows, header=["email", "name"]))


# --- Checking rows ------------------------------------------------------------------------

def check(vocab, **cells):
    index = SkillIndex(db.session.scalars(select(Skill)))
    return check_row(2, {"email": "a@b.example", "name": "Ann"} | cells, index)


def test_emoji_and_non_latin_names_are_valid_and_a_huge_name_is_not(ctx, vocab):
    for name in ("Zoë 🌈 Ødegård", "李小龙", "Siobhán Ní Bhriain", "Иван Петров", "محمد"):
        assert check(vocab, name=name).errors == []
    row = check(vocab, name="x" * 10_000)
    assert row.errors == ["The name must be 120 characters or fewer (it has 10,000)."]
    assert check(vocab, name="Nul\x00byte").errors[0].startswith("Remove the hidden control")



@pytest.mark.parametrize("cells, message", [
    ({"email": ""}, "Enter an email address."),
    ({"email": "not-an-email"}, "correct format"),
    ({"name": ""}, "Enter the person's full name."),
    ({"school_urn": "12"}, "6 digits"),
    ({"hours_per_term": "lots"}, "from 0 to 200"),
    ({"hours_per_term": "201"}, "from 0 to 200"),
    ({"offers": "Free lunch"}, "is not an offer"),
    ({"qualifications": "PhD"}, "is not a qualification"),
    ({"skills": "Phonics: juggling"}, "is not one of: train, mentor, experience"),
    ({"skills": "wellbeing"}, "could mean Pupil wellbeing or Staff wellbeing and workload"),
    ({"skills": "Phonics: train; SSP: mentor"}, "Phonics is listed twice"),
    ({"skills": "Oracy: train", "wants_to_develop": "Oracy"}, "Oracy is listed twice"),
    ({"wants_to_develop": "Oracy: train"}, "List only skill names"),
    ({"skills": "x" * 81}, "too long for a skill name"),
])
def test_bad_cells_give_a_reason(ctx, vocab, cells, message):
    assert any(message in e for e in check(vocab, **cells).errors)


def test_skills_match_names_synonyms_and_relation_words(ctx, vocab):
    row = check(vocab, skills="phonics: TRAIN; SENCo: Can mentor or coach; maths",
                wants_to_develop="oracy; Metacognition", offers="coaching; ECT mentoring; inset",
                qualifications="npqh; Trained peer reviewer", hours_per_term="12")
    assert row.errors == []
    named = {row.names[k]: r for k, r in row.skills.items()}
    assert named == {"Phonics": "train", "SEND coordination": "mentor",
                     "Mathematics": "experience", "Oracy": "develop",
                     "Metacognition": "develop"}
    assert row.offers == ["coaching", "ect_mentoring", "training"]
    assert row.qualifications == ["npqh", "peer_reviewer"]
    assert row.hours == 12


# --- Preview and apply --------------------------------------------------------------------

def test_head_imports_40_staff_and_exactly_the_two_bad_rows_are_refused(ctx, vocab, mailbox):
    school = factories.school(name="Hill Primary")
    head = factories.user(roles={"head"}, school=school)
    rows = [person(n) for n in range(1, 41)]
    rows[9] = person(10, email="not an email")
    rows[29] = person(30, hours_per_term="forty")
    result = preview(head, rows)
    refused = [(r.number, r.errors) for r in result.rows if r.state == "error"]
    assert refused == [(11, ["Enter the email address in the correct format, like "
                             "name@school.org.uk."]),
                       (31, ["Hours per term must be a whole number from 0 to 200."])]
    assert result.count("new") == 38
    assert count(User) == 1  # the preview saved nothing

    summary = services.apply_import(actor=head, preview=result, invite=True)
    db.session.commit()
    assert (summary.created, summary.updated, summary.invited) == (38, 0, 38)
    staff = db.session.scalars(select(User).where(User.id != head.id)).all()
    assert len(staff) == 38
    assert {u.school_id for u in staff} == {school.id}
    assert all(u.invited and u.roles == {"staff"} for u in staff)
    assert count(UserSkill) == 38 * 3 and count(Offer) == 38 and count(Profile) == 38
    assert len(mailbox.messages) == 38

    again = preview(head, rows)
    assert again.count("unchanged") == 38 and again.count("error") == 2 and not again.ready


def test_reimporting_the_same_file_changes_nothing(ctx, vocab):
    lead = factories.user(roles={"lead"})
    school = factories.school()
    rows = [person(1, school_urn=school.urn, skills="Phonics: train; Forest bathing: mentor",
                   qualifications="NPQH")]
    services.apply_import(actor=lead, preview=preview(lead, rows))
    db.session.commit()
    versions = db.session.execute(select(User.id, User.version)).all()
    skills = count(Skill)
    again = preview(lead, rows)
    assert [r.state for r in again.rows] == ["unchanged"] and not again.suggestions
    services.apply_import(actor=lead, preview=again)
    db.session.commit()
    assert db.session.execute(select(User.id, User.version)).all() == versions
    assert count(Skill) == skills


def test_people_are_matched_by_email_whatever_the_capitals_and_updated(ctx, vocab):
    head = factories.user(roles={"head"})
    existing = factories.user(email="ann@hill.example", name="Ann Old", school=head.school,
                              roles={"champion"})
    factories.user_skill(existing, vocab["Reading"], "train")
    factories.offer(existing, "hosting")
    db.session.commit()
    result = preview(head, [person(1, email="ANN@Hill.Example", name="Ann New",
                                   skills="Reading: experience; Phonics")])
    row = result.rows[0]
    assert row.state == "updated" and row.user.id == existing.id
    assert "Name: Ann Old → Ann New" in row.changes
    assert "Reading: can lead training → has experience" in row.changes
    services.apply_import(actor=head, preview=result)
    db.session.commit()
    db.session.refresh(existing)
    assert existing.name == "Ann New" and existing.roles == {"staff", "champion"}
    links = dict(db.session.execute(select(Skill.name, UserSkill.relation).join(UserSkill.skill)
                                    .where(UserSkill.user_id == existing.id)).all())
    assert links == {"Reading": "experience", "Phonics": "experience", "Oracy": "develop"}
    # Import adds; it never removes the offer the person already had.
    assert set(db.session.scalars(select(Offer.kind).where(Offer.user_id == existing.id))) \
        == {"hosting", "advice"}


def test_a_head_cannot_import_for_another_school_or_change_its_people(ctx, vocab):
    mine, theirs = factories.school(), factories.school()
    head = factories.user(roles={"head"}, school=mine)
    factories.user(email="stranger@x.example", school=theirs)
    factories.user(email="boss@x.example", school=mine, roles={"lead"})
    result = preview(head, [person(1, school_urn=theirs.urn),
                            person(2, email="stranger@x.example"),
                            person(3, email="boss@x.example", name="Renamed"),
                            person(4, school_urn=mine.urn)], school_id=theirs.id)
    errors = {r.number: r.errors for r in result.rows}
    assert "only import staff for your own school" in errors[2][0]
    assert "account at another school" in errors[3][0]
    assert "cannot change this person's account details" in errors[4][0]
    assert errors[5] == [] and result.rows[3].school_id == mine.id


def test_a_lead_imports_for_every_school_by_urn(ctx, vocab):
    lead = factories.user(roles={"lead"}, school=None)
    a, b = factories.school(), factories.school()
    result = preview(lead, [person(1, school_urn=a.urn), person(2, school_urn=b.urn),
                            person(3), person(4, school_urn="999999")])
    assert [r.school_id for r in result.rows[:2]] == [a.id, b.id]
    assert "Enter the URN" in result.rows[2].errors[0]
    assert "No school in the partnership has the URN 999999" in result.rows[3].errors[0]
    scoped = preview(lead, [person(1), person(2, school_urn=b.urn)], school_id=a.id)
    assert scoped.rows[0].school_id == a.id and "importing for" in scoped.rows[1].errors[0]


def test_duplicate_emails_in_one_file_refuse_the_later_row(ctx, vocab):
    head = factories.user(roles={"head"})
    result = preview(head, [person(1), person(2, email="TEACHER1@hill.example")])
    assert result.rows[1].errors == ["The same email address is on row 2."]


def test_unknown_skills_become_suggestions_not_approved_skills(ctx, vocab):
    head = factories.user(roles={"head"})
    rows = [person(1, skills="Forest bathing: train"), person(2, skills="forest BATHING"),
            person(3, wants_to_develop="Origami")]
    result = preview(head, rows)
    assert sorted(name for name, _ in result.suggestions.values()) == ["Forest bathing",
                                                                       "Origami"]
    assert "will be added as a suggested skill" in result.rows[0].notes[0]
    approved = count(Skill)
    services.apply_import(actor=head, preview=result)
    db.session.commit()
    new = db.session.scalars(select(Skill).where(Skill.status == "suggested")).all()
    assert sorted(s.name for s in new) == ["Forest bathing", "Origami"]
    assert all(s.suggested_by_id == head.id for s in new)
    assert count(Skill) == approved + 2
    assert count(UserSkill) == 2 + 2 + 3  # each row also wants to develop Oracy
    again = preview(head, rows)
    assert not again.suggestions and "waiting for a lead's approval" in again.rows[0].notes[0]


def test_too_many_new_skills_in_one_file_are_refused(ctx, vocab, monkeypatch):
    monkeypatch.setattr("eip_site.staff_import.preview.MAX_SUGGESTIONS", 2)
    head = factories.user(roles={"head"})
    result = preview(head, [person(1, skills="Aaa zzz; Bbb yyy"), person(2, skills="Ccc xxx")])
    assert result.rows[0].state == "new" and result.rows[1].state == "error"
    assert len(result.suggestions) == 2


def test_preview_runs_the_same_number_of_queries_for_10_or_200_rows(ctx, vocab):
    head = factories.user(roles={"head"})
    for n in range(1, 201, 2):  # half the rows are people who already have accounts
        factories.user(email=f"teacher{n}@hill.example", school=head.school)
    db.session.expire_all()
    counts = []
    for size in (10, 200):
        table = spreadsheets.read_table("s.csv", csv_bytes([person(n) for n in range(1, size + 1)]))
        db.session.expire_all()
        with counting_queries() as seen:
            preview_import(actor=head, table=table)
        counts.append(len(seen))
    assert counts[0] == counts[1] and counts[0] <= 12


def test_apply_looks_up_and_inserts_in_the_same_number_of_queries_for_10_or_60_rows(ctx, vocab):
    """Updating a changed person is one UPDATE each; lookups and inserts do not grow."""
    head = factories.user(roles={"head"})
    counts = []
    for start, size in ((1000, 10), (2000, 60)):
        for n in range(start, start + size, 2):  # half are updates, half new people
            factories.user(email=f"teacher{n}@hill.example", school=head.school)
        result = preview(head, [person(n, skills="Phonics: train; Forest bathing " + str(start))
                                for n in range(start, start + size)])
        with counting_queries() as seen:
            services.apply_import(actor=head, preview=result)
        db.session.commit()
        counts.append(len([q for q in seen if not q.lstrip().upper().startswith("UPDATE")]))
    assert counts[0] == counts[1] and count(User) == 71


def test_the_confirm_token_cannot_be_forged_or_used_by_someone_else(ctx, vocab, app):
    head = factories.user(roles={"head"})
    other = factories.user(roles={"head"}, school=head.school)
    with app.test_request_context():
        token = services.dump_token(preview(head, [person(1)]), actor=head)
        with pytest.raises(services.PreviewProblem):
            services.confirm_import(actor=head, token=token[:-3] + "abc")
        with pytest.raises(services.PreviewProblem):
            services.confirm_import(actor=other, token=token)
        with pytest.raises(services.PreviewProblem):
            services.confirm_import(actor=head, token="")
        assert count(User) == 2


def test_confirm_refuses_when_the_directory_changed_since_the_preview(ctx, vocab, app):
    head = factories.user(roles={"head"})
    with app.test_request_context():
        token = services.dump_token(preview(head, [person(1), person(2)]), actor=head)
        factories.user(email="teacher2@hill.example", school=head.school)  # a moment later
        db.session.commit()  # by someone else: it outlives the rollback below
        with pytest.raises(services.PreviewChanged) as changed:
            services.confirm_import(actor=head, token=token)
        assert [r.state for r in changed.value.preview.rows] == ["new", "updated"]
        db.session.rollback()
        summary = services.confirm_import(
            actor=head, token=services.dump_token(changed.value.preview, actor=head))
        assert (summary.created, summary.updated) == (1, 1)


# --- Export -------------------------------------------------------------------------------

def exported_csv() -> list[dict]:
    text = export_file("csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_respects_show_email_marks_paused_offers_and_keeps_the_invited(ctx, vocab):
    shown = factories.user(name="Shown", email="shown@x.example")
    hidden = factories.user(name="Hidden", email="hidden@x.example")
    factories.user(name="Invited", password=None)
    factories.profile(hidden, show_email=False, offers_paused=True, hours_per_term=4)
    factories.offer(hidden, "coaching")
    factories.offer(shown, "coaching")
    factories.qualification(shown, "npqh")
    factories.user_skill(shown, vocab["Phonics"], "train")
    db.session.commit()
    rows = {r["name"]: r for r in exported_csv()}
    assert set(rows) == {"Shown", "Hidden", "Invited"}
    assert rows["Hidden"]["email"] == "" and rows["Hidden"]["offers"] == "Coaching"
    assert rows["Hidden"]["offers_paused"] == "yes" and rows["Shown"]["offers_paused"] == "no"
    assert rows["Hidden"]["hours_per_term"] == "4"
    assert rows["Shown"]["email"] == "shown@x.example"
    assert rows["Shown"]["skills"] == "Phonics: train"
    assert rows["Shown"]["offers"] == "Coaching"
    assert rows["Shown"]["qualifications"] == "NPQ for Headship"
    book = openpyxl.load_workbook(io.BytesIO(export_file("xlsx")))
    values = [[c.value for c in row] for row in book["Directory"].iter_rows()]
    assert values[0] == spreadsheets.EXPORT_COLUMNS and len(values) == 4


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1",
                                  "-2+3", "@SUM(A1)", "\tTab"])
def test_export_neutralises_formulas_and_the_import_reads_them_back(ctx, vocab, name):
    factories.user(name=name, job_title="=1+1", email="f@x.example")
    row = exported_csv()[0]
    assert row["name"] == "'" + name and row["job_title"] == "'=1+1"
    book = openpyxl.load_workbook(io.BytesIO(export_file("xlsx")))
    cells = {c.value for c in next(book["Directory"].iter_rows(min_row=2))}
    assert "'" + name in cells and all(c is None or not isinstance(c, str)
                                       or not c.startswith("=") for c in cells)
    if not name.startswith("\t"):
        table = spreadsheets.read_table("back.csv", export_file("csv"))
        assert table.rows[0][1]["name"] == name


def test_an_export_imports_back_unchanged(ctx, vocab):
    lead = factories.user(roles={"lead"}, name="Lead Person")
    for n in range(3):
        factories.user(name=f"Colleague {n}")
    services.apply_import(actor=lead, preview=preview(lead, [
        person(1, email=u.email, name=u.name, school_urn=u.school.urn, job_title="")
        for u in db.session.scalars(select(User))]))
    db.session.commit()
    table = spreadsheets.read_table("directory.xlsx", export_file("xlsx"))
    again = preview_import(actor=lead, table=table)
    assert {r.state for r in again.rows} == {"unchanged"} and len(again.rows) == 4


def test_templates_hold_the_columns_and_the_skill_list(ctx, vocab):
    header = export.template_file("csv").decode("utf-8-sig").strip().split(",")
    assert header == list(spreadsheets.COLUMNS)
    book = openpyxl.load_workbook(io.BytesIO(template_file("xlsx")))
    assert book.sheetnames == ["Staff", "How to fill this in", "Skills"]
    assert [c.value for c in next(book["Staff"].iter_rows())] == list(spreadsheets.COLUMNS)
    assert any(row[1] == "Phonics" for row in book["Skills"].iter_rows(values_only=True))
    with pytest.raises(DomainError, match="no rows of people"):
        spreadsheets.read_table("staff.xlsx", template_file("xlsx"))
