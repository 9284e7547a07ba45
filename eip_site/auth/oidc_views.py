"""Single sign-on pages: a provider's button starts the flow, its callback signs in (or links
the provider's account to the signed-in person's), and the sign-in methods page lists them."""

from __future__ import annotations

from flask import abort, flash, request, session, url_for
from flask_login import current_user, login_user
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..htmx import hx_redirect, render_page
from ..security import allow_form_action
from . import bp, oidc, recent, services, totp
from .models import UserIdentity
from .views import safe_next

# Session keys: where to go after the callback, and what the flow is for when the person is
# already signed in (linking the account, or confirming it is them before a sensitive action).
_NEXT, _LINK, _CONFIRM = "oidc_next", "oidc_link", "oidc_confirm"


def sso_providers():
    """The template global for pages with the providers' buttons (which may then lead there)."""
    found = oidc.providers()
    allow_form_action(origin for p in found for origin in oidc.origins(p))
    return found


@bp.app_context_processor
def _sso_providers():
    return {"sso_providers": sso_providers}


def _provider(name: str):
    p = oidc.provider(name)
    if p is None:
        abort(404)
    return p


def _refused(p, refusal: oidc.SignInRefused):
    return render_page("auth/sso_refused.html", provider=p, message=refusal.message,
                       status=refusal.status)


def _to_provider(p):
    try:
        return oidc.start(p, url_for("auth.sso_callback", name=p.name, _external=True))
    except oidc.SignInRefused as refusal:
        return _refused(p, refusal)


def _begin(name: str, intent: str | None = None):
    """Off to the provider: ``intent`` (_LINK or _CONFIRM) is what the callback does for the
    signed-in person, none a sign-in; ``next`` where it goes after."""
    p = _provider(name)
    for key in (_LINK, _CONFIRM):
        session.pop(key, None)
    if intent:
        session[intent] = current_user.id
    session[_NEXT] = safe_next(request.args.get("next"))
    return _to_provider(p)


@bp.route("/login/sso/<name>", methods=["POST"])
def sso_start(name: str):
    return _begin(name)


@bp.route("/account/sign-in-methods/<name>", methods=["POST"])
def sso_link(name: str):
    return _begin(name, _LINK)


@bp.route("/account/confirm/<name>", methods=["POST"])
def sso_confirm(name: str):
    """"Confirm it is you" through the provider, for those who sign in with it (a person
    with no password has nothing else to enter)."""
    return _begin(name, _CONFIRM)


@bp.route("/login/sso/<name>/callback")
def sso_callback(name: str):
    p = _provider(name)
    linking, next_page = session.pop(_LINK, None), session.pop(_NEXT, None)
    confirming = session.pop(_CONFIRM, None)
    try:
        claims = oidc.finish(p)
        if confirming is not None:
            if not current_user.is_authenticated or current_user.id != confirming:
                raise oidc.SignInRefused("You were signed out before you confirmed it was you. "
                                         "Sign in and try again.")
            oidc.confirm_checked(current_user, p, claims)
            return hx_redirect(recent.confirmed(next_page or url_for("home.index")))
        if linking is not None:
            if not current_user.is_authenticated or current_user.id != linking:
                raise oidc.SignInRefused("You were signed out before the link was made. "
                                         "Sign in and try again.")
            oidc.link_checked(current_user, p, claims)
            audit.record("account.sso_linked", actor=current_user, obj=current_user,
                         summary=p.label)
            flash(f"Your {p.label} account is linked: you can sign in with it from now on.",
                  "success")
            return hx_redirect(url_for("auth.sign_in_methods"))
        user = oidc.account_for(p, claims)
    except oidc.SignInRefused as refusal:
        return _refused(p, refusal)
    if current_user.is_authenticated:  # signed in already: that session ends, as at sign-out
        services.end_session(current_user)
    session.clear()  # rotate: nothing from before sign-in survives
    session[oidc.SIGNED_IN_WITH] = f"oidc:{p.name}"  # set first: login_user's signal sees it
    login_user(services.start_session(user, request.headers.get("User-Agent", "")))
    totp.signed_in_now(enrol=False)  # the provider did the second factor: a recent sign-in
    audit.record("signin.succeeded", actor=user, obj=user, summary=f"With {p.label}")
    return hx_redirect(next_page or url_for("home.index"))


@bp.route("/account/sign-in-methods")
def sign_in_methods():
    mine = oidc.identities(current_user)
    return render_page("auth/sign_in_methods.html", identities=mine,
                       can_unlink=oidc.can_unlink(current_user, mine),
                       labels={p.name: p.label for p in oidc.providers()})


@bp.route("/account/sign-in-methods/<int:identity_id>/unlink", methods=["POST"])
def sso_unlink(identity_id: int):
    identity = db.first_or_404(select(UserIdentity).where(
        UserIdentity.id == identity_id, UserIdentity.user_id == current_user.id))
    p = oidc.provider(identity.provider)
    label = p.label if p else identity.provider
    oidc.unlink(current_user, identity)
    audit.record("account.sso_unlinked", actor=current_user, obj=current_user,
                 summary=f"{label} ({identity.email or identity.subject})")
    flash(f"Your {label} account is unlinked: it no longer signs you in here. You can link "
          "it again below.", "success")
    return hx_redirect(url_for("auth.sign_in_methods"))
