"""The network's leader lets someone in, or turns the request down with a reason, from the
join request's signed link, without signing in (eip_site/links.py): the link opens this
page, which asks before it acts, and works while the request waits."""

from __future__ import annotations

from flask import flash, request, url_for

from ... import links
from ...extensions import db
from ...forms import submit
from ...htmx import hx_redirect, render_page
from ...people.models import User
from .. import bp, lifecycle
from ..forms import ReasonForm
from ..models import Network, NetworkMember
from ..notices import JOIN


@bp.route("/networks/answer/<token>", methods=["GET", "POST"])
def join_answer(token: str):
    values, problem = links.read(JOIN, token)
    network = leader = person = None
    if values is not None and len(values) == 3:
        network, leader = db.session.get(Network, values[0]), db.session.get(User, values[1])
        person = db.session.get(User, values[2])
        row = db.session.get(NetworkMember, (values[0], values[2]))
        if network is None or leader is None or person is None or not leader.active \
                or network.leader_id != leader.id:
            problem = links.BAD
        elif row is None or row.status != "requested":
            problem = "used"
    elif problem is None:
        problem = links.BAD
    if problem is not None:
        return render_page("networks/join_answer.html", problem=problem, network=network,
                           person=person, status=404 if problem == links.BAD else 410)
    here = url_for("networks.join_answer", token=token)
    form = ReasonForm()
    if request.method == "POST" and request.form.get("answer") == "decline":
        return submit(form, lambda: lifecycle.decline_member(
            actor=leader, network=network, user_id=person.id, reason=form.reason.data or ""),
            f"You have declined {person.name}'s request to join {network.name}.", here) \
            or render_page("networks/join_answer.html", network=network, person=person,
                           token=token, form=form, status=form.status)
    if request.method == "POST":
        lifecycle.accept_member(actor=leader, network=network, user_id=person.id)
        flash(f"{person.name} is now a member of {network.name}.", "success")
        return hx_redirect(here)
    return render_page("networks/join_answer.html", network=network, person=person,
                       token=token, form=form)
