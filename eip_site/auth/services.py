"""Signing in, passwords, invitations and resets. Every write flushes; the view commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import bindparam, delete, exists, func, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit
from ..clock import utcnow
from ..errors import DomainError
from ..extensions import db
from ..mail import absolute_url
from ..notifications.notices import tell
from ..people.models import Partnership, User, UserSession, new_session_token
from . import oidc, totp
from .models import INVITE, RESET, AccountToken, hash_token

MIN_PASSWORD, MAX_PASSWORD = 10, 256
BAD_LOGIN = "Enter a correct email address and password."
BAD_LINK = (
    "This link has expired or has already been used. "
    "Ask for a new one, or contact your cluster lead."
)
# Compared against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common-passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Current NCSC/NIST guidance: length and a block list, no composition rules."""
    if len(password) < MIN_PASSWORD:
        return f"Password must be {MIN_PASSWORD} characters or more. A few random words work well."
    if len(password) > MAX_PASSWORD:
        return f"Password must be {MAX_PASSWORD} characters or fewer."
    folded = password.lower()
    guessable = {email.lower(), email.lower().split("@")[0], name.lower().replace(" ", "")}
    if (
        folded in common_passwords()
        or len(set(folded)) < 3
        or folded in guessable
        or folded.replace(" ", "") in guessable
    ):
        return "This password is too easy to guess. Choose another, such as three random words."
    return None


def set_password(user: User, password: str) -> None:
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise DomainError(problem, field="password")
    user.password_hash = generate_password_hash(password)
    user.session_token = new_session_token()  # every other session ends


def authenticate(*, email: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        raise DomainError(BAD_LOGIN, field="email")
    if not check_password_hash(user.password_hash, password):
        raise DomainError(BAD_LOGIN, field="email")
    if not user.active:
        raise DomainError(
            "This account has been deactivated. Ask your headteacher or cluster lead.",
            field="email",
        )
    refused = oidc.password_refused(user)
    if refused:
        raise DomainError(refused, field="email")
    user.last_login_at = utcnow()
    return user


def known_account(email: str) -> int | None:
    """The id of the account with this email, if there is one (for the audit trail)."""
    return db.session.scalar(select(User.id).where(User.email == email.strip().lower()))


PASSWORD = "password"  # how someone signed in: needs_second_factor's ``method``


def needs_second_factor(user: User, method: str) -> str | None:
    """The one check point for a second factor once the first one (``method``) passed:
    ``totp.CODE`` (ask for a code before signing in), ``totp.ENROL`` (sign in, then nothing
    but enrolment: they must have one and have none) or None. Only a password sign-in asks:
    an SSO provider (any other method) did its own second factor."""
    if method != PASSWORD:
        return None
    if totp.enrolled(user):
        return totp.CODE
    return totp.ENROL if totp.required(user) else None


# Roles in the same query (every page checks them): one round trip per request, not two.
# Built once, with the id as a parameter: a statement made per request costs more Python
# (building it, then its cache key) than running it.
# The partnership row comes in the same round trip: every signed-in page shows its name.
# The device's session must still exist: the same round trip again.
_USER_WITH_ROLES = select(User, Partnership).where(User.id == bindparam("user_id")) \
    .where(exists().where(UserSession.id == bindparam("session"),
                          UserSession.user_id == User.id)) \
    .outerjoin(Partnership, Partnership.id == 1).options(joinedload(User.role_rows))


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def load_user(cookie_id: str) -> User | None:
    """Flask-Login's loader: the cookie carries the id, the session token (changed when the
    password changes or the account is deactivated) and this device's session."""
    user_id, token, session_id = (cookie_id.split(":") + ["", ""])[:3]
    if not user_id.isdigit() or not token or not session_id or int(user_id) >= 2**31:
        return None
    row = db.session.execute(_USER_WITH_ROLES, {"user_id": int(user_id),
                                                "session": _digest(session_id)}).unique().first()
    if row is None:
        return None
    user, partnership = row
    if partnership is not None:
        Partnership.remember(partnership)
    if not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    user.session_id = session_id
    return user


def start_session(user: User, user_agent: str = "") -> User:
    """A new signed-in device for ``user``; its id goes into the cookie (``user.get_id()``)."""
    user.session_id = secrets.token_urlsafe(24)
    db.session.add(UserSession(id=_digest(user.session_id), user_id=user.id,
                               user_agent=user_agent[:200]))
    db.session.flush()
    return user


def end_session(user: User) -> None:
    """Sign this device out: a copy of its cookie stops working too."""
    db.session.execute(delete(UserSession).where(UserSession.id == _digest(user.session_id)))


def end_other_sessions(user: User) -> int:
    """Sign out every other device; returns how many were signed in."""
    return db.session.execute(delete(UserSession).where(
        UserSession.user_id == user.id,
        UserSession.id != _digest(user.session_id))).rowcount


def other_sessions(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id, UserSession.id != _digest(user.session_id)))


# --- Single-use links -------------------------------------------------------------------

def issue_token(*, user: User, purpose: str, actor: User | None = None) -> str:
    """A new link for ``user``; earlier unused links of the same purpose stop working."""
    now = utcnow()
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose,
               AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    cfg = current_app.config
    lifetime = (
        timedelta(days=int(cfg["INVITE_VALID_DAYS"])) if purpose == INVITE
        else timedelta(minutes=int(cfg["RESET_VALID_MINUTES"]))
    )
    raw = secrets.token_urlsafe(32)
    db.session.add(AccountToken(
        token_hash=hash_token(raw), purpose=purpose, user_id=user.id,
        created_by_id=actor.id if actor else None, created_at=now, expires_at=now + lifetime,
    ))
    db.session.flush()
    return raw


def find_token(raw: str, purpose: str) -> AccountToken | None:
    """The live token for a link, or None when it is unknown, used, expired or its user is gone."""
    token = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == hash_token(raw), AccountToken.purpose == purpose
        )
    )
    if token is None or token.used_at is not None or token.expires_at < utcnow():
        return None
    if not token.user.active:
        return None
    return token


def use_token(token: AccountToken, *, password: str) -> User:
    """Set the password and spend the link, exactly once even if submitted twice at once."""
    # Spend the link first: of two submissions at once, the loser stops here.
    spent = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if spent.rowcount != 1:
        raise DomainError(BAD_LINK)
    user = token.user
    set_password(user, password)  # a refused password rolls the spending back too
    db.session.flush()
    return user


def send_invitation(*, user: User, actor: User | None) -> str:
    raw = issue_token(user=user, purpose=INVITE, actor=actor)
    audit.record("account.invited", actor=actor or audit.SYSTEM, obj=user)
    partnership = Partnership.current()
    tell(
        "account.invited", [user],
        subject=f"You are invited to the {partnership.name} site",
        body=render_template(
            "auth/email_invite.txt", user=user, actor=actor, partnership=partnership,
            link=absolute_url("auth.invite", token=raw),
            days=current_app.config["INVITE_VALID_DAYS"],
        ),
    )
    return raw


def request_reset(*, email: str) -> str | None:
    """Email a reset link if the account exists and is usable. Says nothing either way."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or user.password_hash is None:
        return None
    raw = issue_token(user=user, purpose=RESET)
    tell(
        "account.reset", [user],
        subject="Reset your password",
        body=render_template(
            "auth/email_reset.txt", user=user, partnership=Partnership.current(),
            link=absolute_url("auth.reset", token=raw),
            minutes=current_app.config["RESET_VALID_MINUTES"],
        ),
    )
    return raw


def change_password(*, user: User, current: str, new: str) -> None:
    if user.password_hash is None or not check_password_hash(user.password_hash, current):
        raise DomainError("Your current password is not correct.", field="current_password")
    set_password(user, new)
    audit.record("account.password_changed", actor=user, obj=user)
    db.session.flush()
