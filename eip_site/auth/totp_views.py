"""The second factor's pages: the code after a password, enrolment and recovery codes on the
account page, and entering the password or a code again before a sensitive action."""

from __future__ import annotations

import re

from flask import current_app, flash, request, session, url_for
from flask_login import current_user, login_user
from werkzeug.security import check_password_hash

from ..errors import DomainError
from ..extensions import limiter
from ..forms import submit
from ..htmx import hx_redirect, render_page
from . import bp, oidc, recent, totp
from .forms import CodeForm, ReauthForm
from .views import safe_next, signed_in

# While someone who must have a second factor has none, only these answer.
OPEN_WHILE_ENROLLING = frozenset({"auth.totp_setup", "auth.logout", "static", "home.healthz"})
TOO_MANY_CODES = "Too many wrong codes. Wait 15 minutes and try again."


@bp.before_app_request
def enrolment_gate():
    """After the permission gate: someone held to enrolment goes nowhere else."""
    if not totp.enrolment_due() or request.endpoint in OPEN_WHILE_ENROLLING \
            or request.endpoint is None or not current_user.is_authenticated:
        return None
    return hx_redirect(url_for("auth.totp_setup"))


def _failed(response) -> bool:
    return response.status_code == 422


def _code_key() -> str:
    """Wrong codes count per account, as wrong passwords do."""
    pending = session.get(totp.PENDING)
    who = pending.get("user") if isinstance(pending, dict) else None
    return f"code:{who if who is not None else getattr(current_user, 'id', '')}"


_throttled = [
    limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], key_func=_code_key,
                  methods=["POST"], deduct_when=_failed, error_message=TOO_MANY_CODES),
    limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], methods=["POST"],
                  deduct_when=_failed, error_message=TOO_MANY_CODES),
]


def throttled(view):
    for limit in _throttled:
        view = limit(view)
    return view


@bp.route("/login/code", methods=["GET", "POST"])
@throttled
def login_code():
    if current_user.is_authenticated:
        return hx_redirect(url_for("home.index"))
    held = totp.held()
    if held is None:
        if session.pop(totp.PENDING, None) is not None:
            flash("Sign in again: the code was not entered in time.", "info")
        return hx_redirect(url_for("auth.login"))
    user, pending = held
    form = CodeForm()

    def check():
        totp.check_code(user, form.code.data)
        session.clear()
        return signed_in(user, remember=pending.get("remember", False),
                         next_url=safe_next(pending.get("next")))

    done = submit(form, check, None, lambda target: target)
    return done or render_page("auth/login_code.html", form=form, status=form.status)


@bp.route("/account/two-step", methods=["GET", "POST"])
@throttled
def totp_setup():
    if totp.enrolled(current_user):
        return render_page("auth/two_step.html", codes_left=totp.codes_left(current_user))
    row = totp.start_enrolment(current_user)
    form = CodeForm()
    form.code.label.text = "Code from your authenticator app"

    def enrolled(codes):
        held = session.pop(totp.MUST_ENROL, None) or {}
        if held.get("remember"):
            login_user(current_user._get_current_object(), remember=True)
        return _codes_page(codes, next_url=safe_next(held.get("next")) or url_for("home.index"))

    done = submit(form, lambda: totp.confirm(current_user, form.code.data),
                  "Two-step sign-in is on.", enrolled)
    return done or render_page("auth/two_step_setup.html", form=form, status=form.status,
                               secret=totp.grouped(row.secret),
                               qr=totp.qr_svg(current_user, row.secret),
                               must=totp.enrolment_due())


def _codes_page(codes: list[str], *, next_url: str):
    """The recovery codes, shown once (and as a text file to keep)."""
    return render_page("auth/recovery_codes.html", codes=codes, next_url=next_url,
                       text="\r\n".join(["Recovery codes for " + current_user.email, ""] + codes
                                        + ["", "Each code works once."]))


@bp.route("/account/two-step/recovery-codes", methods=["POST"])
def recovery_codes():
    if not totp.enrolled(current_user):
        raise DomainError("Set up two-step sign-in first.")
    return _codes_page(totp.new_recovery_codes(current_user),
                       next_url=url_for("auth.totp_setup"))


@bp.route("/account/confirm", methods=["GET", "POST"])
@throttled
def reauth():
    form = ReauthForm()
    next_url = safe_next(request.args.get("next")) or url_for("home.index")

    def check():
        secret = form.secret.data
        # Six digits are a code (no password is that short); anything else, a password.
        if totp.enrolled(current_user) and re.fullmatch(r"\d{6}", secret.replace(" ", "")):
            try:
                totp.check_code(current_user, secret)
            except DomainError as error:
                raise DomainError(error.message, field="secret") from None
        elif current_user.password_hash is None \
                or not check_password_hash(current_user.password_hash, secret):
            raise DomainError("That is not your password or a current code.", field="secret")
        elif refused := oidc.password_refused(current_user):
            raise DomainError(refused, field="secret")

    done = submit(form, check, None, lambda _: recent.confirmed(next_url))
    return done or render_page(
        "auth/reauth.html", form=form, status=form.status, next_url=next_url,
        can_code=totp.enrolled(current_user),
        can_password=current_user.password_hash is not None
        and not oidc.password_refused(current_user),
        linked={identity.provider for identity in oidc.identities(current_user)})


@bp.route("/account/confirm/continue")
def reauth_continue():
    """After "confirm it is you": the form the person had sent, to send again with one press
    (kept in the session, shown once)."""
    kept = session.pop(recent.KEPT, None)
    if not isinstance(kept, dict) or not recent.is_recent():
        return hx_redirect(url_for("home.index"))
    return render_page("auth/reauth_continue.html", path=safe_next(kept["path"]) or "/",
                       fields=kept["fields"])
