"""A network after it starts: changing it (its leader and the leads), declining a request to
join, removing a member, leaving; declining a proposed agenda item with a reason; and
correcting or removing a recorded decision or action.
Each removal asks first on a page of its own, which works without JavaScript."""

from __future__ import annotations

from flask import url_for
from flask_login import current_user

from ...extensions import db
from ...forms import BaseForm, VersionedForm, submit
from ...htmx import render_page
from ...notifications.notices import told_as
from ...people.models import User
from ...security import found
from .. import agenda, bp, lifecycle, minutes, queries
from ..forms import (
    ActionEditForm,
    DecisionEditForm,
    NetworkForm,
    ReasonForm,
    theirs_if_stale,
)
from ..models import Decision
from ..permissions import item_for, meeting_for, network_for


def _network_url(network_id: int, anchor: str = "") -> str:
    return url_for("networks.network", network_id=network_id) + anchor


def _minutes_url(meeting_id: int, anchor: str) -> str:
    return url_for("networks.minutes", meeting_id=meeting_id) + anchor


# --- The network itself ----------------------------------------------------------------------

def _network_choices(form: NetworkForm, network) -> None:
    members = [m.user for m in queries.members_of(network) if m.status == "member"
               and m.user_id not in (network.leader_id, network.critical_friend_id)]
    form.leader.choices = [(network.leader_id, network.leader.name)] + [
        (u.id, u.name) for u in sorted(members, key=lambda u: u.name)]
    heads = [u for u in queries.active_people() if u.has_role("head")
             and u.id != network.leader_id]
    if network.critical_friend and network.critical_friend not in heads:
        heads.insert(0, network.critical_friend)
    form.critical_friend.choices = [(None, "Not yet named")] + [
        (u.id, f"{u.name}{' – ' + u.school.name if u.school else ''}") for u in heads]


@bp.route("/networks/<int:network_id>/edit", methods=["GET", "POST"])
def network_edit(network_id: int):
    network = network_for(current_user, network_id, manage=True)
    form = NetworkForm(data={"name": network.name, "purpose": network.purpose,
                             "priority": network.priority, "is_open": network.is_open,
                             "leader": network.leader_id,
                             "critical_friend": network.critical_friend_id,
                             "version": network.version})
    saved = submit(form, lambda: lifecycle.update_network(
        actor=current_user, network=network, name=form.name.data or "",
        purpose=form.purpose.data or "", priority=form.priority.data or "",
        is_open=form.is_open.data, leader_id=form.leader.data or network.leader_id,
        critical_friend_id=form.critical_friend.data, version=form.version_number),
        lambda saved: f"{saved.name} saved.", _network_url(network.id))
    if saved:
        return saved
    theirs = theirs_if_stale(form, network)
    _network_choices(form, network)
    return render_page("networks/network_edit.html", form=form, network=network,
                       theirs=theirs, status=form.status)


# --- Members: a request declined, a member removed, leaving ----------------------------------------

def _confirm(form, **page):
    return render_page("networks/confirm.html", form=form, status=form.status, **page)


@bp.route("/networks/<int:network_id>/members/<int:user_id>/decline", methods=["GET", "POST"])
def member_decline(network_id: int, user_id: int):
    network = network_for(current_user, network_id, edit=True)
    person = found(db.session.get(User, user_id))
    form = ReasonForm()
    return submit(form, lambda: lifecycle.decline_member(
        actor=current_user, network=network, user_id=person.id, reason=form.reason.data or ""),
        lambda _: f"You have declined {person.name}'s request to join. "
                  + told_as(person, "agenda"), _network_url(network.id, "#members")) \
        or _confirm(form, network=network, title=f"Decline {person.name}'s request to join "
                    f"{network.name}", button="Decline the request",
                    text=f"{person.name} is told, with your reason if you give one. They can "
                         "ask again later.")


@bp.route("/networks/<int:network_id>/members/<int:user_id>/remove", methods=["GET", "POST"])
def member_remove(network_id: int, user_id: int):
    network = network_for(current_user, network_id, edit=True)
    person = found(db.session.get(User, user_id))
    form = ReasonForm()

    def said(actions):
        kept = (" Their open actions stay, marked on this page for a new owner: "
                + "; ".join(a.description for a in actions) + ".") if actions else ""
        return f"{person.name} is no longer a member of {network.name}.{kept}"

    return submit(form, lambda: lifecycle.remove_member(
        actor=current_user, network=network, user_id=person.id, reason=form.reason.data or ""),
        said, _network_url(network.id, "#members")) \
        or _confirm(form, network=network, title=f"Remove {person.name} from {network.name}",
                    button=f"Remove {person.first_name}",
                    actions=lifecycle.open_actions_of(network, person.id),
                    text=f"{person.name} is told, with your reason if you give one. Their open "
                         "actions stay, marked on the network's page for you to give to "
                         "someone else.")


@bp.route("/networks/<int:network_id>/leave", methods=["GET", "POST"])
def network_leave(network_id: int):
    network = network_for(current_user, network_id)
    form = BaseForm()
    leads = current_user.id == network.leader_id
    return submit(form, lambda: lifecycle.leave_network(actor=current_user, network=network),
                  f"You have left {network.name}.", _network_url(network.id)) \
        or _confirm(form, network=network, title=f"Leave {network.name}",
                    button=None if leads else "Leave the network",
                    actions=lifecycle.open_actions_of(network, current_user.id),
                    text="You lead this network: hand the network over to another member "
                         "first, on the page that changes it, then leave." if leads else
                         "The network leader is told. Your open actions stay on your list "
                         "until the leader gives them to someone else.")


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/decline", methods=["GET", "POST"])
def item_decline(meeting_id: int, item_id: int):
    meeting_for(current_user, meeting_id, edit=True)  # only the leader's side declines
    item = item_for(current_user, meeting_id, item_id)
    meeting, title = item.meeting, item.title
    proposer = item.proposed_by
    form = ReasonForm()
    back = url_for("networks.meeting", meeting_id=meeting.id) + "#agenda"
    return submit(form, lambda: agenda.decline_item(
        actor=current_user, item=item, reason=form.reason.data or ""),
        f"“{title}” declined.", back) \
        or _confirm(form, network=meeting.network, back=back, quote=title,
                    title="Decline a proposed item", button="Decline the item",
                    text=f"{proposer.name if proposer else 'Whoever proposed it'} is told, "
                         "with your reason if you give one.")


# --- Decisions and actions -----------------------------------------------------------------

def _decision(decision_id: int) -> Decision:
    decision = found(db.session.get(Decision, decision_id))
    meeting_for(current_user, decision.meeting_id, edit=True)
    return decision


@bp.route("/decisions/<int:decision_id>/edit", methods=["GET", "POST"])
def decision_edit(decision_id: int):
    decision = _decision(decision_id)
    meeting = queries.meeting(decision.meeting_id)
    form = DecisionEditForm(data={"text": decision.text, "item": decision.item_id,
                                  "version": decision.version})
    saved = submit(form, lambda: minutes.update_decision(
        actor=current_user, decision=decision, text=form.text.data or "",
        item_id=form.item.data, version=form.version_number),
        "Decision saved.", _minutes_url(meeting.id, "#decisions"))
    if saved:
        return saved
    theirs = theirs_if_stale(form, decision)
    form.item.choices = [(None, "Not about one item")] + [
        (i.id, i.title) for i in meeting.items if i.status == "accepted"]
    return render_page("networks/record_edit.html", form=form, meeting=meeting,
                       heading="Change a decision", fields=("text", "item"),
                       theirs=theirs and [("Decision", theirs.text)],
                       remove=url_for("networks.decision_remove", decision_id=decision.id),
                       status=form.status)


@bp.route("/decisions/<int:decision_id>/remove", methods=["GET", "POST"])
def decision_remove(decision_id: int):
    decision = _decision(decision_id)
    meeting = queries.meeting(decision.meeting_id)
    form = VersionedForm(data={"version": decision.version})
    return submit(form, lambda: minutes.remove_decision(
        actor=current_user, decision=decision, version=form.version_number),
        "Decision removed.", _minutes_url(meeting.id, "#decisions")) \
        or _confirm(form, network=meeting.network, title="Remove this decision",
                    button="Remove the decision", quote=decision.text,
                    back=_minutes_url(meeting.id, "#decisions"),
                    text="It is taken out of the minutes. Only a decision recorded by "
                         "mistake should go: a changed mind is a new decision.")


def _action(action_id: int):
    action = found(queries.action(action_id))
    meeting_for(current_user, action.meeting_id, edit=True)
    return action


def _action_back(action) -> str:
    """Back to the minutes while they are open, else to the network's open actions."""
    if action.meeting.state == "minutes_approved":
        return _network_url(action.network_id, "#open-actions-heading")
    return _minutes_url(action.meeting_id, "#actions")


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
def action_edit(action_id: int):
    action = _action(action_id)
    form = ActionEditForm(data={"description": action.description, "owner": action.owner_id,
                                "due_on": action.due_on, "version": action.version})
    saved = submit(form, lambda: minutes.update_action(
        actor=current_user, action=action, description=form.description.data or "",
        owner_id=form.owner.data, due_on=form.due_on.data, version=form.version_number),
        "Action saved.", _action_back(action))
    if saved:
        return saved
    theirs = theirs_if_stale(form, action)
    network = action.network
    form.owner.choices = [(None, "Choose the owner")] + [
        (u.id, u.name) for u in queries.people_of(network, queries.members_of(network))]
    return render_page("networks/record_edit.html", form=form, meeting=action.meeting,
                       heading="Change an action", fields=("description", "owner", "due_on"),
                       theirs=theirs and [("Action", theirs.description),
                                          ("Owner", theirs.owner.name),
                                          ("Due by", f"{theirs.due_on:%-d %B %Y}")],
                       remove=None if action.meeting.state == "minutes_approved" else
                       url_for("networks.action_remove", action_id=action.id),
                       status=form.status)


@bp.route("/actions/<int:action_id>/remove", methods=["GET", "POST"])
def action_remove(action_id: int):
    action = _action(action_id)
    back = _action_back(action)
    form = VersionedForm(data={"version": action.version})
    return submit(form, lambda: minutes.remove_action(
        actor=current_user, action=action, version=form.version_number),
        "Action removed.", back) \
        or _confirm(form, network=action.network, title="Remove this action",
                    button="Remove the action", quote=action.description, back=back,
                    text=f"It is taken out of the minutes and off {action.owner.name}'s list.")
