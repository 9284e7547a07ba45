"""My actions across networks, and marking one done (htmx swaps the row; without JavaScript
the page reloads)."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_login import current_user

from ..clock import utcnow
from ..extensions import db
from ..htmx import hx_redirect, is_htmx, render_page
from ..admin.forms import VersionedForm
from . import bp, queries, services


@bp.route("/actions/")
def actions():
    return render_page("networks/actions.html", actions=queries.my_actions(current_user.id),
                       today=utcnow().date())


@bp.route("/actions/<int:action_id>/status", methods=["POST"])
def action_status(action_id: int):
    action = queries.action(action_id)
    if action is None:
        abort(404)
    form = VersionedForm()
    done = request.form.get("status", "done") == "done"
    services.set_action_status(actor=current_user, action=action, done=done,
                               version=form.version_number)
    db.session.commit()
    if not is_htmx():
        return hx_redirect(url_for("networks.actions"))
    return render_page("networks/actions.html", "networks/_action_row.html", a=action,
                       today=utcnow().date(), changed=True)

