"""The directory export imports back: a head (or a lead) exports the demo directory and
imports the same file, and the preview has no errors and no changes. The export carries
what the import reads (phases, subjects, offers and whether they are paused), and the XLSX
gives skills one row per person and skill, to sort and filter."""

from __future__ import annotations

import io
from collections import Counter

import openpyxl
import pytest
from sqlalchemy import select

from eip_site.directory.models import Profile
from eip_site.extensions import db
from eip_site.people.models import User
from eip_site.seeds import demo
from eip_site.staff_import import spreadsheets
from eip_site.staff_import.preview import preview_import

from ..helpers import sign_in


@pytest.fixture
def demo_logins(app):
    with app.app_context():
        logins = {login.role: login.email for login in demo.seed()}
        db.session.commit()
    return logins


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


@pytest.mark.parametrize("role", ["head", "lead"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_with_no_errors_and_no_changes(app, client, demo_logins, role,
                                                              fmt):
    with app.app_context():
        actor_id = _user(demo_logins[role]).id
    sign_in(client, actor_id)
    exported = client.get(f"/directory/export.{fmt}")
    assert exported.status_code == 200
    with app.app_context():
        actor = db.session.get(User, actor_id)
        table = spreadsheets.read_table(f"directory.{fmt}", exported.data)
        preview = preview_import(actor=actor, table=table)
        errors = Counter(e for r in preview.rows for e in r.errors)
        changes = Counter(c for r in preview.rows for c in r.changes)
        assert not errors and not changes, (errors.most_common(3), changes.most_common(3))
        assert len(preview.rows) == db.session.query(User).filter(User.active.is_(True)).count()
    page = client.post("/directory/import", data={"file": (io.BytesIO(exported.data),
                                                           f"directory.{fmt}")},
                       content_type="multipart/form-data")
    assert page.status_code == 200 and b"Nothing to import" in page.data


def test_a_head_sees_the_hidden_emails_of_their_own_staff_only(app, client, demo_logins):
    with app.app_context():
        head = _user(demo_logins["head"])
        mine = db.session.scalars(select(User).where(User.school_id == head.school_id)).all()
        others = db.session.scalars(select(User).where(User.school_id != head.school_id)).all()
        for user in (mine[-1], others[-1]):
            if user.profile is None:
                db.session.add(Profile(user_id=user.id))
                db.session.flush()
            user.profile.show_email = False
        ids = head.id, mine[-1].email, others[-1].email
        db.session.commit()
    sign_in(client, ids[0])
    body = client.get("/directory/export.csv").get_data(as_text=True)
    assert ids[1] in body and ids[2] not in body


def test_the_export_carries_phases_subjects_and_paused_offers(app, client, demo_logins):
    with app.app_context():
        user = db.session.scalars(select(User).join(Profile).where(
            Profile.phases != "")).first()
        user.profile.offers_paused, user.profile.subjects = True, "History; Geography"
        email, phases = user.email, user.profile.phases
        db.session.commit()
    with app.app_context():
        lead = _user(demo_logins["lead"]).id
    sign_in(client, lead)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/directory/export.xlsx").data))
    assert book.sheetnames[:2] == ["Directory", "Skills"]
    sheet = book["Directory"]
    header = [c.value for c in sheet[1]]
    assert {"phases", "subjects", "offers", "offers_paused"} <= set(header)
    row = next(dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)
               if r[0] == email)
    assert row["offers_paused"] == "yes" and row["subjects"] == "History; Geography"
    assert row["phases"]
    assert len(row["phases"].split("; ")) == len(phases.split("|"))
    # What a spreadsheet user sorts and filters by: a fixed header, a filter, widths.
    for name in ("Directory", "Skills"):
        assert book[name].freeze_panes == "A2" and book[name].auto_filter.ref
        assert book[name].column_dimensions["B"].width > 10
    skills = list(book["Skills"].iter_rows(values_only=True))
    assert skills[0] == ("email", "name", "school", "skill", "category", "relation")
    assert any(r[0] == email for r in skills[1:])


def test_a_head_importing_another_schools_changes_is_still_refused(app, demo_logins):
    with app.app_context():
        head = _user(demo_logins["head"])
        other = db.session.scalars(select(User).where(User.school_id != head.school_id,
                                                      User.active.is_(True))).first()
        data = (f"email,name,school_urn\n{other.email},Someone Else,{other.school.urn}\n"
                f",Nobody,{other.school.urn}\n").encode()
        rows = preview_import(actor=head, table=spreadsheets.read_table("x.csv", data)).rows
        assert rows[0].state == "error" and "account at another school" in " ".join(rows[0].errors)
        assert rows[1].state == "unchanged" and "Left as it is" in " ".join(rows[1].notes)
