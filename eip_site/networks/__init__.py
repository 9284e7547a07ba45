"""Networks and their meetings: agendas, minutes, decisions and actions that carry forward.
One blueprint; views are split by area: views (networks), meeting_views, item_views,
minutes_views, action_views, plan_views. Rules: services (networks, meetings, plans), agenda,
minutes and rules (who may do what); timetable and markup are pure helpers."""

from flask import Blueprint

bp = Blueprint("networks", __name__)


def register(app) -> None:
    from . import (action_views, item_views, meeting_views, minutes_views, models,  # noqa: F401
                   plan_views, views)

    app.register_blueprint(bp)
