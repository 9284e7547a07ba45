"""Review pages: list, month calendar, booking, the review page and its actions, calendars."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, request, url_for
from flask_login import current_user

from ..auth.services import absolute_url
from ..calendars import ics_response
from ..data_version import stamps
from ..networks.queries import feed_meetings
from ..errors import DomainError
from ..extensions import db
from ..forms import submit
from ..htmx import hx_redirect, is_htmx, render_page
from ..people.models import School, User
from ..people.queries import active_school_names, school_names
from ..security import ADMIN, LEAD
from . import bp, ics, queries, services
from .forms import (
    CancelForm,
    ClosureForm,
    FindingsForm,
    RescheduleForm,
    ReviewForm,
    RotaForm,
    StepForm,
    TeamForm,
    TermForm,
    UnavailableForm,
    WorkshopForm,
)
from .models import CLOSURE_KINDS, STATES, CalendarFeed, Closure, Term
from .rules import NoRota, RotaVisit, make_rota, month_weeks, shift_month


def _int(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.route("/reviews/")
def index():
    filters = queries.Filters(term=_int("term"), school=_int("school"),
                              state=request.args.get("state", "") if request.args.get(
                                  "state") in STATES else "",
                              mine=request.args.get("mine") == "1", page=_int("page") or 1)
    listing = queries.list_reviews(filters, current_user)
    can_book = services.is_organiser(current_user)
    if is_htmx():  # the list alone: no filters, no themes
        return render_page("reviews/_list.html", listing=listing, can_book=can_book)
    themes_stamp, people_stamp = stamps("themes", "people")
    return render_page("reviews/index.html", filters=filters, listing=listing,
                       terms=queries.terms(), schools=active_school_names(people_stamp),
                       states=STATES, can_book=can_book,
                       themes=queries.themes(services.today() - timedelta(days=365),
                                             themes_stamp))


@bp.route("/reviews/calendar")
def calendar():
    today = services.today()
    raw = request.args.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-")) if raw else (today.year, today.month)
        date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    mine = request.args.get("mine") == "1"
    return render_page("reviews/calendar.html", weeks=month_weeks(year, month),
                       by_day=queries.month(year, month, current_user if mine else None),
                       first=date(year, month, 1), mine=mine, today=today,
                       prev=shift_month(year, month, -1), next=shift_month(year, month, 1))


def _review_form(form: ReviewForm) -> ReviewForm:
    form.host_school.choices = [("", "Choose a school")] + [
        (s.id, s.name) for s in school_names()]
    form.focus_area.choices = [("", "Choose an area")] + list(queries.categories().items())
    form.champion.choices = [("", "Not yet known")] + [
        (u.id, f"{u.name}, {u.school.name}") for u in queries.champions() if u.school]
    return form


@bp.route("/reviews/new", methods=["GET", "POST"])
def new():
    form = _review_form(ReviewForm())
    return submit(form, lambda: services.create_review(
        actor=current_user, host_school=db.session.get(School, form.host_school.data),
        focus=form.focus.data, focus_area=form.focus_area.data,
        start_date=form.start_date.data, days=form.days.data,
        champion=db.session.get(User, form.champion.data) if form.champion.data else None,
        notes=form.notes.data or "", closed_reason=form.closed_reason.data or ""),
        "Review booked. Now propose the team.",
        lambda review: url_for("reviews.detail", review_id=review.id) + "#team") \
        or render_page("reviews/new.html", form=form, today=services.today(), status=form.status)


def _review(review_id: int):
    review = queries.review(review_id)
    if review is None:
        abort(404)
    return review


def _detail(review, status: int = 200, **forms):
    """The review page, with any form that failed shown with its errors."""
    user = current_user
    team = forms.get("team") or TeamForm(formdata=None, version=review.version,
                                         lead=review.lead_reviewer.id if review.lead_reviewer
                                         else None, reviewers=[u.id for u in review.reviewers])
    can_edit = services.can_edit(user, review)
    # The team is picked until the review days: only then are the candidates read.
    picking = can_edit and review.state in ("planned", "proposed", "confirmed", "data_shared")
    candidates, total = queries.candidates(review) if picking else ([], 0)
    team.lead.choices = [("", "Choose the lead reviewer")] + [
        (c.id, c.name) for c in candidates]
    # The findings and workshop forms are made only when they show (or come back with errors).
    can_record = services.can_record_findings(user, review)
    findings = forms.get("findings") or (FindingsForm(
        formdata=None, version=review.version, went_well=review.went_well,
        to_develop=review.to_develop, summary=review.summary, safeguarding=review.safeguarding)
        if can_record else None)
    can_workshop = services.can_book_workshop(user, review)
    workshop = forms.get("workshop") or (WorkshopForm(
        formdata=None, version=review.version, workshop_date=review.workshop_date,
        facilitator=review.facilitator_id, impact_date=review.impact_date)
        if can_workshop else None)
    if can_workshop:  # every champion in the partnership: only read when the form shows
        workshop.facilitator.choices = [("", "Choose a champion")] + [
            (u.id, u.name + (f", {u.school.name}" if u.school else ""))
            for u in queries.champions() if not services.on_team(u, review)]
    see_findings = services.can_see_findings(user, review)
    return render_page(
        "reviews/detail.html", review=review, status=status, team=team, candidates=candidates,
        findings=findings, workshop=workshop, candidate_total=total,
        step=forms.get("step") or StepForm(formdata=None, version=review.version),
        cancel=forms.get("cancel") or CancelForm(formdata=None, version=review.version),
        steps=services.next_steps(user, review), can_edit=can_edit, picking=picking,
        can_cancel=services.can_cancel(user, review), see_findings=see_findings,
        can_record=can_record, can_workshop=can_workshop,
        history=queries.history(review.id), area=queries.categories().get(review.focus_area,
                                                                          review.focus_area),
        helpers=queries.helpers_for(review) if see_findings and review.areas else [],
        closed=services.closed_warning(review.host_school_id, review.start_date, review.days))


@bp.route("/reviews/<int:review_id>")
def detail(review_id: int):
    return _detail(_review(review_id))


def _act(review_id: int, form_name: str, form, action, message: str):
    """Validate a review form, run the service, commit, back to the review page."""
    review = _review(review_id)
    if form.validate_on_submit():
        try:
            action(review, form)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
            review = _review(review_id)
        else:
            db.session.commit()
            flash(message, "success")
            return hx_redirect(url_for("reviews.detail", review_id=review_id))
    return _detail(review, status=form.status if form.status != 200 else 422,
                   **{form_name: form})


@bp.route("/reviews/<int:review_id>/team", methods=["POST"])
def team(review_id: int):
    def act(review, form):
        people = {u.id: u for u in db.session.query(User).filter(
            User.id.in_([i for i in [form.lead.data, *(form.reviewers.data or [])] if i]))}
        services.set_team(actor=current_user, review=review, lead=people.get(form.lead.data),
                          reviewers=[people[i] for i in form.reviewers.data or [] if i in people],
                          version=form.version_number)
    return _act(review_id, "team", TeamForm(), act,
                "Team proposed. We have emailed the team and the host headteacher.")


@bp.route("/reviews/<int:review_id>/step", methods=["POST"])
def step(review_id: int):
    to = request.form.get("to", "")

    def act(review, form):
        services.transition(actor=current_user, review=review, to=to, note=form.note.data or "",
                            version=form.version_number)
    return _act(review_id, "step", StepForm(), act,
                f"The review is now: {STATES.get(to, '').lower()}.")


@bp.route("/reviews/<int:review_id>/cancel", methods=["POST"])
def cancel(review_id: int):
    def act(review, form):
        services.cancel(actor=current_user, review=review, reason=form.reason.data,
                        version=form.version_number)
    return _act(review_id, "cancel", CancelForm(), act,
                "Review cancelled. We have emailed the team and the host headteacher.")


@bp.route("/reviews/<int:review_id>/findings", methods=["POST"])
def findings(review_id: int):
    if not services.can_see_findings(current_user, _review(review_id)):
        abort(404)

    def act(review, form):
        services.record_findings(actor=current_user, review=review,
                                 went_well=form.went_well.data or "",
                                 to_develop=form.to_develop.data or "",
                                 summary=form.summary.data or "",
                                 safeguarding=form.safeguarding.data,
                                 version=form.version_number)
    return _act(review_id, "findings", FindingsForm(), act, "Findings saved.")


@bp.route("/reviews/<int:review_id>/workshop", methods=["POST"])
def workshop(review_id: int):
    def act(review, form):
        services.book_workshop(actor=current_user, review=review,
                               workshop_date=form.workshop_date.data,
                               facilitator=db.session.get(User, form.facilitator.data or 0),
                               impact_date=form.impact_date.data, version=form.version_number)
    return _act(review_id, "workshop", WorkshopForm(), act, "Improvement workshop booked.")


@bp.route("/reviews/<int:review_id>/edit", methods=["GET", "POST"])
def edit(review_id: int):
    review = _review(review_id)
    if not services.can_edit(current_user, review):
        abort(403, "Only improvement champions and cluster leads reschedule a review that "
                   "has not started.")
    form = RescheduleForm(data={"version": review.version, "start_date": review.start_date,
                                "days": review.days})
    if form.validate_on_submit():
        try:
            services.reschedule(actor=current_user, review=review,
                                start_date=form.start_date.data, days=form.days.data,
                                reason=form.reason.data,
                                closed_reason=form.closed_reason.data or "",
                                version=form.version_number)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
            review = _review(review_id)
        else:
            db.session.commit()
            flash("Review rescheduled. We have emailed the team and the host headteacher.",
                  "success")
            return hx_redirect(url_for("reviews.detail", review_id=review.id))
    return render_page("reviews/edit.html", form=form, review=review, today=services.today(),
                       status=form.status)


@bp.route("/reviews/<int:review_id>.ics")
def review_ics(review_id: int):
    return ics_response(ics.review_calendar(_review(review_id)), f"review-{review_id}.ics")


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    row = db.session.query(CalendarFeed).filter_by(token=token[:64]).first()
    user = db.session.get(User, row.user_id) if row else None
    if user is None or not user.active:
        abort(404)
    return ics_response(ics.feed(f"{user.name} – reviews and meetings",
                                 queries.feed_reviews(user.id), user.id,
                                 meetings=feed_meetings(user.id)), "eip-calendar.ics")


@bp.route("/reviews/availability", methods=["GET", "POST"])
def availability():
    form = UnavailableForm()
    done = submit(form, lambda: services.set_unavailable(
        actor=current_user, day=form.day.data, available=request.form.get("available") == "1"),
        "Your availability is saved.", url_for("reviews.availability"))
    if done:
        return done
    token = services.feed_token(user=current_user)
    db.session.commit()
    return render_page("reviews/availability.html", form=form, status=form.status,
                       days=queries.my_unavailable(current_user, services.today()),
                       feed_url=absolute_url("reviews.feed", token=token),
                       today=services.today())


@bp.route("/reviews/feed/reset", methods=["POST"])
def feed_reset():
    services.feed_token(user=current_user, reset=True)
    db.session.commit()
    flash("Your calendar link has been reset. The old link no longer works: subscribe again "
          "with the new one.", "success")
    return hx_redirect(url_for("reviews.availability"))



def _visits(form) -> list[RotaVisit]:
    """The rota carried in the accept form's hidden fields: visit=<host>:<school>,<school>."""
    visits = []
    for raw in request.form.getlist("visit")[:200]:
        host, _, sent = raw.partition(":")
        ids = [int(x) for x in sent.split(",") if x.isdigit()]
        if host.isdigit() and ids:
            visits.append(RotaVisit(int(host), tuple(ids)))
    return visits


@bp.route("/reviews/rota", methods=["GET", "POST"])
def rota():
    schools = school_names()
    form = RotaForm(data={"schools": [s.id for s in schools]})
    form.schools.choices = [(s.id, s.name) for s in schools]
    form.focus_area.choices = [("", "Choose an area")] + list(queries.categories().items())
    proposal, problem, starts, status = [], "", {}, 200
    if form.validate_on_submit():
        chosen = [s for s in form.schools.data or [] if s in {x.id for x in schools}]
        try:
            if request.form.get("action") == "accept":
                proposal = _visits(form)
                starts = {v.host: _date(request.form.get(f"start-{v.host}")) for v in proposal}
                created = services.accept_rota(
                    actor=current_user, visits=proposal, starts=starts, days=form.days.data,
                    focus_area=form.focus_area.data,
                    avoid_reciprocal=form.avoid_reciprocal.data)
                db.session.commit()
                flash(f"Rota accepted: {len(created)} planned reviews created. Propose each "
                      "team from its review page.", "success")
                return hx_redirect(url_for("reviews.index", state="planned"))
            proposal = make_rota(chosen, form.per_review.data,
                                 avoid_reciprocal=form.avoid_reciprocal.data)
        except NoRota as why:
            problem, status = str(why), 422
        except DomainError as error:
            db.session.rollback()
            problem, status = error.message, error.status
    elif form.errors:
        status = 422
    return render_page("reviews/rota.html", form=form, proposal=proposal, problem=problem,
                       names={s.id: s.name for s in schools}, starts=starts,
                       today=services.today(), status=status)


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


@bp.route("/admin/terms", methods=["GET", "POST"])
def terms():
    """Term dates (leads) and closures: partnership-wide (leads) or one school's (heads)."""
    is_lead = current_user.has_role(LEAD, ADMIN)
    term_form = TermForm(prefix="term")
    closure_form = ClosureForm(prefix="closure")
    schools = school_names() if is_lead else [current_user.school] if current_user.school \
        else []
    closure_form.school.choices = ([("", "Every school")] if is_lead else []) + [
        (s.id, s.name) for s in schools]
    status = 200
    which = request.form.get("form")
    form = term_form if which == "term" else closure_form
    if request.method == "POST" and which in ("term", "closure") and form.validate():
        try:
            if which == "term":
                services.add_term(actor=current_user, name=form.name.data,
                                  start=form.start_date.data, end=form.end_date.data)
            else:
                services.add_closure(actor=current_user, school_id=form.school.data,
                                     name=form.name.data, kind=form.kind.data,
                                     start=form.start_date.data, end=form.end_date.data)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash(f"{form.name.data} added.", "success")
            return hx_redirect(url_for("reviews.terms"))
    if request.method == "POST":
        status = form.status if form.status != 200 else 422
    return render_page("reviews/terms.html", term_form=term_form, closure_form=closure_form,
                       terms=queries.terms(), closures=queries.closures(), is_lead=is_lead,
                       kinds=CLOSURE_KINDS, status=status)


@bp.route("/admin/terms/<any(term, closure):kind>/<int:row_id>/remove", methods=["POST"])
def terms_remove(kind: str, row_id: int):
    model = {"term": Term, "closure": Closure}.get(kind)
    row = db.session.get(model, row_id) if model else None
    if row is None:
        abort(404)
    name = row.name
    services.remove_calendar_row(actor=current_user, row=row)
    db.session.commit()
    flash(f"{name} removed.", "success")
    return hx_redirect(url_for("reviews.terms"))
