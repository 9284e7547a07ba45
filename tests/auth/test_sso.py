"""Single sign-on against a real OpenID provider (tests/oidc/provider.mjs): the site's client
side is Authlib, unmocked; the provider's test switch makes bad ID tokens for the refusals."""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import func, select

from eip_site.auth.models import UserIdentity
from eip_site.auth.recent import AUTH_AT
from eip_site.extensions import db
from eip_site.people.models import SchoolDomain, User, UserSession

from .. import factories
from ..helpers import sign_in
from .test_views import post_login

DEMO, OTHER = "demo-school.example", "other-school.example"


@pytest.fixture
def sso(app, oidc_provider):
    """The site configured with the test provider as ``local``; Demo School owns DEMO and
    Other School owns OTHER."""
    settings = oidc_provider.settings()
    saved = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    with app.app_context():
        demo, other = factories.school(name="Demo School"), factories.school(name="Other School")
        db.session.add_all([SchoolDomain(domain=DEMO, school_id=demo.id),
                            SchoolDomain(domain=OTHER, school_id=other.id)])
        db.session.commit()
        ids = {"demo": demo.id, "other": other.id}
    yield ids
    app.config.update(saved)


def press(client, path="/login/sso/local"):
    """Press a provider's button: the site answers with the provider's authorize address."""
    response = client.post(path)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def sso_sign_in(client, provider, account="ada-1", amr="pwd", path="/login/sso/local"):
    """The whole journey: the button, the provider's form, and the callback on this site."""
    back = provider.sign_in(requests.Session(), press(client, path), account, amr)
    assert back.startswith("http://localhost/login/sso/local/callback?"), back
    return client.get(back)


def person(app, email, **kwargs):
    with app.app_context():
        row = factories.user(email=email, **kwargs)
        db.session.commit()
        return row.id


def test_no_provider_configured_leaves_the_sign_in_page_as_it_was(client):
    body = client.get("/login").get_data(as_text=True)
    assert "Sign in with" not in body.replace("<title>Sign in", "")
    assert 'for="password"' in body
    assert client.post("/login/sso/local").status_code == 404
    assert "form-action 'self';" in client.get("/login").headers["Content-Security-Policy"]


def test_the_sign_in_page_has_a_button_per_provider_above_the_password_form(client, sso,
                                                                          oidc_provider):
    body = client.get("/login?next=/directory").get_data(as_text=True)
    button = body.index("Sign in with Test provider")
    assert button < body.index('for="password"')
    assert 'action="/login/sso/local?next=/directory"' in body
    # The browser lets the button's redirect lead to the provider, and nowhere else.
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {oidc_provider.issuer};" in csp


def test_success_signs_in_to_the_matching_account_with_a_new_session(app, client, sso,
                                                                    oidc_provider):
    ada = person(app, f"ada.lovelace@{DEMO}", school=sso["demo"], name="Ada Lovelace")
    with client.session_transaction() as session:
        session["left_over"] = "from before"
    response = sso_sign_in(client, oidc_provider)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Hello, Ada" in client.get("/").get_data(as_text=True)
    with client.session_transaction() as session:
        assert "left_over" not in session  # rotated
        assert session["signed_in_with"] == "oidc:local"
    with app.app_context():
        identity = db.session.scalars(select(UserIdentity)).one()
        assert (identity.user_id, identity.provider, identity.subject, identity.email) == (
            ada, "local", "ada-1", f"ada.lovelace@{DEMO}")
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1
        assert db.session.get(User, ada).last_login_at is not None
    # Signing out ends the local session.
    assert client.post("/logout").headers["Location"] == "/login"
    assert client.get("/").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_signing_in_with_the_provider_over_a_session_ends_that_session(app, client, sso,
                                                                       oidc_provider):
    ada = person(app, f"ada.lovelace@{DEMO}", school=sso["demo"])
    bea = person(app, f"bea.bishop@{DEMO}", school=sso["demo"])
    sign_in(client, bea)
    with app.app_context():
        assert db.session.scalars(select(UserSession.user_id)).all() == [bea]
    assert sso_sign_in(client, oidc_provider).status_code == 303
    with app.app_context():  # a copy of Bea's cookie no longer signs anyone in
        assert db.session.scalars(select(UserSession.user_id)).all() == [ada]


def test_the_next_page_is_kept_but_only_on_this_site(app, client, sso, oidc_provider):
    person(app, f"ada.lovelace@{DEMO}", school=sso["demo"])
    response = sso_sign_in(client, oidc_provider, path="/login/sso/local?next=/directory")
    assert response.headers["Location"] == "/directory"
    client.post("/logout")
    response = sso_sign_in(client, oidc_provider,
                           path="/login/sso/local?next=https://evil.example/")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("how", ["iss", "aud", "exp", "sig"])
def test_an_id_token_that_is_wrong_is_refused(app, client, sso, oidc_provider, how):
    person(app, f"ada.lovelace@{DEMO}", school=sso["demo"])
    oidc_provider.next_id_token(how)
    response = sso_sign_in(client, oidc_provider)
    assert response.status_code == 400
    assert "could not be checked" in response.get_data(as_text=True)
    assert client.get("/").status_code == 303  # not signed in
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserIdentity)) == 0


def test_an_unverified_email_is_not_matched(app, client, sso, oidc_provider):
    person(app, f"una.verified@{DEMO}", school=sso["demo"])
    response = sso_sign_in(client, oidc_provider, "una-2")
    assert response.status_code == 403
    assert "has not confirmed that una.verified@demo-school.example is yours" in \
        response.get_data(as_text=True)
    assert client.get("/").status_code == 303


def test_a_domain_of_no_school_is_refused(app, client, sso, oidc_provider):
    person(app, "nina.nowhere@no-school.example", school=sso["demo"])
    response = sso_sign_in(client, oidc_provider, "nina-3")
    assert response.status_code == 403
    assert "not at an email domain of any school" in response.get_data(as_text=True)


def test_an_account_at_another_schools_domain_is_not_matched(app, client, sso, oidc_provider):
    # Omar's account is at Demo School, but his email's domain is Other School's.
    person(app, f"omar.other@{OTHER}", school=sso["demo"])
    response = sso_sign_in(client, oidc_provider, "omar-4")
    assert response.status_code == 403
    assert "its account here is not at Other School" in response.get_data(as_text=True)


def test_no_account_asks_for_an_invitation_unless_the_school_makes_accounts(app, client, sso,
                                                                            oidc_provider):
    response = sso_sign_in(client, oidc_provider, "newt-5")
    assert response.status_code == 403
    assert "ask your headteacher for an invitation" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email.like("newt%"))) is None
        factories.db.session.get(factories.School, sso["demo"]).sso_creates_accounts = True
        db.session.commit()
    response = sso_sign_in(client, oidc_provider, "newt-5")
    assert response.headers["Location"] == "/"
    with app.app_context():
        newt = db.session.scalar(select(User).where(User.email == f"newt.newcomer@{DEMO}"))
        assert (newt.name, newt.school_id, newt.roles, newt.password_hash) == (
            "Newt Newcomer", sso["demo"], frozenset({"staff"}), None)
        assert not newt.invited  # signed in: shown as active, and colleagues can ask them


def test_a_tampered_state_is_refused(app, client, sso, oidc_provider):
    person(app, f"ada.lovelace@{DEMO}", school=sso["demo"])
    back = oidc_provider.sign_in(requests.Session(), press(client), "ada-1")
    response = client.get(back.replace("state=", "state=x"))
    assert response.status_code == 400
    assert "Start again from the sign-in page" in response.get_data(as_text=True)
    assert client.get("/").status_code == 303


def test_a_replayed_code_is_refused(app, client, sso, oidc_provider):
    """The same answer sent again, with the session as it was before the first (its state
    still in it): the provider refuses the used code."""
    person(app, f"ada.lovelace@{DEMO}", school=sso["demo"])
    back = oidc_provider.sign_in(requests.Session(), press(client), "ada-1")
    before = client.get_cookie("eip_session").value
    assert client.get(back).status_code == 303
    client.post("/logout")
    client.set_cookie("eip_session", before)
    response = client.get(back)
    assert response.status_code == 400
    assert client.get("/").status_code == 303


def test_the_provider_down_is_a_clear_message(app, client, sso):
    from ..oidc.server import free_port

    app.config["OIDC_LOCAL_ISSUER"] = f"http://127.0.0.1:{free_port()}"
    response = client.post("/login/sso/local")
    assert response.status_code == 502
    assert "Test provider could not be reached just now" in response.get_data(as_text=True)


def test_a_provider_that_requires_mfa_refuses_a_password_only_sign_in(app, client, sso,
                                                                     oidc_provider):
    person(app, f"ada.lovelace@{DEMO}", school=sso["demo"])
    app.config["OIDC_LOCAL_REQUIRE_MFA"] = "true"
    try:
        response = sso_sign_in(client, oidc_provider, amr="pwd")
        assert response.status_code == 403
        assert "did not" in response.get_data(as_text=True)
        assert sso_sign_in(client, oidc_provider, amr="pwd otp").status_code == 303
    finally:
        app.config["OIDC_LOCAL_REQUIRE_MFA"] = ""


def test_password_sign_in_turned_off_for_a_school(app, client, sso):
    ada = person(app, f"ada.lovelace@{DEMO}", school=sso["demo"])
    admin = person(app, f"alan.admin@{DEMO}", school=sso["demo"], roles={"admin"})
    with app.app_context():
        db.session.get(factories.School, sso["demo"]).password_sign_in = False
        db.session.commit()
    response = post_login(client, f"ada.lovelace@{DEMO}")
    assert response.status_code == 422
    assert "Demo School signs in with its school account" in response.get_data(as_text=True)
    # The break-glass password: an administrator keeps theirs.
    assert post_login(client, f"alan.admin@{DEMO}").status_code == 303
    assert ada != admin


def _long_ago(client):
    with client.session_transaction() as session:
        session[AUTH_AT] = time.time() - 3600


EXPORT = "/account/confirm?next=/directory/export.csv"


def test_someone_who_has_no_password_confirms_it_is_them_with_the_provider(app, client, sso,
                                                                           oidc_provider):
    person(app, f"ada.lovelace@{DEMO}", school=sso["demo"], password=None)
    assert sso_sign_in(client, oidc_provider).status_code == 303  # ada-1 is linked to Ada
    _long_ago(client)
    assert client.get("/directory/export.csv").headers["Location"] == EXPORT
    page = client.get(EXPORT).get_data(as_text=True)
    assert "Confirm with Test provider" in page and 'name="secret"' not in page
    assert 'action="/account/confirm/local?next=/directory/export.csv"' in page
    back = oidc_provider.sign_in(requests.Session(),
                                 press(client, "/account/confirm/local?next=/directory/export.csv"),
                                 "ada-1")
    response = client.get(back)
    assert response.status_code == 303 and response.headers["Location"] == "/directory/export.csv"
    assert client.get("/directory/export.csv").status_code == 200


def test_confirming_with_another_persons_school_account_is_refused(app, client, sso,
                                                                  oidc_provider):
    person(app, f"ada.lovelace@{DEMO}", school=sso["demo"])
    assert sso_sign_in(client, oidc_provider).status_code == 303  # ada-1 is linked to Ada
    client.post("/logout")
    bea = person(app, f"bea.bishop@{DEMO}", school=sso["demo"])
    sign_in(client, bea)
    _long_ago(client)
    back = oidc_provider.sign_in(requests.Session(),
                                 press(client, "/account/confirm/local?next=/directory/export.csv"),
                                 "ada-1")
    response = client.get(back)
    assert response.status_code == 403
    assert "not the one linked to your account here" in response.get_data(as_text=True)
    assert client.get("/directory/export.csv").headers["Location"] == EXPORT
    with client.session_transaction() as session:
        assert session["_user_id"].startswith(f"{bea}:")


def test_a_password_the_school_has_turned_off_does_not_confirm(app, client, sso):
    ada = person(app, f"ada.lovelace@{DEMO}", school=sso["demo"])
    with app.app_context():
        db.session.get(factories.School, sso["demo"]).password_sign_in = False
        db.session.commit()
    sign_in(client, ada)
    _long_ago(client)
    page = client.get(EXPORT).get_data(as_text=True)
    assert 'name="secret"' not in page and "no password and no school account linked" in page
    refused = client.post(EXPORT, data={"secret": factories.PASSWORD})
    assert refused.status_code == 422
    assert "Demo School signs in with its school account" in refused.get_data(as_text=True)
    assert client.get("/directory/export.csv").headers["Location"] == EXPORT


def test_linking_a_school_account_to_a_password_account(app, client, sso, oidc_provider):
    # Ada's password account has an email the provider does not give (no domain match).
    ada = person(app, "ada@home.example", school=sso["demo"])
    sign_in(client, ada)
    page = client.get("/account/sign-in-methods").get_data(as_text=True)
    assert "No school account is linked yet." in page and "Link my Test provider account" in page
    back = oidc_provider.sign_in(requests.Session(), press(client, "/account/sign-in-methods/local"),
                                 "ada-1")
    response = client.get(back)
    assert response.headers["Location"] == "/account/sign-in-methods"
    page = client.get("/account/sign-in-methods").get_data(as_text=True)
    assert "Test provider" in page and "ada-1" in page and f"ada.lovelace@{DEMO}" in page
    # From now on the school account opens Ada's.
    client.post("/logout")
    assert sso_sign_in(client, oidc_provider).status_code == 303
    with client.session_transaction() as session:
        assert session["_user_id"].startswith(f"{ada}:")


def test_a_school_account_linked_to_someone_else_is_not_linked_again(app, client, sso,
                                                                   oidc_provider):
    ada = person(app, f"ada.lovelace@{DEMO}", school=sso["demo"])
    assert sso_sign_in(client, oidc_provider).status_code == 303  # linked to Ada
    client.post("/logout")
    sign_in(client, person(app, "bea@home.example", school=sso["demo"]))
    back = oidc_provider.sign_in(requests.Session(), press(client, "/account/sign-in-methods/local"),
                                 "ada-1")
    response = client.get(back)
    assert response.status_code == 403
    assert "already linked to another account" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(UserIdentity.user_id)).all() == [ada]


def test_a_linked_school_account_is_unlinked_and_can_be_linked_again(app, client, sso,
                                                                      oidc_provider):
    from eip_site.audit import AuditEntry

    ada = person(app, "ada@home.example", school=sso["demo"])
    sign_in(client, ada)
    client.get(oidc_provider.sign_in(requests.Session(),
                                     press(client, "/account/sign-in-methods/local"), "ada-1"))
    with app.app_context():
        identity_id = db.session.scalars(select(UserIdentity.id)).one()
    page = client.get("/account/sign-in-methods").get_data(as_text=True)
    assert f'action="/account/sign-in-methods/{identity_id}/unlink"' in page
    done = client.post(f"/account/sign-in-methods/{identity_id}/unlink")
    assert done.status_code == 303 and done.headers["Location"] == "/account/sign-in-methods"
    page = client.get("/account/sign-in-methods").get_data(as_text=True)
    assert "Your Test provider account is unlinked" in page
    assert "No school account is linked yet." in page and "Link my Test provider account" in page
    with app.app_context():
        assert not db.session.scalars(select(UserIdentity)).all()
        kinds = db.session.scalars(select(AuditEntry.kind).where(
            AuditEntry.kind.like("account.sso%")).order_by(AuditEntry.id)).all()
        assert kinds == ["account.sso_linked", "account.sso_unlinked"]
    # The provider's account no longer opens Ada's (its email is of no account here).
    client.post("/logout")
    assert sso_sign_in(client, oidc_provider).status_code == 403
    # Unlinking again, or someone else's: not found.
    sign_in(client, ada)
    assert client.post(f"/account/sign-in-methods/{identity_id}/unlink").status_code == 404


def test_the_only_way_someone_signs_in_is_not_unlinked(app, client, sso, oidc_provider):
    person(app, f"ada.lovelace@{DEMO}", school=sso["demo"], password=None)
    assert sso_sign_in(client, oidc_provider).status_code == 303
    page = client.get("/account/sign-in-methods").get_data(as_text=True)
    assert "/unlink" not in page and "is the only way you sign in here" in page
    with app.app_context():
        identity_id = db.session.scalars(select(UserIdentity.id)).one()
    refused = client.post(f"/account/sign-in-methods/{identity_id}/unlink")
    assert refused.status_code == 422
    assert "set a password first" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(UserIdentity.id)).all() == [identity_id]
    bea = person(app, f"bea.bishop@{DEMO}", school=sso["demo"])
    sign_in(client, bea)
    assert client.post(f"/account/sign-in-methods/{identity_id}/unlink").status_code == 404


def test_the_demo_gives_each_school_its_staffs_email_domain(app):
    from eip_site.people.models import School
    from eip_site.seeds import demo

    with app.app_context():
        demo.seed()
        db.session.flush()
        rows = db.session.execute(select(School.name, SchoolDomain.domain).join(
            SchoolDomain, SchoolDomain.school_id == School.id)).all()
        staff = db.session.scalar(select(User).where(User.email == demo.logins()[0].email))
        school_and_domain = (staff.school.name, staff.email.partition("@")[2])
        db.session.rollback()
    assert len(rows) == len(demo.SCHOOLS)
    assert school_and_domain in rows
