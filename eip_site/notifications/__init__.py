"""Notifications people control: per kind, email now, a daily digest, or none; one signed
unsubscribe link in every email; reminders sent once each by `flask send-reminders`."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)


def register(app) -> None:
    from . import cli, models, views  # noqa: F401

    app.register_blueprint(bp)
    app.cli.add_command(cli.send_reminders)
