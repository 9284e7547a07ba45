import re

import pytest

from eip_site.extensions import db
from eip_site.people.models import User

from .. import factories
from ..helpers import sign_in


def post_login(client, email, password=factories.PASSWORD, **extra):
    """The sign-in form, as a person fills it in."""
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_login_page_has_labelled_email_and_password_fields(client):
    body = client.get("/login").get_data(as_text=True)
    assert '<label class="label" for="email">Email address</label>' in body
    assert '<label class="label" for="password">Password</label>' in body
    assert "<title>Sign in" in body


def test_sign_in_and_out(app, client):
    with app.app_context():
        factories.user(email="sam@school.example", name="Sam Ortiz")
        db.session.commit()
    response = post_login(client, "Sam@School.example")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Hello, Sam" in client.get("/").get_data(as_text=True)
    out = client.post("/logout")
    assert out.status_code == 303 and out.headers["Location"] == "/login"
    assert "You have signed out." in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 303


def test_wrong_password_is_a_422_with_the_message_beside_the_field(app, client):
    with app.app_context():
        factories.user(email="sam@school.example")
        db.session.commit()
    response = post_login(client, "sam@school.example", "not my password")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "There is a problem" in body
    assert 'id="email-error"' in body and "Enter a correct email address and password" in body
    assert "<title>Error: Sign in" in body


@pytest.mark.parametrize("data, message", [
    ({}, "Enter your email address."),
    ({"email": "   ", "password": "x"}, "Enter your email address."),
    ({"email": "a@b.example"}, "Enter your password."),
    ({"email": "x" * 10000, "password": "y"}, "correct format"),
    ({"email": "<script>alert(1)</script>", "password": "y"}, "Enter a correct email"),
])
def test_bad_login_input_is_a_clear_422(client, data, message):
    response = client.post("/login", data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    assert "<script>alert(1)</script>" not in body


@pytest.mark.parametrize("target, lands", [
    ("/admin/users", "/admin/users"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_only_goes_to_this_site(app, client, target, lands):
    with app.app_context():
        factories.user(email="lead@school.example")  # no role: no second step (test_totp)
        db.session.commit()
    response = client.post("/login?next=" + target,
                           data={"email": "lead@school.example", "password": factories.PASSWORD})
    assert response.headers["Location"] == lands


def test_session_is_rotated_at_sign_in(app, client):
    with app.app_context():
        factories.user(email="sam@school.example")
        db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    post_login(client, "sam@school.example")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_remember_me_sets_a_lasting_cookie_only_when_asked(app, client):
    with app.app_context():
        factories.user(email="sam@school.example")
        db.session.commit()
    plain = post_login(client, "sam@school.example")
    assert not any(c.startswith("eip_remember=") for c in plain.headers.getlist("Set-Cookie"))
    client.post("/logout")
    remembered = post_login(client, "sam@school.example", remember="y")
    cookie = next(c for c in remembered.headers.getlist("Set-Cookie")
                  if c.startswith("eip_remember="))
    assert "HttpOnly" in cookie and "Expires=" in cookie


def test_repeated_failures_for_one_account_are_throttled(app, client):
    with app.app_context():
        factories.user(email="sam@school.example")
        db.session.commit()
    for _ in range(5):
        assert post_login(client, "sam@school.example", "wrong password").status_code == 422
    blocked = post_login(client, "sam@school.example")  # even the right password now waits
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.get_data(as_text=True)
    # Another account from the same address is not locked out by this one.
    with app.app_context():
        factories.user(email="kim@school.example")
        db.session.commit()
    assert post_login(client, "kim@school.example").status_code == 303


def test_repeated_failures_from_one_address_are_throttled(app, client):
    for i in range(20):
        assert post_login(client, f"guess{i}@school.example", "wrong").status_code == 422
    assert post_login(client, "another@school.example", "wrong").status_code == 429


def test_successful_sign_ins_do_not_count_towards_the_limit(app, client):
    with app.app_context():
        factories.user(email="sam@school.example")
        db.session.commit()
    for _ in range(8):
        assert post_login(client, "sam@school.example").status_code == 303
        client.post("/logout")


def test_deactivation_ends_existing_sessions_at_once(app, client):
    user_id = sign_in(client)
    remember = app.test_client()
    with app.app_context():
        email = db.session.get(User, user_id).email
    post_login(remember, email, remember="y")
    assert client.get("/").status_code == 200
    admin = app.test_client()
    sign_in(admin, roles={"lead"})
    assert admin.post(f"/admin/users/{user_id}/active", data={"active": "0"}).status_code == 303
    assert client.get("/").status_code == 303
    # The remember-me cookie no longer works either, even with the session cookie gone.
    remember.delete_cookie("eip_session")
    assert remember.get("/").status_code == 303


def _link(message) -> str:
    return re.search(r"http://localhost(/\S+)", message.get_content())[1]


def test_invitation_sets_a_password_once_and_signs_in(app, client, mailbox):
    sign_in(client, roles={"lead"})
    with app.app_context():
        school_id = factories.school().id
        db.session.commit()
    created = client.post("/admin/users/new", data={
        "name": "Zoë Ōkubo", "email": "zoe@school.example", "school_id": school_id,
        "roles": ["champion"]})
    assert created.status_code == 303
    (message,) = mailbox.to("zoe@school.example")
    link = _link(message)
    invitee = app.test_client()
    page = invitee.get(link)
    assert page.status_code == 200 and "Welcome, Zoë Ōkubo" in page.get_data(as_text=True)
    weak = invitee.post(link, data={"password": "password1", "confirm": "password1"})
    assert weak.status_code == 422
    mismatch = invitee.post(link, data={"password": "lantern kettle orbit",
                                        "confirm": "lantern kettle orbiT"})
    assert "do not match" in mismatch.get_data(as_text=True)
    done = invitee.post(link, data={"password": "lantern kettle orbit",
                                    "confirm": "lantern kettle orbit"})
    assert done.status_code == 303
    assert "Hello, Zoë" in invitee.get("/").get_data(as_text=True)
    again = app.test_client().get(link)
    assert again.status_code == 404
    assert "expired or has already been used" in again.get_data(as_text=True)


def test_password_reset_by_emailed_link(app, client, mailbox):
    with app.app_context():
        factories.user(email="sam@school.example")
        db.session.commit()
    sent = client.post("/reset-password", data={"email": "sam@school.example"})
    assert sent.status_code == 200 and "Check your email" in sent.get_data(as_text=True)
    unknown = client.post("/reset-password", data={"email": "nobody@school.example"})
    assert "<h1>Check your email</h1>" in unknown.get_data(as_text=True)  # the same answer
    (message,) = mailbox.messages
    assert message["Subject"] == "Reset your password" and "60 minutes" in message.get_content()
    link = _link(message)
    assert client.post(link, data={"password": "new lantern kettle",
                                   "confirm": "new lantern kettle"}).status_code == 303
    assert post_login(client, "sam@school.example").status_code == 422
    assert post_login(client, "sam@school.example", "new lantern kettle").status_code == 303
    assert client.get(link).status_code == 404


def test_reset_requests_are_throttled(client):
    for _ in range(5):
        client.post("/reset-password", data={"email": "x@school.example"})
    assert client.post("/reset-password", data={"email": "x@school.example"}).status_code == 429


def test_change_password_keeps_this_session_and_ends_the_others(app, client):
    user_id = sign_in(client)
    other = app.test_client()
    sign_in(other, user_id)
    wrong = client.post("/account/password", data={
        "current_password": "nope", "password": "lantern kettle orbit",
        "confirm": "lantern kettle orbit"})
    assert wrong.status_code == 422
    assert "current password is not correct" in wrong.get_data(as_text=True)
    ok = client.post("/account/password", data={
        "current_password": factories.PASSWORD, "password": "lantern kettle orbit",
        "confirm": "lantern kettle orbit"})
    assert ok.status_code == 303
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 303


def test_a_link_submitted_twice_at_once_works_exactly_once(app):
    import threading

    from eip_site.auth import services
    from eip_site.auth.models import INVITE

    with app.app_context():
        user = factories.user(password=None)
        raw = services.issue_token(user=user, purpose=INVITE)
        db.session.commit()
    barrier = threading.Barrier(2)
    statuses = []

    def accept(password):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/invite/{raw}", data={"password": password, "confirm": password})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=accept, args=(p,))
               for p in ("lantern kettle orbit", "orbit lantern kettle")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(statuses) in ([303, 404], [303, 422]), statuses


def test_signing_out_ends_the_session_wherever_its_cookie_was_copied(app):
    with app.app_context():
        email = factories.user(email="copied@school.example").email
        db.session.commit()
    browser, thief, phone = app.test_client(), app.test_client(), app.test_client()
    assert post_login(browser, email).status_code == 303
    assert post_login(phone, email).status_code == 303
    cookie = browser.get_cookie("eip_session")
    thief.set_cookie("eip_session", cookie.value)
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    assert browser.post("/logout").status_code == 303
    assert thief.get("/").headers["Location"].startswith("/login")
    assert phone.get("/").status_code == 200  # signing out one device leaves the others


def test_sign_out_of_all_other_devices(app):
    with app.app_context():
        email = factories.user(email="devices@school.example").email
        db.session.commit()
    here, there, elsewhere = app.test_client(), app.test_client(), app.test_client()
    for client in (here, there, elsewhere):
        post_login(client, email)
    page = here.get("/account/password").get_data(as_text=True)
    assert "signed in on 2 other devices" in page
    done = here.post("/account/sign-out-others")
    assert done.status_code == 303
    assert "Signed out of 2 other devices" in here.get(done.headers["Location"]).get_data(
        as_text=True)
    assert there.get("/").status_code == 303 and elsewhere.get("/").status_code == 303
    assert here.get("/").status_code == 200
    assert "not signed in anywhere else" in here.get("/account/password").get_data(as_text=True)
