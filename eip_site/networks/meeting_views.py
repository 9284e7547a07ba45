"""Meetings: arrange one, its page (the agenda), change it, move it through its states, .ics."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user

from ..calendars import ics_response, new_calendar
from ..clock import to_london
from ..errors import DomainError
from ..extensions import db
from ..forms import submit
from ..htmx import hx_redirect, render_page
from . import bp, queries, services
from .forms import ItemForm, MeetingForm
from .ics import meeting_event
from .timetable import timetable
from .views import network_or_404


def visible_meeting(meeting_id: int):
    meeting = queries.meeting(meeting_id)
    if meeting is None:
        abort(404)
    if not services.can_view_meeting(current_user, meeting):
        abort(403, "This network's meetings are for its members. Ask the network leader "
                   "to join.")
    return meeting


def editable_meeting(meeting_id: int):
    meeting = visible_meeting(meeting_id)
    if not services.can_edit(current_user, meeting.network):
        abort(403, "Only the network leader, the critical friend or a cluster lead can "
                   "change this meeting.")
    return meeting


def _place_choices(form: MeetingForm) -> None:
    form.school.choices = [(None, "Not at a school (online)")] + [
        (s.id, s.name) for s in queries.schools()]


def _where(form: MeetingForm) -> dict:
    return {"day": form.day.data, "start": form.start.data, "end": form.end.data,
            "school_id": form.school.data, "place": form.place.data or "",
            "online_link": form.online_link.data or ""}


@bp.route("/networks/<int:network_id>/meetings/new", methods=["GET", "POST"])
def meeting_new(network_id: int):
    network = network_or_404(network_id)
    if not services.can_edit(current_user, network):
        abort(403, "Only the network leader, the critical friend or a cluster lead can "
                   "arrange meetings.")
    form = MeetingForm()
    _place_choices(form)
    return submit(form, lambda: services.create_meeting(
        actor=current_user, network=network, copy_previous=form.start_from.data == "previous",
        **_where(form)), "Meeting arranged. Add the items, then publish the agenda.",
        lambda meeting: url_for("networks.meeting", meeting_id=meeting.id)) \
        or render_page("networks/meeting_form.html", form=form, network=network, meeting=None,
                       status=form.status)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def meeting_edit(meeting_id: int):
    meeting = editable_meeting(meeting_id)
    start, end = to_london(meeting.starts_at), to_london(meeting.ends_at)
    form = MeetingForm(data={"day": start.date(), "start": start.time(), "end": end.time(),
                             "school": meeting.school_id, "place": meeting.place,
                             "online_link": meeting.online_link, "version": meeting.version})
    _place_choices(form)
    return submit(form, lambda: services.update_meeting(
        actor=current_user, meeting=meeting, version=form.version_number, **_where(form)),
        "Meeting changed.", url_for("networks.meeting", meeting_id=meeting.id)) \
        or render_page("networks/meeting_form.html", form=form, network=meeting.network,
                       meeting=meeting, status=form.status)


def agenda_context(meeting_id: int, **extra) -> dict:
    page = queries.meeting_page(meeting_id)
    meeting = page.meeting
    member = services.is_member(current_user, meeting.network, page.members)
    can_edit = services.can_edit(current_user, meeting.network)
    item_form = extra.pop("item_form", None) or ItemForm(formdata=None)
    people = page.people
    item_form.presenter.choices = [(None, "No one in particular")] + [
        (u.id, u.name) for u in people]
    return {"page": page, "meeting": meeting, "can_edit": can_edit,
            "can_propose": (member or can_edit) and not meeting.reached("held"),
            "can_see_minutes": services.can_view_minutes(current_user, meeting, member=member),
            "plan": timetable(meeting.starts_at, meeting.ends_at,
                              [i.duration for i in page.items]),
            "item_form": item_form, "moved": None,
            # Presenters and proposers by id: most are the network's people, named without
            # the ORM's lookup per item (~35 µs each); anyone else is loaded as before.
            "names": {u.id: u.name for u in people}, **extra}


@bp.route("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    # Held in a variable: the session keeps loaded rows only while something refers to them,
    # and the page reads this meeting again (a second query when it had been let go).
    meeting = visible_meeting(meeting_id)
    return render_page("networks/meeting.html", "networks/_agenda.html",
                       **agenda_context(meeting.id))


@bp.route("/meetings/<int:meeting_id>/state", methods=["POST"])
def meeting_state(meeting_id: int):
    meeting = editable_meeting(meeting_id)
    step = request.form.get("step", "")
    steps = {"publish": (services.publish_agenda, "Agenda published."),
             "held": (services.mark_held, "Meeting recorded as held. Now take the minutes."),
             "approve": (services.approve_minutes, "Minutes approved.")}
    if step not in steps:
        raise DomainError("Choose what to do with the meeting.")
    change, message = steps[step]
    change(actor=current_user, meeting=meeting)
    db.session.commit()
    flash(message, "success")
    target = "networks.minutes" if step in ("held", "approve") else "networks.meeting"
    return hx_redirect(url_for(target, meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int):
    meeting = visible_meeting(meeting_id)
    cal = new_calendar()
    cal.add_component(meeting_event(meeting))
    return ics_response(cal, f"meeting-{meeting.id}.ics")
