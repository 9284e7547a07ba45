"""Peer-review scheduling: book reviews that keep the rules, and follow them through."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)


def register(app) -> None:
    from . import models, queries, views  # noqa: F401
    from .rules import span_text

    app.register_blueprint(bp)
    app.add_template_filter(span_text, "review_days")
    app.add_template_filter(models.state_tag, "review_state")
    app.add_template_filter(queries.picker_rows, "picker_rows")
    app.add_template_global(models.STATES, "STATES_LABELS")
