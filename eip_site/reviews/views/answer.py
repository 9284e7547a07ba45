"""The host head confirms or declines a review from the email's signed link, without signing
in (eip_site/links.py): the link opens this page, which asks before it acts."""

from __future__ import annotations

from flask import flash, request, url_for

from ... import links
from ...errors import DomainError
from ...extensions import db
from ...htmx import hx_redirect, render_page
from ...people.models import User
from .. import bp, services
from ..models import Review
from ..services.notices import ANSWER, answer_problem


@bp.route("/reviews/answer/<token>", methods=["GET", "POST"])
def answer(token: str):
    values, problem = links.read(ANSWER, token)
    review = head = None
    if values is not None and len(values) == 3:
        review, head = db.session.get(Review, values[0]), db.session.get(User, values[1])
        problem = answer_problem(review, head, values[2])
    elif problem is None:
        problem = links.BAD
    if problem is not None:
        return render_page("reviews/answer.html", problem=problem, review=review,
                           status=404 if problem == links.BAD else 410)
    error, note = "", request.form.get("note", "").strip()
    if request.method == "POST":
        to = "confirmed" if request.form.get("answer") == "confirm" else "planned"
        try:
            services.transition(actor=head, review=review, to=to, note=note)
        except DomainError as broken:
            db.session.rollback()
            error = broken.message
        else:
            flash("Thank you: the review is confirmed. We have told the team." if to ==
                  "confirmed" else "The review is declined. We have told the booker and the "
                  "team.", "success")
            return hx_redirect(url_for("reviews.answered", token=token))
    return render_page("reviews/answer.html", review=review, head=head, token=token,
                       error=error, note=note, status=422 if error else 200)


@bp.route("/reviews/answered/<token>")
def answered(token: str):
    values, _problem = links.read(ANSWER, token)
    review = db.session.get(Review, values[0]) if values else None
    return render_page("reviews/answer.html", done=True, review=review)
