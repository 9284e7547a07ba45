from datetime import timedelta

import pytest

from eip_site.auth import services
from eip_site.auth.models import INVITE, RESET, AccountToken
from eip_site.errors import DomainError

from .. import factories


@pytest.mark.parametrize("password, problem", [
    ("short", "10 characters or more"),
    ("x" * 257, "256 characters or fewer"),
    ("qwertyuiop", "too easy to guess"),
    ("1234567890", "too easy to guess"),
    ("aaaaaaaaaaaa", "too easy to guess"),
    ("sam.ortiz@school.example", "too easy to guess"),
])
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    assert problem in services.password_problem(password, email="sam.ortiz@school.example",
                                                  name="Sam Ortiz")


@pytest.mark.parametrize("password", [
    "correct horse battery staple",
    "kettle-lantern-orbit",
    "Ünïcödé pässwörd ✓",
    "x7#" + "long passphrase " * 10,
])
def test_long_passphrases_need_no_composition_rules(password):
    assert services.password_problem(password[:256]) is None


def test_authenticate_is_case_insensitive_and_records_the_sign_in(ctx):
    user = factories.user(email="sam@school.example")
    assert services.authenticate(email="  SAM@School.Example ", password=factories.PASSWORD) is user
    assert user.last_login_at is not None


@pytest.mark.parametrize("email, password", [
    ("sam@school.example", "wrong password here"),
    ("nobody@school.example", factories.PASSWORD),
])
def test_wrong_credentials_give_one_message_that_reveals_nothing(ctx, email, password):
    factories.user(email="sam@school.example")
    with pytest.raises(DomainError, match="Enter a correct email address and password"):
        services.authenticate(email=email, password=password)


def test_invited_user_cannot_sign_in_before_setting_a_password(ctx):
    factories.user(email="new@school.example", password=None)
    with pytest.raises(DomainError):
        services.authenticate(email="new@school.example", password="")


def test_deactivated_user_is_told_why(ctx):
    factories.user(email="gone@school.example", active=False)
    with pytest.raises(DomainError, match="deactivated"):
        services.authenticate(email="gone@school.example", password=factories.PASSWORD)


def test_session_token_must_match_for_the_cookie_to_work(ctx):
    user = factories.user()
    assert services.load_user(user.get_id()) is None  # no device signed in
    cookie = services.start_session(user).get_id()
    assert services.load_user(cookie) is user
    services.set_password(user, "a brand new passphrase")
    assert services.load_user(cookie) is None
    assert services.load_user(user.get_id()) is user
    assert services.load_user("garbage") is None and services.load_user("1:") is None
    assert services.load_user("99999999999999999999:x:y") is None


def test_signing_out_one_device_leaves_the_others(ctx):
    user = factories.user()
    laptop = services.start_session(user, "Firefox").get_id()
    phone = services.start_session(user, "Safari").get_id()
    tablet = services.start_session(user).get_id()
    assert services.load_user(laptop) is user
    services.end_session(user)  # the device last loaded: the laptop
    assert services.load_user(laptop) is None
    assert services.load_user(phone) is user and services.load_user(tablet) is user
    assert services.other_sessions(user) == 1
    assert services.end_other_sessions(user) == 1  # from the tablet, loaded last
    assert services.load_user(phone) is None and services.load_user(tablet) is user


def test_a_link_works_once(ctx):
    user = factories.user(password=None)
    raw = services.issue_token(user=user, purpose=INVITE)
    token = services.find_token(raw, INVITE)
    services.use_token(token, password="lantern kettle orbit")
    assert services.find_token(raw, INVITE) is None
    with pytest.raises(DomainError, match="already been used"):
        services.use_token(token, password="another good passphrase")


def test_a_new_link_cancels_the_old_one_and_links_expire(ctx):
    user = factories.user()
    first = services.issue_token(user=user, purpose=RESET)
    second = services.issue_token(user=user, purpose=RESET)
    assert services.find_token(first, RESET) is None
    token = services.find_token(second, RESET)
    assert token is not None
    assert services.find_token(second, INVITE) is None  # purposes do not mix
    token.expires_at -= timedelta(hours=2)
    assert services.find_token(second, RESET) is None


def test_only_the_hash_of_a_link_is_stored(ctx):
    user = factories.user()
    raw = services.issue_token(user=user, purpose=RESET)
    stored = ctx.query(AccountToken).one()
    assert raw not in stored.token_hash and len(stored.token_hash) == 64


def test_reset_request_for_unknown_email_sends_nothing(ctx, mailbox):
    assert services.request_reset(email="nobody@school.example") is None
    assert mailbox.messages == []
