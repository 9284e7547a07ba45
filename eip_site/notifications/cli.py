"""`flask send-reminders`: run daily from cron (docs/deploy.md)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..clock import to_london, utcnow


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """Send due reminders and the daily digests. Each reminder goes once: running it twice
    sends nothing more."""
    from .services import send_reminders as run

    now = utcnow()
    counts = run(to_london(now).date(), now)
    click.echo(f"Reminders: {counts['sent']} emailed, {counts['digest']} added to digests, "
               f"{counts['off']} not wanted, {counts['already']} sent before. "
               f"Digests: {counts['digests']} emailed.")
