"""Calendars: a review's .ics, the personal subscription feed, and the page where people
mark the days they are not available and find their feed link."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from ...mail import absolute_url
from ...calendars import ics_response
from ...clock import today
from ...forms import submit
from ...htmx import hx_redirect, render_page
from ...networks.queries import feed_meetings
from .. import bp, ics, queries, services
from ..forms import UnavailableForm
from ..permissions import feed_owner, review_for


@bp.route("/reviews/<int:review_id>.ics")
def review_ics(review_id: int):
    return ics_response(ics.review_calendar(review_for(current_user, review_id)),
                        f"review-{review_id}.ics")


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    user = feed_owner(token)
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
    return render_page("reviews/availability.html", form=form, status=form.status,
                       days=queries.my_unavailable(current_user, today()),
                       feed_url=absolute_url("reviews.feed", token=token), today=today())


@bp.route("/reviews/feed/reset", methods=["POST"])
def feed_reset():
    services.feed_token(user=current_user, reset=True)
    flash("Your calendar link has been reset. The old link no longer works: subscribe again "
          "with the new one.", "success")
    return hx_redirect(url_for("reviews.availability"))
