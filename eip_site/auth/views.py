from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, request, session, url_for
from flask_login import current_user, login_user, logout_user

from .. import audit
from ..extensions import limiter, login_manager
from ..forms import submit
from ..htmx import hx_redirect, render_page
from . import bp, services, totp
from .forms import ChangePasswordForm, LoginForm, ResetRequestForm, SetPasswordForm
from .models import INVITE, RESET


login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"
login_manager.user_loader(services.load_user)


@login_manager.unauthorized_handler
def unauthorized():
    """Send to the login page; an htmx request is told to navigate rather than swap a form in."""
    target = url_for("auth.login", next=safe_next(request.full_path.rstrip("?")))
    if request.headers.get("HX-Request") == "true":
        return hx_redirect(url_for("auth.login"))
    if request.endpoint != "home.index":  # arriving at the front door needs no explanation
        flash(login_manager.login_message, "info")
    return hx_redirect(target)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return None
    return target


def _failed(response) -> bool:
    return response.status_code == 422


def _login_email() -> str:
    return "login:" + request.form.get("email", "").strip().lower()[:254]


def _throttled(_limit):
    """on_breach: a refused sign-in is recorded, on its own connection (the request fails)."""
    audit.record_apart("signin.throttled", summary="Too many failed sign-ins from this address "
                       "or for this account")


TOO_MANY = (
    "Too many failed sign-in attempts. Wait 15 minutes and try again, "
    "or reset your password."
)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], key_func=_login_email,
               methods=["POST"], deduct_when=_failed, error_message=TOO_MANY,
               on_breach=_throttled)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], methods=["POST"],
               deduct_when=_failed, error_message=TOO_MANY, on_breach=_throttled)
def login():
    if current_user.is_authenticated:
        return hx_redirect(url_for("home.index"))
    form = LoginForm()

    def sign_in():
        user = services.authenticate(email=form.email.data, password=form.password.data)
        session.clear()  # rotate: nothing from before sign-in survives
        step = services.needs_second_factor(user, services.PASSWORD)
        next_url = safe_next(request.args.get("next"))
        if step == totp.CODE:  # not signed in until the code (totp_views.login_code)
            totp.hold(user, remember=form.remember.data, next_url=next_url)
            return url_for("auth.login_code")
        return signed_in(user, remember=form.remember.data, next_url=next_url, step=step)

    done = submit(form, sign_in, None, lambda target: target)
    if hasattr(form, "error_status"):  # the service refused: wrong email or password
        known = services.known_account(form.email.data)
        audit.record_apart("signin.failed", actor=audit.SYSTEM, about=known,
                           summary="Wrong password or deactivated account" if known
                           else "No account with the email entered")
    return done or render_page("auth/login.html", form=form, status=form.status)


def _new_device(user):
    return services.start_session(user, request.headers.get("User-Agent", ""))


def signed_in(user, *, remember: bool = False, next_url: str | None = None,
              step: str | None = None) -> str:
    """The last factor passed: start the device's session; where to go (enrolment first for
    someone who must have a second factor and has none)."""
    enrol = step == totp.ENROL
    login_user(_new_device(user), remember=remember and not enrol)
    audit.record("signin.succeeded", actor=user, obj=user)
    totp.signed_in_now(enrol=enrol, remember=remember, next_url=next_url)
    return url_for("auth.totp_setup") if enrol else next_url or url_for("home.index")


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.end_session(current_user)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return hx_redirect(url_for("auth.login"))


def _link_page(raw: str, purpose: str, template: str, signed_in, success, redirect_to):
    """An emailed link's set-a-password page: ``signed_in(user)`` decides the session after."""
    token = services.find_token(raw, purpose)
    if token is None:
        return render_page("auth/link_invalid.html", status=404)
    form = SetPasswordForm()
    invitee = token.user
    done = submit(form, lambda: signed_in(services.use_token(token, password=form.password.data)),
                  success, redirect_to)
    return done or render_page(template, form=form, invitee=invitee, status=form.status)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invite(token: str):
    def invited(user):
        session.clear()
        signed_in(user, step=services.needs_second_factor(user, services.PASSWORD))
        return user

    return _link_page(token, INVITE, "auth/invite.html", invited,
                      lambda user: f"Welcome, {user.first_name}. Your account is ready.",
                      url_for("home.index"))


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT_ADDRESS"], methods=["POST"],
               error_message="Too many reset requests. Wait an hour and try again.")
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_reset(email=form.email.data)
        return render_page("auth/reset_sent.html", email=form.email.data)
    return render_page("auth/reset_request.html", form=form, status=form.status)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset(token: str):
    def signed_out(user):
        logout_user()
        session.clear()
        return user

    return _link_page(token, RESET, "auth/reset.html", signed_out,
                      "Your password has been changed. Sign in with your new password.",
                      url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()

    def change():
        services.change_password(user=current_user, current=form.current_password.data,
                                 new=form.password.data)
        services.end_other_sessions(current_user)
        login_user(current_user._get_current_object())  # this session carries the new token

    done = submit(form, change,
                  "Your password has been changed. You have been signed out everywhere else.",
                  url_for("home.index"))
    return done or render_page("auth/change_password.html", form=form, status=form.status,
                               others=services.other_sessions(current_user))


@bp.route("/account/sign-out-others", methods=["POST"])
def sign_out_others():
    ended = services.end_other_sessions(current_user)
    flash(f"Signed out of {ended} other {'device' if ended == 1 else 'devices'}. "
          "This one stays signed in." if ended else "No other device was signed in.", "success")
    return hx_redirect(url_for("auth.change_password"))
