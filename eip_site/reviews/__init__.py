"""Peer-review scheduling: book reviews that keep the rules, and follow them through."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)


def register(app) -> None:
    from ..notifications.services import add_reminders
    from . import models, views  # noqa: F401
    from .scheduling import span_text
    from .services.notices import reminders

    app.register_blueprint(bp)
    app.add_template_filter(span_text, "review_days")
    app.add_template_global(models.STATES, "STATES_LABELS")
    add_reminders(app, reminders)
