"""Ask a colleague for help; see and answer your requests; termly numbers for leads."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..errors import DomainError
from ..extensions import db
from ..forms import BaseForm
from ..htmx import hx_redirect, is_htmx, render_page
from ..people.models import User
from ..security import ADMIN, LEAD
from . import bp, help
from .models import HELP_STATUSES

_id = lambda v: int(v) if str(v).isdigit() else None  # noqa: E731


class HelpForm(BaseForm):
    message = TextAreaField(
        "What do you need?",
        description="Say what you would like help with and how: a call, a visit, an email.",
        validators=[DataRequired("Enter what you need help with."),
                    Length(max=help.MAX_MESSAGE, message="Keep your request to 2,000 "
                           "characters or fewer.")])
    needed_by = DateField("By when (optional)", format=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
                          invalid_value_message="Enter a real date, like 27/03/2026.",
                          validators=[Optional()])
    skill = SelectField("Which of their skills is it about? (optional)", coerce=_id,
                        validate_choice=False)


@bp.route("/people/<int:user_id>/help", methods=["GET", "POST"])
def help_new(user_id: int):
    recipient = db.get_or_404(User, user_id)
    help.check_can_ask(actor=current_user, recipient=recipient)  # a broken rule: its own page
    form = HelpForm()
    form.skill.choices = [("", "Not about one skill")] + help.skill_choices(recipient)
    if form.validate_on_submit():
        try:
            help.send_help_request(
                actor=current_user, recipient=recipient, message=form.message.data,
                needed_by=form.needed_by.data, skill=help.find_skill(form.skill.data))
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash(f"Your request has been sent. We have emailed {recipient.name}.", "success")
            return hx_redirect(url_for("directory.help_list", box="sent"))
    return render_page("directory/help_new.html", form=form, recipient=recipient,
                       today=help.today(), status=form.status)


@bp.route("/help/")
def help_list():
    box = "sent" if request.args.get("box") == "sent" else "received"
    page = help.my_requests(user=current_user, box=box, page=request.args.get("page", 1, _id) or 1)
    stats = help.term_stats() if current_user.has_role(LEAD, ADMIN) else None
    return render_page("directory/help_list.html", "directory/_help_requests.html", box=box,
                       page=page, open_counts=help.open_counts(current_user), stats=stats,
                       statuses=HELP_STATUSES)


@bp.route("/help/<int:request_id>/status", methods=["POST"])
def help_status(request_id: int):
    row = help.request_for(actor=current_user, request_id=request_id)
    if row is None:
        abort(404)
    help.respond(actor=current_user, request=row, status=request.form.get("status", ""),
                 version=_id(request.form.get("version", "")))
    db.session.commit()
    message = f"Request {help.VERBS[row.status]}."
    if is_htmx():
        return render_page("directory/_help_row.html", r=row, flash_message=message,
                           statuses=HELP_STATUSES)
    flash(message, "success")
    box = "received" if row.to_user_id == current_user.id else "sent"
    return hx_redirect(url_for("directory.help_list", box=box))
