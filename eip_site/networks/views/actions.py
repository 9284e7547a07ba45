"""My actions across networks, and marking one done (htmx swaps the row; without JavaScript
the page reloads)."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from ...forms import VersionedForm
from ... import clock
from ...htmx import hx_redirect, is_htmx, render_page
from .. import bp, queries
from ..minutes import set_action_status
from ..permissions import action_for


@bp.route("/actions/")
def actions():
    return render_page("networks/actions.html", actions=queries.my_actions(current_user.id),
                       today=clock.today())


@bp.route("/actions/<int:action_id>/status", methods=["POST"])
def action_status(action_id: int):
    action = action_for(current_user, action_id)
    set_action_status(actor=current_user, action=action,
                      done=request.form.get("status", "done") == "done",
                      version=VersionedForm().version_number)
    if not is_htmx():
        return hx_redirect(url_for("networks.actions"))
    return render_page("networks/actions.html", "networks/_action_row.html", a=action,
                       today=clock.today(), changed=True)
