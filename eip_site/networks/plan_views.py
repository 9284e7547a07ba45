"""A network's action plan: rows added and kept up to date by the leader, critical friend or a
cluster lead."""

from __future__ import annotations

from flask import abort, flash, url_for
from flask_login import current_user

from ..errors import DomainError, StaleEdit
from ..extensions import db
from ..htmx import hx_redirect, render_page
from . import bp, queries, services
from .forms import PlanRowForm
from .models import PLAN_STATUSES
from .views import network_or_404

FIELDS = ("action", "timescale", "resources", "involved", "success_criteria", "progress")


def _plan_form(network_id: int, row_id: int | None):
    network = network_or_404(network_id)
    if not services.can_edit(current_user, network):
        abort(403, "Only the network leader, the critical friend or a cluster lead can "
                   "change the action plan.")
    row = None
    if row_id is not None:
        row = queries.plan_row(network_id, row_id)
        if row is None:
            abort(404)
    form = PlanRowForm(data={**{k: getattr(row, k) for k in FIELDS}, "version": row.version,
                             "plan_status": row.status} if row else None)
    theirs = None
    if form.validate_on_submit():
        try:
            services.save_plan_row(
                actor=current_user, network=network, row=row, version=form.version_number,
                status=form.plan_status.data, **{k: form[k].data or "" for k in FIELDS})
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
            if isinstance(error, StaleEdit):
                theirs = row = queries.plan_row(network_id, row_id)
                form.version.data = str(row.version)
        else:
            db.session.commit()
            flash("Action plan saved.", "success")
            return hx_redirect(url_for("networks.network", network_id=network_id) + "#plan")
    return render_page("networks/plan_form.html", form=form, network=network, row=row,
                       theirs=theirs, PLAN_STATUSES=PLAN_STATUSES, status=form.status)


@bp.route("/networks/<int:network_id>/plan/new", methods=["GET", "POST"])
def plan_new(network_id: int):
    return _plan_form(network_id, None)


@bp.route("/networks/<int:network_id>/plan/<int:row_id>", methods=["GET", "POST"])
def plan_edit(network_id: int, row_id: int):
    return _plan_form(network_id, row_id)
