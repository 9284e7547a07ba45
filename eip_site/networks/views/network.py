"""Networks: the list, proposals and the lead's decision, a network's page and its meetings,
joining and closing, its action plan, and the leads' overview."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from ... import clock
from ...errors import DomainError
from ...forms import BaseForm, submit
from ...htmx import hx_redirect, render_page
from ...people.models import Partnership
from ...people.queries import paginate
from ...security import found
from .. import bp, lifecycle, pages, queries
from .. import overview as roll_up
from ..forms import DecisionOnProposalForm, PlanRowForm, ProposalForm, theirs_if_stale
from ..models import PLAN_STATUSES, PROPOSAL_FIELDS
from ..permissions import can_manage, is_lead, meetings_of, network_for
from ..plans import save_plan_row

PLAN_FIELDS = ("action", "timescale", "resources", "involved", "success_criteria", "progress")


@bp.route("/networks/")
def index():
    return render_page("networks/index.html", networks=pages.networks_list(),
                       mine=pages.my_network_ids(current_user.id))


@bp.route("/networks/new", methods=["GET", "POST"])
def network_new():
    form = ProposalForm()
    return submit(form, lambda: lifecycle.propose_network(actor=current_user, **{
        k: v for k, v in form.data.items() if k != "csrf_token"}),
        "Your proposal has been sent to the cluster leads.",
        lambda network: url_for("networks.network", network_id=network.id)) \
        or render_page("networks/new.html", form=form, status=form.status)


@bp.route("/networks/<int:network_id>")
def network(network_id: int):
    return _network_page(found(pages.network_page(network_id, current_user)))


@bp.route("/networks/<int:network_id>/meetings")
def network_meetings(network_id: int):
    """Every meeting the viewer may see, a page at a time (the network page shows the latest)."""
    network, insider = meetings_of(current_user, network_id)
    listing = paginate(pages.visible_meetings(insider, network.id),
                       request.args.get("page", 1, type=int), row=pages.MeetingRow)
    return render_page("networks/meetings.html", network=network, listing=listing)


def _network_page(page, decision_form=None, status=200):
    network = page.network
    lead = is_lead(current_user)
    form = decision_form or DecisionOnProposalForm(formdata=None)
    form.critical_friend.choices = [(None, "Choose later")] + [
        (u.id, f"{u.name}{' – ' + u.school.name if u.school else ''}")
        for u in queries.active_people() if u.has_role("head")] \
        if network.status == "proposed" and lead else []
    return render_page("networks/network.html", page=page, network=network,
                       membership=page.membership, can_edit=page.can_edit,
                       is_lead=lead, decision_form=form,
                       can_manage=can_manage(current_user, network),
                       proposal_fields=PROPOSAL_FIELDS, PLAN_STATUSES=PLAN_STATUSES,
                       today=clock.today(), status=status)


@bp.route("/networks/<int:network_id>/decision", methods=["POST"])
def network_decide(network_id: int):
    page = found(pages.network_page(network_id, current_user))
    form = DecisionOnProposalForm()
    form.critical_friend.choices = []
    return submit(form, lambda: lifecycle.decide_proposal(
        actor=current_user, network=page.network, sponsor=form.decision.data == "sponsor",
        comment=form.comment.data or "", critical_friend_id=form.critical_friend.data),
        lambda _: f"{page.network.name} is now {page.network.status_label.lower()}.",
        url_for("networks.network", network_id=network_id)) \
        or _network_page(page, form, status=form.status)


def _back(network_id: int, message: str, anchor: str = ""):
    flash(message, "success")
    return hx_redirect(url_for("networks.network", network_id=network_id) + anchor)


@bp.route("/networks/<int:network_id>/close", methods=["POST"])
def network_close(network_id: int):
    network = lifecycle.close_network(actor=current_user,
                                      network=network_for(current_user, network_id))
    return _back(network_id, f"{network.name} is closed. Its meetings, minutes and actions "
                             "stay readable.")


@bp.route("/networks/<int:network_id>/join", methods=["POST"])
def network_join(network_id: int):
    network = network_for(current_user, network_id)
    form = BaseForm()  # no fields: the button's one-time token makes a double click one request
    done = submit(form, lambda: lifecycle.ask_to_join(actor=current_user, network=network),
                  f"You have asked to join {network.name}. The network leader will let you in.",
                  url_for("networks.network", network_id=network_id))
    if done is None:  # refused: the rule's message as a page, as for any button
        raise DomainError(" ".join(form.form_errors) or "Reload the page and try again.")
    return done


@bp.route("/networks/<int:network_id>/members/<int:user_id>", methods=["POST"])
def member_accept(network_id: int, user_id: int):
    lifecycle.accept_member(actor=current_user, network=network_for(current_user, network_id),
                            user_id=user_id)
    return _back(network_id, "Welcomed to the network.", "#members")


@bp.route("/networks/overview")
def overview():
    today = clock.today()
    return render_page("networks/overview.html", today=today,
                       view=roll_up.overview(today, Partnership.current().year_start_month))


@bp.route("/networks/<int:network_id>/plan/new", methods=["GET", "POST"])
def plan_new(network_id: int):
    return _plan_form(network_for(current_user, network_id, edit=True), None)


@bp.route("/networks/<int:network_id>/plan/<int:row_id>", methods=["GET", "POST"])
def plan_edit(network_id: int, row_id: int):
    network = network_for(current_user, network_id, edit=True)
    return _plan_form(network, found(queries.plan_row(network.id, row_id)))


def _plan_form(network, row):
    """A row of the action plan, new or changed (a merge view when someone else saved first)."""
    form = PlanRowForm(data={**{k: getattr(row, k) for k in PLAN_FIELDS}, "version": row.version,
                             "plan_status": row.status} if row else None)
    return submit(form, lambda: save_plan_row(
        actor=current_user, network=network, row=row, version=form.version_number,
        status=form.plan_status.data, **{k: form[k].data or "" for k in PLAN_FIELDS}),
        "Action plan saved.", url_for("networks.network", network_id=network.id) + "#plan") \
        or render_page("networks/plan_form.html", form=form, network=network, row=row,
                       theirs=theirs_if_stale(form, row), PLAN_STATUSES=PLAN_STATUSES,
                       status=form.status)
