"""Subject access: the zip holds everything about the person; the registry covers every
table that refers to a person."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

from eip_site.audit import AuditEntry
from eip_site.extensions import db
from eip_site.privacy.registry import PERSON_TABLES

from .. import factories
from ..helpers import sign_in


def person_tables(metadata) -> set[str]:
    return {t.name for t in metadata.sorted_tables
            if any(fk.column.table.name == "user" for fk in t.foreign_keys)} | {"user"}


def uncovered(metadata) -> set[str]:
    return {name for name in person_tables(metadata)
            if name not in PERSON_TABLES or PERSON_TABLES[name].erase not in
            ("delete", "keep", "anonymise") or not PERSON_TABLES[name].export}


def test_every_table_that_refers_to_a_person_is_exported_and_erased(app):
    assert not uncovered(db.metadata), (
        "Say how these tables are exported and erased in privacy/registry.py: "
        f"{sorted(uncovered(db.metadata))}")
    assert not PERSON_TABLES.keys() - person_tables(db.metadata)


def test_a_new_table_without_an_entry_fails():
    metadata = MetaData()
    Table("user", metadata, Column("id", Integer, primary_key=True))
    Table("user_pet", metadata, Column("id", Integer, primary_key=True),
          Column("owner_id", ForeignKey("user.id")))
    assert uncovered(metadata) == {"user_pet"}


def _zip(response):
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return archive, json.loads(archive.read("your-data.json"))


def test_a_teacher_downloads_everything_held_about_them(app, client, world, vocab):
    with app.app_context():
        me = factories.user(name="Tess Teacher", school=world["host"], job_title="Year 2")
        factories.profile(me, bio="I love phonics.")
        factories.user_skill(me, vocab["Phonics"], "train")
        factories.offer(me, "coaching")
        factories.qualification(me, "peer_reviewer")
        colleague = factories.user(name="Cole Colleague")
        factories.help_request(me, colleague, message="Help me with maths?")
        factories.help_request(colleague, me, message="Phonics tips please")
        team = [me, *world.get("reviewers")[:2]]
        seen = factories.review(host=world["ash"], state="feedback", team=team,
                                summary="Visible summary")
        db.session.commit()
        me_id = me.id
    sign_in(client, me_id)
    archive, data = _zip(client.get("/account/data"))
    sections = data["sections"]
    assert sections["Account"][0]["name"] == "Tess Teacher"
    assert "password_hash" not in sections["Account"][0]
    assert "session_token" not in sections["Account"][0]
    assert sections["Account"][0]["sign_in_method"] == "Password"
    assert sections["Profile"][0]["bio"] == "I love phonics."
    assert sections["Skills"][0]["skill_name"] == "Phonics"
    assert sections["Offers"][0]["kind"] == "coaching"
    assert sections["Qualifications"][0]["kind"] == "peer_reviewer"
    assert {r["message"] for r in sections["Requests for help"]} == {
        "Help me with maths?", "Phonics tips please"}
    assert sections["Reviews they were on"][0]["summary"] == "Visible summary"
    assert sections["Reviews they were on"][0]["role"] == "lead"
    assert sections["Signed-in devices"]
    assert any(e["kind"] == "privacy.subject_access" for e in sections["Audit entries"]) \
        is False  # recorded after the file is made, seen in the next one
    html = archive.read("your-data.html").decode()
    assert "I love phonics." in html and "Visible summary" in html
    assert "csv/skills.csv" in archive.namelist()
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(kind="privacy.subject_access").one()
        assert (entry.actor_id, entry.subject_id) == (me_id, me_id)
    del seen


def test_findings_only_where_entitled(app, client, world):
    with app.app_context():
        me = factories.user(name="Tess Teacher")
        review = factories.review(host=world["ash"], state="closed",
                                  champion_id=me.id, summary="Confidential summary")
        db.session.commit()
        me_id = me.id
    sign_in(client, me_id)
    archive, data = _zip(client.get("/account/data"))
    assert data["sections"]["Reviews"][0]["id"] == review.id
    assert "summary" not in data["sections"]["Reviews"][0]
    assert b"Confidential summary" not in archive.read("your-data.html")


def test_a_lead_makes_it_for_someone_and_that_is_audited(app, client):
    with app.app_context():
        person = factories.user(name="Pat Person", job_title="=cmd|calc")
        db.session.commit()
        person_id = person.id
    lead_id = sign_in(client, roles={"lead"}, school=None)
    archive, data = _zip(client.get(f"/admin/users/{person_id}/data"))
    assert data["sections"]["Account"][0]["name"] == "Pat Person"
    assert b"'=cmd|calc" in archive.read("csv/account.csv")
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(kind="privacy.subject_access").one()
        assert (entry.actor_id, entry.subject_id) == (lead_id, person_id)
    sign_in(client, roles={"head"})
    assert client.get(f"/admin/users/{person_id}/data").status_code == 403
