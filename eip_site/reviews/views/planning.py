"""Planning a round: the rota (leads), and the term dates and closures reviews are booked
around (leads for the partnership, heads for their own school)."""

from __future__ import annotations

from datetime import date

from flask import flash, request, url_for
from flask_login import current_user

from ...clock import today
from ...extensions import db
from ...forms import db_id, submit
from ...htmx import hx_redirect, render_page
from ...people.queries import school_names
from ...security import found
from .. import bp, queries, services
from ..forms import ClosureForm, RotaForm, TermForm
from ..models import CLOSURE_KINDS, Closure, Term
from ..permissions import can_remove, is_lead
from ..scheduling import NoRota, RotaVisit, make_rota


def _visits() -> list[RotaVisit]:
    """The rota carried in the accept form's hidden fields: visit=<host>:<school>,<school>."""
    visits = []
    for raw in request.form.getlist("visit")[:200]:
        host, _, sent = raw.partition(":")
        ids = [i for i in map(db_id, sent.split(",")) if i]
        if db_id(host) and ids:
            visits.append(RotaVisit(db_id(host), tuple(ids)))
    return visits


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


@bp.route("/reviews/rota", methods=["GET", "POST"])
def rota():
    """Propose a rota (shown with a first day to choose for each host), then accept it: a
    rota a rule refuses shows again, with the days chosen, and creates nothing."""
    schools = school_names()
    form = RotaForm(data={"schools": [s.id for s in schools]})
    form.schools.choices = [(s.id, s.name) for s in schools]
    form.focus_area.choices = [("", "Choose an area")] + list(queries.categories().items())
    proposal, starts = [], {}
    if request.form.get("action") == "accept":
        proposal = _visits()
        starts = {v.host: _date(request.form.get(f"start-{v.host}")) for v in proposal}
        done = submit(form, lambda: services.accept_rota(
            actor=current_user, visits=proposal, starts=starts, days=form.days.data,
            focus_area=form.focus_area.data, avoid_reciprocal=form.avoid_reciprocal.data,
            propose_teams=form.propose_teams.data), _accepted,
            url_for("reviews.index", state="planned"))
        if done:
            return done
    elif form.validate_on_submit():
        chosen = [s for s in form.schools.data or [] if s in {x.id for x in schools}]
        try:
            proposal = make_rota(chosen, form.per_review.data,
                                 avoid_reciprocal=form.avoid_reciprocal.data)
        except NoRota as why:
            form.form_errors.append(str(why))
    return render_page("reviews/rota.html", form=form, proposal=proposal,
                       names={s.id: s.name for s in schools}, starts=starts, today=today(),
                       status=form.status)


def _accepted(created) -> str:
    staffed = sum(review.state == "proposed" for review in created)
    if not staffed:
        return (f"Rota accepted: {len(created)} planned reviews created. Propose each team "
                "from its review page.")
    left = len(created) - staffed
    return (f"Rota accepted: {len(created)} reviews created, {staffed} with a team proposed "
            "to the host headteacher." + (f" {left} still need a team: their notes say which "
                                          "school had nobody free." if left else ""))


def _add_to_calendar(which: str, form):
    if which == "term":
        return services.add_term(actor=current_user, name=form.name.data,
                                 start=form.start_date.data, end=form.end_date.data)
    return services.add_closure(actor=current_user, school_id=form.school.data,
                                name=form.name.data, kind=form.kind.data,
                                start=form.start_date.data, end=form.end_date.data)


@bp.route("/admin/terms", methods=["GET", "POST"])
def terms():
    """Term dates (leads) and closures: partnership-wide (leads) or one school's (heads)."""
    lead = is_lead(current_user)
    term_form = TermForm(prefix="term")
    closure_form = ClosureForm(prefix="closure")
    schools = school_names() if lead else [current_user.school] if current_user.school \
        else []
    closure_form.school.choices = ([("", "Every school")] if lead else []) + [
        (s.id, s.name) for s in schools]
    which = request.form.get("form")
    form = term_form if which == "term" else closure_form
    if which in ("term", "closure"):
        done = submit(form, lambda: _add_to_calendar(which, form),
                      lambda _row: f"{form.name.data} added.", url_for("reviews.terms"))
        if done:
            return done
    status = 200
    if request.method == "POST":
        status = form.status if form.status != 200 else 422
    return render_page("reviews/terms.html", term_form=term_form, closure_form=closure_form,
                       terms=queries.terms(), closures=queries.closures(), is_lead=lead,
                       can_remove=can_remove, kinds=CLOSURE_KINDS, status=status)


@bp.route("/admin/terms/<any(term, closure):kind>/<int:row_id>/remove", methods=["POST"])
def terms_remove(kind: str, row_id: int):
    row = found(db.session.get({"term": Term, "closure": Closure}[kind], row_id))
    name = row.name
    services.remove_calendar_row(actor=current_user, row=row)
    flash(f"{name} removed.", "success")
    return hx_redirect(url_for("reviews.terms"))
