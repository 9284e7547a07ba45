"""Two-step sign-in: enrolment, the code after a password, who must have it, recovery codes,
replays, throttling, an administrator's reset and a recent sign-in before sensitive actions."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from eip_site.auth import recent, services, totp
from eip_site.auth.models import RecoveryCode, UserTotp
from eip_site.extensions import db
from eip_site.people.models import User, UserSession

from .. import factories
from ..helpers import page_queries, pass_second_factor, sign_in
from ..test_cli import run

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def person(app, *, roles=(), enrol=False, **kwargs) -> User:
    with app.app_context():
        user = factories.user(roles=roles, **kwargs)
        db.session.flush()
        if enrol:
            totp.enrol_with(user, SECRET)
        db.session.commit()
        db.session.expunge(user)
        return user


def login(client, user, **extra):
    return client.post("/login" + extra.pop("query", ""),
                       data={"email": user.email, "password": factories.PASSWORD, **extra})


def code(secret=SECRET, offset=0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def wrong(secret=SECRET) -> str:
    """A six-digit code that is none of the three the site accepts now."""
    near = {code(secret, s) for s in (-60, -30, 0, 30, 60)}
    return next(c for c in ("123456", "654321", "111111", "222222") if c not in near)


def sessions(app, user) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(UserSession)
                                 .where(UserSession.user_id == user.id))


# --- Enrolment ----------------------------------------------------------------------------

def test_enrolment_shows_a_qr_code_and_the_key_and_refuses_a_wrong_code(app, client):
    user = person(app)
    sign_in(client, user)
    page = client.get("/account/two-step").get_data(as_text=True)
    with app.app_context():
        secret = db.session.get(UserTotp, user.id).secret
    assert "<svg" in page and 'role="img"' in page and "<script" not in page.split("<main")[-1]
    assert totp.grouped(secret) in page and len(totp.grouped(secret).split()) == 8
    assert client.get("/account/two-step").get_data(as_text=True).count(totp.grouped(secret))

    refused = client.post("/account/two-step", data={"code": wrong(secret)})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="code-error"' in body and totp.BAD_APP_CODE in body
    assert 'aria-describedby="code-error"' in body
    with app.app_context():
        assert db.session.get(UserTotp, user.id).confirmed_at is None

    done = client.post("/account/two-step", data={"code": code(secret)})
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and "Your recovery codes" in body
    shown = re.findall(r"<li><code>([^<]+)</code>", body)
    assert len(shown) == 10 and len(set(shown)) == 10
    assert 'download="recovery-codes.txt"' in body and "data:text/plain" in body
    with app.app_context():
        assert db.session.get(UserTotp, user.id).confirmed_at is not None
        hashes = db.session.scalars(select(RecoveryCode.code_hash)
                                    .where(RecoveryCode.user_id == user.id)).all()
        assert len(hashes) == 10
        assert not any(c.replace("-", "") in h for c in shown for h in hashes)
    assert "Two-step sign-in is on" in client.get("/account/two-step").get_data(as_text=True)


def test_new_recovery_codes_replace_the_old_ones(app, client):
    user = person(app, enrol=True)
    sign_in(client, user)
    first = client.post("/account/two-step/recovery-codes").get_data(as_text=True)
    second = client.post("/account/two-step/recovery-codes").get_data(as_text=True)
    old = first.split("<li><code>")[1].split("</code>")[0]
    assert old not in second
    client.post("/logout")
    login(client, user)
    refused = client.post("/login/code", data={"code": old})
    assert refused.status_code == 422 and totp.BAD_CODE in refused.get_data(as_text=True)


# --- Who must have it ---------------------------------------------------------------------

@pytest.mark.parametrize("roles", [{"head"}, {"lead"}, {"admin"}])
def test_heads_leads_and_admins_can_reach_nothing_but_enrolment(app, client, roles):
    user = person(app, roles=roles)
    response = login(client, user, query="?next=/directory/")
    assert response.status_code == 303 and response.headers["Location"] == "/account/two-step"
    for path in ("/", "/directory/", "/reviews/", "/account/password", "/admin/users"):
        gated = client.get(path)
        assert gated.status_code == 303, path
        assert gated.headers["Location"] == "/account/two-step", path
    htmx = client.get("/directory/", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == "/account/two-step"
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/site.css").status_code == 200
    page = client.get("/account/two-step").get_data(as_text=True)
    assert "Your role lets you see confidential review findings" in page

    enrolled = pass_second_factor(app, client, response)
    assert enrolled.status_code == 200
    assert 'href="/directory/"' in enrolled.get_data(as_text=True)  # continue: where they asked
    assert client.get("/").status_code == 200


def test_a_review_team_member_must_enrol_and_others_need_not(app, client, world):
    with app.app_context():
        factories.review(team=(db.session.get(User, world["insider"]),))
        closed = factories.user()
        factories.review(team=(closed,), state="closed")
        db.session.commit()
        closed_id = closed.id
    with app.app_context():
        insider = db.session.get(User, world["insider"])
        assert services.needs_second_factor(insider, services.PASSWORD) == totp.ENROL
        assert services.needs_second_factor(insider, "oidc") is None  # the provider asked
        assert services.needs_second_factor(db.session.get(User, closed_id),
                                            services.PASSWORD) is None
    staff = person(app)
    response = login(client, staff)
    assert response.headers["Location"] == "/"  # offered, not required
    assert client.get("/directory/").status_code == 200


# --- The code at sign-in ------------------------------------------------------------------

def test_an_enrolled_person_is_not_signed_in_until_the_code(app, client):
    user = person(app, enrol=True)
    response = login(client, user, query="?next=/reviews/", remember="y")
    assert response.headers["Location"] == "/login/code"
    assert sessions(app, user) == 0  # no device session before the code
    assert client.get("/").headers["Location"].startswith("/login")
    assert "eip_remember" not in response.headers.get("Set-Cookie", "")

    refused = client.post("/login/code", data={"code": wrong()})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="code-error"' in body and totp.BAD_CODE in body
    assert sessions(app, user) == 0

    done = client.post("/login/code", data={"code": code()})
    assert done.status_code == 303 and done.headers["Location"] == "/reviews/"
    assert "eip_remember=" in done.headers.get("Set-Cookie", "")
    assert sessions(app, user) == 1
    assert client.get("/").status_code == 200


def test_a_used_code_cannot_be_used_again(app, client):
    user = person(app, enrol=True)
    login(client, user)
    now = code()
    assert client.post("/login/code", data={"code": now}).status_code == 303
    client.post("/logout")
    login(client, user)
    replay = client.post("/login/code", data={"code": now})
    assert replay.status_code == 422 and totp.USED_CODE in replay.get_data(as_text=True)


def test_the_wait_for_a_code_expires(app, client, monkeypatch):
    user = person(app, enrol=True)
    login(client, user)
    later = time.time() + totp.PENDING_SECONDS + 1
    monkeypatch.setattr(totp, "_now", lambda: later)
    response = client.post("/login/code", data={"code": code(offset=later - time.time())})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert sessions(app, user) == 0


def test_wrong_codes_are_throttled_like_passwords(app, client):
    user = person(app, enrol=True)
    login(client, user)
    statuses = [client.post("/login/code", data={"code": wrong()}).status_code
                for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    page = client.post("/login/code", data={"code": code()})
    assert page.status_code == 429 and "Too many wrong codes" in page.get_data(as_text=True)


def test_a_recovery_code_works_once(app, client):
    user = person(app, enrol=True)
    with app.app_context():
        codes = totp.new_recovery_codes(db.session.get(User, user.id))
        db.session.commit()
    login(client, user)
    assert client.post("/login/code", data={"code": codes[0].upper()}).status_code == 303
    client.post("/logout")
    login(client, user)
    again = client.post("/login/code", data={"code": codes[0]})
    assert again.status_code == 422
    assert client.post("/login/code", data={"code": codes[1]}).status_code == 303
    with app.app_context():
        assert totp.codes_left(db.session.get(User, user.id)) == 8


# --- An administrator's reset ------------------------------------------------------------

def test_an_admin_resets_a_second_factor_and_the_person_is_emailed(app, client, mailbox):
    head = person(app, roles={"head"}, enrol=True)
    other = app.test_client()
    sign_in(other, head.id)
    admin = person(app, roles={"admin"}, enrol=True)
    sign_in(client, admin)
    assert "Reset two-step sign-in" in client.get(f"/admin/users/{head.id}").get_data(
        as_text=True)
    confirm = client.get(f"/admin/users/{head.id}/two-step")
    assert confirm.status_code == 200 and "Reset" in confirm.get_data(as_text=True)
    done = client.post(f"/admin/users/{head.id}/two-step")
    assert done.status_code == 303
    with app.app_context():
        assert db.session.get(UserTotp, head.id) is None
    assert other.get("/").status_code == 303  # signed out everywhere
    message = mailbox.to(head.email)[-1]
    assert "two-step sign-in" in message.get_content().lower()
    again = login(app.test_client(), head)
    assert again.headers["Location"] == "/account/two-step"  # enrolment required again


def test_only_admins_reset_and_only_someone_enrolled(app, client):
    head = person(app, roles={"head"})
    lead = person(app, roles={"lead"})
    sign_in(client, lead)
    assert client.post(f"/admin/users/{head.id}/two-step").status_code == 403
    admin = person(app, roles={"admin"})
    sign_in(client, admin)
    refused = client.post(f"/admin/users/{head.id}/two-step")
    assert refused.status_code == 422
    assert "has not set up two-step sign-in" in refused.get_data(as_text=True)


# --- A recent sign-in before sensitive actions ---------------------------------------------

def _long_ago(client):
    with client.session_transaction() as session:
        session[recent.AUTH_AT] = time.time() - 11 * 60


def _a_lead_long_signed_in_makes_a_champion(app, client, job_title=""):
    """A lead whose last password is old, and the form that makes someone a champion."""
    sign_in(client, person(app, roles={"lead"}))
    _long_ago(client)
    target = person(app)
    return target, {"name": target.name, "email": target.email, "school_id": target.school_id,
                    "job_title": job_title, "roles": ["champion"], "version": 1}


def test_changing_roles_asks_for_the_password_again(app, client):
    target, form = _a_lead_long_signed_in_makes_a_champion(app, client)
    asked = client.post(f"/admin/users/{target.id}", data=form)
    assert asked.status_code == 303
    assert asked.headers["Location"] == f"/account/confirm?next=/admin/users/{target.id}"
    with app.app_context():
        assert db.session.get(User, target.id).roles == {"staff"}
    page = client.get(asked.headers["Location"])
    assert "enter your password" in page.get_data(as_text=True)

    refused = client.post(asked.headers["Location"], data={"secret": "not my password"})
    assert refused.status_code == 422 and 'id="secret-error"' in refused.get_data(as_text=True)
    back = client.post(asked.headers["Location"], data={"secret": factories.PASSWORD})
    # What the lead had filled in is kept: one press sends it again, nothing to retype.
    assert back.status_code == 303 and back.headers["Location"] == "/account/confirm/continue"
    page = client.get(back.headers["Location"]).get_data(as_text=True)
    assert f'<form method="post" action="/admin/users/{target.id}">' in page
    assert '<input type="hidden" name="roles" value="champion">' in page
    assert f'<input type="hidden" name="name" value="{target.name}">' in page
    assert f'href="/admin/users/{target.id}">Back to the form without saving' in page
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert client.post(f"/admin/users/{target.id}", data=kept).status_code == 303
    with app.app_context():
        assert db.session.get(User, target.id).roles == {"staff", "champion"}
    # The kept form is shown once.
    assert client.get("/account/confirm/continue").headers["Location"] == "/"


def test_a_form_too_long_to_keep_comes_back_to_the_page(app, client):
    target, form = _a_lead_long_signed_in_makes_a_champion(app, client, job_title="x" * 3000)
    asked = client.post(f"/admin/users/{target.id}", data=form)
    back = client.post(asked.headers["Location"], data={"secret": factories.PASSWORD})
    assert back.headers["Location"] == f"/admin/users/{target.id}"


def test_editing_without_changing_roles_does_not_ask(app, client):
    head = person(app, roles={"head"})
    target = person(app, school=head.school_id)
    sign_in(client, head)
    _long_ago(client)
    form = {"name": "New Name", "email": target.email, "school_id": target.school_id,
            "job_title": "", "version": 1}
    assert client.post(f"/admin/users/{target.id}", data=form).headers["Location"] == \
        "/admin/users"


def test_exporting_the_directory_asks_again_and_a_code_will_do(app, client):
    user = person(app, enrol=True)
    sign_in(client, user)
    assert client.get("/directory/export.csv").status_code == 200
    _long_ago(client)
    asked = client.get("/directory/export.csv")
    assert asked.headers["Location"] == "/account/confirm?next=/directory/export.csv"
    # A short wrong password is a wrong password, not a badly typed code.
    wrong = client.post(asked.headers["Location"], data={"secret": "wrong"})
    assert wrong.status_code == 422
    assert "That is not your password or a current code." in wrong.get_data(as_text=True)
    back = client.post(asked.headers["Location"], data={"secret": code()})
    assert back.headers["Location"] == "/directory/export.csv"
    assert client.get("/directory/export.csv").status_code == 200


def test_the_confirm_page_goes_back_only_to_this_site(app, client):
    user = person(app)
    sign_in(client, user)
    back = client.post("/account/confirm?next=https://evil.example/",
                       data={"secret": factories.PASSWORD})
    assert back.headers["Location"] == "/"


# --- Demo, and what pages cost ------------------------------------------------------------

def test_totp_code_prints_a_demo_accounts_code_only_in_development(app):
    assert run(app, "seed-demo").exit_code == 0
    with app.app_context():
        head = next(login for login in __import__("eip_site.seeds.demo", fromlist=["logins"])
                    .logins() if login.role == "head")
    assert head.totp_secret == totp.demo_secret(head.email)
    result = run(app, "totp-code", head.email)
    assert result.exit_code == 0
    assert result.output.strip() in {code(head.totp_secret, s) for s in (0, -30)}
    app.config["ENV"] = "production"
    try:
        refused = run(app, "totp-code", head.email)
    finally:
        app.config["ENV"] = "testing"
    assert refused.exit_code == 1 and "development" in refused.output


def test_pages_cost_no_more_queries_after_a_two_step_sign_in(app, client, world):
    head = world["head"]
    with app.app_context():
        totp.enrol_with(db.session.get(User, head), SECRET)
        db.session.commit()
    helper = app.test_client()
    sign_in(helper, head)
    paths = ("/", "/directory/")
    for path in paths:  # what each process reads once (the vocabulary) is read
        helper.get(path)
    before = {path: page_queries(app, helper, path) for path in paths}
    with app.app_context():
        email = db.session.get(User, head).email
    client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert client.post("/login/code", data={"code": code()}).status_code == 303
    assert {path: page_queries(app, client, path) for path in before} == before


def test_an_invited_head_is_held_to_enrolment_after_setting_a_password(app, client):
    with app.app_context():
        head = factories.user(roles={"head"}, password=None)
        db.session.flush()
        raw = services.send_invitation(user=head, actor=None)
        db.session.commit()
    done = client.post(f"/invite/{raw}", data={"password": "lantern kettle orbit",
                                                "confirm": "lantern kettle orbit"})
    assert done.status_code == 303
    assert client.get("/").headers["Location"] == "/account/two-step"
