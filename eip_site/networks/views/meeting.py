"""A meeting: arranged, changed, its page (the agenda), moved through its states, as .ics;
and its agenda items: added or proposed, edited (a merge view when someone else saved
first), moved up and down (htmx or plain POST), accepted, removed."""

from __future__ import annotations

from flask import Response, flash, request, url_for
from flask_login import current_user

from ...calendars import ics_response, new_calendar
from ...clock import to_london
from ...errors import DomainError
from ...files.queries import papers
from ...forms import BaseForm, submit
from ...htmx import hx_redirect, is_htmx, render_page
from .. import agenda, answers, bp, meetings, pages, queries, series
from ..forms import AnswerForm, ItemForm, MeetingForm, theirs_if_stale
from ..ics import meeting_event
from ..pdf import document
from ..permissions import can_edit, can_view_minutes, is_member, item_for, meeting_for, \
    minutes_for, network_for
from ..timetable import timetable


def _place_choices(form: MeetingForm) -> None:
    form.school.choices = [(None, "Not at a school (online)")] + [
        (s.id, s.name) for s in queries.schools()]


def _where(form: MeetingForm) -> dict:
    return {"day": form.day.data, "start": form.start.data, "end": form.end.data,
            "school_id": form.school.data, "place": form.place.data or "",
            "online_link": form.online_link.data or ""}


def _meeting_url(meeting_id: int, anchor: str = "") -> str:
    return url_for("networks.meeting", meeting_id=meeting_id) + anchor


@bp.route("/networks/<int:network_id>/meetings/new", methods=["GET", "POST"])
def meeting_new(network_id: int):
    network = network_for(current_user, network_id, edit=True)
    form = MeetingForm()
    _place_choices(form)
    return submit(form, lambda: meetings.create_meeting(
        actor=current_user, network=network, copy_previous=form.start_from.data == "previous",
        **_where(form)), "Meeting arranged. Add the items, then publish the agenda.",
        lambda meeting: _meeting_url(meeting.id)) \
        or render_page("networks/meeting_form.html", form=form, network=network, meeting=None,
                       status=form.status)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def meeting_edit(meeting_id: int):
    meeting = meeting_for(current_user, meeting_id, edit=True)
    start, end = to_london(meeting.starts_at), to_london(meeting.ends_at)
    form = MeetingForm(data={"day": start.date(), "start": start.time(), "end": end.time(),
                             "school": meeting.school_id, "place": meeting.place,
                             "online_link": meeting.online_link, "version": meeting.version})
    _place_choices(form)
    return submit(form, lambda: meetings.update_meeting(
        actor=current_user, meeting=meeting, version=form.version_number, **_where(form)),
        "Meeting changed.", _meeting_url(meeting.id)) \
        or render_page("networks/meeting_form.html", form=form, network=meeting.network,
                       meeting=meeting, status=form.status)


def _agenda_context(meeting_id: int, **extra) -> dict:
    page = pages.meeting_page(meeting_id)
    meeting = page.meeting
    member = is_member(current_user, meeting.network, page.members)
    editor = can_edit(current_user, meeting.network)
    item_form = extra.pop("item_form", None) or ItemForm(formdata=None)
    people = page.people
    mine = page.answers.get(current_user.id)
    answer_form = extra.pop("answer_form", None) or AnswerForm(formdata=None, data={
        "answer": mine.answer if mine else None, "note": mine.note if mine else ""})
    item_form.presenter.choices = [(None, "No one in particular")] + [
        (u.id, u.name) for u in people]
    return {"page": page, "meeting": meeting, "can_edit": editor,
            "can_propose": (member or editor) and not meeting.reached("held"),
            "can_see_minutes": can_view_minutes(current_user, meeting, member=member),
            "can_see_previous_minutes": page.previous is not None and can_view_minutes(
                current_user, page.previous, member=member, network=meeting.network),
            "plan": timetable(meeting.starts_at, meeting.ends_at,
                              [i.duration for i in page.items]),
            "item_form": item_form, "moved": None,
            # The viewer's own answer (leader, critical friend and members answer).
            "answer_form": answer_form, "my_answer": mine,
            "series": series.series_of(meeting),
            "can_answer": any(u.id == current_user.id for u in people)
            and answers.closed_reason(meeting) is None,
            # Presenters and proposers by id: most are the network's people, named without
            # the ORM's lookup per item (~35 µs each); anyone else is loaded as before.
            "names": {u.id: u.name for u in people}, **extra}


@bp.route("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    # Held in a variable: the session keeps loaded rows only while something refers to them,
    # and the page reads this meeting again (a second query when it had been let go).
    meeting = meeting_for(current_user, meeting_id)
    return render_page("networks/meeting.html", "networks/_agenda.html",
                       **_agenda_context(meeting.id))


@bp.route("/meetings/<int:meeting_id>/answer", methods=["POST"])
def meeting_answer(meeting_id: int):
    meeting = meeting_for(current_user, meeting_id)
    form = AnswerForm()
    return submit(form, lambda: answers.answer(
        actor=current_user, meeting=meeting, answer=form.answer.data, note=form.note.data),
        answers.saved_message, _meeting_url(meeting.id, "#your-answer")) \
        or _agenda(meeting.id, status=form.status, answer_form=form)


# step -> (the change, what to say, the page to go to)
STEPS = {"publish": (meetings.publish_agenda, "Agenda published.", "networks.meeting"),
         "held": (meetings.mark_held, "Meeting recorded as held. Now take the minutes.",
                  "networks.minutes"),
         "approve": (meetings.approve_minutes,
                     "Minutes approved, and sent to the members with a PDF.",
                     "networks.minutes"),
         "cancel": (meetings.cancel_meeting, "Meeting cancelled.", "networks.meeting"),
         "send_draft": (meetings.send_draft_minutes,
                        "Draft minutes sent to the members, with a PDF.", "networks.minutes")}


@bp.route("/meetings/<int:meeting_id>/state", methods=["POST"])
def meeting_state(meeting_id: int):
    meeting = meeting_for(current_user, meeting_id, edit=True)
    step = request.form.get("step", "")
    if step not in STEPS:
        raise DomainError("Choose what to do with the meeting.")
    change, message, target = STEPS[step]
    change(actor=current_user, meeting=meeting)
    flash(message, "success")
    return hx_redirect(url_for(target, meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/<any(agenda, minutes):what>.pdf")
def meeting_pdf(meeting_id: int, what: str):
    meeting = minutes_for(current_user, meeting_id) if what == "minutes" \
        else meeting_for(current_user, meeting_id)
    name, pdf = document(meeting, what)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/meetings/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int):
    meeting = meeting_for(current_user, meeting_id)
    cal = new_calendar()
    cal.add_component(meeting_event(meeting))
    return ics_response(cal, f"meeting-{meeting.id}.ics")


# --- Agenda items ------------------------------------------------------------------------

def _item_args(form: ItemForm) -> dict:
    return {"title": form.title.data or "", "kind": form.kind.data,
            "presenter_id": form.presenter.data, "duration": form.duration.data,
            "notes": form.notes.data or ""}


def _agenda(meeting_id: int, status: int = 200, **extra):
    return render_page("networks/meeting.html", "networks/_agenda.html", status=status,
                       **_agenda_context(meeting_id, **extra))


def _after(meeting_id: int, message: str, anchor: str = "#agenda"):
    """A button's change made: htmx swaps the agenda in place, a plain POST reloads the page."""
    flash(message, "success")
    return _agenda(meeting_id) if is_htmx() else hx_redirect(_meeting_url(meeting_id, anchor))


@bp.route("/meetings/<int:meeting_id>/items", methods=["POST"])
def item_add(meeting_id: int):
    meeting = meeting_for(current_user, meeting_id, propose=True)
    form = ItemForm()
    saved = submit(form, lambda: agenda.add_item(
        actor=current_user, meeting=meeting, **_item_args(form)),
        lambda item: f"“{item.title}” " + ("added to the agenda." if item.status == "accepted"
                                          else "proposed. The network leader will consider it."),
        lambda item: _meeting_url(meeting_id, f"#item-{item.id}"))
    if saved and not is_htmx():
        return saved
    # htmx swaps the agenda in place rather than following the redirect.
    return _agenda(meeting_id, status=form.status, item_form=None if saved else form)


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
def item_edit(meeting_id: int, item_id: int):
    item = item_for(current_user, meeting_id, item_id, edit=True)
    meeting = item.meeting
    form = ItemForm(data={"title": item.title, "kind": item.kind,
                          "presenter": item.presenter_id, "duration": item.duration,
                          "notes": item.notes, "version": item.version})
    saved = submit(form, lambda: agenda.update_item(
        actor=current_user, item=item, version=form.version_number, **_item_args(form)),
        "Item saved.", _meeting_url(meeting_id, f"#item-{item.id}"))
    if saved:
        return saved
    theirs = theirs_if_stale(form, item)
    people = queries.people_of(meeting.network, queries.members_of(meeting.network))
    form.presenter.choices = [(None, "No one in particular")] + [(u.id, u.name) for u in people]
    return render_page("networks/item_edit.html", form=form, meeting=meeting, item=item,
                       theirs=theirs, people={u.id: u for u in people}, status=form.status)


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/move", methods=["POST"])
def item_move(meeting_id: int, item_id: int):
    direction = request.form.get("direction", "")
    agenda.move_item(actor=current_user, item=item_for(current_user, meeting_id, item_id),
                     direction=direction)
    if not is_htmx():
        return hx_redirect(_meeting_url(meeting_id, f"#item-{item_id}"))
    return _agenda(meeting_id, moved=(item_id, direction))


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/accept", methods=["POST"])
def item_accept(meeting_id: int, item_id: int):
    item = agenda.accept_item(actor=current_user,
                              item=item_for(current_user, meeting_id, item_id))
    return _after(meeting_id, f"“{item.title}” is on the agenda.", f"#item-{item_id}")


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/remove", methods=["GET", "POST"])
def item_remove(meeting_id: int, item_id: int):
    """GET: the question before an item goes for good (the edit page links here); POST: it
    goes (a proposer's Withdraw posts straight from the agenda)."""
    if request.method == "GET":
        item = item_for(current_user, meeting_id, item_id, edit=True)
        files = papers("item", [item.id]).live(item.id)
        goes = (["its notes"] if item.notes else []) + (
            [f"its {len(files)} {'paper' if len(files) == 1 else 'papers'} "
             f"({', '.join(f.title for f in files)})"] if files else [])
        declinable = item.status == "proposed" and item.proposed_by_id != current_user.id
        return render_page(
            "networks/confirm.html", form=BaseForm(), network=item.meeting.network,
            back=url_for("networks.item_edit", meeting_id=meeting_id, item_id=item_id),
            title="Remove this item", quote=item.title, button="Remove the item",
            text=f"It goes from the agenda{', with ' + ' and '.join(goes) if goes else ''}. "
                 "This cannot be undone." + (" To tell whoever proposed it why, decline it "
                                             "instead, from the agenda." if declinable else ""))
    item = item_for(current_user, meeting_id, item_id)
    title = item.title
    agenda.remove_item(actor=current_user, item=item)
    return _after(meeting_id, f"“{title}” removed from the agenda.")
