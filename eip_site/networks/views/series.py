"""A meeting series: arranged from the network's page; the rest of it changed from one of
its meetings on (each meeting is otherwise moved or cancelled on its own page)."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, url_for
from flask_login import current_user

from ...clock import to_london
from ...forms import submit
from ...htmx import render_page
from .. import bp, queries, series
from ..forms import SeriesForm
from ..permissions import meeting_for, network_for


def _pattern(form: SeriesForm) -> series.Pattern:
    return series.Pattern(form.pattern.data, form.weekday.data, form.week.data,
                          form.every.data, form.first_day.data, form.last_day.data,
                          form.start.data, form.end.data, form.school.data,
                          form.place.data or "", form.online_link.data or "")


def _done(result) -> str:
    _series, made, warnings = result
    for warning in warnings:
        flash(warning, "warning")
    return f"{len(made)} meeting{'' if len(made) == 1 else 's'} in the series, holidays skipped."


def _form(form: SeriesForm) -> SeriesForm:
    form.school.choices = [(None, "Not at a school (online)")] + [
        (s.id, s.name) for s in queries.schools()]
    return form


@bp.route("/networks/<int:network_id>/series/new", methods=["GET", "POST"])
def series_new(network_id: int):
    network = network_for(current_user, network_id, edit=True)
    form = _form(SeriesForm())
    return submit(form, lambda: series.create_series(
        actor=current_user, network=network, pattern=_pattern(form)), _done,
        url_for("networks.network_meetings", network_id=network.id)) \
        or render_page("networks/series_form.html", form=form, network=network, meeting=None,
                       status=form.status)


@bp.route("/meetings/<int:meeting_id>/series", methods=["GET", "POST"])
def series_change(meeting_id: int):
    meeting = meeting_for(current_user, meeting_id, edit=True)
    current = series.series_of(meeting)
    data = {}
    if current is not None:  # from the day after the series' meeting before this one
        earlier = series.previous_in_series(current, meeting)
        first = to_london(earlier.starts_at).date() + timedelta(days=1) if earlier \
            else current.first_day
        data = {"pattern": current.pattern, "weekday": current.weekday, "week": current.week,
                "every": current.every, "first_day": first,
                "last_day": current.last_day, "start": current.starts, "end": current.ends,
                "school": current.school_id, "place": current.place,
                "online_link": current.online_link}
    form = _form(SeriesForm(data=data))
    return submit(form, lambda: series.change_from(
        actor=current_user, meeting=meeting, pattern=_pattern(form)), _done,
        url_for("networks.network_meetings", network_id=meeting.network_id)) \
        or render_page("networks/series_form.html", form=form, network=meeting.network,
                       meeting=meeting, series=current, status=form.status)
