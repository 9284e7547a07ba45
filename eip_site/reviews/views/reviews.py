"""The review pages: the list, the month calendar, booking, and the review page with its
actions (team, steps, findings, workshop, cancelling, rescheduling)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, get_template_attribute, request, url_for
from markupsafe import Markup
from flask_login import current_user

from ... import audit
from ...clock import today
from ...data_version import stamps
from ...extensions import db
from ...forms import submit
from ...htmx import is_htmx, render_page
from ...people.models import Partnership, School, User
from ...people.queries import active_school_names, school_names
from .. import bp, queries, services
from ..forms import (
    CancelForm,
    FindingsForm,
    FocusForm,
    RescheduleForm,
    ReviewForm,
    StepForm,
    TeamForm,
    WorkshopForm,
)
from ..models import STATES
from ..permissions import (
    can_book_workshop,
    can_cancel,
    can_edit,
    can_edit_focus,
    can_record_findings,
    can_see_findings,
    is_organiser,
    next_steps,
    on_team,
    review_for,
    waiting_steps,
)
from ..scheduling import month_weeks, shift_month


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
    can_book = is_organiser(current_user)
    if is_htmx():  # the list alone: no filters, no themes
        return render_page("reviews/_list.html", listing=listing, can_book=can_book)
    themes_stamp, people_stamp = stamps("themes", "people")
    return render_page("reviews/index.html", filters=filters, listing=listing,
                       terms=queries.terms(), schools=active_school_names(people_stamp),
                       states=STATES, can_book=can_book,
                       themes=queries.themes(today() - timedelta(days=365), themes_stamp,
                                             current_app.config["REVIEW_THEMES_MIN_SCHOOLS"]))


@bp.route("/reviews/calendar")
def calendar():
    day = today()
    raw = request.args.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-")) if raw else (day.year, day.month)
        date(year, month, 1)
    except ValueError:
        year, month = day.year, day.month
    mine = request.args.get("mine") == "1"
    return render_page("reviews/calendar.html", weeks=month_weeks(year, month),
                       by_day=queries.month(year, month, current_user if mine else None),
                       closed=queries.month_closed(year, month),
                       first=date(year, month, 1), mine=mine, today=day,
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
        or render_page("reviews/new.html", form=form, today=today(), status=form.status)


def _picker_rows(candidates, chosen) -> Markup:
    """The team picker's rows, rendered once for each remembered list of candidates and boxes
    ticked (a few sets at most: a form sent back with errors may tick any): 40 rows were a
    sixth of the review page."""
    key = frozenset(chosen)
    rows = getattr(candidates, "rows", {}).get(key)
    if rows is None:
        rows = get_template_attribute("reviews/_macros.html", "picker_rows")(candidates, chosen)
        if isinstance(candidates, queries.Shown) and len(candidates.rows) < 8:
            candidates.rows[key] = rows
    return rows


def _detail(review, status: int = 200, **forms):
    """The review page, with any form that failed shown with its errors."""
    user = current_user
    team = forms.get("team") or TeamForm(formdata=None, version=review.version,
                                         lead=review.lead_reviewer.id if review.lead_reviewer
                                         else None, reviewers=[u.id for u in review.reviewers])
    editable = can_edit(user, review)
    # The team is picked until the review days: only then are the candidates read.
    picking = editable and review.state in ("planned", "proposed", "confirmed", "data_shared")
    candidates, total = queries.candidates(review) if picking else ([], 0)
    team.lead.choices = [("", "Choose the lead reviewer")] + [
        (c.id, c.name) for c in candidates if not c.capped]
    # The findings and workshop forms are made only when they show (or come back with errors).
    can_record = can_record_findings(user, review)
    findings = forms.get("findings") or (FindingsForm(
        formdata=None, version=review.version, went_well=review.went_well,
        to_develop=review.to_develop, summary=review.summary, safeguarding=review.safeguarding)
        if can_record else None)
    can_workshop = can_book_workshop(user, review)
    workshop = forms.get("workshop") or (WorkshopForm(
        formdata=None, version=review.version, workshop_date=review.workshop_date,
        facilitator=review.facilitator_id, impact_date=review.impact_date)
        if can_workshop else None)
    if can_workshop:  # every champion in the partnership: only read when the form shows
        workshop.facilitator.choices = [("", "Choose a champion")] + [
            (u.id, u.name + (f", {u.school.name}" if u.school else ""))
            for u in queries.champions() if not on_team(u, review)]
    focus = forms.get("focus") or (FocusForm(
        formdata=None, version=review.version, focus=review.focus,
        focus_area=review.focus_area) if can_edit_focus(user, review) else None)
    if focus:
        focus.focus_area.choices = list(queries.categories().items())
    see_findings = can_see_findings(user, review)
    return render_page(
        "reviews/detail.html", review=review, status=status, team=team, candidates=candidates,
        picker_rows=_picker_rows(candidates, team.reviewers.data or []) if candidates else "",
        findings=findings, workshop=workshop, candidate_total=total, focus=focus,
        review_cap=Partnership.current().max_reviews_per_year,
        step=forms.get("step") or StepForm(formdata=None, version=review.version),
        cancel=forms.get("cancel") or CancelForm(formdata=None, version=review.version),
        steps=next_steps(user, review), waiting=waiting_steps(user, review),
        can_edit=editable, picking=picking,
        can_cancel=can_cancel(user, review), see_findings=see_findings,
        can_record=can_record, can_workshop=can_workshop,
        history=queries.history(review.id, findings=see_findings), area=queries.categories().get(review.focus_area,
                                                                          review.focus_area),
        helpers=queries.helpers_for(review) if see_findings and review.areas else [],
        closed=services.closed_warning(review.host_school_id, review.dates))


@bp.route("/reviews/<int:review_id>")
def detail(review_id: int):
    review = review_for(current_user, review_id)
    if review.summary and can_see_findings(current_user, review):
        audit.record("review.findings_viewed", obj=review,
                     summary=f"Peer review of {review.host_school.name}")
    return _detail(review)


def _act(review_id: int, form_name: str, form, action, message: str, **access):
    """A form on the review page: saved (forms.submit), or the page again with its errors.
    ``access``: what the loader checks (``findings=True``)."""
    review = review_for(current_user, review_id, **access)
    done = submit(form, lambda: action(review, form), message,
                  url_for("reviews.detail", review_id=review_id))
    if done:
        return done
    review = review_for(current_user, review_id)  # as saved: a broken rule was undone
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


@bp.route("/reviews/<int:review_id>/focus", methods=["POST"])
def focus(review_id: int):
    def act(review, form):
        services.set_focus(actor=current_user, review=review, focus=form.focus.data or "",
                           focus_area=form.focus_area.data or "", version=form.version_number)
    return _act(review_id, "focus", FocusForm(), act, "Enquiry focus saved.")


@bp.route("/reviews/<int:review_id>/step", methods=["POST"])
def step(review_id: int):
    to = request.form.get("to", "")

    def act(review, form):
        services.transition(actor=current_user, review=review, to=to, note=form.note.data or "",
                            offered=form.offered, version=form.version_number)
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
    def act(review, form):
        services.record_findings(actor=current_user, review=review,
                                 went_well=form.went_well.data or "",
                                 to_develop=form.to_develop.data or "",
                                 summary=form.summary.data or "",
                                 safeguarding=form.safeguarding.data,
                                 version=form.version_number)
    return _act(review_id, "findings", FindingsForm(), act, "Findings saved.", findings=True)


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
    review = review_for(current_user, review_id, edit=True)
    form = RescheduleForm(data={"version": review.version, "start_date": review.start_date,
                                "days": review.days})
    return submit(form, lambda: services.reschedule(
        actor=current_user, review=review, start_date=form.start_date.data,
        days=form.days.data, reason=form.reason.data,
        closed_reason=form.closed_reason.data or "", version=form.version_number),
        "Review rescheduled. We have emailed the team and the host headteacher.",
        url_for("reviews.detail", review_id=review_id)) \
        or render_page("reviews/edit.html", form=form, review=review, today=today(),
                       status=form.status)
