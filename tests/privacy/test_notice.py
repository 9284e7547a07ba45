"""The privacy notice: public, linked from every footer, with the partnership's own parts,
the retention schedule as configured and every cookie the site sets."""

from __future__ import annotations

from eip_site.audit import AuditEntry
from eip_site.extensions import db
from eip_site.people.models import Partnership

from .. import factories
from ..helpers import sign_in


def test_the_notice_is_public_and_in_every_footer(app, client):
    page = client.get("/privacy")
    assert page.status_code == 200
    assert "Privacy notice" in page.text and "eip_session" in page.text
    assert "eip_remember" in page.text
    assert "erased 12 months after deactivation" in page.text
    assert "kept 6 years" in page.text and "3 years after the review closes" in page.text
    assert 'href="/privacy"' in client.get("/login").text
    sign_in(client)
    assert 'href="/privacy"' in client.get("/").text
    assert 'href="/account/data"' in client.get("/").text


def test_the_cookies_named_are_the_cookies_set(app, client):
    with app.app_context():
        factories.user(email="c@school.org.uk")
        db.session.commit()
    response = client.post("/login", data={"email": "c@school.org.uk",
                                           "password": factories.PASSWORD, "remember": "y"})
    set_cookies = {h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie")}
    notice = client.get("/privacy").text
    assert set_cookies and all(f"<code>{name}</code>" in notice for name in set_cookies)


def test_the_schedule_follows_the_configuration(app, client):
    app.config["RETENTION_AUDIT_YEARS"] = 8
    try:
        assert "kept 8 years" in client.get("/privacy").text
    finally:
        app.config["RETENTION_AUDIT_YEARS"] = 6


def test_leads_set_the_controller_and_dpo_contact(app, client):
    with app.app_context():
        factories.partnership(name="Riverside Partnership")
        db.session.commit()
        version = db.session.get(Partnership, 1).version
    sign_in(client, roles={"lead"}, school=None)
    form = client.get("/admin/partnership").text
    assert 'name="dpo_contact"' in form
    response = client.post("/admin/partnership", data={
        "name": "Riverside Partnership", "year_start_month": 9, "version": version,
        "controller_name": "Riverside Schools Trust",
        "dpo_contact": "Sam Patel, dpo@riverside.org.uk", "privacy_text": "Our policies."})
    assert response.status_code == 303
    notice = client.get("/privacy").text
    assert "Riverside Schools Trust" in notice and "dpo@riverside.org.uk" in notice
    assert "Our policies." in notice
    too_long = client.post("/admin/partnership", data={
        "name": "Riverside Partnership", "year_start_month": 9, "version": version + 1,
        "dpo_contact": "x" * 301})
    assert too_long.status_code == 422 and "300 characters" in too_long.text
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(kind="settings.partnership").one()
        assert "controller name" in entry.summary and "dpo contact" in entry.summary
