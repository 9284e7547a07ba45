"""Ask a colleague for help; see and answer your requests; termly numbers for leads.
Routes on the directory's blueprint, so every endpoint keeps its ``directory.`` name."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from ..clock import today
from ..directory import bp
from ..directory.models import HELP_STATUSES
from ..forms import submit
from ..htmx import hx_redirect, is_htmx, render_page
from ..notifications.notices import told_as
from ..security import ADMIN, LEAD
from . import permissions, queries, services
from .forms import HelpForm, whole_number


@bp.route("/people/<int:user_id>/help", methods=["GET", "POST"])
def help_new(user_id: int):
    recipient = permissions.recipient_for(current_user, user_id)
    form = HelpForm()
    form.skill.choices = [("", "Not about one skill")] + queries.skill_choices(recipient)
    return submit(form, lambda: services.send_help_request(
        actor=current_user, recipient=recipient, message=form.message.data,
        needed_by=form.needed_by.data, skill=services.find_skill(form.skill.data)),
        lambda _row: f"Your request has been sent. {told_as(recipient, 'help')}",
        url_for("directory.help_list", box="sent")) \
        or render_page("help_requests/help_new.html", form=form, recipient=recipient,
                       today=today(), status=form.status)


@bp.route("/help/")
def help_list():
    box = "sent" if request.args.get("box") == "sent" else "received"
    page = queries.my_requests(user=current_user, box=box,
                               page=request.args.get("page", 1, whole_number) or 1)
    stats = queries.term_stats() if current_user.has_role(LEAD, ADMIN) else None
    return render_page("help_requests/help_list.html", "help_requests/_help_requests.html",
                       box=box, page=page, open_counts=queries.open_counts(current_user),
                       stats=stats, statuses=HELP_STATUSES)


@bp.route("/help/<int:request_id>/status", methods=["POST"])
def help_status(request_id: int):
    row = permissions.request_for(current_user, request_id)
    services.respond(actor=current_user, request=row, status=request.form.get("status", ""),
                     version=whole_number(request.form.get("version", "")))
    message = f"Request {services.VERBS[row.status]}."
    if is_htmx():
        return render_page("help_requests/_help_row.html", r=row, flash_message=message,
                           statuses=HELP_STATUSES)
    flash(message, "success")
    box = "received" if row.to_user_id == current_user.id else "sent"
    return hx_redirect(url_for("directory.help_list", box=box))
