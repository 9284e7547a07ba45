"""Networks: the list, proposals and the lead's decision, a network's page, joining."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user

from ..clock import utcnow
from ..extensions import db
from ..forms import submit
from ..htmx import hx_redirect, render_page
from ..people.models import Partnership
from ..people.queries import paginate
from . import bp, queries, services
from .forms import DecisionOnProposalForm, ProposalForm
from .models import PLAN_STATUSES, PROPOSAL_FIELDS


def network_or_404(network_id: int):
    network = queries.network(network_id)
    if network is None:
        abort(404)
    return network


@bp.route("/networks/")
def index():
    return render_page("networks/index.html", networks=queries.networks_list(),
                       mine=queries.my_network_ids(current_user.id))


@bp.route("/networks/new", methods=["GET", "POST"])
def network_new():
    form = ProposalForm()
    return submit(form, lambda: services.propose_network(actor=current_user, **{
        k: v for k, v in form.data.items() if k != "csrf_token"}),
        "Your proposal has been sent to the cluster leads.",
        lambda network: url_for("networks.network", network_id=network.id)) \
        or render_page("networks/new.html", form=form, status=form.status)


@bp.route("/networks/<int:network_id>")
def network(network_id: int):
    page = queries.network_page(network_id, current_user)
    if page is None:
        abort(404)
    return _network_page(page)


@bp.route("/networks/<int:network_id>/meetings")
def network_meetings(network_id: int):
    """Every meeting the viewer may see, a page at a time (the network page shows the latest)."""
    network = network_or_404(network_id)
    insider = services.can_edit(current_user, network) or services.is_member(current_user,
                                                                             network)
    if not (insider or network.is_open):
        abort(404)
    listing = paginate(queries.visible_meetings(insider, network.id),
                       request.args.get("page", 1, type=int), row=queries.MeetingRow)
    return render_page("networks/meetings.html", network=network, listing=listing)


def _network_page(page, decision_form=None, status=200):
    network = page.network
    form = decision_form or DecisionOnProposalForm(formdata=None)
    form.critical_friend.choices = [(None, "Choose later")] + [
        (u.id, f"{u.name}{' – ' + u.school.name if u.school else ''}")
        for u in queries.active_people() if u.has_role("head")] \
        if network.status == "proposed" and services.is_lead(current_user) else []
    return render_page("networks/network.html", page=page, network=network,
                       membership=page.membership, can_edit=page.can_edit,
                       is_lead=services.is_lead(current_user), decision_form=form,
                       proposal_fields=PROPOSAL_FIELDS, PLAN_STATUSES=PLAN_STATUSES,
                       today=utcnow().date(), status=status)


@bp.route("/networks/<int:network_id>/decision", methods=["POST"])
def network_decide(network_id: int):
    page = queries.network_page(network_id, current_user) or abort(404)
    form = DecisionOnProposalForm()
    form.critical_friend.choices = []
    return submit(form, lambda: services.decide_proposal(
        actor=current_user, network=page.network, sponsor=form.decision.data == "sponsor",
        comment=form.comment.data or "", critical_friend_id=form.critical_friend.data),
        lambda _: f"{page.network.name} is now {page.network.status_label.lower()}.",
        url_for("networks.network", network_id=network_id)) \
        or _network_page(page, form, status=form.status)


@bp.route("/networks/<int:network_id>/close", methods=["POST"])
def network_close(network_id: int):
    network = network_or_404(network_id)
    services.close_network(actor=current_user, network=network)
    db.session.commit()
    flash(f"{network.name} is closed. Its meetings, minutes and actions stay readable.",
          "success")
    return hx_redirect(url_for("networks.network", network_id=network_id))


@bp.route("/networks/<int:network_id>/join", methods=["POST"])
def network_join(network_id: int):
    network = network_or_404(network_id)
    services.ask_to_join(actor=current_user, network=network)
    db.session.commit()
    flash(f"You have asked to join {network.name}. The network leader will let you in.",
          "success")
    return hx_redirect(url_for("networks.network", network_id=network_id))


@bp.route("/networks/<int:network_id>/members/<int:user_id>", methods=["POST"])
def member_accept(network_id: int, user_id: int):
    network = network_or_404(network_id)
    services.accept_member(actor=current_user, network=network, user_id=user_id)
    db.session.commit()
    flash("Welcomed to the network.", "success")
    return hx_redirect(url_for("networks.network", network_id=network_id) + "#members")


@bp.route("/networks/overview")
def overview():
    today = utcnow().date()
    return render_page("networks/overview.html", today=today,
                       view=queries.overview(today, Partnership.current().year_start_month))
