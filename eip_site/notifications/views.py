"""Email choices (account menu) and the signed unsubscribe link."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user

from ..errors import DomainError
from ..extensions import csrf
from ..htmx import hx_redirect, render_page
from . import bp, services
from .models import KINDS, MODES


@bp.route("/account/notifications", methods=["GET", "POST"])
def settings():
    chosen = services.preferences(current_user)
    status = 200
    if request.method == "POST":
        wanted = {kind: request.form.get(kind, "") for kind in KINDS}
        try:
            services.save_preferences(actor=current_user, modes=wanted)
        except DomainError as error:  # the request's end undoes what was written
            flash(error.message, "error")
            status, chosen = 422, wanted
        else:
            flash("Your email choices are saved.", "success")
            return hx_redirect(url_for("notifications.settings"))
    return render_page("notifications/settings.html", chosen=chosen, kinds=KINDS, modes=MODES,
                       status=status)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed link is the proof; mail programs POST to it (RFC 8058 one-click)
def unsubscribe(token: str):
    found = services.read_unsubscribe(token)
    if found is None:
        abort(404, "This unsubscribe link is not valid. Change your email choices from the "
                   "account menu once signed in.")
    user, kind = found
    done = request.method == "POST"
    if done:
        services.unsubscribe(user=user, kind=kind)
    return render_page("notifications/unsubscribe.html", label=KINDS[kind][0], done=done,
                       token=token)
