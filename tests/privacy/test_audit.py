"""The audit trail: what is recorded, by whom, from where; the page, its filters and CSV."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from eip_site import audit
from eip_site.audit import AuditEntry
from eip_site.extensions import db
from eip_site.people.models import User

from .. import factories
from ..helpers import page_queries, sign_in

LOGIN = {"email": "", "password": factories.PASSWORD}


def _entries(app, kind=None):
    with app.app_context():
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        if kind:
            stmt = stmt.where(AuditEntry.kind == kind)
        return [(e.kind, e.actor_id, e.subject_id, e.address, e.summary)
                for e in db.session.scalars(stmt)]


def test_every_kind_recorded_is_listed():
    root = Path(audit.__file__).parent
    used = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
                    "record", "record_apart") and getattr(node.func.value, "id", "") == "audit":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant):
                    used.add(first.value)
                elif isinstance(first, ast.IfExp):
                    used |= {first.body.value, first.orelse.value}
    assert used and used <= audit.KINDS.keys(), used - audit.KINDS.keys()


def test_sign_ins_succeeded_failed_and_throttled_are_recorded(app, client):
    with app.app_context():
        person = factories.user(email="ann@school.org.uk")
        db.session.commit()
        person_id = person.id
    assert client.post("/login", data={**LOGIN, "email": "ann@school.org.uk",
                                       "password": "wrong wrong wrong"}).status_code == 422
    assert client.post("/login", data={**LOGIN, "email": "nobody@school.org.uk"}
                       ).status_code == 422
    assert client.post("/login", data={**LOGIN, "email": "ann@school.org.uk"}
                       ).status_code == 303
    failed = _entries(app, "signin.failed")
    assert [(f[1], f[2]) for f in failed] == [(None, person_id), (None, None)]
    assert failed[0][3] == "127.0.0.1"
    assert _entries(app, "signin.succeeded") == [
        ("signin.succeeded", person_id, person_id, "127.0.0.1", "")]
    for _ in range(5):
        client.post("/logout")
        client.post("/login", data={**LOGIN, "email": "ann@school.org.uk", "password": "x" * 12})
    assert client.post("/login", data={**LOGIN, "email": "ann@school.org.uk"}
                       ).status_code == 429
    assert _entries(app, "signin.throttled")
    assert all("x" * 12 not in e[4] and factories.PASSWORD not in e[4] for e in _entries(app))


def test_account_changes_are_recorded(app, client):
    with app.app_context():
        staff = factories.user(name="Sam Staff")
        db.session.commit()
        staff_id, version = staff.id, staff.version
    lead_id = sign_in(client, roles={"lead"}, school=None)
    with app.app_context():
        school_id = db.session.get(User, staff_id).school_id
    response = client.post(f"/admin/users/{staff_id}", data={
        "name": "Sam Staff", "email": "sam@school.org.uk", "school_id": school_id,
        "job_title": "", "roles": ["champion"], "version": version})
    assert response.status_code == 303
    client.post(f"/admin/users/{staff_id}/active", data={"active": "0"})
    client.post(f"/admin/users/{staff_id}/active", data={"active": "1"})
    kinds = [(k, a, s) for k, a, s, _addr, _sum in _entries(app)]
    assert ("account.roles_changed", lead_id, staff_id) in kinds
    assert ("account.changed", lead_id, staff_id) in kinds
    assert ("account.deactivated", lead_id, staff_id) in kinds
    assert ("account.reactivated", lead_id, staff_id) in kinds
    assert _entries(app, "account.roles_changed")[0][4] == "staff → champion"
    with app.app_context():
        assert db.session.get(User, staff_id).deactivated_at is not None


def test_findings_recorded_changed_viewed_and_safeguarding(app, client, world):
    with app.app_context():
        team = world.get("reviewers")[:3]
        review = factories.review(host=world["host"], state="feedback", team=team,
                                  summary="Strong feedback culture.")
        db.session.commit()
        review_id, lead_reviewer = review.id, team[0].id
    sign_in(client, lead_reviewer)
    assert client.get(f"/reviews/{review_id}").status_code == 200
    sign_in(client, world["teacher"])  # may not see the findings: nothing recorded
    assert client.get(f"/reviews/{review_id}").status_code == 200
    viewed = _entries(app, "review.findings_viewed")
    assert [(v[1], v[4]) for v in viewed] == [(lead_reviewer, "Peer review of Host Primary")]
    sign_in(client, world["lead"])
    with app.app_context():
        version = db.session.get(type(review), review_id).version
    response = client.post(f"/reviews/{review_id}/findings", data={
        "version": version, "went_well": "Secret praise", "to_develop": "Reading",
        "summary": "Secret summary", "safeguarding": "y"})
    assert response.status_code == 303, response.text
    changed = _entries(app, "review.findings_changed")
    assert [c[1] for c in changed] == [world["lead"]]
    assert _entries(app, "review.safeguarding")
    assert all("Secret" not in e[4] for e in _entries(app))


def test_the_page_filters_pages_and_its_query_count_does_not_grow(app, client):
    lead_id = sign_in(client, roles={"lead"}, school=None)
    with app.app_context():
        someone = factories.user(name="Petra Person")
        db.session.flush()
        for i in range(3):
            audit.record("account.invited", actor=db.session.get(User, lead_id), obj=someone)
        audit.record("directory.exported", actor=someone)
        db.session.commit()
    page = client.get("/admin/audit?person=petra")
    assert page.status_code == 200
    assert page.text.count("Invitation sent") >= 3 and "Directory exported" in page.text
    only = client.get("/admin/audit?kind=directory.exported")
    assert "Invitation sent</td>" not in only.text and "Directory exported</td>" in only.text
    few = page_queries(app, client, "/admin/audit")
    with app.app_context():
        people = [factories.user() for _ in range(5)]
        for p in people * 15:
            audit.record("account.invited", actor=people[0], obj=p)
        db.session.commit()
    assert page_queries(app, client, "/admin/audit") == few
    second = client.get("/admin/audit?page=2")
    assert "Page 2 of 2" in second.text
    tomorrow = (audit.utcnow() + timedelta(days=1)).date().isoformat()
    assert "0 entries" in client.get(f"/admin/audit?since={tomorrow}").text


def test_the_csv_export_is_safe_and_audited(app, client):
    lead_id = sign_in(client, roles={"lead"}, school=None)
    with app.app_context():
        audit.record("settings.partnership", actor=lead_id, summary="=HYPERLINK(\"x\")")
        db.session.commit()
    response = client.get("/admin/audit.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in response.text
    assert _entries(app, "audit.exported")


def test_a_date_it_cannot_read_is_said_beside_the_field(app, client):
    sign_in(client, roles={"admin"}, school=None)
    response = client.get("/admin/audit?since=31/31/2026")
    assert response.status_code == 422
    assert 'id="since-error"' in response.text


def test_only_leads_and_admins_see_the_audit_trail(app, client):
    sign_in(client, roles={"head"})
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403
