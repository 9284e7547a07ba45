"""A school's single sign-on settings on its admin page: email domains, Entra tenant, accounts
made at first sign-in, and password sign-in turned off."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from eip_site.auth.models import UserIdentity
from eip_site.auth.recent import AUTH_AT
from eip_site.extensions import db
from eip_site.people.models import School, SchoolDomain

from .. import factories
from ..helpers import sign_in
from .test_views import SCHOOL

TENANT = "9f8e7d6c-1234-4abc-8def-0123456789ab"


def domains(app, school_id):
    with app.app_context():
        return db.session.scalars(select(SchoolDomain.domain).where(
            SchoolDomain.school_id == school_id).order_by(SchoolDomain.domain)).all()


def test_a_lead_sets_a_schools_domains_tenant_and_first_sign_in(app, client):
    sign_in(client, roles={"lead"})
    response = client.post("/admin/schools/new", data={
        **SCHOOL, "email_domains": "Hillside.sch.uk\n@staff.hillside.org.uk\n\nhillside.sch.uk",
        "entra_tenant_id": TENANT.upper(), "sso_creates_accounts": "y"})
    assert response.status_code == 303
    with app.app_context():
        school = db.session.scalar(select(School).where(School.urn == SCHOOL["urn"]))
        assert (school.entra_tenant_id, school.sso_creates_accounts, school.password_sign_in) \
            == (TENANT, True, True)
        school_id, version = school.id, school.version
    assert domains(app, school_id) == ["hillside.sch.uk", "staff.hillside.org.uk"]
    page = client.get(f"/admin/schools/{school_id}").get_data(as_text=True)
    assert "hillside.sch.uk\nstaff.hillside.org.uk</textarea>" in page
    # Editing keeps one, drops the other, adds a third.
    assert client.post(f"/admin/schools/{school_id}", data={
        **SCHOOL, "version": version, "email_domains": "hillside.sch.uk, hillside.example",
    }).status_code == 303
    assert domains(app, school_id) == ["hillside.example", "hillside.sch.uk"]


@pytest.mark.parametrize("changes, message", [
    ({"email_domains": "taken.sch.uk"}, "taken.sch.uk is already an email domain of Taken School"),
    ({"email_domains": "not a domain"}, "not a domain is not an email domain"),
    ({"email_domains": "hillside"}, "hillside is not an email domain"),
    ({"entra_tenant_id": "my-tenant"}, "The tenant ID is 36 characters"),
])
def test_bad_sign_in_settings_are_a_422_beside_the_field_and_save_nothing(app, client, changes,
                                                                        message):
    with app.app_context():
        taken = factories.school(name="Taken School")
        db.session.add(SchoolDomain(domain="taken.sch.uk", school_id=taken.id))
        db.session.commit()
    sign_in(client, roles={"lead"})
    response = client.post("/admin/schools/new", data={**SCHOOL, **changes})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body and 'aria-describedby="' in body
    with app.app_context():
        assert db.session.scalar(select(School).where(School.urn == SCHOOL["urn"])) is None


def test_password_sign_in_goes_off_only_once_single_sign_on_works_there(app, client):
    with app.app_context():
        school = factories.school()
        teacher = factories.user(school=school)
        db.session.commit()
        school_id, teacher_id = school.id, teacher.id
    sign_in(client, roles={"lead"})

    def turn_off():
        with app.app_context():
            version = db.session.get(School, school_id).version
        return client.post(f"/admin/schools/{school_id}", data={
            **SCHOOL, "version": version, "passwords_off": "y"})

    refused = turn_off()
    assert refused.status_code == 422
    assert "at least one of the school" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(School, school_id).password_sign_in is True
        db.session.add(UserIdentity(user_id=teacher_id, provider="entra", subject="abc"))
        db.session.commit()
    assert turn_off().status_code == 303
    with app.app_context():
        assert db.session.get(School, school_id).password_sign_in is False
    page = client.get(f"/admin/schools/{school_id}").get_data(as_text=True)
    assert "checked" in re.search(r'<input[^>]*name="passwords_off"[^>]*>', page).group(0)


def test_turning_password_sign_in_off_asks_for_the_password_again(app, client):
    with app.app_context():
        school = factories.school()
        teacher = factories.user(school=school)
        db.session.flush()
        db.session.add(UserIdentity(user_id=teacher.id, provider="entra", subject="abc"))
        db.session.commit()
        school_id, version = school.id, school.version
    sign_in(client, roles={"lead"})
    with client.session_transaction() as session:
        session[AUTH_AT] = time.time() - 3600
    form = {**SCHOOL, "version": version, "passwords_off": "y"}
    asked = client.post(f"/admin/schools/{school_id}", data=form)
    assert asked.status_code == 303
    assert asked.headers["Location"] == f"/account/confirm?next=/admin/schools/{school_id}"
    with app.app_context():
        assert db.session.get(School, school_id).password_sign_in is True
    # Other changes to the school's settings do not ask.
    assert client.post(f"/admin/schools/{school_id}", data={
        **SCHOOL, "version": version, "town": "Elsewhere"}).status_code == 303
    back = client.post(asked.headers["Location"], data={"secret": factories.PASSWORD})
    assert back.headers["Location"] == "/account/confirm/continue"
    # The kept form is the one sent before the town changed: its version is stale now.
    page = client.get(back.headers["Location"]).get_data(as_text=True)
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert kept["passwords_off"] == "y"
    stale = client.post(f"/admin/schools/{school_id}", data=kept)
    assert stale.status_code == 409
    with app.app_context():
        version = db.session.get(School, school_id).version
    assert client.post(f"/admin/schools/{school_id}",
                       data={**form, "version": version}).status_code == 303
    with app.app_context():
        assert db.session.get(School, school_id).password_sign_in is False
