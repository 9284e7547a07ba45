"""Minutes: attendance, minutes per item (kept in versions; a merge view when someone else
saved first), decisions and actions."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user

from ..clock import utcnow
from ..errors import DomainError, StaleEdit
from ..extensions import db
from ..htmx import hx_redirect, is_htmx, render_page
from . import bp, queries, services
from .forms import ActionForm, DecisionForm, MinutesForm
from .item_views import _item
from .meeting_views import editable_meeting, visible_meeting
from .models import ATTENDANCE


def minutes_context(meeting_id: int, **extra) -> dict:
    page = queries.meeting_page(meeting_id, with_minutes=True)
    meeting = page.meeting
    editing = (services.can_edit(current_user, meeting.network) and meeting.reached("held")
               and meeting.state != "minutes_approved")
    choices = [(None, "Not about one item")] + [(i.id, i.title) for i in page.items]
    owners = [(None, "Choose the owner")] + [(u.id, u.name) for u in page.people]
    decision_form = extra.pop("decision_form", None) or DecisionForm(formdata=None)
    action_form = extra.pop("action_form", None) or ActionForm(formdata=None)
    decision_form.item.choices, action_form.item.choices = choices, choices
    action_form.owner.choices = owners
    forms = {i.id: MinutesForm(formdata=None, prefix=f"item{i.id}",
                               data={"minutes": i.minutes, "version": i.version})
             for i in page.items} if editing else {}
    forms.update(extra.pop("minutes_forms", {}))
    titles = {i.id: i.title for i in page.items}
    for item_id, form in forms.items():
        form.minutes.label.text = f"Minutes for “{titles.get(item_id, '')}”"
    return {"page": page, "meeting": meeting, "editing": editing,
            "can_edit": services.can_edit(current_user, meeting.network),
            "decision_form": decision_form, "action_form": action_form,
            "minutes_forms": forms, "ATTENDANCE": ATTENDANCE, "theirs": {},
            "today": utcnow().date(), **extra}


def _minutes_page(meeting_id: int, status: int = 200, **extra):
    ctx = minutes_context(meeting_id, **extra)
    return render_page("networks/minutes.html", status=status, **ctx)


@bp.route("/meetings/<int:meeting_id>/minutes")
def minutes(meeting_id: int):
    meeting = visible_meeting(meeting_id)
    if not services.can_view_minutes(current_user, meeting):
        abort(403, "These minutes are not available to you yet: members read them once the "
                   "meeting is held, others once they are approved.")
    return _minutes_page(meeting_id)


def _back(meeting_id: int, anchor: str):
    return hx_redirect(url_for("networks.minutes", meeting_id=meeting_id) + anchor)


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
def attendance(meeting_id: int):
    meeting = editable_meeting(meeting_id)
    people = queries.people_of(meeting.network, queries.members_of(meeting.network))
    statuses = {}
    for person in people:
        value = request.form.get(f"attendance-{person.id}")
        if value:
            statuses[person.id] = value
    services.record_attendance(actor=current_user, meeting=meeting, statuses=statuses,
                               members=people)
    db.session.commit()
    flash("Attendance saved.", "success")
    return _back(meeting_id, "#attendance")


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/minutes", methods=["POST"])
def item_minutes(meeting_id: int, item_id: int):
    editable_meeting(meeting_id)
    item = _item(meeting_id, item_id)
    if item.status != "accepted":
        abort(404)
    form = MinutesForm(prefix=f"item{item.id}")
    theirs = {}
    if form.validate():
        try:
            services.save_minutes(actor=current_user, item=item, text=form.minutes.data or "",
                                  version=form.version_number)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
            if isinstance(error, StaleEdit):
                item = _item(meeting_id, item_id)
                theirs = {item.id: item.minutes}
                form.version.data = str(item.version)  # saving again keeps your text
        else:
            db.session.commit()
            flash(f"Minutes saved for “{item.title}”.", "success")
            if not is_htmx():
                return _back(meeting_id, f"#minutes-{item.id}")
            form = None
    ctx = minutes_context(meeting_id, minutes_forms={item.id: form} if form else {},
                          theirs=theirs)
    status = form.status if form else 200
    if is_htmx():
        entry = next(i for i in ctx["page"].items if i.id == item.id)
        return render_page("networks/minutes.html", "networks/_item_minutes.html",
                           status=status, item=entry, **ctx)
    return render_page("networks/minutes.html", status=status, **ctx)


@bp.route("/meetings/<int:meeting_id>/decisions", methods=["POST"])
def decision_add(meeting_id: int):
    meeting = editable_meeting(meeting_id)
    form = DecisionForm()
    if form.validate():
        try:
            services.add_decision(actor=current_user, meeting=meeting, text=form.text.data,
                                  item_id=form.item.data)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash("Decision recorded.", "success")
            return _back(meeting_id, "#decisions")
    return _minutes_page(meeting_id, status=form.status or 422, decision_form=form)


@bp.route("/meetings/<int:meeting_id>/actions", methods=["POST"])
def action_add(meeting_id: int):
    meeting = editable_meeting(meeting_id)
    form = ActionForm()
    if form.validate():
        try:
            services.add_action(actor=current_user, meeting=meeting,
                                description=form.description.data, owner_id=form.owner.data,
                                due_on=form.due_on.data, item_id=form.item.data)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash("Action recorded.", "success")
            return _back(meeting_id, "#actions")
    return _minutes_page(meeting_id, status=form.status, action_form=form)
