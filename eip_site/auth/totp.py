"""The second factor: an authenticator app (TOTP, RFC 6238, by pyotp) and ten single-use
recovery codes. Who must have one is ``required`` (the findings rule of reviews); the sign-in
views ask for a code when ``services.needs_second_factor`` says so. Every write flushes; the
view commits.

Two states live in the signed session, never as a signed-in device:
- ``PENDING``: the password was right and a code is awaited, for ``PENDING_SECONDS``; the
  device's session (``services.start_session``) starts only after the code.
- ``MUST_ENROL``: signed in with a password by someone who must have a second factor and has
  none; every page but enrolment and signing out sends them to enrolment (the gate in
  ``totp_views``). Their remember-me cookie waits until they are enrolled.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time

import pyotp
from flask import render_template, session
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from .. import audit
from ..clock import utcnow
from ..errors import DomainError
from ..extensions import db
from ..notifications.notices import tell
from ..people.models import Partnership, User, new_session_token
from . import recent
from .models import RecoveryCode, UserTotp

CODE, ENROL = "code", "enrol"  # what signing in still needs (services.needs_second_factor)
STEP = 30                      # seconds a code lasts (what every authenticator app uses)
PENDING, MUST_ENROL = "second_factor", "must_enrol"  # session keys
PENDING_SECONDS = 5 * 60
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to mistype

BAD_CODE = "Enter the 6-digit code your authenticator app shows now, or a recovery code."
BAD_APP_CODE = "Enter the 6-digit code your authenticator app shows now."
USED_CODE = "That code has been used already. Wait for your app to show the next one."


def _now() -> float:
    return time.time()


def required(user: User) -> bool:
    """Whoever may see a review's findings signs in with a second factor."""
    from ..reviews.permissions import may_see_some_findings

    return may_see_some_findings(user)


def enrolment(user: User) -> UserTotp | None:
    return db.session.get(UserTotp, user.id)


def enrolled(user: User) -> bool:
    row = enrolment(user)
    return row is not None and row.confirmed_at is not None


# --- Enrolment --------------------------------------------------------------------------

def start_enrolment(user: User) -> UserTotp:
    """The unconfirmed secret to show (the same one on every drawing, until confirmed)."""
    row = enrolment(user)
    if row is None:
        row = UserTotp(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(row)
        db.session.flush()
    return row


def grouped(secret: str) -> str:
    """The secret in fours, for typing into an app: ``ABCD EFGH …``."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(user: User, secret: str) -> Markup:
    """The otpauth:// address as an inline SVG QR code (no script, no style: CSP-safe)."""
    import segno  # only the enrolment page draws one: not on every worker's start-up

    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email,
                                              issuer_name=Partnership.current().name)
    svg = segno.make(uri, error="m").svg_inline(scale=4, title="QR code for your "
                                                "authenticator app", svgclass="qr-code")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code for your '
                              'authenticator app" ', 1))


def confirm(user: User, code: str) -> list[str]:
    """Turn the second factor on with a current code; returns the new recovery codes."""
    row = enrolment(user)
    if row is None or row.confirmed_at is not None:
        raise DomainError("Two-step sign-in is already set up.", field="code")
    _check_app_code(row, code, BAD_APP_CODE)
    row.confirmed_at = utcnow()
    audit.record("mfa.enrolled", actor=user, obj=user)
    return new_recovery_codes(user)


# --- Codes ------------------------------------------------------------------------------

def _digits(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


def _check_app_code(row: UserTotp, code: str, message: str) -> None:
    """A code of the step before, now or after (clocks drift), newer than the last used:
    the step is spent with a conditional UPDATE, so two requests cannot both use it."""
    code = _digits(code)
    if not re.fullmatch(r"\d{6}", code):
        raise DomainError(message, field="code")
    totp, now = pyotp.TOTP(row.secret), int(_now() // STEP)
    for step in (now - 1, now, now + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            spent = db.session.execute(
                update(UserTotp).where(UserTotp.user_id == row.user_id,
                                       or_(UserTotp.last_step.is_(None),
                                           UserTotp.last_step < step))
                .values(last_step=step).execution_options(synchronize_session=False))
            if spent.rowcount != 1:
                raise DomainError(USED_CODE, field="code")
            row.last_step = step
            return
    raise DomainError(message, field="code")


def check_code(user: User, code: str) -> None:
    """The second factor at sign-in: a code from the app, or a recovery code (spent)."""
    row = enrolment(user)
    if row is None or row.confirmed_at is None:
        raise DomainError(BAD_CODE, field="code")
    if re.fullmatch(r"\d{6}", _digits(code)):
        _check_app_code(row, code, BAD_CODE)
    elif not _use_recovery_code(user, code):
        raise DomainError(BAD_CODE, field="code")


def _hash(salt: str, code: str) -> str:
    return hashlib.sha256((salt + code).encode()).hexdigest()


def _normal(code: str) -> str:
    return _digits(code).lower()


def new_recovery_codes(user: User) -> list[str]:
    """Ten new codes (the old ones stop working), shown once: only salted hashes are kept.
    Each is 10 random letters and digits (~49 bits), so a fast hash is enough."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    for code in codes:
        salt = secrets.token_hex(8)
        db.session.add(RecoveryCode(user_id=user.id, code_hash=f"{salt}${_hash(salt, code)}"))
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _use_recovery_code(user: User, code: str) -> bool:
    code = _normal(code)
    for row in db.session.scalars(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))):
        salt, _, digest = row.code_hash.partition("$")
        if secrets.compare_digest(_hash(salt, code), digest):
            return db.session.execute(
                update(RecoveryCode).where(RecoveryCode.id == row.id,
                                           RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())).rowcount == 1
    return False


def codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def reset(*, user: User, actor: User) -> None:
    """An administrator turns someone's second factor off (a lost phone): they are signed
    out everywhere, emailed, and set it up again at their next sign-in if they must."""
    if enrolment(user) is None:
        raise DomainError(f"{user.name} has not set up two-step sign-in.")
    db.session.execute(delete(UserTotp).where(UserTotp.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_token = new_session_token()
    db.session.flush()
    audit.record("mfa.reset", actor=actor, obj=user)
    tell("account.mfa_reset", [user], skip=[actor],
         subject="Your two-step sign-in was reset",
         body=render_template("auth/email_second_factor_reset.txt", user=user, actor=actor,
                              partnership=Partnership.current(), must=required(user)))


# --- The half-signed-in states ------------------------------------------------------------

def hold(user: User, *, remember: bool, next_url: str | None) -> None:
    """Password right, code awaited: remembered in the signed session for a few minutes."""
    session[PENDING] = {"user": user.id, "token": user.session_token,
                        "until": _now() + PENDING_SECONDS, "remember": bool(remember),
                        "next": next_url}


def held() -> tuple[User, dict] | None:
    """The person whose code is awaited, and what they asked for; None when nobody is, the
    wait is over, or the account changed (password, reset, deactivated) meanwhile."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("until", 0) < _now():
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or user.session_token != pending.get("token"):
        return None
    return user, pending


def signed_in_now(*, enrol: bool, remember: bool = False, next_url: str | None = None) -> None:
    """After the last factor: the sign-in is recent; someone who must enrol is held to it."""
    session.pop(PENDING, None)
    recent.mark()
    if enrol:
        session[MUST_ENROL] = {"remember": bool(remember), "next": next_url}


def enrolment_due() -> bool:
    return MUST_ENROL in session


def demo_secret(email: str) -> str:
    """The demo partnership's fixed secret for ``email`` (seed-demo prints it)."""
    import base64

    digest = hashlib.sha256(b"eip-demo-totp:" + email.strip().lower().encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def enrol_with(user: User, secret: str) -> None:
    """Enrol ``user`` with a known secret (the demo's seeding): confirmed, no code used."""
    row = enrolment(user) or UserTotp(user_id=user.id, secret=secret)
    row.secret, row.confirmed_at, row.last_step = secret, row.confirmed_at or utcnow(), None
    db.session.add(row)
    db.session.flush()
