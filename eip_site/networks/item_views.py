"""Agenda items: add or propose, edit (with a merge view when someone else saved first),
move up and down (htmx or plain POST), accept a proposal, remove."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user

from ..errors import DomainError, StaleEdit
from ..extensions import db
from ..htmx import hx_redirect, is_htmx, render_page
from . import bp, queries, services
from .forms import ItemForm
from .meeting_views import agenda_context, editable_meeting, visible_meeting


def _item(meeting_id: int, item_id: int):
    item = queries.item(meeting_id, item_id)
    if item is None:
        abort(404)
    return item


def _item_args(form: ItemForm) -> dict:
    return {"title": form.title.data or "", "kind": form.kind.data,
            "presenter_id": form.presenter.data, "duration": form.duration.data,
            "notes": form.notes.data or ""}


def _back(meeting_id: int, item_id: int | None = None):
    anchor = f"#item-{item_id}" if item_id else "#agenda"
    return hx_redirect(url_for("networks.meeting", meeting_id=meeting_id) + anchor)


def _agenda(meeting_id: int, status: int = 200, **extra):
    return render_page("networks/meeting.html", "networks/_agenda.html", status=status,
                       **agenda_context(meeting_id, **extra))


@bp.route("/meetings/<int:meeting_id>/items", methods=["POST"])
def item_add(meeting_id: int):
    meeting = visible_meeting(meeting_id)
    if not (services.can_edit(current_user, meeting.network)
            or services.is_member(current_user, meeting.network)):
        abort(403, "Only members of the network can propose agenda items.")
    form = ItemForm()
    if form.validate():
        try:
            item = services.add_item(actor=current_user, meeting=meeting, **_item_args(form))
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash(f"“{item.title}” " + ("added to the agenda." if item.status == "accepted"
                                       else "proposed. The network leader will consider it."),
                  "success")
            return _agenda(meeting_id) if is_htmx() else _back(meeting_id, item.id)
    return _agenda(meeting_id, status=form.status, item_form=form)


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
def item_edit(meeting_id: int, item_id: int):
    meeting = visible_meeting(meeting_id)
    item = _item(meeting_id, item_id)
    if not (services.can_edit(current_user, meeting.network) or
            (item.status == "proposed" and item.proposed_by_id == current_user.id)):
        abort(403, "Only the network leader can change this item.")
    form = ItemForm(data={"title": item.title, "kind": item.kind,
                          "presenter": item.presenter_id, "duration": item.duration,
                          "notes": item.notes, "version": item.version})
    theirs = None
    if form.validate_on_submit():
        try:
            services.update_item(actor=current_user, item=item, version=form.version_number,
                                 **_item_args(form))
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
            if isinstance(error, StaleEdit):
                theirs = item = _item(meeting_id, item_id)
                form.version.data = str(item.version)  # saving again keeps your text
        else:
            db.session.commit()
            flash("Item saved.", "success")
            return _back(meeting_id, item.id)
    people = queries.people_of(meeting.network, queries.members_of(meeting.network))
    form.presenter.choices = [(None, "No one in particular")] + [(u.id, u.name) for u in people]
    return render_page("networks/item_edit.html", form=form, meeting=meeting, item=item,
                       theirs=theirs, people={u.id: u for u in people}, status=form.status)


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/move", methods=["POST"])
def item_move(meeting_id: int, item_id: int):
    editable_meeting(meeting_id)
    direction = request.form.get("direction", "")
    services.move_item(actor=current_user, item=_item(meeting_id, item_id), direction=direction)
    db.session.commit()
    if not is_htmx():
        return _back(meeting_id, item_id)
    return _agenda(meeting_id, moved=(item_id, direction))


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/accept", methods=["POST"])
def item_accept(meeting_id: int, item_id: int):
    editable_meeting(meeting_id)
    item = services.accept_item(actor=current_user, item=_item(meeting_id, item_id))
    db.session.commit()
    flash(f"“{item.title}” is on the agenda.", "success")
    return _agenda(meeting_id) if is_htmx() else _back(meeting_id, item_id)


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/remove", methods=["POST"])
def item_remove(meeting_id: int, item_id: int):
    visible_meeting(meeting_id)
    item = _item(meeting_id, item_id)
    title = item.title
    services.remove_item(actor=current_user, item=item)
    db.session.commit()
    flash(f"“{title}” removed from the agenda.", "success")
    return _agenda(meeting_id) if is_htmx() else _back(meeting_id)
