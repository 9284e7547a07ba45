"""A meeting's minutes: attendance, minutes per item (kept in versions; a merge view when
someone else saved first), decisions and actions."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from ... import clock
from ...forms import submit
from ...htmx import hx_redirect, is_htmx, render_page
from .. import bp, pages, queries
from ..forms import ActionForm, DecisionForm, MinutesForm, theirs_if_stale
from ..minutes import add_action, add_decision, record_attendance, save_minutes
from ..models import ATTENDANCE
from ..permissions import can_edit, item_for, meeting_for, minutes_for


def _minutes_context(meeting_id: int, **extra) -> dict:
    page = pages.meeting_page(meeting_id, with_minutes=True)
    meeting = page.meeting
    editor = can_edit(current_user, meeting.network)
    editing = editor and meeting.reached("held") and meeting.state != "minutes_approved"
    choices = [(None, "Not about one item")] + [(i.id, i.title) for i in page.items]
    owners = [(None, "Choose the owner")] + [(u.id, u.name) for u in page.people]
    decision_form = extra.pop("decision_form", None) or DecisionForm(formdata=None)
    action_form = extra.pop("action_form", None) or ActionForm(formdata=None)
    decision_form.item.choices, action_form.item.choices = choices, choices
    # Both forms ask which item: one id each, so each label names its own select.
    decision_form.item.id, action_form.item.id = "decision-item", "action-item"
    action_form.owner.choices = owners
    forms = {i.id: MinutesForm(formdata=None, prefix=f"item{i.id}",
                               data={"minutes": i.minutes, "version": i.version})
             for i in page.items} if editing else {}
    forms.update(extra.pop("minutes_forms", {}))
    titles = {i.id: i.title for i in page.items}
    for item_id, form in forms.items():
        form.minutes.label.text = f"Minutes for “{titles.get(item_id, '')}”"
    return {"page": page, "meeting": meeting, "editing": editing, "can_edit": editor,
            "decision_form": decision_form, "action_form": action_form,
            "minutes_forms": forms, "ATTENDANCE": ATTENDANCE, "theirs": {},
            "today": clock.today(), **extra}


def _minutes_page(meeting_id: int, status: int = 200, **extra):
    return render_page("networks/minutes.html", status=status,
                       **_minutes_context(meeting_id, **extra))


def _minutes_url(meeting_id: int, anchor: str) -> str:
    return url_for("networks.minutes", meeting_id=meeting_id) + anchor


@bp.route("/meetings/<int:meeting_id>/minutes")
def minutes(meeting_id: int):
    meeting = minutes_for(current_user, meeting_id)
    return _minutes_page(meeting.id)


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
def attendance(meeting_id: int):
    meeting = meeting_for(current_user, meeting_id, edit=True)
    people = queries.people_of(meeting.network, queries.members_of(meeting.network))
    statuses = {}
    for person in people:
        value = request.form.get(f"attendance-{person.id}")
        if value:
            statuses[person.id] = value
    record_attendance(actor=current_user, meeting=meeting, statuses=statuses, members=people)
    flash("Attendance saved.", "success")
    return hx_redirect(_minutes_url(meeting_id, "#attendance"))


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/minutes", methods=["POST"])
def item_minutes(meeting_id: int, item_id: int):
    item = item_for(current_user, meeting_id, item_id, minutes=True)
    form = MinutesForm(prefix=f"item{item.id}")
    saved = submit(form, lambda: save_minutes(
        actor=current_user, item=item, text=form.minutes.data or "",
        version=form.version_number),
        f"Minutes saved for “{item.title}”.", _minutes_url(meeting_id, f"#minutes-{item.id}"))
    if saved and not is_htmx():
        return saved
    # htmx swaps the item's minutes in place rather than following the redirect.
    theirs = {item.id: item.minutes} if theirs_if_stale(form, item) else {}
    ctx = _minutes_context(meeting_id, minutes_forms={} if saved else {item.id: form},
                           theirs=theirs)
    if is_htmx():
        entry = next(i for i in ctx["page"].items if i.id == item.id)
        return render_page("networks/minutes.html", "networks/_item_minutes.html",
                           status=form.status, item=entry, **ctx)
    return render_page("networks/minutes.html", status=form.status, **ctx)


@bp.route("/meetings/<int:meeting_id>/decisions", methods=["POST"])
def decision_add(meeting_id: int):
    meeting = meeting_for(current_user, meeting_id, edit=True)
    form = DecisionForm()
    return submit(form, lambda: add_decision(
        actor=current_user, meeting=meeting, text=form.text.data, item_id=form.item.data),
        "Decision recorded.", _minutes_url(meeting_id, "#decisions")) \
        or _minutes_page(meeting_id, status=form.status, decision_form=form)


@bp.route("/meetings/<int:meeting_id>/actions", methods=["POST"])
def action_add(meeting_id: int):
    meeting = meeting_for(current_user, meeting_id, edit=True)
    form = ActionForm()
    return submit(form, lambda: add_action(
        actor=current_user, meeting=meeting, description=form.description.data,
        owner_id=form.owner.data, due_on=form.due_on.data, item_id=form.item.data),
        "Action recorded.", _minutes_url(meeting_id, "#actions")) \
        or _minutes_page(meeting_id, status=form.status, action_form=form)
